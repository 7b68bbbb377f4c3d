// The audit log is append-only and hash-chained: each row stores the SHA-256
// of its own content and the previous row's hash, so an edited or removed
// row breaks verification from that point on. Triggers forbid UPDATE/DELETE;
// the chain catches edits made around them (another tool, a hex editor).
//
// Two hash formats (audit_events.format, migration 5):
// 1. rows written before migration 5: previous hash + canonical JSON of at,
//    actor, action, target, parsed details. They keep verifying as they were.
// 2. every stored field of the row: seq, at, actor, channel, action,
//    target_type, target_id, the details text exactly as stored, prev_hash
//    and the format itself. A chain never goes back from 2 to 1.
// The chain alone cannot tell a cut tail, an emptied table or a rehashed
// chain: signed checkpoints (checkpoints.ts) and anchors written outside the
// file (anchors.ts) do; verify.ts puts the three together.
import { createHash, hash } from 'node:crypto';
import type { AuditEvent } from '../../../shared/domain.js';
import type { AuditChannel } from '../../../shared/governance.js';
import { UserError } from '../context.js';
import { csvLine } from '../csv.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';

export const GENESIS_HASH = '0'.repeat(64);
/** The format appendAudit writes. */
export const AUDIT_FORMAT = 2;

export type AuditInput = {
  actor: string;
  /** Where the event came from; 'system' when omitted. Stored and hashed (format 2). */
  channel?: AuditChannel;
  action: string;
  targetType: string;
  targetId: string | number;
  details?: Record<string, unknown>;
};

export type AuditRow = {
  seq: number;
  at: string;
  actor: string;
  channel: string;
  action: string;
  target_type: string;
  target_id: string;
  details: string;
  prev_hash: string;
  hash: string;
  format: number;
};

/** Stable JSON: object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  // The common case (an event's details: one level, keys already in order, plain values) needs no replacer: the same text, several times faster.
  if (flatAndSorted(value)) return JSON.stringify(value);
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) && !keysSorted(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** A plain object whose keys come in sorted order and whose values are strings, finite-or-not numbers, booleans, null or undefined (none nested, none with toJSON). */
function flatAndSorted(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  let prev: string | null = null;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) return false;
    if (prev !== null && prev > k) return false;
    prev = k;
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') return false;
    if (typeof x === 'bigint' || typeof x === 'function' || typeof x === 'symbol') return false;
  }
  return true;
}

/** Whether an object's own keys already come in sorted order (then it serialises as it is: no copy). */
function keysSorted(v: object): boolean {
  const keys = Object.keys(v);
  for (let k = 1; k < keys.length; k++) if ((keys[k - 1] as string) > (keys[k] as string)) return false;
  return true;
}

/** Thrown by hashOf for a format-1 row whose details text is not JSON (format 1 hashed the parsed value). */
class DetailsNotJson extends Error {}

/** The hash a stored row should carry, by its format. Throws DetailsNotJson for a format-1 row with unparseable details. */
export function auditRowHash(row: Omit<AuditRow, 'hash'>): string {
  if (row.format === 1) {
    let details: unknown;
    try {
      details = JSON.parse(row.details) as unknown;
    } catch {
      throw new DetailsNotJson();
    }
    const content = canonicalJson({ at: row.at, actor: row.actor, action: row.action, targetType: row.target_type, targetId: row.target_id, details });
    return createHash('sha256').update(row.prev_hash).update(content).digest('hex');
  }
  // A JSON array of the stored values, in a fixed order: unambiguous (no field can bleed into the next).
  const fields = ['latchkey-audit', row.format, row.seq, row.at, row.actor, row.channel, row.action, row.target_type, row.target_id, row.details, row.prev_hash];
  // crypto.hash: one call for the whole text (the same digest as createHash().update().digest(), without a Hash object per row).
  return hash('sha256', JSON.stringify(fields), 'hex');
}

/** What runs after each append, in the same transaction (the interval checkpoint: checkpoints.ts). It returns true when it appended audit events itself. */
type AfterAppend = (db: Db, head: { seq: number; hash: string }, now: Date) => boolean | void;
const afterAppend = new WeakMap<Db, AfterAppend>();

/** Registers what runs after every append on `db` (one hook per connection; null removes it). */
export function setAfterAppend(db: Db, hook: AfterAppend | null): void {
  if (hook) afterAppend.set(db, hook);
  else afterAppend.delete(db);
}

// The statements of an append, prepared once per connection (db/statement-cache.ts): a review
// submission or a close appends tens of thousands of events in one transaction. The insert binds
// by position (50,000 rows bound by name cost twice as much).
const HEAD_SQL = 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1';
const INSERT_SQL = 'INSERT INTO audit_events (seq, at, actor, channel, action, target_type, target_id, details, prev_hash, hash, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
type Row = ReturnType<typeof eventRow>;
function statementsOf(db: Db) {
  const insert = cachedStatement<[number, string, string, string, string, string, string, string, string, string, number]>(db, INSERT_SQL);
  return {
    head: cachedStatement<[], { seq: number; hash: string }>(db, HEAD_SQL),
    insert: (row: Row, hash: string) => insert.run(row.seq, row.at, row.actor, row.channel, row.action, row.target_type, row.target_id, row.details, row.prev_hash, hash, row.format),
  };
}

/**
 * Appends one event. Call it inside the same db.transaction() as the state
 * change it records, so both land or neither does.
 */
/** The stored row of an event at `seq` after `prev` (every field the hash covers but the hash). */
function eventRow(event: AuditInput, seq: number, at: string, prev: string) {
  return {
    seq,
    at,
    actor: event.actor,
    channel: event.channel ?? 'system',
    action: event.action,
    target_type: event.targetType,
    target_id: String(event.targetId),
    details: canonicalJson(event.details ?? {}),
    prev_hash: prev,
    format: AUDIT_FORMAT,
  };
}

export function appendAudit(db: Db, event: AuditInput, now: Date = new Date()): string {
  const st = statementsOf(db);
  const last = st.head.get();
  const row = eventRow(event, (last?.seq ?? 0) + 1, now.toISOString(), last?.hash ?? GENESIS_HASH);
  const hash = auditRowHash(row);
  st.insert(row, hash);
  afterAppend.get(db)?.(db, { seq: row.seq, hash }, now);
  return hash;
}

/**
 * Appends events in order, exactly as that many appendAudit calls would
 * (same rows, same hooks after each), reading the chain's head once: a
 * workbook's 50,000 decisions are 50,000 events in one transaction. Call it
 * inside the transaction of the state change.
 */
export function appendAuditEvents(db: Db, events: Iterable<AuditInput>, now: Date = new Date()): number {
  const st = statementsOf(db);
  const hook = afterAppend.get(db);
  const last = st.head.get();
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const at = now.toISOString();
  let n = 0;
  for (const event of events) {
    const row = eventRow(event, ++seq, at, prev);
    const hash = auditRowHash(row);
    st.insert(row, hash);
    prev = hash;
    n++;
    // A hook that appended events itself says so: go on from the head it left (read only then: 50,000 head reads were a tenth of a submission's appends).
    if (hook && hook(db, { seq: row.seq, hash }, now) === true) {
      const head = st.head.get();
      if (head && head.seq !== seq) {
        seq = head.seq;
        prev = head.hash;
      }
    }
  }
  return n;
}

/** One event that does not verify: its seq and what is wrong with it. */
export type ChainFault = { seq: number; reason: string };

export type ChainScan = {
  /** Rows in the table. */
  count: number;
  /** The last row's seq and stored hash (GENESIS_HASH and 0 for an empty table). */
  headSeq: number;
  headHash: string;
  /** Every faulty event, oldest first (at most `limit`). */
  faults: ChainFault[];
};

/**
 * Recomputes the chain from the first row. Each row is checked against the
 * stored row before it, so an edit is reported at the row edited (and a
 * removal at the row that lost its predecessor), not at every row after it.
 */
export function scanAuditChain(db: Db, limit = 100): ChainScan {
  let prev: { seq: number; hash: string; format: number } = { seq: 0, hash: GENESIS_HASH, format: 1 };
  let count = 0;
  const faults: ChainFault[] = [];
  for (const row of db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    count++;
    const reason = rowFault(row, prev);
    if (reason !== null && faults.length < limit) faults.push({ seq: row.seq, reason });
    prev = { seq: row.seq, hash: row.hash, format: row.format };
  }
  return { count, headSeq: prev.seq, headHash: prev.hash, faults };
}

function rowFault(row: AuditRow, prev: { seq: number; hash: string; format: number }): string | null {
  if (row.prev_hash !== prev.hash) return 'previous hash does not match';
  if (row.format !== 1 && row.format !== 2) return `unknown hash format ${String(row.format)}`;
  if (row.format < prev.format) return 'hash format went back from 2 to 1';
  // Format 2 hashes the seq; its rows number on from the one before.
  if (row.format === 2 && row.seq !== prev.seq + 1) return `seq ${row.seq} does not follow ${prev.seq}`;
  let expected: string;
  try {
    expected = auditRowHash(row);
  } catch (e) {
    if (e instanceof DetailsNotJson) return 'details is not JSON';
    throw e;
  }
  if (expected !== row.hash) return 'content was altered';
  if (row.format === 2 && !isJsonObject(row.details)) return 'details is not JSON';
  return null;
}

function isJsonObject(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

export type ChainCheck = { valid: true; count: number } | { valid: false; count: number; brokenAt: number; reason: string };

/** The chain alone: the first event that does not verify (count = events up to it), or the number of events. */
export function verifyAuditChain(db: Db): ChainCheck {
  const scan = scanAuditChain(db, 1);
  const first = scan.faults[0];
  if (!first) return { valid: true, count: scan.count };
  const upTo = db.prepare('SELECT count(*) FROM audit_events WHERE seq <= ?').pluck().get(first.seq) as number;
  return { valid: false, count: upTo, brokenAt: first.seq, reason: first.reason };
}

/**
 * The newest event's seq and hash, and the number of events: what a
 * checkpoint signs and an anchor records. `bySeq`: the count is the head's
 * seq, which it is in every intact chain (rows are numbered 1, 2, 3… and
 * never deleted): O(1) for the checkpoint after every Nth event, where
 * counting a million rows each time would make appends slower as the log
 * grows. In a chain with rows removed the two differ, and verify says so.
 */
export function auditHead(db: Db, opts: { bySeq?: boolean } = {}): { seq: number; hash: string; count: number } {
  const last = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const count = opts.bySeq ? (last?.seq ?? 0) : (db.prepare('SELECT count(*) FROM audit_events').pluck().get() as number);
  return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, count };
}

/** The hash of the `count`-th event in chain order (1-based), or null when the chain is shorter. */
export function auditHashAtCount(db: Db, count: number): string | null {
  if (count < 1) return count === 0 ? GENESIS_HASH : null;
  return (db.prepare('SELECT hash FROM audit_events ORDER BY seq LIMIT 1 OFFSET ?').pluck().get(count - 1) as string | undefined) ?? null;
}

export function recentAuditEvents(db: Db, limit: number): AuditEvent[] {
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
  return rows.map(eventOf);
}

/** The events about one target (a request, a grant), oldest first, with their details parsed. */
export function auditEventsOf(db: Db, targetType: string, targetId: string | number): { seq: number; at: string; actor: string; action: string; details: Record<string, unknown> }[] {
  const rows = db
    .prepare('SELECT seq, at, actor, action, details FROM audit_events WHERE target_type = ? AND target_id = ? ORDER BY seq')
    .all(targetType, String(targetId)) as { seq: number; at: string; actor: string; action: string; details: string }[];
  return rows.map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, details: parsedDetails(r.details) }));
}

/** The events of one action on one type of target, oldest first, details as stored (audit verify's check of bulk review submissions). */
export function auditEventsOfAction(db: Db, targetType: string, action: string): { seq: number; at: string; target_id: string; details: string }[] {
  return db.prepare('SELECT seq, at, target_id, details FROM audit_events WHERE target_type = ? AND action = ? ORDER BY seq').all(targetType, action) as { seq: number; at: string; target_id: string; details: string }[];
}

/** A details text that is not a JSON object (a tampered row) shows as no details; `audit verify` names the event. */
function parsedDetails(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return {};
}

// --- the console's audit log: filtered pages and the CSV export -------------------------------

/** Which events: actor (part of it, any case), action, target, channel exactly; `from` inclusive, `to` exclusive (ISO instants). */
export type AuditFilter = { actor?: string; action?: string; targetType?: string; targetId?: string; channel?: string; from?: string; to?: string };

function auditWhere(q: AuditFilter): { where: string; params: Record<string, unknown> } {
  const terms: string[] = [];
  const params: Record<string, unknown> = {};
  const actor = q.actor?.trim();
  if (actor) {
    terms.push("actor LIKE @actor ESCAPE '\\'");
    params.actor = `%${actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  for (const [key, column] of [['action', 'action'], ['targetType', 'target_type'], ['targetId', 'target_id'], ['channel', 'channel']] as const) {
    const v = q[key];
    if (v !== undefined && v !== '') {
      terms.push(`${column} = @${key}`);
      params[key] = v;
    }
  }
  // Stored times are toISOString() text: compare in the same form, so "…T10:00:00+02:00" means the same instant.
  if (q.from) {
    terms.push('at >= @from');
    params.from = new Date(q.from).toISOString();
  }
  if (q.to) {
    terms.push('at < @to');
    params.to = new Date(q.to).toISOString();
  }
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/** A stored row as the console shows an event (details parsed). */
function eventOf(r: AuditRow): AuditEvent {
  return { seq: r.seq, at: r.at, actor: r.actor, channel: r.channel, action: r.action, targetType: r.target_type, targetId: r.target_id, details: parsedDetails(r.details), hash: r.hash };
}

const toEvent = (r: AuditRow): AuditEvent & { prevHash: string; format: number } => ({ ...eventOf(r), prevHash: r.prev_hash, format: r.format });

/** A page of events matching the filter, newest first, and how many match. */
export function listAuditEvents(db: Db, q: AuditFilter & { offset?: number; limit?: number }): { rows: (AuditEvent & { prevHash: string; format: number })[]; total: number } {
  const { where, params } = auditWhere(q);
  const total = db.prepare(`SELECT count(*) FROM audit_events ${where}`).pluck().get(params) as number;
  const rows = db.prepare(`SELECT * FROM audit_events ${where} ORDER BY seq DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit ?? 100, offset: q.offset ?? 0 }) as AuditRow[];
  return { rows: rows.map(toEvent), total };
}

/** Every action recorded, with how many events each has (the console's action filter). */
export function auditActionCounts(db: Db): { action: string; count: number }[] {
  return db.prepare('SELECT action, count(*) AS count FROM audit_events GROUP BY action ORDER BY action').all() as { action: string; count: number }[];
}

/** The CSV export's columns: every stored field of an event, the hashes included, so the chain can be re-checked from the file. */
export const AUDIT_CSV_COLUMNS = ['seq', 'at', 'actor', 'channel', 'action', 'target_type', 'target_id', 'details', 'prev_hash', 'hash', 'format'] as const;

/**
 * The events matching the filter as CSV, oldest first (chain order), with a
 * BOM and CRLF like the catalog export. Text a spreadsheet would run as a
 * formula gets a leading apostrophe (csv.ts). Refuses more than `max` events.
 */
export function auditEventsCsv(db: Db, q: AuditFilter, max: number): { text: string; rows: number } {
  const { where, params } = auditWhere(q);
  const total = db.prepare(`SELECT count(*) FROM audit_events ${where}`).pluck().get(params) as number;
  if (total > max) throw new UserError(`${total.toLocaleString('en-US')} events match: at most ${max.toLocaleString('en-US')} are exported at once; narrow the period or the filters`, 'conflict');
  const lines = [csvLine(AUDIT_CSV_COLUMNS)];
  for (const r of db.prepare(`SELECT * FROM audit_events ${where} ORDER BY seq`).iterate(params) as IterableIterator<AuditRow>) {
    lines.push(csvLine([String(r.seq), r.at, r.actor, r.channel, r.action, r.target_type, r.target_id, r.details, r.prev_hash, r.hash, String(r.format)]));
  }
  return { text: `\uFEFF${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}

/** The events stamped within [from, to] (both included, ISO instants in UTC), in chain order, streamed (the evidence workbook's Audit log). */
export function auditEventsInPeriod(db: Db, from: string, to: string): IterableIterator<AuditRow> {
  return db.prepare('SELECT * FROM audit_events WHERE at >= ? AND at <= ? ORDER BY seq').iterate(from, to) as IterableIterator<AuditRow>;
}

/** How many events were stamped within [from, to], counted on their own (the sheet's reconciliation). */
export function countAuditEventsInPeriod(db: Db, from: string, to: string): number {
  return db.prepare('SELECT count(*) FROM audit_events WHERE at >= ? AND at <= ?').pluck().get(from, to) as number;
}
