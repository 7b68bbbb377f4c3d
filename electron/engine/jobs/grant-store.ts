// The grants table — the access ledger — and every statement that reads or
// writes it: who holds which group through Latchkey, why, from when, until
// when, and how it ended. The jobs area changes grants through ledger.ts
// (state change + audit + Jira record in one transaction); the requests
// area and the console read them through these functions.
//
// Drift compares the ledger with the live snapshot, so its three queries
// join the snapshot's memberships (a read, declared in db/table-owners.ts).
import type { GrantStatus } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';
import { roleLabelSql } from '../catalog/catalog-store.js';

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

/** Statuses of a grant whose access is wanted or held (not ended). */
export const LIVE_GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'active', 'manual', 'failed', 'revoking'];

export function getGrant(db: Db, grantId: number): GrantRecord | null {
  return (cachedStatement(db, 'SELECT * FROM grants WHERE id = ?').get(grantId) as GrantRecord | undefined) ?? null;
}

/** Grants by id (ids that do not exist are left out). */
export function grantsByIds(db: Db, ids: readonly number[]): Map<number, GrantRecord> {
  if (ids.length === 0) return new Map();
  const rows = db.prepare('SELECT * FROM grants WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...new Set(ids)])) as GrantRecord[];
  return new Map(rows.map((g) => [g.id, g]));
}

/** Every grant of a request, oldest first. */
export function grantsOfRequest(db: Db, requestId: number): GrantRecord[] {
  return db.prepare('SELECT * FROM grants WHERE request_id = ? ORDER BY id').all(requestId) as GrantRecord[];
}

/** The live grant (wanted or held, newest first) behind one membership, or null: what an access review revokes or makes time-bound. */
export function liveGrantOfMembership(db: Db, connectionId: number, groupId: string, identityId: string): GrantRecord | null {
  return (
    (cachedStatement(
      db,
      `SELECT * FROM grants WHERE connection_id = ? AND group_id = ? AND identity_id = ? AND status IN ('pending', 'active', 'manual', 'failed', 'revoking')
         ORDER BY id DESC LIMIT 1`,
    ).get(connectionId, groupId, identityId) as GrantRecord | undefined) ?? null
  );
}

/** Every live grant (wanted or held) of one account, oldest first: what a leaver loses. */
export function liveGrantsOfAccount(db: Db, connectionId: number, identityId: string): GrantRecord[] {
  return db
    .prepare(`SELECT * FROM grants WHERE connection_id = ? AND identity_id = ? AND status IN ('pending', 'active', 'manual', 'failed', 'revoking') ORDER BY id`)
    .all(connectionId, identityId) as GrantRecord[];
}

export type NewGrant = Pick<
  GrantRecord,
  'request_id' | 'role_id' | 'connection_id' | 'group_id' | 'group_name' | 'identity_id' | 'beneficiary_email' | 'beneficiary_name' | 'status' | 'expires_at'
>;

/** Inserts a grant starting `now`; returns its id. */
export function insertGrant(db: Db, g: NewGrant, now: Date): number {
  const at = now.toISOString();
  const { id } = cachedStatement(
    db,
    `INSERT INTO grants (request_id, role_id, connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name,
                         status, starts_at, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(
      g.request_id, g.role_id, g.connection_id, g.group_id, g.group_name, g.identity_id, g.beneficiary_email, g.beneficiary_name,
      g.status, at, g.expires_at, at, at,
    ) as { id: number };
  return id;
}

export type GrantPatch = Partial<Pick<GrantRecord, 'status' | 'provisioned_at' | 'ended_at' | 'end_reason' | 'notice_at' | 'expires_at'>>;

export function setGrant(db: Db, grantId: number, patch: GrantPatch, now: Date): void {
  const cols = Object.keys(patch) as (keyof GrantPatch)[];
  if (cols.length === 0) return;
  const sets = cols.map((c) => `${c} = @${c}`).join(', ');
  // The SQL is one of the few column sets GrantPatch allows: cached like the others.
  cachedStatement(db, `UPDATE grants SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, updated_at: now.toISOString(), id: grantId });
}

/** Grants whose access should have ended by `now` (expires_at at or before it) and is not ended yet. */
export function grantsDueForExpiry(db: Db, now: Date): GrantRecord[] {
  return db
    .prepare(
      `SELECT * FROM grants WHERE status IN ('active', 'pending', 'failed', 'manual') AND expires_at IS NOT NULL AND expires_at <= ?
       ORDER BY expires_at, id`,
    )
    .all(now.toISOString()) as GrantRecord[];
}

/** Active grants expiring after `from` and at or before `until` that have had no notice yet. */
export function grantsDueForNotice(db: Db, from: Date, until: Date): GrantRecord[] {
  return db
    .prepare("SELECT * FROM grants WHERE status = 'active' AND notice_at IS NULL AND expires_at IS NOT NULL AND expires_at > ? AND expires_at <= ? ORDER BY expires_at")
    .all(from.toISOString(), until.toISOString()) as GrantRecord[];
}

export type GrantFilter = {
  filter?: 'all' | 'active' | 'time-bound' | 'expiring-soon' | 'ended';
  /** For 'expiring-soon': active grants ending after `now` and at or before `until`. */
  window?: { now: Date; until: Date };
  requestId?: number;
  connectionId?: number;
  /** For 'ended' (or any): only grants that ended this way (how ledger.ts and the request flow word their end). */
  endedHow?: 'expired' | 'revoked' | 'review' | 'cancelled' | 'extended';
  search?: string;
};

/** The SQL condition for each way a grant ends (status, and the end reason's opening words; the prefixes hold no LIKE wildcard). */
function endedHowSql(how: NonNullable<GrantFilter['endedHow']>): string {
  switch (how) {
    case 'expired':
      return "status = 'expired'";
    case 'revoked':
      return "status = 'revoked' AND coalesce(end_reason, '') NOT LIKE 'review:%'";
    case 'review':
      return "status = 'revoked' AND end_reason LIKE 'review:%'";
    case 'cancelled':
      return `status = 'cancelled' AND coalesce(end_reason, '') NOT LIKE '${SUPERSEDED_PREFIX}%'`;
    case 'extended':
      return `status = 'cancelled' AND end_reason LIKE '${SUPERSEDED_PREFIX}%'`;
  }
}

/** A page of the ledger (newest first; soonest first when expiring) and how many match. */
export function listGrantRecords(db: Db, q: GrantFilter & { limit?: number; offset?: number }): { rows: GrantRecord[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  switch (q.filter ?? 'all') {
    case 'active':
      where.push("status IN ('active', 'revoking')");
      break;
    case 'time-bound':
      where.push("status = 'active' AND expires_at IS NOT NULL");
      break;
    case 'expiring-soon':
      where.push("status = 'active' AND expires_at IS NOT NULL AND expires_at > @now AND expires_at <= @until");
      params.now = (q.window?.now ?? new Date()).toISOString();
      params.until = (q.window?.until ?? new Date()).toISOString();
      break;
    case 'ended':
      where.push("status IN ('revoked', 'expired', 'cancelled')");
      break;
    default:
  }
  if (q.requestId !== undefined) {
    where.push('request_id = @requestId');
    params.requestId = q.requestId;
  }
  if (q.connectionId !== undefined) {
    where.push('connection_id = @connectionId');
    params.connectionId = q.connectionId;
  }
  if (q.endedHow !== undefined) where.push(`(${endedHowSql(q.endedHow)})`);
  if (q.search && q.search.trim() !== '') {
    where.push(
      `(beneficiary_name LIKE @s ESCAPE '\\' OR coalesce(beneficiary_email, '') LIKE @s ESCAPE '\\' OR group_name LIKE @s ESCAPE '\\' OR coalesce(${roleLabelSql('role_id')}, '') LIKE @s ESCAPE '\\')`,
    );
    params.s = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const order = q.filter === 'expiring-soon' || q.filter === 'time-bound' ? 'expires_at, id' : 'id DESC';
  const total = db.prepare(`SELECT count(*) FROM grants ${w}`).pluck().get(params) as number;
  const rows = db.prepare(`SELECT * FROM grants ${w} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit ?? 200, offset: q.offset ?? 0 }) as GrantRecord[];
  return { rows, total };
}

/**
 * The first grant of a role still wanted or held by any of these accounts
 * (`[[connectionId, identityId], ...]`), or null: a person asking again
 * while they hold the access should extend it instead.
 */
export function heldGrantOfRole(db: Db, roleId: number, accounts: readonly (readonly [number, string])[]): GrantRecord | null {
  return (
    (db
      .prepare(
        `SELECT * FROM grants WHERE role_id = ? AND status IN ('pending', 'active', 'manual')
           AND (connection_id, identity_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
         ORDER BY id LIMIT 1`,
      )
      .get(roleId, JSON.stringify(accounts)) as GrantRecord | undefined) ?? null
  );
}

/** How an approved extension words the end of a grant it replaced (the request's derived status reads it). */
export const SUPERSEDED_PREFIX = 'superseded by request #';

/** Ends an active grant as replaced by an extension's grant: 'cancelled', no revocation (the new grant holds the membership). True when it was still active. */
export function supersedeGrant(db: Db, grantId: number, reason: string, now: Date): boolean {
  const at = now.toISOString();
  return (
    db.prepare(`UPDATE grants SET status = 'cancelled', ended_at = ?, end_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'`).run(at, reason, at, grantId).changes === 1
  );
}

/**
 * SQL over the grants of the request whose id is `requestId` (an SQL
 * expression, e.g. 'r.id'), for the requests area's list query: the SQL on
 * this table stays in this module, the list stays one query at 50,000
 * requests. Each is a correlated subquery on grants_by_request.
 */
export const grantsOfRequestSql = {
  /**
   * The outcome of the request's access, as the lowest rank over its grants:
   * 1 failed, 2 held or on its way, 3 revoked, 4 expired, 5 replaced by an
   * extension, 6 otherwise ended; NULL when it has none.
   */
  outcomeRank: (requestId: string): string => `(
      SELECT min(CASE
        WHEN g.status = 'failed' THEN 1
        WHEN g.status IN ('pending', 'active', 'manual', 'revoking') THEN 2
        WHEN g.status = 'revoked' THEN 3
        WHEN g.status = 'expired' THEN 4
        WHEN g.end_reason LIKE '${SUPERSEDED_PREFIX}%' THEN 5
        ELSE 6 END)
      FROM grants g WHERE g.request_id = ${requestId})`,
  /** Every grant's status, comma-separated. */
  statuses: (requestId: string): string => `(SELECT group_concat(g.status) FROM grants g WHERE g.request_id = ${requestId})`,
  // The status test sits inside min(): as a WHERE term it lets SQLite pick grants_by_expiry (status, expires_at) and scan it whole.
  /** When the access still held or on its way ends (the earliest), NULL when permanent or none. */
  accessEnd: (requestId: string): string =>
    `(SELECT min(CASE WHEN g.status IN ('pending', 'active', 'manual') THEN g.expires_at END) FROM grants g WHERE g.request_id = ${requestId})`,
  /** When the last grant ended, once every grant has; NULL while any is live or there is none. */
  endedAt: (requestId: string): string =>
    `(SELECT CASE WHEN count(*) > 0 AND sum(g.ended_at IS NULL) = 0 THEN max(g.ended_at) END FROM grants g WHERE g.request_id = ${requestId})`,
};

// --- drift: the ledger against the live snapshot ------------------------------------------------

type DriftCandidate = Pick<GrantRecord, 'id' | 'request_id' | 'group_id' | 'identity_id' | 'status' | 'ended_at' | 'end_reason' | 'expires_at' | 'provisioned_at'>;

/**
 * Ended grants (revoked, expired before `seenAt`) whose membership is in the
 * live snapshot again, with no other live grant covering that membership;
 * newest first.
 */
export function endedGrantsBackInSnapshot(db: Db, connectionId: number, seenAt: string): DriftCandidate[] {
  return db
    .prepare(
      `SELECT g.* FROM grants g
       WHERE g.connection_id = @c AND g.status IN ('revoked', 'expired') AND g.ended_at IS NOT NULL AND g.ended_at < @seenAt AND g.identity_id != ''
         AND EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)
         AND NOT EXISTS (SELECT 1 FROM grants o WHERE o.connection_id = @c AND o.group_id = g.group_id AND o.identity_id = g.identity_id
                          AND o.status IN ('pending', 'active', 'manual', 'failed', 'revoking'))
       ORDER BY g.ended_at DESC, g.id DESC`,
    )
    .all({ c: connectionId, seenAt }) as DriftCandidate[];
}

/** Active grants provisioned before `seenAt` whose group is in the live snapshot but the membership is not. */
export function activeGrantsMissingFromSnapshot(db: Db, connectionId: number, seenAt: string): DriftCandidate[] {
  return db
    .prepare(
      `SELECT g.* FROM grants g
       WHERE g.connection_id = @c AND g.status = 'active' AND g.identity_id != '' AND coalesce(g.provisioned_at, g.starts_at) < @seenAt
         AND EXISTS (SELECT 1 FROM cur_groups cg WHERE cg.connection_id = @c AND cg.id = g.group_id)
         AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)`,
    )
    .all({ c: connectionId, seenAt }) as DriftCandidate[];
}

/** Grants past their expiry before `graceCut` that are not ended and whose membership is still in the live snapshot. */
export function expiredGrantsStillInSnapshot(db: Db, connectionId: number, graceCut: string): DriftCandidate[] {
  return db
    .prepare(
      `SELECT g.* FROM grants g
       WHERE g.connection_id = @c AND g.status IN ('active', 'revoking', 'failed', 'manual') AND g.expires_at IS NOT NULL AND g.expires_at < @graceCut
         AND g.identity_id != ''
         AND EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)`,
    )
    .all({ c: connectionId, graceCut }) as DriftCandidate[];
}
