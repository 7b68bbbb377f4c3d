// `latchkey audit verify` against an attacker who holds the workspace file:
// real SQLite files, the real keychain (the private session), the CLI's own
// entry point. Each attack is made the way someone with the file would make
// it (drop the append-only triggers, edit rows, recompute hashes, re-sign
// with a key of their own) and each must be detected and NAMED.
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tamperer } from '../fixtures/crafted-workspace.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { appendAudit, auditRowHash, canonicalJson, type AuditRow } from '../../electron/engine/audit/audit-log.js';
import {
  AUDIT_CHECKPOINT_INTERVAL,
  auditKeyAccount,
  auditKeyId,
  checkpointPayload,
  loadAuditSigner,
  publicKeyText,
  signCheckpoint,
} from '../../electron/engine/audit/checkpoints.js';
import type { AuditFinding, AuditVerifyReport } from '../../electron/engine/audit/verify.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { keyringSecretStore } from '../../electron/engine/secrets/keyring-store.js';
import { memorySecretStore, type SecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-audit-verify-');
// The real keychain where the test session provides one (as npm test does).
const secrets: SecretStore = inPrivateKeychain ? keyringSecretStore(`latchkey-test-audit-${process.pid}`) : memorySecretStore();

type Out = { code: number | 'serving'; stdout: string; stderr: string };
async function latchkey(...args: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets });
  return { code, stdout, stderr };
}
async function verifyJson(file: string, ...extra: string[]): Promise<{ code: Out['code']; report: AuditVerifyReport; stderr: string }> {
  const r = await latchkey('--db', file, 'audit', 'verify', '--json', ...extra);
  return { code: r.code, report: JSON.parse(r.stdout) as AuditVerifyReport, stderr: r.stderr };
}
const codes = (r: AuditVerifyReport): string[] => [...new Set(r.findings.map((f) => f.code))].sort();

const t0 = Date.parse('2026-03-01T09:00:00.000Z');

/**
 * A workspace as the engine leaves it: 6 events, the end of a sync run
 * (makes the key: event 7; checkpoint #1 at 7), 8 more events with an
 * interval of 5 (checkpoint #2 at 12), the end of a job-runner run
 * (checkpoint #3 at 15). Closed; returns its file.
 */
async function workspace(name: string): Promise<{ file: string; ctx: EngineContext }> {
  const file = path.join(dir, `${name}.latchkey`);
  let now = t0;
  const ctx = openWorkspace({ dbPath: file, secrets, transport: 'cli', actor: 'cli:ada', clock: { now: () => new Date((now += 1000)) } });
  const add = (i: number): void => {
    ctx.db.transaction(() => appendAudit(ctx.db, { actor: 'console:ada', channel: i % 2 ? 'console' : 'cli', action: 'request.approved', targetType: 'request', targetId: i, details: { step: i, note: 'ok' } }, ctx.clock.now()))();
  };
  for (let i = 1; i <= 6; i++) add(i);
  expect(await signCheckpoint(ctx, 'sync')).toMatchObject({ signed: true, fresh: true, checkpoint: { id: 1, count: 7, seq: 7 } });
  await loadAuditSigner(ctx, { interval: 5 });
  for (let i = 8; i <= 15; i++) add(i);
  expect(await signCheckpoint(ctx, 'jobs')).toMatchObject({ signed: true, fresh: true, checkpoint: { id: 3, count: 15 } });
  ctx.db.close();
  return { file, ctx };
}

/** Opens the file as an attacker would: plain SQLite, append-only triggers dropped. */
function attacker(file: string): Database.Database {
  return tamperer(file); // puts the triggers back on close, so the file passes the open's schema check
}

/** Recomputes every hash from `fromSeq` on (the chain then agrees with itself again). */
function rehashFrom(raw: Database.Database, fromSeq: number): void {
  const rows = raw.prepare('SELECT * FROM audit_events ORDER BY seq').all() as AuditRow[];
  let prev = '0'.repeat(64);
  for (const r of rows) {
    if (r.seq >= fromSeq) {
      const hash = auditRowHash({ ...r, prev_hash: prev });
      raw.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    } else prev = r.hash;
  }
}

describe('audit verify: an untouched workspace', () => {
  it('verifies the chain, every checkpoint signature and the recorded anchors, and says so', async () => {
    const { file } = await workspace('clean');
    const r = await latchkey('--db', file, 'audit', 'verify');
    expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^audit log: 15 events, head [0-9a-f]{64} \(seq 15\)$/m);
    expect(r.stdout).toMatch(/^checkpoints: 3, 3 verified; newest #3 at 15 events \(jobs, 2026-03-01T09:00:/m);
    expect(r.stdout).toMatch(/^verifies$/m);
    const j = await verifyJson(file);
    expect(j.report).toMatchObject({ ok: true, events: 15, findings: [], checkpoints: { total: 3, valid: 3 } });
  });

  it('signs at the interval exactly: the 5th event after a checkpoint signs, the 4th does not', async () => {
    const { file } = await workspace('interval');
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT id, seq, count, reason FROM audit_checkpoints ORDER BY id').all()).toEqual([
      { id: 1, seq: 7, count: 7, reason: 'sync' },
      { id: 2, seq: 12, count: 12, reason: 'interval' },
      { id: 3, seq: 15, count: 15, reason: 'jobs' },
    ]);
    db.close();
    expect(AUDIT_CHECKPOINT_INTERVAL).toBe(100);
  });

  it('keeps the private key in the keychain only: the file holds the public key, and a key whose creation is in the chain', async () => {
    const { file, ctx } = await workspace('keys');
    const db = new Database(file, { readonly: true });
    const wsId = db.prepare("SELECT value FROM meta WHERE key = 'workspace_id'").pluck().get() as string;
    db.close();
    const stored = await secrets.get(auditKeyAccount(wsId));
    expect(stored).toBeTruthy();
    const priv = createPrivateKey({ key: Buffer.from(stored ?? '', 'base64'), format: 'der', type: 'pkcs8' });
    const raw = priv.export({ format: 'jwk' }).d as string; // the 32-byte seed, base64url
    const bytes = ['', '-wal'].map((s) => (fs.existsSync(file + s) ? fs.readFileSync(file + s).toString('latin1') : '')).join('');
    for (const secret of [stored ?? '?', Buffer.from(raw, 'base64url').toString('latin1'), raw]) expect(bytes).not.toContain(secret);
    const ro = new Database(file, { readonly: true });
    const key = ro.prepare('SELECT key_id, public_key FROM audit_keys').get() as { key_id: string; public_key: string };
    const ev = ro.prepare("SELECT seq, action, target_id, details FROM audit_events WHERE target_type = 'audit-key'").get() as Record<string, unknown>;
    ro.close();
    expect(ev).toEqual({ seq: 7, action: 'audit.key-created', target_id: key.key_id, details: canonicalJson({ publicKey: key.public_key }) });
    void ctx;
  });

  it('does not sign on a read-only workspace, and says why', async () => {
    const { file } = await workspace('read-only');
    const ro = openWorkspace({ dbPath: file, readOnly: true, secrets, transport: 'cli' });
    expect(await signCheckpoint(ro, 'manual')).toEqual({ signed: false, why: expect.stringMatching(/read-only: it has no signing key/) as unknown });
    ro.db.close();
    const refused = await latchkey('--db', file, '--read-only', 'audit', 'checkpoint');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused on a workspace opened with --read-only/);
    const v = await latchkey('--db', file, '--read-only', 'audit', 'verify');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^note: opened read-only: no checkpoint is signed here \(no key\)/m);
  });
});

// One edit per stored field of event 9 (a format-2 row between checkpoints #1 and #2), or of the last event where said.
const FIELD_EDITS: Record<string, { sql: string; code: string; seq: number }> = {
  seq: { sql: 'UPDATE audit_events SET seq = 100 WHERE seq = 15', code: 'event-renumbered', seq: 100 },
  at: { sql: "UPDATE audit_events SET at = '2026-02-01T00:00:00.000Z' WHERE seq = 9", code: 'event-altered', seq: 9 },
  actor: { sql: "UPDATE audit_events SET actor = 'console:mallory' WHERE seq = 9", code: 'event-altered', seq: 9 },
  channel: { sql: "UPDATE audit_events SET channel = 'jira' WHERE seq = 9", code: 'event-altered', seq: 9 },
  action: { sql: "UPDATE audit_events SET action = 'request.denied' WHERE seq = 9", code: 'event-altered', seq: 9 },
  target_type: { sql: "UPDATE audit_events SET target_type = 'grant' WHERE seq = 9", code: 'event-altered', seq: 9 },
  target_id: { sql: "UPDATE audit_events SET target_id = '77' WHERE seq = 9", code: 'event-altered', seq: 9 },
  details: { sql: `UPDATE audit_events SET details = '{"note":"ok","step":99}' WHERE seq = 9`, code: 'event-altered', seq: 9 },
  prev_hash: { sql: `UPDATE audit_events SET prev_hash = '${'a'.repeat(64)}' WHERE seq = 9`, code: 'event-unlinked', seq: 9 },
  // The last row's own hash (an earlier row's would also unlink the next one).
  hash: { sql: `UPDATE audit_events SET hash = '${'b'.repeat(64)}' WHERE seq = 15`, code: 'event-altered', seq: 15 },
  format: { sql: 'UPDATE audit_events SET format = 1 WHERE seq = 9', code: 'event-format', seq: 9 },
};

describe('audit verify: an edit of each stored field is named, with its event', () => {
  it('covers every column of audit_events', async () => {
    const { file } = await workspace('columns');
    const db = new Database(file, { readonly: true });
    const columns = (db.prepare('PRAGMA table_info(audit_events)').all() as { name: string }[]).map((c) => c.name).sort();
    db.close();
    expect(Object.keys(FIELD_EDITS).sort()).toEqual(columns);
  });

  it.each(Object.entries(FIELD_EDITS))('%s', async (field, { sql, code, seq }) => {
    const { file } = await workspace(`field-${field}`);
    const raw = attacker(file);
    expect(raw.prepare(sql).run().changes).toBe(1);
    raw.close();
    const { code: exit, report, stderr } = await verifyJson(file);
    expect(exit).toBe(1);
    expect(stderr).toMatch(/the audit log does not verify: \d+ problems? \(listed above\)/);
    expect(report.findings.filter((f) => f.seq !== undefined)).toEqual([expect.objectContaining({ code, seq }) as AuditFinding]);
    // The last row with another hash is no longer the head checkpoint #3 signed.
    if (field === 'hash') expect(report.findings).toContainEqual(expect.objectContaining({ code: 'chain-rewritten', checkpointId: 3 }));
  });

  it('a details text that is not JSON is that event\'s fault, not an unexpected failure', async () => {
    const { file } = await workspace('not-json');
    const raw = attacker(file);
    raw.prepare("UPDATE audit_events SET details = 'this is { not json' WHERE seq = 4").run();
    raw.close();
    const r = await latchkey('--db', file, 'audit', 'verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PROBLEM event-altered \(event 4\): event 4: content was altered$/m);
    expect(r.stderr).not.toMatch(/unexpected/);
    // With the hash recomputed over the bad text (the chain agrees again), the details are still named.
    const raw2 = attacker(file);
    rehashFrom(raw2, 4);
    raw2.close();
    const j = await verifyJson(file);
    expect(j.report.findings.filter((f) => f.seq !== undefined)).toEqual([{ code: 'event-details-not-json', seq: 4, message: 'event 4: details is not JSON' }]);
  });
});

describe('audit verify: what the chain alone cannot see', () => {
  it('a deleted middle row', async () => {
    const { file } = await workspace('middle');
    const raw = attacker(file);
    raw.prepare('DELETE FROM audit_events WHERE seq = 5').run();
    raw.close();
    const { code, report } = await verifyJson(file);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'event-unlinked', seq: 6 }));
    // The chain is one shorter than every checkpoint after it says.
    expect(report.findings.filter((f) => f.code === 'chain-rewritten').map((f) => f.checkpointId)).toEqual([1, 2]);
    expect(report.findings.filter((f) => f.code === 'chain-cut').map((f) => f.checkpointId)).toEqual([3]);
  });

  it('a cut tail: the chain verifies on its own, the checkpoints name the cut', async () => {
    const { file } = await workspace('tail');
    const raw = attacker(file);
    raw.prepare('DELETE FROM audit_events WHERE seq > 10').run();
    raw.close();
    const { code, report } = await verifyJson(file);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.seq !== undefined)).toEqual([]);
    expect(report.findings.map((f) => [f.code, f.checkpointId])).toEqual([
      ['chain-cut', 2],
      ['chain-cut', 3],
    ]);
    expect(report.findings[1]?.message).toMatch(/the chain has 10 events, fewer than the 15 checkpoint #3 .* records: events were removed from its end/);
  });

  it('an emptied table', async () => {
    const { file } = await workspace('emptied');
    const raw = attacker(file);
    raw.prepare('DELETE FROM audit_events').run();
    raw.close();
    const { code, report } = await verifyJson(file);
    expect(code).toBe(1);
    expect(codes(report)).toEqual(['chain-emptied', 'key-not-in-chain']);
    expect(report.findings.find((f) => f.code === 'chain-emptied')?.message).toMatch(/the audit log is empty, but checkpoint #1 .* records 7 events: the table was emptied/);
  });

  it('an edit with every later hash recomputed: caught by the checkpoints signed since', async () => {
    const { file } = await workspace('rehash');
    const raw = attacker(file);
    raw.prepare("UPDATE audit_events SET actor = 'console:mallory' WHERE seq = 9").run();
    rehashFrom(raw, 9);
    raw.close();
    const { code, report } = await verifyJson(file);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.seq !== undefined)).toEqual([]);
    expect(report.findings.map((f) => [f.code, f.checkpointId])).toEqual([
      ['chain-rewritten', 2],
      ['chain-rewritten', 3],
    ]);
    expect(report.findings[0]?.message).toMatch(/event number 12 is not the one checkpoint #2 .* records .*: the chain was rewritten up to there/);
  });

  it('a rewritten chain with the checkpoints removed too: caught by an anchor given on the command line', async () => {
    const { file } = await workspace('anchor');
    const before = await verifyJson(file);
    const anchor = `${before.report.head.hash}:${before.report.head.count}`;
    expect((await verifyJson(file, '--anchor', anchor)).report).toMatchObject({ ok: true, anchors: { checked: 1, held: 1 } });
    const raw = attacker(file);
    raw.prepare("UPDATE audit_events SET target_id = '1000' WHERE seq = 14").run();
    rehashFrom(raw, 14);
    raw.prepare('DELETE FROM audit_checkpoints').run();
    raw.close();
    expect((await verifyJson(file)).report.ok).toBe(true); // nothing inside the file can tell any more
    const { code, report } = await verifyJson(file, '--anchor', anchor);
    expect(code).toBe(1);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'chain-rewritten', anchor: 'the anchor from --anchor' })]);
    const bad = await latchkey('--db', file, 'audit', 'verify', '--anchor', 'abc:12');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--anchor: expected HASH:COUNT/);
  });

  it('a forged checkpoint signature, and a real checkpoint altered after signing', async () => {
    const { file } = await workspace('forged');
    const raw = attacker(file);
    const head = raw.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
    const keyId = raw.prepare('SELECT key_id FROM audit_keys').pluck().get() as string;
    raw.prepare("INSERT INTO audit_checkpoints (seq, count, head_hash, at, key_id, reason, signature) VALUES (?, ?, ?, '2026-03-02T00:00:00.000Z', ?, 'manual', ?)").run(
      head.seq, head.seq, head.hash, keyId, Buffer.alloc(64, 7).toString('base64'),
    );
    raw.prepare('UPDATE audit_checkpoints SET count = 6 WHERE id = 1').run();
    raw.close();
    const { code, report } = await verifyJson(file);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.code, f.checkpointId])).toEqual([
      ['checkpoint-signature', 1],
      ['checkpoint-signature', 4],
    ]);
    expect(report.findings[0]?.message).toBe('checkpoint #1: the signature does not verify: it was forged or altered');
  });

  it("a checkpoint signed with a key that is not the workspace's, and that key slipped into the file's keys", async () => {
    const { file } = await workspace('other-key');
    const mine = generateKeyPairSync('ed25519');
    const keyId = auditKeyId(mine.publicKey);
    const raw = attacker(file);
    const head = raw.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
    const c = { seq: head.seq, count: head.seq, headHash: head.hash, at: '2026-03-02T00:00:00.000Z', keyId, reason: 'manual' as const };
    const signature = sign(null, Buffer.from(checkpointPayload(c)), mine.privateKey).toString('base64');
    raw.prepare('INSERT INTO audit_checkpoints (seq, count, head_hash, at, key_id, reason, signature) VALUES (?, ?, ?, ?, ?, ?, ?)').run(c.seq, c.count, c.headHash, c.at, keyId, c.reason, signature);
    raw.close();
    let { report } = await verifyJson(file);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'checkpoint-unknown-key', checkpointId: 4, message: `checkpoint #4 is signed by key ${keyId}, which is not this workspace's` })]);
    // The attacker adds their key to the file: its creation is not in the chain.
    const raw2 = attacker(file);
    raw2.prepare("INSERT INTO audit_keys (key_id, algorithm, public_key, created_at) VALUES (?, 'ed25519', ?, '2026-03-02T00:00:00.000Z')").run(keyId, publicKeyText(mine.publicKey));
    raw2.close();
    ({ report } = await verifyJson(file));
    expect(codes(report)).toEqual(['key-not-in-chain']);
    // And replaces the workspace's key entirely: the keychain's key is missing from the file.
    const raw3 = attacker(file);
    raw3.prepare('DELETE FROM audit_keys WHERE key_id <> ?').run(keyId);
    raw3.close();
    ({ report } = await verifyJson(file));
    expect(codes(report)).toEqual(['checkpoint-unknown-key', 'key-not-in-chain', 'keychain-key-missing']);
  });
});
