import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appendAudit, canonicalJson, GENESIS_HASH, recentAuditEvents, verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
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

  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: 1 }, b: 1 }));
  });
});
