// Expiry: time-bound access really ends. At `expires_at` a grant gets a
// revocation job (priority 0: before any provisioning or Jira job); the grant
// shows 'revoking' until the job has removed the membership, then 'expired'
// with when and why. Grants that never got their access (still pending,
// failed, or waiting on a manual add) have their provisioning cancelled; a
// revocation is queued for them anyway when a job may have reached the IdP
// (removing a non-member is a no-op), so nothing lingers.
//
// Notices: a grant expiring within settings.expiryNoticeHours gets notice_at
// set (once), an audit event and a Jira comment.
import type { EngineContext } from '../context.js';
import { getSettings } from '../settings/settings.js';
import { grantsDueForExpiry, grantsDueForNotice, setGrant } from './grant-store.js';
import { jobByKey } from './job-store.js';
import { JOB_PRIORITY } from './job-types.js';
import { auditGrant, cancelProvisioning, connectionLabel, enqueueRevoke, jiraForGrant, revokeKey, who } from './ledger.js';
import { closeTask, openTasksOfGrant } from './manual-tasks.js';

const EXPIRY_ACTOR = 'latchkey:expiry';

/** Queues revocations for every grant past its expires_at; returns the job ids (new or already queued). */
export function expireDueGrants(ctx: EngineContext): number[] {
  if (ctx.readOnly) return [];
  const now = ctx.clock.now();
  const at = now.toISOString();
  const { db } = ctx;
  return db
    .transaction(() => {
      const due = grantsDueForExpiry(db, now);
      const jobs: number[] = [];
      for (const g of due) {
        const payload = { reason: 'expired' as const, expiresAt: g.expires_at ?? at };
        const revoke = jobByKey(db, revokeKey(g.id));
        if (g.status === 'failed' && revoke && revoke.status === 'failed') continue; // its revocation failed: in Needs attention already
        if (g.status === 'manual') {
          const open = openTasksOfGrant(db, g.id);
          if (open.some((t) => t.action === 'remove')) continue; // someone is removing it by hand already
          const adds = open.filter((t) => t.action === 'add');
          if (adds.length > 0) {
            // The access was never given: close the task, end the grant, nothing to remove in the IdP.
            for (const t of adds) {
              closeTask(db, t.id, 'cancelled', { evidence: `cancelled: the grant expired at ${g.expires_at} before the access was added`, by: EXPIRY_ACTOR }, now);
            }
            setGrant(db, g.id, { status: 'expired', ended_at: at, end_reason: `expired at ${g.expires_at} before the manual task to add it was done` }, now);
            auditGrant(db, EXPIRY_ACTOR, 'grant.expired', g, { cancelledTasks: adds.map((t) => t.id), how: 'never provisioned' }, now);
            jiraForGrant(
              db,
              g,
              { event: 'grant-expired', comment: `The access of ${who(g)} to "${g.group_name}" expired at ${g.expires_at} before it was added by hand; the manual task was closed.`, transition: 'done', discriminator: g.id },
              now,
            );
            continue;
          }
        }
        const cancelled = g.status === 'active' ? [] : cancelProvisioning(db, g.id, `cancelled: the grant expired at ${g.expires_at} before it was provisioned`, now);
        const jobId = enqueueRevoke(db, g, payload, JOB_PRIORITY.expiry, now);
        setGrant(db, g.id, { status: 'revoking' }, now);
        auditGrant(db, EXPIRY_ACTOR, 'grant.expiry_due', g, { expiresAt: g.expires_at, revokeJobId: jobId, cancelledJobs: cancelled, previousStatus: g.status }, now);
        jobs.push(jobId);
      }
      return jobs;
    })
    .immediate();
}

/** Records the expiry notice of grants expiring within the notice window (each once); returns their ids. */
export function sendExpiryNotices(ctx: EngineContext): number[] {
  if (ctx.readOnly) return [];
  const { db } = ctx;
  const now = ctx.clock.now();
  const hours = getSettings(db).expiryNoticeHours;
  if (!(hours > 0)) return [];
  const until = new Date(now.getTime() + hours * 3_600_000);
  return db
    .transaction(() => {
      const soon = grantsDueForNotice(db, now, until);
      for (const g of soon) {
        setGrant(db, g.id, { notice_at: now.toISOString() }, now);
        auditGrant(db, EXPIRY_ACTOR, 'grant.expiry_notice', g, { expiresAt: g.expires_at, noticeHours: hours }, now);
        jiraForGrant(
          db,
          g,
          {
            event: 'notice',
            comment: `Notice: the access of ${who(g)} to the group "${g.group_name}" in ${connectionLabel(db, g.connection_id)} expires at ${g.expires_at}. To keep it, request an extension in Latchkey.`,
            discriminator: g.id,
          },
          now,
        );
      }
      return soon.map((g) => g.id);
    })
    .immediate();
}
