// The audit log is append-only and hash-chained: each row stores the SHA-256
// of (previous hash + its own canonical content), so an edited or removed
// row breaks verification from that point on. Triggers forbid UPDATE/DELETE;
// the chain catches edits made around them (another tool, a hex editor).
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../../shared/domain.js';
import type { AuditChannel } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = {
  actor: string;
  /** Where the event came from; 'system' when omitted. Stored and hashed from migration 005. */
  channel?: AuditChannel;
  action: string;
  targetType: string;
  targetId: string | number;
  details?: Record<string, unknown>;
};

type AuditRow = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  details: string;
  prev_hash: string;
  hash: string;
};

/** Stable JSON: object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function hashOf(prevHash: string, row: Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>): string {
  const content = canonicalJson({
    at: row.at,
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: JSON.parse(row.details) as unknown,
  });
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/**
 * Appends one event. Call it inside the same db.transaction() as the state
 * change it records, so both land or neither does.
 */
export function appendAudit(db: Db, event: AuditInput, now: Date = new Date()): string {
  const last = db.prepare('SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = {
    at: now.toISOString(),
    actor: event.actor,
    action: event.action,
    target_type: event.targetType,
    target_id: String(event.targetId),
    details: canonicalJson(event.details ?? {}),
  };
  const hash = hashOf(prevHash, row);
  db.prepare(
    `INSERT INTO audit_events (at, actor, action, target_type, target_id, details, prev_hash, hash)
     VALUES (@at, @actor, @action, @target_type, @target_id, @details, @prev_hash, @hash)`,
  ).run({ ...row, prev_hash: prevHash, hash });
  return hash;
}

export type ChainCheck = { valid: true; count: number } | { valid: false; count: number; brokenAt: number; reason: string };

/** Recomputes the chain from the first row; reports the first row that does not match. */
export function verifyAuditChain(db: Db): ChainCheck {
  let prev = GENESIS_HASH;
  let count = 0;
  for (const row of db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    count++;
    if (row.prev_hash !== prev) return { valid: false, count, brokenAt: row.seq, reason: 'previous hash does not match' };
    if (hashOf(prev, row) !== row.hash) return { valid: false, count, brokenAt: row.seq, reason: 'content was altered' };
    prev = row.hash;
  }
  return { valid: true, count };
}

export function recentAuditEvents(db: Db, limit: number): AuditEvent[] {
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
    hash: r.hash,
  }));
}

/** The events about one target (a request, a grant), oldest first, with their details parsed. */
export function auditEventsOf(db: Db, targetType: string, targetId: string | number): { seq: number; at: string; actor: string; action: string; details: Record<string, unknown> }[] {
  const rows = db
    .prepare('SELECT seq, at, actor, action, details FROM audit_events WHERE target_type = ? AND target_id = ? ORDER BY seq')
    .all(targetType, String(targetId)) as { seq: number; at: string; actor: string; action: string; details: string }[];
  return rows.map((r) => {
    let details: Record<string, unknown> = {};
    try {
      const v = JSON.parse(r.details) as unknown;
      if (v && typeof v === 'object') details = v as Record<string, unknown>;
    } catch {
      // A details text that is not JSON shows as no details.
    }
    return { seq: r.seq, at: r.at, actor: r.actor, action: r.action, details };
  });
}
