import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appendAudit, appendAuditEvents, auditRowHash, canonicalJson, GENESIS_HASH, recentAuditEvents, scanAuditChain, setAfterAppend, verifyAuditChain, type AuditRow } from '../../electron/engine/audit/audit-log.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();

function seeded(name: string) {
  const f = path.join(dir, name);
  const db = openDatabase(f);
  const t0 = new Date('2026-01-01T00:00:00Z');
  for (let i = 0; i < 5; i++) {
    appendAudit(db, { actor: 'cli:alice', action: 'connection.added', targetType: 'connection', targetId: i, details: { n: i, b: 'x', a: [1, 2] } }, new Date(t0.getTime() + i * 1000));
  }
  return { db, f };
}

describe('audit log', () => {
  it('chains each event to the previous one and verifies', () => {
    const { db } = seeded('chain.latchkey');
    const rows = db.prepare('SELECT prev_hash, hash FROM audit_events ORDER BY seq').all() as { prev_hash: string; hash: string }[];
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 5 });
    expect(recentAuditEvents(db, 2).map((e) => e.targetId)).toEqual(['4', '3']);
    db.close();
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    const { db } = seeded('triggers.latchkey');
    expect(() => db.prepare("UPDATE audit_events SET actor='mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    db.close();
  });

  it('detects an edited row even when the triggers were bypassed', () => {
    const { db, f } = seeded('tamper.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update');
    raw.prepare("UPDATE audit_events SET details = ? WHERE seq = 3").run(canonicalJson({ n: 99 }));
    const check = verifyAuditChain(raw);
    expect(check).toMatchObject({ valid: false, brokenAt: 3, reason: 'content was altered' });
    raw.close();
  });

  it('detects a removed row', () => {
    const { db, f } = seeded('removed.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_delete');
    raw.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    expect(verifyAuditChain(raw)).toMatchObject({ valid: false, brokenAt: 3, reason: 'previous hash does not match' });
    raw.close();
  });

  it('an event written in a rolled-back transaction leaves no trace', () => {
    const { db } = seeded('rollback.latchkey');
    expect(() =>
      db.transaction(() => {
        appendAudit(db, { actor: 'x', action: 'y', targetType: 'z', targetId: 1 });
        throw new Error('state change failed');
      })(),
    ).toThrow('state change failed');
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 5 });
    db.close();
  });

  // Every column the hash must cover, with an edit someone with the file in a
  // hex editor could make to it. Table-driven, and checked against the table
  // itself below, so a column added later cannot be left out of the hash (or
  // out of this test) unnoticed. Each edit is made to row `row` (3 unless
  // said) and must be named at `brokenAt` (the row edited unless said).
  type Edit = { edit: (row: Record<string, unknown>) => unknown; reason: string; row?: number; brokenAt?: number };
  const HASHED_EDITS: Record<string, Edit> = {
    // The last row renumbered: format 2 hashes the seq, and the rows number on.
    seq: { row: 5, edit: () => 6, reason: 'seq 6 does not follow 4', brokenAt: 6 },
    // One millisecond, in the exact stored representation: a back-dated event.
    at: { edit: (r) => new Date(Date.parse(String(r.at)) - 1).toISOString(), reason: 'content was altered' },
    actor: { edit: () => 'cli:mallory', reason: 'content was altered' },
    channel: { edit: () => 'console', reason: 'content was altered' },
    action: { edit: () => 'connection.removed', reason: 'content was altered' },
    target_type: { edit: () => 'user', reason: 'content was altered' },
    target_id: { edit: () => '99', reason: 'content was altered' },
    details: { edit: (r) => canonicalJson({ ...(JSON.parse(String(r.details)) as object), n: 99 }), reason: 'content was altered' },
    // The same details, not canonical: format 2 hashes the text as stored.
    details_spacing: { edit: (r) => JSON.stringify(JSON.parse(String(r.details)), null, 1), reason: 'content was altered' },
    prev_hash: { edit: () => 'f'.repeat(64), reason: 'previous hash does not match' },
    // A downgrade to the old format (which covered fewer fields) is refused as such.
    format: { edit: () => 1, reason: 'hash format went back from 2 to 1' },
  };
  const column = (name: string): string => name.replace(/_spacing$/, '');
  /** The row's own hash is what is checked, not content. */
  const NOT_CONTENT = ['hash'];

  it("the test's list of hashed columns is exactly the table's columns", () => {
    const { db } = seeded('columns.latchkey');
    const columns = (db.prepare('PRAGMA table_info(audit_events)').all() as { name: string }[]).map((c) => c.name);
    expect(columns.filter((c) => !NOT_CONTENT.includes(c)).sort()).toEqual([...new Set(Object.keys(HASHED_EDITS).map(column))].sort());
    db.close();
  });

  it.each(Object.entries(HASHED_EDITS))('detects an edit of %s alone in one stored row, and names that row', (name, { edit, reason, row: seq = 3, brokenAt = seq }) => {
    const { db, f } = seeded(`field-${name}.latchkey`);
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update');
    const col = column(name);
    const row = raw.prepare('SELECT * FROM audit_events WHERE seq = ?').get(seq) as Record<string, unknown>;
    const value = edit(row);
    expect(value).not.toEqual(row[col]);
    raw.prepare(`UPDATE audit_events SET ${col} = ? WHERE seq = ?`).run(value, seq);
    // Only that one column changed.
    expect(raw.prepare('SELECT * FROM audit_events WHERE seq = ?').get(col === 'seq' ? value : seq)).toEqual({ ...row, [col]: value });
    expect(verifyAuditChain(raw)).toEqual({ valid: false, count: seq, brokenAt, reason });
    // Only the edited row is at fault: the rows after it still link to it as stored.
    expect(scanAuditChain(raw).faults).toEqual([{ seq: brokenAt, reason }]);
    raw.close();
  });

  it('reports a details text that is not JSON as that event\'s fault, in either format', () => {
    const { db, f } = seeded('not-json.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update');
    // Format 2, hash recomputed over the bad text: the hash holds, the details do not.
    const row = raw.prepare('SELECT * FROM audit_events WHERE seq = 2').get() as AuditRow;
    const bad = { ...row, details: '{"n": 1,' };
    raw.prepare('UPDATE audit_events SET details = ?, hash = ? WHERE seq = 2').run(bad.details, auditRowHash(bad));
    raw.prepare('UPDATE audit_events SET prev_hash = ? WHERE seq = 3').run(auditRowHash(bad));
    // Format 1 hashed the parsed details: a row that cannot be parsed cannot be hashed.
    raw.prepare("UPDATE audit_events SET format = 1, details = 'not json' WHERE seq = 1").run();
    const faults = scanAuditChain(raw).faults;
    expect(faults.find((x) => x.seq === 1)).toEqual({ seq: 1, reason: 'details is not JSON' });
    expect(faults.find((x) => x.seq === 2)).toEqual({ seq: 2, reason: 'details is not JSON' });
    // Reading the events still works: the bad details show as none.
    expect(recentAuditEvents(raw, 5).find((e) => e.seq === 2)?.details).toEqual({});
    raw.close();
  });

  it('stores the channel (system when not given) and hashes it', () => {
    const { db } = seeded('channel.latchkey');
    appendAudit(db, { actor: 'console:ada', channel: 'console', action: 'request.approved', targetType: 'request', targetId: 1 });
    expect(db.prepare('SELECT channel, format FROM audit_events WHERE seq IN (5, 6) ORDER BY seq').all()).toEqual([
      { channel: 'system', format: 2 },
      { channel: 'console', format: 2 },
    ]);
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 6 });
    db.close();
  });

  it("detects an edit of a row's own hash, and names that row", () => {
    const { db, f } = seeded('tamper-hash.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update');
    raw.prepare('UPDATE audit_events SET hash = ? WHERE seq = 3').run('e'.repeat(64));
    expect(verifyAuditChain(raw)).toEqual({ valid: false, count: 3, brokenAt: 3, reason: 'content was altered' });
    raw.close();
  });

  it('detects a row moved out of order by renumbering it (at the row that lost its predecessor)', () => {
    const { db, f } = seeded('tamper-seq.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update');
    raw.prepare('UPDATE audit_events SET seq = 100 WHERE seq = 3').run();
    expect(verifyAuditChain(raw)).toEqual({ valid: false, count: 3, brokenAt: 4, reason: 'previous hash does not match' });
    raw.close();
  });

  it("detects a removed row whose successor was re-linked to the row before it (each hash covers the previous one)", () => {
    const { db, f } = seeded('relinked.latchkey');
    db.close();
    const raw = new Database(f);
    raw.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete');
    const first = raw.prepare('SELECT hash FROM audit_events WHERE seq = 1').pluck().get() as string;
    raw.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    raw.prepare('UPDATE audit_events SET prev_hash = ? WHERE seq = 3').run(first);
    expect(verifyAuditChain(raw)).toEqual({ valid: false, count: 2, brokenAt: 3, reason: 'seq 3 does not follow 1' });
    raw.close();
  });

  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: 1 }, b: 1 }));
    // Objects already in order are serialised as they are; the text is the same as for any other order (numeric-looking keys, nesting, arrays, undefined).
    expect(canonicalJson({ 10: 'x', 2: 'y', a: [{ z: 1, y: null }], b: undefined, c: { e: 1, d: 2 } })).toBe('{"2":"y","10":"x","a":[{"y":null,"z":1}],"c":{"d":2,"e":1}}');
    expect(canonicalJson({ a: 1, b: { c: 1, d: [3, { f: 1, g: 2 }] } })).toBe('{"a":1,"b":{"c":1,"d":[3,{"f":1,"g":2}]}}');
  });

  it('canonical JSON of a flat object (serialised without a replacer) is the text the sorting serialiser gives', () => {
    const sorting = (v: unknown): string =>
      JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
    const cases: Record<string, unknown>[] = [
      { campaignId: 1, channel: 'workbook', comment: null, decidedBy: 'ada@acme.example', decision: 'keep', keepUntil: null, reasonCode: 'still-needed', stage: 1, submissionId: 9 },
      { b: 1, a: 2 },
      { 10: 'x', 2: 'y', a: 1 },
      { a: undefined, b: Number.NaN, c: Infinity, d: true, e: 'line\nbreak "q" \u2028' },
      { a: new Date('2026-01-01T00:00:00Z'), b: 1 },
      { a: 1, b: { d: 1, c: 2 } },
      Object.assign(Object.create({ inherited: 1 }) as object, { b: 1, a: 2 }),
      {},
    ];
    for (const c of cases) expect(canonicalJson(c), JSON.stringify(c)).toBe(sorting(c));
  });

  it('appends a batch exactly as one append after another would: same rows, same chain, the hook after each', () => {
    const one = openDatabase(path.join(dir, 'batch-one.latchkey'));
    const many = openDatabase(path.join(dir, 'batch-many.latchkey'));
    const at = new Date('2026-02-01T00:00:00Z');
    const events = Array.from({ length: 7 }, (_, i) => ({ actor: 'cli:alice', channel: 'workbook' as const, action: 'review.decision_submitted', targetType: 'review_item', targetId: i + 1, details: { z: i, a: { y: 1, b: 2 } } }));
    for (const db of [one, many]) appendAudit(db, { actor: 'cli:bob', action: 'first', targetType: 't', targetId: 0 }, at);
    const seen: number[] = [];
    setAfterAppend(many, (_db, head) => {
      seen.push(head.seq);
    });
    for (const e of events) appendAudit(one, e, at);
    expect(appendAuditEvents(many, events, at)).toBe(7);
    setAfterAppend(many, null);
    const rows = (db: typeof one) => db.prepare('SELECT * FROM audit_events ORDER BY seq').all();
    expect(rows(many)).toEqual(rows(one));
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(verifyAuditChain(many)).toEqual({ valid: true, count: 8 });
    one.close();
    many.close();
  });

  it('goes on from the head a hook left when the hook says it appended events itself', () => {
    const db = openDatabase(path.join(dir, 'batch-hook.latchkey'));
    const at = new Date('2026-02-01T00:00:00Z');
    const events = Array.from({ length: 5 }, (_, i) => ({ actor: 'cli:alice', action: 'review.decision_submitted', targetType: 'review_item', targetId: i + 1 }));
    let inHook = false;
    setAfterAppend(db, (d, head) => {
      if (inHook || head.seq % 2 !== 0) return false;
      inHook = true;
      appendAudit(d, { actor: 'system', action: 'hook.own', targetType: 't', targetId: head.seq }, at);
      inHook = false;
      return true;
    });
    expect(appendAuditEvents(db, events, at)).toBe(5);
    setAfterAppend(db, null);
    const actions = db.prepare('SELECT action, target_id FROM audit_events ORDER BY seq').all() as { action: string; target_id: string }[];
    expect(actions.map((a) => `${a.action === 'hook.own' ? 'hook' : 'ev'}:${a.target_id}`)).toEqual(['ev:1', 'ev:2', 'hook:2', 'ev:3', 'hook:4', 'ev:4', 'hook:6', 'ev:5', 'hook:8']);
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 9 });
    db.close();
  });
});
