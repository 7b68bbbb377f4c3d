// Grant state changes the jobs area makes, each as one function called inside
// the caller's transaction: the grant row, the audit event and the Jira
// write-back move together or not at all. Also the live-snapshot patch after
// a membership change, so the Directory shows it before the next sync.
import type { GrantStatus } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { enqueueJiraUpdate, type JiraUpdate } from './jira-outbox.js';
import { enqueueJob } from './queue.js';

export type GrantRecord = {
  id: number;
  request_id: number | null;
  role_id: number | null;
  connection_id: number;
  group_id: string;
  group_name: string;
  identity_id: string;
  beneficiary_email: string | null;
  beneficiary_name: string;
  status: GrantStatus;
  starts_at: string;
  expires_at: string | null;
  provisioned_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  notice_at: string | null;
};

/** Why a revocation job exists: expiry (the grant ends 'expired') or someone revoking it ('revoked'). */
export type RevokePayload = { reason: 'expired'; expiresAt: string } | { reason: 'revoked'; by: string; note: string };

export function getGrant(db: Db, grantId: number): GrantRecord | null {
  return (db.prepare('SELECT * FROM grants WHERE id = ?').get(grantId) as GrantRecord | undefined) ?? null;
}

export function connectionLabel(db: Db, connectionId: number): string {
  const c = db.prepare('SELECT name, kind FROM connections WHERE id = ?').get(connectionId) as { name: string; kind: string } | undefined;
  if (!c) return `connection #${connectionId} (removed)`;
  return `${c.name} (${c.kind === 'entra' ? 'Entra ID' : c.kind === 'okta' ? 'Okta' : c.kind})`;
}

export const who = (g: Pick<GrantRecord, 'beneficiary_email' | 'beneficiary_name'>): string => g.beneficiary_email ?? g.beneficiary_name;

export function setGrant(db: Db, grantId: number, patch: Partial<Pick<GrantRecord, 'status' | 'provisioned_at' | 'ended_at' | 'end_reason' | 'notice_at'>>, now: Date): void {
  const cols = Object.keys(patch) as (keyof typeof patch)[];
  if (cols.length === 0) return;
  const sets = cols.map((c) => `${c} = @${c}`).join(', ');
  db.prepare(`UPDATE grants SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, updated_at: now.toISOString(), id: grantId });
}

/** Queues a Jira write-back for the grant's request (no-op without a request or a Jira connection). */
export function jiraForGrant(db: Db, g: GrantRecord, update: JiraUpdate, now: Date): void {
  if (g.request_id === null) return;
  enqueueJiraUpdate(db, g.request_id, update, now);
}

export function auditGrant(db: Db, actor: string, action: string, g: GrantRecord, details: Record<string, unknown>, now: Date): void {
  appendAudit(
    db,
    {
      actor,
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
  const endReason = payload.reason === 'expired' ? `expired at ${payload.expiresAt}` : `revoked by ${payload.by}: ${payload.note}`;
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
  const key = `revoke:grant:${g.id}`;
  const existing = db.prepare('SELECT id, status, attempts FROM jobs WHERE idempotency_key = ?').get(key) as { id: number; status: string; attempts: number } | undefined;
  if (existing && existing.status === 'cancelled') {
    db.prepare(
      `UPDATE jobs SET status = 'queued', payload = ?, priority = ?, run_after = ?, max_attempts = attempts + 8, last_error = NULL,
                       finished_at = NULL, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ?`,
    ).run(JSON.stringify(payload), priority, now.toISOString(), now.toISOString(), existing.id);
    return existing.id;
  }
  return enqueueJob(db, { kind: 'revoke', grantId: g.id, requestId: g.request_id, connectionId: g.connection_id, payload, priority, idempotencyKey: key }, now);
}

/** Cancels the grant's queued or failed provisioning job(s); returns their ids. */
export function cancelProvisioning(db: Db, grantId: number, why: string, now: Date): number[] {
  const at = now.toISOString();
  const rows = db
    .prepare(
      `UPDATE jobs SET status = 'cancelled', last_error = ?, finished_at = ?, updated_at = ?
       WHERE grant_id = ? AND kind = 'provision' AND status IN ('queued', 'failed') RETURNING id`,
    )
    .all(why, at, at, grantId) as { id: number }[];
  return rows.map((r) => r.id);
}
