// Snapshot copies carry the audit chain's witnesses: the public key, the
// signed checkpoints, the head they were saved with (an origin anchor in the
// copy, a snapshot anchor in the workspace). Opening a copy read-only
// verifies it and says whether it still holds that head (app:info, the CLI).
import path from 'node:path';
import Database from 'better-sqlite3';
import { tamperer } from '../fixtures/crafted-workspace.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { appendAudit, auditRowHash, type AuditRow } from '../../electron/engine/audit/audit-log.js';
import { signCheckpoint } from '../../electron/engine/audit/checkpoints.js';
import { verifyAudit } from '../../electron/engine/audit/verify.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { saveSnapshot, snapshotAuditStatus } from '../../electron/engine/workspace/snapshot-copy.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import type { AppInfo } from '../../shared/domain.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-audit-snapshot-');
const secrets = memorySecretStore();
const clock = { now: () => new Date('2026-04-01T10:00:00.000Z') };

async function workspaceWithCopy(name: string): Promise<{ file: string; copy: string; saved: Awaited<ReturnType<typeof saveSnapshot>> }> {
  const file = path.join(dir, `${name}.latchkey`);
  const ctx = openWorkspace({ dbPath: file, secrets, transport: 'cli', actor: 'cli:ada', clock });
  for (let i = 1; i <= 8; i++) ctx.db.transaction(() => appendAudit(ctx.db, { actor: 'cli:ada', channel: 'cli', action: 'catalog.role-created', targetType: 'role', targetId: i }, clock.now()))();
  expect(await signCheckpoint(ctx, 'sync')).toMatchObject({ signed: true, checkpoint: { count: 9 } });
  appendAudit(ctx.db, { actor: 'cli:ada', action: 'catalog.role-deleted', targetType: 'role', targetId: 1 }, clock.now());
  const copy = path.join(dir, `${name}-copy.latchkey`);
  const saved = await saveSnapshot(ctx.db, copy, { clock });
  ctx.db.close();
  return { file, copy, saved };
}

const attacker = (file: string): Database.Database => tamperer(file, 'audit_events_no_*'); // triggers back on close

describe('snapshot copies and the audit chain', () => {
  it('carry the public key, the checkpoints and the head they were saved with; the workspace records that head too', async () => {
    const { file, copy, saved } = await workspaceWithCopy('carry');
    const src = new Database(file, { readonly: true });
    const dst = new Database(copy, { readonly: true });
    const head = src.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
    expect(saved.audit).toEqual({ count: 10, head: head.hash, checkpoint: expect.objectContaining({ id: 1, count: 9 }) as unknown, anchoredInWorkspace: true });
    expect(dst.prepare('SELECT key_id, public_key FROM audit_keys').all()).toEqual(src.prepare('SELECT key_id, public_key FROM audit_keys').all());
    expect(dst.prepare('SELECT * FROM audit_checkpoints').all()).toEqual(src.prepare('SELECT * FROM audit_checkpoints').all());
    expect(dst.prepare('SELECT kind, count, head_hash, target FROM audit_anchors').all()).toEqual([
      { kind: 'origin', count: 10, head_hash: head.hash, target: src.prepare("SELECT value FROM meta WHERE key = 'workspace_id'").pluck().get() },
    ]);
    expect(JSON.parse(dst.prepare("SELECT value FROM meta WHERE key = 'snapshot_of'").pluck().get() as string)).toMatchObject({ audit: { count: 10, head: head.hash, checkpoint: { id: 1 } } });
    expect(src.prepare('SELECT kind, count, head_hash, target FROM audit_anchors').all()).toEqual([{ kind: 'snapshot', count: 10, head_hash: head.hash, target: copy }]);
    // The workspace's own verify checks the head it handed out.
    expect(verifyAudit(src)).toMatchObject({ ok: true, anchors: { checked: 1, held: 1 } });
    src.close();
    dst.close();
  });

  it('opened read-only: verified, and matching the head it was saved with, in app:info and on the command line', async () => {
    const { copy } = await workspaceWithCopy('open');
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets, transport: 'bridge' });
    const info = (await dispatch(createHandlers(ro, { version: '1.0.0' }), 'app:info', {})) as { ok: true; value: AppInfo };
    expect(info.value.audit).toMatchObject({ verified: true, events: 10, checkpoints: { total: 1, valid: 1 }, anchors: { checked: 1, held: 1 }, copyOf: { matchesOrigin: true }, problems: [] });
    ro.db.close();
    // A writable workspace is not verified on every app:info.
    const rw = openWorkspace({ dbPath: path.join(dir, 'writable.latchkey'), secrets, transport: 'bridge' });
    expect(((await dispatch(createHandlers(rw), 'app:info', {})) as { ok: true; value: AppInfo }).value.audit).toBeNull();
    rw.db.close();
    let stdout = '';
    const code = await runCli(['--db', copy, '--read-only', 'audit', 'verify'], { stdout: (s) => (stdout += s), stderr: () => undefined, env: {}, secrets });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^anchors: 1 checked, 1 held$/m);
  });

  it('a copy whose tail was cut no longer holds its origin head, and says so', async () => {
    const { copy } = await workspaceWithCopy('cut');
    const raw = attacker(copy);
    raw.prepare('DELETE FROM audit_events WHERE seq > 9').run();
    raw.close();
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets, transport: 'cli' });
    const status = snapshotAuditStatus(ro.db);
    ro.db.close();
    expect(status).toMatchObject({ verified: false, events: 9, copyOf: { matchesOrigin: false }, anchors: { checked: 1, held: 0 } });
    expect(status.problems).toEqual([expect.stringMatching(/the chain has 9 events, fewer than the 10 anchor #1 \(origin .*\) records: events were removed from its end/)]);
  });

  it('a copy rewritten with every later hash recomputed fails its checkpoint and its origin', async () => {
    const { copy } = await workspaceWithCopy('rehash');
    const raw = attacker(copy);
    raw.prepare("UPDATE audit_events SET actor = 'cli:mallory' WHERE seq = 3").run();
    let prev = raw.prepare('SELECT hash FROM audit_events WHERE seq = 2').pluck().get() as string;
    for (const r of raw.prepare('SELECT * FROM audit_events WHERE seq >= 3 ORDER BY seq').all() as AuditRow[]) {
      const hash = auditRowHash({ ...r, prev_hash: prev });
      raw.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    raw.close();
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets, transport: 'cli' });
    const status = snapshotAuditStatus(ro.db);
    ro.db.close();
    expect(status).toMatchObject({ verified: false, copyOf: { matchesOrigin: false }, checkpoints: { total: 1, valid: 1 } });
    expect(status.problems).toHaveLength(2);
    expect(status.problems.join('\n')).toMatch(/checkpoint #1 .*the chain was rewritten up to there\n.*anchor #1 \(origin .*the chain was rewritten up to there/);
  });

  it('saving while another connection writes does not wait for it: the copy is saved with its origin, the workspace skips its note', async () => {
    const { file } = await workspaceWithCopy('busy');
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE');
    const ctx = openWorkspace({ dbPath: file, secrets, transport: 'cli', clock });
    try {
      const started = Date.now();
      const saved = await saveSnapshot(ctx.db, path.join(dir, 'busy-2.latchkey'), { clock });
      expect(Date.now() - started).toBeLessThan(4000);
      expect(saved.audit).toMatchObject({ count: 10, anchoredInWorkspace: false });
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(ctx.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    ctx.db.close();
  });

  it('`snapshot save` says which head and checkpoint the copy carries', async () => {
    const { file } = await workspaceWithCopy('cli');
    let stdout = '';
    const code = await runCli(['--db', file, 'snapshot', 'save', path.join(dir, 'cli-2.latchkey')], { stdout: (s) => (stdout += s), stderr: () => undefined, env: {}, secrets });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^it carries the audit head [0-9a-f]{64} at 10 events and signed checkpoint #1 \(9 events, key [0-9a-f]{32}\)$/m);
  });
});
