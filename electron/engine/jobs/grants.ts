// The access ledger. An approved request becomes one grant per mapped group,
// each with a provisioning job, in the same transaction as the approval that
// completed it: there is never an approval without its grants and jobs.
import type { Db } from '../db/database.js';
import { appendAudit } from '../audit/audit-log.js';
import { accountsOf } from '../directory/people.js';
import { enqueueJob } from './queue.js';

type RequestForGrant = {
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
export function createGrantsForRequest(db: Db, requestId: number, opts: { now: Date; actor: string }): number[] {
  const req = db.prepare('SELECT * FROM requests WHERE id = ?').get(requestId) as RequestForGrant | undefined;
  if (!req) throw new Error(`request #${requestId} does not exist`);
  const mappings = db
    .prepare(
      `SELECT m.connection_id, m.group_id, coalesce(g.name, m.group_name) AS group_name, c.name AS connection_name
       FROM catalog_mappings m
       LEFT JOIN connections c ON c.id = m.connection_id
       LEFT JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id
       WHERE m.role_id = ? ORDER BY m.connection_id, m.group_id`,
    )
    .all(req.role_id) as { connection_id: number; group_id: string; group_name: string; connection_name: string | null }[];
  const at = opts.now.toISOString();
  const expiresAt = grantExpiry(req, opts.now);
  let accounts: { connectionId: number; id: string }[] | null = null;
  const accountIn = (connectionId: number): string | null => {
    if (connectionId === req.beneficiary_connection_id) return req.beneficiary_identity_id;
    accounts ??= safeAccounts(db, req.beneficiary_connection_id, req.beneficiary_identity_id);
    return accounts.find((a) => a.connectionId === connectionId)?.id ?? null;
  };
  const insertGrant = db.prepare(
    `INSERT INTO grants (request_id, role_id, connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name,
                         status, starts_at, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const ids: number[] = [];
  for (const m of mappings) {
    const identityId = accountIn(m.connection_id);
    const status = identityId === null ? 'manual' : 'pending';
    const { id } = insertGrant.get(
      req.id, req.role_id, m.connection_id, m.group_id, m.group_name, identityId ?? '', req.beneficiary_email, req.beneficiary_name,
      status, at, expiresAt, at, at,
    ) as { id: number };
    ids.push(id);
    if (identityId === null) {
      const where = m.connection_name ?? `connection #${m.connection_id}`;
      db.prepare(
        `INSERT INTO manual_tasks (grant_id, action, reason, instructions, status, created_at) VALUES (?, 'add', ?, ?, 'open', ?)`,
      ).run(
        id,
        `${req.beneficiary_name} has no account in ${where}`,
        `Create or link ${req.beneficiary_email ?? req.beneficiary_name}'s account in ${where}, add it to the group "${m.group_name}", then mark this task done with the evidence (ticket, screenshot reference).`,
        at,
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
