// The console's audit log channels on a real workspace file: filters (actor
// in part and any case, action, target, channel), the period's bounds at the
// exact instant (from inclusive, to exclusive, in any zone), paging newest
// first with the total; the CSV export (oldest first, every hashed field and
// the hashes as stored, formula text neutralised, a refusal over the cap);
// the chain status with the last verification kept.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { appendAudit, auditEventsCsv, AUDIT_CSV_COLUMNS, type AuditRow } from '../../electron/engine/audit/audit-log.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { parseCsv } from '../../electron/engine/csv.js';
import { verifyAudit } from '../../electron/engine/audit/verify.js';
import { verifyAuditOffThread } from '../../electron/engine/audit/verify-thread.js';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { createEventBus } from '../../electron/engine/workspace/workspace.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import type { AuditLogEvent, AuditStatusView, AuditVerifyView } from '../../shared/contract-audit.js';
import type { AuditChannel } from '../../shared/governance.js';
import { tempDir } from '../helpers/tmp.js';

const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

let db: Db;
let ctx: EngineContext;
let file: string;

/** Twelve events a second apart: three actors, two channels, grants and requests; two with text a spreadsheet would run. */
beforeAll(() => {
  file = path.join(tempDir(), 'audit-events.latchkey');
  db = openDatabase(file);
  const ev = (i: number, actor: string, channel: AuditChannel, action: string, targetType: string, targetId: number, details: Record<string, unknown> = {}) =>
    appendAudit(db, { actor, channel, action, targetType, targetId, details }, at(i * 1000));
  ev(0, 'Hal@Acme.example', 'console', 'grant.revoke_requested', 'grant', 1, { reason: 'left' });
  ev(1, 'latchkey:jobs', 'system', 'grant.revoked', 'grant', 1);
  ev(2, 'hal@acme.example', 'console', 'request.created', 'request', 5);
  ev(3, 'cli:sam', 'cli', 'request.decided', 'request', 5);
  ev(4, '=HYPERLINK("http://x","y")', 'console', 'request.created', 'request', 6, { note: '+1' });
  ev(5, '@SUM(A1)', 'cli', 'request.created', 'request', 7);
  ev(6, '-2', 'cli', 'request.created', 'request', 8);
  ev(7, '\tTab', 'cli', 'request.created', 'request', 9);
  ev(8, 'latchkey:jobs', 'system', 'grant.provisioned', 'grant', 2);
  ev(9, 'hal@acme.example', 'console', 'grant.revoke_requested', 'grant', 2, { reason: 'a, "quoted"\nreason' });
  ev(10, 'cli:50%_off', 'cli', 'grant.revoke_requested', 'grant', 3);
  ev(11, 'latchkey:jobs', 'system', 'grant.revoked', 'grant', 2);
  ctx = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => at(3_600_000) }, events: createEventBus(), actor: 'test', transport: 'cli', sandbox: false };
});
afterAll(() => db.close());

async function events(q: Record<string, unknown>): Promise<{ rows: AuditLogEvent[]; total: number }> {
  const res = await dispatch(createHandlers(ctx), 'audit:events', q);
  if (!res.ok) throw new Error(res.error);
  return res.value as { rows: AuditLogEvent[]; total: number };
}
const seqs = async (q: Record<string, unknown>): Promise<number[]> => (await events(q)).rows.map((e) => e.seq);

describe('audit:events', () => {
  it('pages newest first with the total, every hashed field included', async () => {
    const first = await events({ limit: 5 });
    expect(first.total).toBe(12);
    expect(first.rows.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8]);
    expect(await seqs({ offset: 10, limit: 5 })).toEqual([2, 1]);
    const stored = db.prepare('SELECT * FROM audit_events WHERE seq = 10').get() as AuditRow;
    expect(first.rows[2]).toEqual({
      seq: 10,
      at: stored.at,
      actor: 'hal@acme.example',
      channel: 'console',
      action: 'grant.revoke_requested',
      targetType: 'grant',
      targetId: '2',
      details: { reason: 'a, "quoted"\nreason' },
      hash: stored.hash,
      prevHash: stored.prev_hash,
      format: 2,
    });
  });

  it('filters by actor in part and any case (LIKE wildcards taken literally), action, target and channel', async () => {
    expect(await seqs({ actor: 'HAL@acme' })).toEqual([10, 3, 1]);
    expect(await seqs({ actor: '50%_' })).toEqual([11]);
    expect(await seqs({ actor: '%' })).toEqual([11]);
    expect(await seqs({ action: 'grant.revoke_requested' })).toEqual([11, 10, 1]);
    expect(await seqs({ action: 'grant.revoke' })).toEqual([]);
    expect(await seqs({ targetType: 'grant', targetId: '2' })).toEqual([12, 10, 9]);
    expect(await seqs({ channel: 'cli' })).toEqual([11, 8, 7, 6, 4]);
    expect(await seqs({ channel: 'console', action: 'grant.revoke_requested', actor: 'hal' })).toEqual([10, 1]);
    expect((await events({ channel: 'console', action: 'request.created' })).total).toBe(2);
  });

  it('takes the period from its first instant (inclusive) to its last (exclusive), in any zone', async () => {
    const iso = (ms: number): string => at(ms).toISOString();
    // Events 3..6 are at T0+3s..T0+6s (seq 4..7).
    expect(await seqs({ from: iso(3000), to: iso(6000) })).toEqual([6, 5, 4]);
    expect(await seqs({ from: iso(3001), to: iso(6001) })).toEqual([7, 6, 5]);
    expect(await seqs({ from: iso(2999), to: iso(3000) })).toEqual([]);
    expect(await seqs({ from: iso(3000), to: iso(3001) })).toEqual([4]);
    // The same instants written with an offset.
    expect(await seqs({ from: '2026-05-01T02:00:03+02:00', to: '2026-05-01T02:00:06.000+02:00' })).toEqual([6, 5, 4]);
    expect(await seqs({ to: iso(1000) })).toEqual([1]);
    expect(await seqs({ from: iso(11_000) })).toEqual([12]);
  });

  it('refuses a bound without a zone, an unknown channel and unknown fields', async () => {
    const h = createHandlers(ctx);
    expect(await dispatch(h, 'audit:events', { from: '2026-05-01' })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/from: not an instant/) as unknown });
    expect(await dispatch(h, 'audit:events', { from: '2026-05-01T10:00:00' })).toMatchObject({ ok: false, code: 'bad-input' });
    expect(await dispatch(h, 'audit:events', { channel: 'email' })).toMatchObject({ ok: false, code: 'bad-input' });
    expect(await dispatch(h, 'audit:events', { sql: '1=1' })).toMatchObject({ ok: false, code: 'bad-input' });
    expect(await dispatch(h, 'audit:events', { limit: 1001 })).toMatchObject({ ok: false, code: 'bad-input' });
  });

  it('lists every action with its count', async () => {
    const res = await dispatch(createHandlers(ctx), 'audit:actions', {});
    expect(res).toMatchObject({ ok: true });
    expect(res.ok && res.value).toEqual([
      { action: 'grant.provisioned', count: 1 },
      { action: 'grant.revoke_requested', count: 3 },
      { action: 'grant.revoked', count: 2 },
      { action: 'request.created', count: 5 },
      { action: 'request.decided', count: 1 },
    ]);
  });
});

describe('audit:export', () => {
  it('writes the filtered events oldest first with every hashed field and the hashes as stored', async () => {
    const res = await dispatch(createHandlers(ctx), 'audit:export', { action: 'grant.revoke_requested', from: at(0).toISOString(), to: at(11_000).toISOString() });
    if (!res.ok) throw new Error(res.error);
    const file = res.value as { filename: string; contentBase64: string; rows: number; sha256: string };
    const bytes = Buffer.from(file.contentBase64, 'base64');
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(file.filename).toBe('latchkey-audit-2026-05-01-to-2026-05-01.csv');
    expect(file.rows).toBe(3);
    const text = bytes.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows.map((r) => r[0])).toEqual(['1', '10', '11']);
    const stored = db.prepare('SELECT * FROM audit_events WHERE seq IN (1, 10, 11) ORDER BY seq').all() as AuditRow[];
    rows.forEach((r, i) => {
      const s = stored[i] as AuditRow;
      expect(r).toEqual([String(s.seq), s.at, s.actor, s.channel, s.action, s.target_type, s.target_id, s.details, s.prev_hash, s.hash, String(s.format)]);
    });
    // The quoted, comma- and newline-holding details survive the round trip exactly.
    expect(JSON.parse(rows[1]?.[7] ?? '')).toEqual({ reason: 'a, "quoted"\nreason' });
  });

  it('writes text a spreadsheet would run as a formula as text (a leading apostrophe)', () => {
    const { text } = auditEventsCsv(db, { action: 'request.created' }, 100);
    const actors = parseCsv(text)
      .slice(1)
      .map((r) => r[2]);
    expect(actors).toEqual(['hal@acme.example', `'=HYPERLINK("http://x","y")`, "'@SUM(A1)", "'-2", "'\tTab"]);
  });

  it('refuses more events than the cap, naming how many match', () => {
    expect(() => auditEventsCsv(db, {}, 11)).toThrow(/12 events match: at most 11/);
    expect(auditEventsCsv(db, {}, 12).rows).toBe(12);
  });
});

describe('audit:status and audit:verify', () => {
  it('verifies in a worker thread on its own connection, with the same report as inline', async () => {
    expect(await verifyAuditOffThread(db, file, null)).toEqual(verifyAudit(db, { keychainKeyId: null }));
    // A key id the file does not hold reaches the worker and is reported there.
    const other = await verifyAuditOffThread(db, file, 'not-a-key-of-this-file');
    expect(other.findings.map((f) => f.code)).toEqual(['keychain-key-missing']);
  });

  it('shows the head without verifying, then the last verification once run', async () => {
    const h = createHandlers(ctx);
    const before = await dispatch(h, 'audit:status', {});
    const head = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
    expect(before).toMatchObject({ ok: true, value: { head: { seq: 12, hash: head.hash, count: 12 }, checkpoints: 0, latestCheckpoint: null, anchors: { total: 0, latest: [] }, lastVerify: null } });
    const verified = await dispatch(h, 'audit:verify', {});
    expect(verified).toMatchObject({ ok: true, value: { ok: true, events: 12, findings: [], verifiedAt: at(3_600_000).toISOString() } });
    const after = (await dispatch(createHandlers(ctx), 'audit:status', {})) as { ok: true; value: AuditStatusView };
    expect(after.value.lastVerify).toEqual((verified as { ok: true; value: AuditVerifyView }).value);
  });
});
