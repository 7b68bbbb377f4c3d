// Grant state changes the jobs area makes, each as one function called inside
// the caller's transaction: the grant row, the audit event and the Jira
// write-back move together or not at all.
import { AUDIT_CHANNELS, type AuditChannel, type GrantStatus } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { connectionRecordOrNull } from '../connections/connections.js';
import type { Db } from '../db/database.js';
import { setGrant, type GrantRecord } from './grant-store.js';
import { enqueueJiraUpdate, type JiraUpdate } from './jira-outbox.js';
import { cancelOpenJobsOfGrant, enqueueJob, jobByKey, reviveJob } from './job-store.js';

export type { GrantRecord } from './grant-store.js';

/**
 * Why a revocation job exists: expiry (the grant ends 'expired'), someone
 * revoking it ('revoked', with who and the channel they came through), or an access review's revoke ('review': the grant
 * ends 'revoked' with an end reason starting "review:" that names the
 * campaign, the reviewer and their reason).
 */
export type RevokePayload =
  | { reason: 'expired'; expiresAt: string }
  | { reason: 'revoked'; by: string; note: string; channel?: AuditChannel }
  | { reason: 'review'; by: string; note: string; campaignId: number; itemId: number };

/** The payload of a revocation job, read defensively (an older job may lack fields). */
export function revokePayload(p: Record<string, unknown>, grant: GrantRecord): RevokePayload {
  if (p.reason === 'revoked') {
    const channel = AUDIT_CHANNELS.find((c) => c === p.channel);
    return { reason: 'revoked', by: typeof p.by === 'string' ? p.by : 'unknown', note: typeof p.note === 'string' ? p.note : '', ...(channel ? { channel } : {}) };
  }
  if (p.reason === 'review') {
    return {
      reason: 'review',
      by: typeof p.by === 'string' ? p.by : 'unknown',
      note: typeof p.note === 'string' ? p.note : '',
      campaignId: typeof p.campaignId === 'number' ? p.campaignId : 0,
      itemId: typeof p.itemId === 'number' ? p.itemId : 0,
    };
  }
  return { reason: 'expired', expiresAt: typeof p.expiresAt === 'string' ? p.expiresAt : (grant.expires_at ?? '') };
}

/** "Okta prod (Okta)": a connection as grant messages name it, also after it was removed. */
export function connectionLabel(db: Db, connectionId: number): string {
  const c = connectionRecordOrNull(db, connectionId);
  if (!c) return `connection #${connectionId} (removed)`;
  return `${c.name} (${c.kind === 'entra' ? 'Entra ID' : c.kind === 'okta' ? 'Okta' : c.kind})`;
}

export const who = (g: Pick<GrantRecord, 'beneficiary_email' | 'beneficiary_name'>): string => g.beneficiary_email ?? g.beneficiary_name;

/** Queues a Jira write-back for the grant's request (no-op without a request or a Jira connection). */
export function jiraForGrant(db: Db, g: GrantRecord, update: JiraUpdate, now: Date): void {
  if (g.request_id === null) return;
  enqueueJiraUpdate(db, g.request_id, update, now);
}

/** `channel`: where a person's change came from (console, cli); omitted for the engine's own ('system'). */
export function auditGrant(db: Db, actor: string, action: string, g: GrantRecord, details: Record<string, unknown>, now: Date, channel?: AuditChannel): void {
  appendAudit(
    db,
    {
      actor,
      ...(channel ? { channel } : {}),
      action,
      targetType: 'grant',
      targetId: g.id,
      details: { requestId: g.request_id, connectionId: g.connection_id, groupId: g.group_id, groupName: g.group_name, identityId: g.identity_id, ...details },
    },
    now,
  );
}

/** The access is in the IdP: the grant becomes active. */
export function markProvisioned(db: Db, g: GrantRecord, actor: string, now: Date, how: string): void {
  const at = now.toISOString();
  setGrant(db, g.id, { status: 'active', provisioned_at: at }, now);
  auditGrant(db, actor, 'grant.provisioned', g, { how, expiresAt: g.expires_at }, now);
  jiraForGrant(
    db,
    g,
    {
      event: 'provisioned',
      comment:
        `Access provisioned: ${who(g)} was added to the group "${g.group_name}" in ${connectionLabel(db, g.connection_id)} at ${at} (${how}).` +
        (g.expires_at ? ` It expires at ${g.expires_at} and will be removed then.` : ' The access is permanent.'),
      transition: g.expires_at ? 'in-progress' : 'done',
      discriminator: g.id,
    },
    now,
  );
}

/** The membership is gone from the IdP: the grant ends, expired or revoked, with why. */
export function markEnded(db: Db, g: GrantRecord, payload: RevokePayload, actor: string, now: Date, how: string): void {
  const at = now.toISOString();
  const status: GrantStatus = payload.reason === 'expired' ? 'expired' : 'revoked';
  const endReason =
    payload.reason === 'expired'
      ? `expired at ${payload.expiresAt}`
      : payload.reason === 'review'
        ? `review: ${payload.note}`
        : `revoked by ${payload.by}${payload.channel ? ` via ${payload.channel}` : ''}: ${payload.note}`;
  setGrant(db, g.id, { status, ended_at: at, end_reason: endReason }, now);
  auditGrant(db, actor, status === 'expired' ? 'grant.expired' : 'grant.revoked', g, { how, endReason }, now);
  jiraForGrant(
    db,
    g,
    {
      event: status === 'expired' ? 'grant-expired' : 'revoked',
      comment: `Access removed: ${who(g)} was removed from the group "${g.group_name}" in ${connectionLabel(db, g.connection_id)} at ${at} (${endReason}; ${how}).`,
      transition: 'done',
      discriminator: g.id,
    },
    now,
  );
}

/**
 * Queues the revocation of a grant (key revoke:grant:N, so expiry and a manual
 * revoke never make two). A revocation cancelled earlier is brought back.
 */
export function enqueueRevoke(db: Db, g: GrantRecord, payload: RevokePayload, priority: number, now: Date): number {
  const key = revokeKey(g.id);
  const existing = jobByKey(db, key);
  if (existing && existing.status === 'cancelled') {
    reviveJob(db, existing.id, payload, priority, now);
    return existing.id;
  }
  return enqueueJob(db, { kind: 'revoke', grantId: g.id, requestId: g.request_id, connectionId: g.connection_id, payload, priority, idempotencyKey: key }, now);
}

/** The idempotency key of a grant's revocation: expiry and a manual revoke never make two. */
export const revokeKey = (grantId: number): string => `revoke:grant:${grantId}`;

/** Cancels the grant's queued or failed provisioning job(s); returns their ids. */
export function cancelProvisioning(db: Db, grantId: number, why: string, now: Date): number[] {
  return cancelOpenJobsOfGrant(db, grantId, 'provision', why, now);
}
