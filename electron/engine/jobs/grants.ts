// The access ledger. An approved request becomes one grant per mapped group,
// each with a provisioning job, in the same transaction as the approval that
// completed it: there is never an approval without its grants and jobs.
import { appendAudit } from '../audit/audit-log.js';
import { roleGroups } from '../catalog/catalog-store.js';
import { connectionRecordOrNull } from '../connections/connections.js';
import type { Db } from '../db/database.js';
import { accountsOf } from '../directory/people.js';
import { liveGroup } from '../directory/snapshot-lookups.js';
import { insertGrant } from './grant-store.js';
import { enqueueJob } from './job-store.js';
import { insertManualTask } from './manual-tasks.js';

/** What the ledger needs of an approved request (the requests area hands it over). */
export type RequestForGrant = {
  id: number;
  role_id: number;
  beneficiary_connection_id: number;
  beneficiary_identity_id: string;
  beneficiary_email: string | null;
  beneficiary_name: string;
  duration_minutes: number | null;
  ends_at: string | null;
};

/** When access granted `now` for this request ends (null: permanent). An explicit end date wins if earlier. */
export function grantExpiry(req: Pick<RequestForGrant, 'duration_minutes' | 'ends_at'>, now: Date): string | null {
  const byDuration = req.duration_minutes === null ? null : new Date(now.getTime() + req.duration_minutes * 60_000).toISOString();
  if (req.ends_at === null) return byDuration;
  if (byDuration === null) return req.ends_at;
  return byDuration < req.ends_at ? byDuration : req.ends_at;
}

/**
 * Creates the grants and provisioning jobs of an approved request. Call inside
 * the approval's transaction. The beneficiary's account in each mapped group's
 * IdP is found through correlation; a person with no account there gets a
 * manual task instead of a job (someone must create or link the account).
 */
export function createGrantsForRequest(db: Db, req: RequestForGrant, opts: { now: Date; actor: string }): number[] {
  // The role's groups under their live names (a group renamed since it was mapped keeps its id).
  const mappings = roleGroups(db, req.role_id).map((m) => ({
    connection_id: m.connectionId,
    group_id: m.groupId,
    group_name: liveGroup(db, m.connectionId, m.groupId)?.name ?? m.groupName,
    connection_name: connectionRecordOrNull(db, m.connectionId)?.name ?? null,
  }));
  const expiresAt = grantExpiry(req, opts.now);
  let accounts: { connectionId: number; id: string }[] | null = null;
  const accountIn = (connectionId: number): string | null => {
    if (connectionId === req.beneficiary_connection_id) return req.beneficiary_identity_id;
    accounts ??= safeAccounts(db, req.beneficiary_connection_id, req.beneficiary_identity_id);
    return accounts.find((a) => a.connectionId === connectionId)?.id ?? null;
  };
  const ids: number[] = [];
  for (const m of mappings) {
    const identityId = accountIn(m.connection_id);
    const status = identityId === null ? 'manual' : 'pending';
    const id = insertGrant(
      db,
      {
        request_id: req.id,
        role_id: req.role_id,
        connection_id: m.connection_id,
        group_id: m.group_id,
        group_name: m.group_name,
        identity_id: identityId ?? '',
        beneficiary_email: req.beneficiary_email,
        beneficiary_name: req.beneficiary_name,
        status,
        expires_at: expiresAt,
      },
      opts.now,
    );
    ids.push(id);
    if (identityId === null) {
      const where = m.connection_name ?? `connection #${m.connection_id}`;
      insertManualTask(
        db,
        {
          grantId: id,
          action: 'add',
          reason: `${req.beneficiary_name} has no account in ${where}`,
          instructions: `Create or link ${req.beneficiary_email ?? req.beneficiary_name}'s account in ${where}, add it to the group "${m.group_name}", then mark this task done with the evidence (ticket, screenshot reference).`,
        },
        opts.now,
      );
    } else {
      enqueueJob(db, { kind: 'provision', grantId: id, requestId: req.id, connectionId: m.connection_id, idempotencyKey: `provision:grant:${id}` }, opts.now);
    }
    appendAudit(
      db,
      { actor: opts.actor, action: 'grant.created', targetType: 'grant', targetId: id, details: { requestId: req.id, connectionId: m.connection_id, groupId: m.group_id, groupName: m.group_name, identityId, expiresAt, status } },
      opts.now,
    );
  }
  return ids;
}

function safeAccounts(db: Db, connectionId: number, id: string): { connectionId: number; id: string }[] {
  try {
    return accountsOf(db, connectionId, id);
  } catch {
    // The beneficiary's account left the snapshot since the request was made.
    return [];
  }
}
