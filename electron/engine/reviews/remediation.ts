// What a closed campaign's decisions become, and how each is followed to the
// end: queued → done (the job removed the membership) → verified (a sync
// that started after the removal no longer shows it, naming that run), or
// failed / manual → manual-done.
//
// - A revoke of access with a live grant revokes that grant through the
//   durable jobs, like a revocation from the console (provisioning
//   cancelled, a revoke job with reason 'review'; the grant ends 'revoked'
//   with an end reason starting "review:", audited, and the grant's Jira
//   request commented as for any revocation).
// - Access held outside the process (no grant) first gets a ledger grant for
//   the membership as it is ("adopted for revocation by review"), then the
//   same revocation: the ledger records every access Latchkey removes.
// - Groups Latchkey may not change (group rules, dynamic groups, source-
//   managed): the revoke job's executor turns them into a manual task; the
//   remediation shows 'manual' until the task is done ('manual-done').
// - "Keep, but make it time-bound": the grant's end date is set (the
//   membership adopted as a grant when it has none) and expiry removes it
//   then; the remediation is 'done' at once (there is nothing to verify yet).
//
// States follow the jobs and tasks by reconciliation (syncRemediationStates,
// run after job runs and syncs), never by hooks inside the jobs area.
//
// Verification (verifyRemediations, after each successful sync): a done
// revocation whose membership the sync no longer shows is 'verified', naming
// the run; so is one whose group no longer exists ("no access remains").
// One the sync still shows: after a FULL sync that started after the removal
// it is 'failed' (the IdP has the access: someone must look); after an
// incremental sync it stays 'done' with a note (the System Log may lag; the
// next full sync decides). A failed revocation whose membership is gone
// anyway is verified too. A campaign is complete when every revocation is
// verified or manual-done and every time-bound keep is done.
import type { RevokePayload } from '../jobs/ledger.js';
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { isLiveMember, liveGroup } from '../directory/snapshot-lookups.js';
import { getGrant, insertGrant, liveGrantOfMembership, setGrant, type GrantRecord } from '../jobs/grant-store.js';
import { jobByKey, jobRecord } from '../jobs/job-store.js';
import { JOB_PRIORITY } from '../jobs/job-types.js';
import { auditGrant, cancelProvisioning, connectionLabel, enqueueRevoke, revokeKey } from '../jobs/ledger.js';
import { closeTask, openTasksOfGrant, tasksOfGrants } from '../jobs/manual-tasks.js';
import { getSyncRun } from '../sync/sync-runs.js';
import { campaignIdsWithStatus, campaignRecord, isBeingClosed, setCampaign, type CampaignRecord } from './campaign-store.js';
import type { DecisionRecord } from './decision-store.js';
import type { ItemForDecision } from './item-store.js';
import { insertRemediation, remediationsFollowingJobs, revocationsToVerify, setRemediation, unfinishedRemediations, type RemediationPatch, type RemediationRecord } from './remediation-store.js';

const REVIEW_ACTOR = 'latchkey:reviews';
const LIVE = new Set(['pending', 'active', 'manual', 'failed', 'revoking']);

/** The grant behind an item now: the one frozen at launch if still live, else any live grant of the membership. */
function liveGrantOf(db: Db, item: ItemForDecision): GrantRecord | null {
  const frozen = item.grant_id !== null ? getGrant(db, item.grant_id) : null;
  if (frozen && LIVE.has(frozen.status)) return frozen;
  return liveGrantOfMembership(db, item.connection_id, item.group_id, item.identity_id);
}

/** A ledger grant for a membership held outside the process, so that what review changes is on the ledger. */
function adopt(db: Db, c: CampaignRecord, item: ItemForDecision, why: string, expiresAt: string | null, now: Date): GrantRecord {
  const id = insertGrant(
    db,
    {
      request_id: null,
      role_id: item.role_id,
      connection_id: item.connection_id,
      group_id: item.group_id,
      group_name: item.group_name,
      identity_id: item.identity_id,
      beneficiary_email: item.person_email,
      beneficiary_name: item.person_name,
      status: 'active',
      expires_at: expiresAt,
    },
    now,
  );
  setGrant(db, id, { provisioned_at: now.toISOString() }, now);
  const g = getGrant(db, id) as GrantRecord;
  auditGrant(db, REVIEW_ACTOR, 'grant.adopted', g, { how: why, campaignId: c.id, itemId: item.id, heldVia: item.held_via }, now);
  return g;
}

/** Who decided, in the words of a grant's end reason: "campaign #3 "Q1" — revoked by grace@… (left-team)". */
function reviewNote(c: CampaignRecord, word: DecisionRecord): string {
  const who = word.applied_by_default === 1 ? 'revoked by default at close' : `revoked by ${word.decided_by}`;
  const why = [word.reason_code, word.comment].filter((x): x is string => !!x).join(': ');
  return `campaign #${c.id} "${c.name}" — ${who}${why ? ` (${why})` : ''}`;
}

/**
 * Turns one final decision into its remediation (inside a transaction of
 * the close, close-queue.ts): a revocation through the jobs, or an end date
 * on the grant.
 * Returns the kind made, or null when the word needs nothing.
 */
export function remediateItem(ctx: EngineContext, c: CampaignRecord, item: ItemForDecision, word: DecisionRecord, by: string, now: Date): 'revoke' | 'time-bound' | null {
  const { db } = ctx;
  const at = now.toISOString();
  const base = { item_id: item.id, campaign_id: c.id };
  if (word.decision === 'keep' && word.keep_until === null) return null;
  const group = liveGroup(db, item.connection_id, item.group_id);
  const member = group !== null && isLiveMember(db, item.connection_id, item.group_id, item.identity_id);
  let grant = liveGrantOf(db, item);

  if (word.decision === 'keep') {
    const until = word.keep_until as string;
    if (!grant && !member) {
      insertRemediation(db, { ...base, kind: 'time-bound', status: 'done', grant_id: null, job_id: null, done_at: at, note: `nothing to limit: the membership was no longer in the snapshot at close` }, now);
      return 'time-bound';
    }
    grant ??= adopt(db, c, item, `adopted by review as time-bound access (kept until ${until})`, until, now);
    if (grant.expires_at === null || grant.expires_at > until) {
      setGrant(db, grant.id, { expires_at: until }, now);
      auditGrant(db, word.decided_by, 'grant.end_date_set', grant, { how: 'access review: keep, but make it time-bound', campaignId: c.id, itemId: item.id, previous: grant.expires_at, expiresAt: until }, now);
    }
    const ends = grant.expires_at !== null && grant.expires_at < until ? grant.expires_at : until;
    insertRemediation(db, { ...base, kind: 'time-bound', status: 'done', grant_id: grant.id, job_id: null, done_at: at, note: `grant #${grant.id} now ends at ${ends}; expiry removes the membership then` }, now);
    return 'time-bound';
  }

  let adopted = false;
  if (!grant) {
    if (!group) {
      insertRemediation(db, { ...base, kind: 'revoke', status: 'done', grant_id: null, job_id: null, done_at: at, note: 'no access remains: the group no longer exists in the snapshot at close' }, now);
      return 'revoke';
    }
    if (!member) {
      insertRemediation(db, { ...base, kind: 'revoke', status: 'done', grant_id: null, job_id: null, done_at: at, note: 'the membership was already gone from the snapshot at close' }, now);
      return 'revoke';
    }
    grant = adopt(db, c, item, 'adopted for revocation by review: the membership was held outside the process', null, now);
    adopted = true;
  }
  const payload: RevokePayload = { reason: 'review', by: word.decided_by, note: reviewNote(c, word), campaignId: c.id, itemId: item.id };
  let jobId: number;
  if (grant.status === 'revoking') {
    // Already on its way out (expiry, a revocation from the console): the review follows that job.
    jobId = jobByKey(db, revokeKey(grant.id))?.id ?? enqueueRevoke(db, grant, payload, JOB_PRIORITY.revoke, now);
  } else {
    // A grant adopted just now has no provisioning job or task to cancel.
    const cancelled = adopted ? [] : cancelProvisioning(db, grant.id, `cancelled: revoked by access review (campaign #${c.id})`, now);
    const open = adopted ? [] : openTasksOfGrant(db, grant.id, 'add');
    for (const t of open) closeTask(db, t.id, 'cancelled', { evidence: `cancelled: the access was revoked by access review (campaign #${c.id})`, by }, now);
    jobId = enqueueRevoke(db, grant, payload, JOB_PRIORITY.revoke, now);
    setGrant(db, grant.id, { status: 'revoking' }, now);
    auditGrant(db, word.decided_by, 'grant.revoke_requested', grant, { reason: `review: ${payload.note}`, campaignId: c.id, itemId: item.id, revokeJobId: jobId, cancelledJobs: cancelled, cancelledTasks: open.map((t) => t.id) }, now);
  }
  insertRemediation(db, { ...base, kind: 'revoke', status: 'queued', grant_id: grant.id, job_id: jobId, done_at: null, note: null }, now);
  return 'revoke';
}

/** What the remediation should say now from its job (and manual task), or null when it has not moved. */
function followJob(db: Db, r: RemediationRecord): RemediationPatch | null {
  const job = r.job_id !== null ? jobRecord(db, r.job_id) : null;
  if (!job) return r.status === 'failed' ? null : { status: 'failed', note: `its job #${r.job_id ?? '?'} no longer exists` };
  // Done, then found still present by a full sync: the job's success is not the last word.
  if (job.status === 'succeeded' && r.status === 'failed' && r.done_at !== null) return null;
  let next: RemediationPatch;
  switch (job.status) {
    case 'succeeded': {
      let note: string | null = null;
      try {
        const result = JSON.parse(job.result ?? '{}') as { note?: unknown };
        if (typeof result.note === 'string') note = result.note;
      } catch {
        // A result that is not JSON says nothing more.
      }
      next = { status: 'done', done_at: job.finishedAt ?? job.updatedAt, note };
      break;
    }
    case 'failed':
      next = { status: 'failed', note: job.lastError };
      break;
    case 'cancelled':
      next = { status: 'failed', note: `the revocation job #${job.id} was cancelled${job.lastError ? `: ${job.lastError}` : ''}` };
      break;
    case 'manual': {
      const task = tasksOfGrants(db, r.grant_id !== null ? [r.grant_id] : []).filter((t) => t.jobId === job.id && t.action === 'remove').pop();
      if (!task) next = { status: 'manual', note: job.lastError };
      else if (task.status === 'open') next = { status: 'manual', task_id: task.id, note: task.reason };
      else if (task.status === 'done') next = { status: 'manual-done', task_id: task.id, note: `manual task #${task.id} done by ${task.completedBy ?? '?'}: ${task.evidence ?? ''}` };
      else next = { status: 'failed', task_id: task.id, note: `manual task #${task.id} was cancelled${task.evidence ? ` (${task.evidence})` : ''}` };
      break;
    }
    default:
      next = { status: 'queued' };
  }
  const same = (Object.keys(next) as (keyof RemediationPatch)[]).every((k) => next[k] === r[k]);
  return same ? null : next;
}

/** Campaigns whose every remediation is finished become complete (audited). */
function completeFinished(ctx: EngineContext, campaignIds: Iterable<number>, now: Date): number[] {
  const done: number[] = [];
  for (const id of new Set(campaignIds)) {
    const c = campaignRecord(ctx.db, id);
    // A close still queuing its remediations (close-queue.ts) is not complete however many are finished so far.
    if (!c || c.status !== 'remediating' || isBeingClosed(c) || unfinishedRemediations(ctx.db, id) > 0) continue;
    setCampaign(ctx.db, id, { status: 'complete', completed_at: now.toISOString() }, now);
    appendAudit(ctx.db, { actor: REVIEW_ACTOR, action: 'review.campaign_completed', targetType: 'review_campaign', targetId: id, details: { name: c.name } }, now);
    done.push(id);
  }
  return done;
}

const cap = (ids: number[]): Record<string, unknown> => (ids.length <= 1000 ? { itemIds: ids } : { firstItemIds: ids.slice(0, 1000) });

/**
 * Moves each remediation to where its job or manual task is (queued, done,
 * failed, manual, manual-done), one audit event per campaign that moved;
 * then completes campaigns with nothing left. Returns how many moved.
 */
export function syncRemediationStates(ctx: EngineContext, campaignId?: number): number {
  if (ctx.readOnly) return 0;
  const now = ctx.clock.now();
  return ctx.db
    .transaction(() => {
      const moved = new Map<number, Map<string, number[]>>();
      for (const r of remediationsFollowingJobs(ctx.db, campaignId)) {
        const patch = followJob(ctx.db, r);
        if (!patch) continue;
        setRemediation(ctx.db, r.item_id, patch, now);
        if (patch.status === undefined || patch.status === r.status) continue;
        const byStatus = moved.get(r.campaign_id) ?? new Map<string, number[]>();
        byStatus.set(patch.status, [...(byStatus.get(patch.status) ?? []), r.item_id]);
        moved.set(r.campaign_id, byStatus);
      }
      let n = 0;
      for (const [cid, byStatus] of moved) {
        const details: Record<string, unknown> = {};
        for (const [status, ids] of byStatus) {
          details[status] = { items: ids.length, ...cap(ids) };
          n += ids.length;
        }
        appendAudit(ctx.db, { actor: REVIEW_ACTOR, action: 'review.remediation_updated', targetType: 'review_campaign', targetId: cid, details }, now);
      }
      completeFinished(ctx, campaignId !== undefined ? [campaignId] : campaignIdsWithStatus(ctx.db, 'remediating'), now);
      return n;
    })
    .immediate();
}

/**
 * After a successful sync of a connection: revocations the sync confirms
 * become 'verified' naming the run (see the rules at the top). Returns the
 * verified item ids.
 */
export function verifyRemediations(ctx: EngineContext, connectionId: number, runId: number): number[] {
  if (ctx.readOnly) return [];
  const run = getSyncRun(ctx.db, runId);
  if (!run || run.status !== 'succeeded' || run.connectionId !== connectionId) return [];
  const now = ctx.clock.now();
  const at = now.toISOString();
  const where = connectionLabel(ctx.db, connectionId);
  return ctx.db
    .transaction(() => {
      const verified = new Map<number, number[]>();
      const stillThere = new Map<number, number[]>();
      for (const r of revocationsToVerify(ctx.db, connectionId)) {
        // A sync that started before the removal cannot vouch for it.
        if (r.status === 'done' && (r.done_at === null || r.done_at > run.startedAt)) continue;
        const group = liveGroup(ctx.db, connectionId, r.group_id);
        const gone = group === null || !isLiveMember(ctx.db, connectionId, r.group_id, r.identity_id);
        if (gone) {
          const why =
            group === null
              ? `no access remains: the group "${r.group_name}" no longer exists in ${where} (sync run #${run.id})`
              : `sync run #${run.id} of ${where} no longer shows ${r.person_name} in "${r.group_name}"`;
          const note = r.status === 'failed' ? `${why}, although the revocation had failed (${r.note ?? 'no detail'})` : r.note && group !== null ? `${why}; ${r.note}` : why;
          setRemediation(ctx.db, r.item_id, { status: 'verified', verified_run_id: run.id, verified_at: at, note }, now);
          verified.set(r.campaign_id, [...(verified.get(r.campaign_id) ?? []), r.item_id]);
        } else if (r.status === 'done') {
          const note =
            run.mode === 'full'
              ? `sync run #${run.id} (full, started ${run.startedAt}, after the removal at ${r.done_at ?? '?'}) still shows ${r.person_name} in "${r.group_name}": the access is still in ${where} — revoke it there or revoke the grant again`
              : `sync run #${run.id} (incremental) still shows ${r.person_name} in "${r.group_name}"; the next full sync decides`;
          setRemediation(ctx.db, r.item_id, { status: run.mode === 'full' ? 'failed' : 'done', note }, now);
          stillThere.set(r.campaign_id, [...(stillThere.get(r.campaign_id) ?? []), r.item_id]);
        }
      }
      for (const [cid, ids] of verified) {
        appendAudit(ctx.db, { actor: REVIEW_ACTOR, action: 'review.remediation_verified', targetType: 'review_campaign', targetId: cid, details: { runId: run.id, connectionId, items: ids.length, ...cap(ids) } }, now);
      }
      for (const [cid, ids] of stillThere) {
        appendAudit(ctx.db, { actor: REVIEW_ACTOR, action: 'review.remediation_unconfirmed', targetType: 'review_campaign', targetId: cid, details: { runId: run.id, mode: run.mode, connectionId, items: ids.length, ...cap(ids) } }, now);
      }
      completeFinished(ctx, verified.keys(), now);
      return [...verified.values()].flat();
    })
    .immediate();
}
