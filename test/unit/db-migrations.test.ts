import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appendAudit, canonicalJson, verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { DatabaseOpenError, isReadOnly, migrate, openDatabase, schemaVersion } from '../../electron/engine/db/database.js';
import { latestSchemaVersion, migrations } from '../../electron/engine/db/migrations/index.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const file = (name: string) => path.join(dir, name);

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('migration 1 creates the snapshot, run and audit tables and a workspace id', () => {
    const db = openDatabase(file('m1.latchkey'), { migrations: migrations.slice(0, 1) });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['connections', 'identities', 'groups', 'memberships', 'apps', 'app_assignments', 'sync_runs', 'audit_events', 'cur_identities', 'cur_memberships']) {
      expect(tables).toContain(t);
    }
    expect(schemaVersion(db)).toBe(1);
    const id = db.prepare("SELECT value FROM meta WHERE key='workspace_id'").get() as { value: string };
    expect(id.value).toMatch(/^[0-9a-f]{32}$/);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migration 2 adds change history, run notes and person links to a version-1 file without losing it', () => {
    const f = file('m2.latchkey');
    const v1 = openDatabase(f, { migrations: migrations.slice(0, 1) });
    v1.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at) VALUES (1,'o','okta','https://x.okta.com','token','t','t')").run();
    v1.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at) VALUES (1, 'full', 'succeeded', 1, 't')").run();
    v1.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 2) });
    expect(schemaVersion(db)).toBe(2);
    // The newest successful run before the upgrade is where history begins.
    expect(db.prepare('SELECT changes, baseline, note FROM sync_runs').get()).toEqual({ changes: 0, baseline: 1, note: null });
    db.prepare("INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id) VALUES (1, 1, 'joiner', 'user', 'u1')").run();
    expect(() => db.prepare("INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id) VALUES (1, 1, 'renamed', 'user', 'u1')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO person_links (connection_id, identity_id, person_id, matched_by) VALUES (1, 'u1', '1:u1', NULL)").run();
    // Runs deleted with their connection take their changes along.
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM connections WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM sync_changes').get()).toEqual({ n: 0 });
    db.close();
  });

  it('migration 3 adds the governance tables to a version-2 file without losing it, and their constraints hold', () => {
    const f = file('m3.latchkey');
    const v2 = openDatabase(f, { migrations: migrations.slice(0, 2) });
    v2.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at) VALUES (1,'o','okta','https://x.okta.com','token','t','t')").run();
    v2.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 3) });
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'o' }]);
    db.prepare("INSERT INTO catalog_apps (id, name, created_at, updated_at) VALUES (1, 'Figma', 't', 't')").run();
    expect(() => db.prepare("INSERT INTO catalog_apps (name, created_at, updated_at) VALUES ('figma', 't', 't')").run()).toThrow(/UNIQUE/);
    const role = "INSERT INTO catalog_roles (app_id, name, risk, approval_policy, durations, default_duration, created_at, updated_at) VALUES (1, 'Editor', ?, '{}', '[]', 'permanent', 't', 't')";
    expect(() => db.prepare(role).run('extreme')).toThrow(/CHECK/);
    db.prepare(role).run('high');
    // One Latchkey request per Jira issue.
    const req = `INSERT INTO requests (role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_name, requester, duration, justification, status, source,
                 jira_connection_id, jira_issue_key, created_at, updated_at) VALUES (1, 1, 'u1', 'Ada', 'a@x', 'permanent', 'why', 'pending', 'jira', 2, ?, 't', 't')`;
    db.prepare(req).run('ACC-1');
    expect(() => db.prepare(req).run('ACC-1')).toThrow(/UNIQUE/);
    // The same effect enqueued twice is one job.
    const job = "INSERT INTO jobs (kind, status, run_after, idempotency_key, created_at, updated_at) VALUES ('revoke', 'queued', 't', ?, 't', 't')";
    db.prepare(job).run('revoke:grant:1');
    expect(() => db.prepare(job).run('revoke:grant:1')).toThrow(/UNIQUE/);
    // One open drift row per membership and kind; a resolved one doesn't block a new one.
    const drift = "INSERT INTO drift (kind, connection_id, group_id, identity_id, detected_at, resolved_at) VALUES ('reappeared', 1, 'g1', 'u1', 't', ?)";
    db.prepare(drift).run('t');
    db.prepare(drift).run(null);
    expect(() => db.prepare(drift).run(null)).toThrow(/UNIQUE/);
    // Deleting an app takes its roles and their mappings along.
    db.pragma('foreign_keys = ON');
    db.prepare("INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (1, 1, 'g1', 'figma-editors', 't')").run();
    db.prepare('DELETE FROM requests').run();
    db.prepare('DELETE FROM catalog_apps WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM catalog_mappings').get()).toEqual({ n: 0 });
    db.close();
  });

  it('migration 4 builds the Directory model and its search index from a version-3 file, and keeps them with the snapshot', () => {
    const f = file('m4.latchkey');
    const v3 = openDatabase(f, { migrations: migrations.slice(0, 3) });
    v3.exec(`INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at,live_gen) VALUES (1,'o','okta','https://x.okta.com','token','t','t',1);
      INSERT INTO identities (connection_id, gen, id, login, email, display_name, status) VALUES
        (1, 1, 'u1', 'ada@x.example', 'ada@x.example', 'Ada Lovelace', 'ACTIVE'), (1, 2, 'u9', 'old@x.example', NULL, 'Old Generation', 'ACTIVE');
      INSERT INTO groups (connection_id, gen, id, name, type, managed_by) VALUES (1, 1, 'g1', 'eng', 'OKTA_GROUP', 'direct');
      INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (1, 1, 'g1', 'u1');`);
    v3.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 4) });
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare('SELECT id, group_count, listed FROM directory_accounts').all()).toEqual([{ id: 'u1', group_count: 1, listed: 1 }]);
    expect(db.prepare('SELECT id, member_count FROM directory_groups').all()).toEqual([{ id: 'g1', member_count: 1 }]);
    const find = db.prepare("SELECT a.id FROM directory_search s JOIN directory_accounts a ON a.row = s.rowid WHERE directory_search MATCH ?").pluck();
    expect(find.all('"LOVELACE"')).toEqual(['u1']);
    // A write to the live generation reaches the model and the index in the same statement; the other generation does not.
    db.prepare("UPDATE identities SET display_name = 'Ada King' WHERE connection_id = 1 AND id = 'u1'").run();
    db.prepare("UPDATE identities SET display_name = 'Also Old' WHERE connection_id = 1 AND id = 'u9'").run();
    expect(find.all('"lovelace"')).toEqual([]);
    expect(find.all('"king"')).toEqual(['u1']);
    expect(find.all('"old"')).toEqual([]);
    db.close();
  });

  it('migration 5 gives existing audit events channel system and hash format 1, keeps them verifying, and adds the append-only key, checkpoint and anchor tables', () => {
    const f = file('m5.latchkey');
    const v4 = openDatabase(f, { migrations: migrations.slice(0, 4) });
    // Two events exactly as a version-4 build wrote them (format 1: previous hash + canonical content).
    let prev = '0'.repeat(64);
    for (const [i, at] of ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'].entries()) {
      const content = canonicalJson({ at, actor: 'cli:ada', action: 'connection.added', targetType: 'connection', targetId: String(i), details: { n: i } });
      const hash = createHash('sha256').update(prev).update(content).digest('hex');
      v4.prepare('INSERT INTO audit_events (at, actor, action, target_type, target_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        at, 'cli:ada', 'connection.added', 'connection', String(i), canonicalJson({ n: i }), prev, hash,
      );
      prev = hash;
    }
    v4.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 5) });
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare('SELECT seq, channel, format FROM audit_events ORDER BY seq').all()).toEqual([
      { seq: 1, channel: 'system', format: 1 },
      { seq: 2, channel: 'system', format: 1 },
    ]);
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 2 });
    // New events are format 2, carry their channel, and chain on from the old ones.
    appendAudit(db, { actor: 'console:ada', channel: 'console', action: 'request.approved', targetType: 'request', targetId: 7 });
    expect(db.prepare('SELECT seq, channel, format, prev_hash FROM audit_events WHERE seq = 3').get()).toEqual({ seq: 3, channel: 'console', format: 2, prev_hash: prev });
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 3 });
    expect(() => db.prepare("INSERT INTO audit_events (at, actor, channel, action, target_type, target_id, prev_hash, hash) VALUES ('t', 'a', 'email', 'x', 'y', 'z', 'p', 'h')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO audit_events (at, actor, format, action, target_type, target_id, prev_hash, hash) VALUES ('t', 'a', 3, 'x', 'y', 'z', 'p', 'h')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO audit_keys (key_id, algorithm, public_key, created_at) VALUES ('k1', 'ed25519', 'AAAA', 't')").run();
    expect(() => db.prepare("INSERT INTO audit_keys (key_id, algorithm, public_key, created_at) VALUES ('k2', 'rsa', 'BBBB', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO audit_checkpoints (seq, count, head_hash, at, key_id, reason, signature) VALUES (3, 3, 'h', 't', 'k1', 'sync', 's')").run();
    expect(() => db.prepare("INSERT INTO audit_checkpoints (seq, count, head_hash, at, key_id, reason, signature) VALUES (3, 3, 'h', 't', 'k1', 'whim', 's')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO audit_anchors (kind, count, head_hash, at, connection_id, issue_key) VALUES ('jira-checkpoint', 3, 'h', 't', 1, 'OPS-1')").run();
    expect(() => db.prepare("INSERT INTO audit_anchors (kind, count, head_hash, at) VALUES ('postcard', 3, 'h', 't')").run()).toThrow(/CHECK/);
    for (const t of ['audit_keys', 'audit_checkpoints', 'audit_anchors']) {
      expect(() => db.prepare(`UPDATE ${t} SET at = 'x'`.replace(' at =', t === 'audit_keys' ? ' created_at =' : ' at =')).run()).toThrow(/append-only/);
      expect(() => db.prepare(`DELETE FROM ${t}`).run()).toThrow(/append-only/);
    }
    db.close();
  });

  it('migration 6 adds the reason and evidence of a decision recorded for someone else to a version-5 file, keeping its approvals', () => {
    const f = file('m6.latchkey');
    const v5 = openDatabase(f, { migrations: migrations.slice(0, 5) });
    v5.prepare("INSERT INTO catalog_apps (id, name, created_at, updated_at) VALUES (1, 'Figma', 't', 't')").run();
    v5.prepare("INSERT INTO catalog_roles (id, app_id, name, risk, approval_policy, durations, default_duration, created_at, updated_at) VALUES (1, 1, 'Editor', 'low', '{}', '[]', '24h', 't', 't')").run();
    v5.prepare(
      `INSERT INTO requests (id, role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_email, beneficiary_name, requester, duration, justification, source, status, created_at, updated_at)
       VALUES (1, 1, 1, 'u1', 'ada@acme.example', 'Ada', 'hal@acme.example', '24h', 'x', 'console', 'approved', 't', 't')`,
    ).run();
    v5.prepare("INSERT INTO approvals (request_id, step, kind, approvers, status, decided_by, decided_at, channel, comment, recorded_by) VALUES (1, 1, 'manager', '[\"grace@acme.example\"]', 'approved', 'grace@acme.example', 't', 'console', 'ok', 'grace@acme.example')").run();
    v5.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 6) });
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare('SELECT decided_by, recorded_by, record_reason, evidence_ref FROM approvals').all()).toEqual([
      { decided_by: 'grace@acme.example', recorded_by: 'grace@acme.example', record_reason: null, evidence_ref: null },
    ]);
    db.prepare("UPDATE approvals SET recorded_by = 'hal@acme.example', record_reason = 'approved by e-mail', evidence_ref = 'message id <abc@acme.example>'").run();
    expect(db.prepare('SELECT record_reason, evidence_ref FROM approvals').get()).toEqual({ record_reason: 'approved by e-mail', evidence_ref: 'message id <abc@acme.example>' });
    db.close();
  });

  it('migration 7 adds the review tables to a version-6 file without losing it, and their constraints hold', () => {
    const f = file('m7.latchkey');
    const v6 = openDatabase(f, { migrations: migrations.slice(0, 6) });
    v6.prepare("INSERT INTO settings (key, value) VALUES ('expiryNoticeHours', '48')").run();
    v6.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 7) });
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'expiryNoticeHours'").get()).toEqual({ value: '48' });
    db.prepare("INSERT INTO review_campaigns (id, name, definition, status, created_by, created_channel, created_at, updated_at) VALUES (1, 'Q1', '{}', 'active', 'ada', 'console', 't', 't')").run();
    expect(() => db.prepare("INSERT INTO review_campaigns (name, definition, status, created_by, created_channel, created_at, updated_at) VALUES ('x', '{}', 'open', 'ada', 'console', 't', 't')").run()).toThrow(/CHECK/);
    const item = `INSERT INTO review_items (id, campaign_id, connection_id, identity_id, group_id, group_name, person_name, person_status, held_via, row_hash, recommendation, launch_recommendation, reviewer, reviewer_source)
      VALUES (?, 1, 1, 'u1', 'g1', 'Eng', 'Ada', 'ACTIVE', ?, 'h', 'keep', 'keep', 'grace@acme.example', 'manager')`;
    db.prepare(item).run(1, 'direct');
    expect(() => db.prepare(item).run(2, 'inherited')).toThrow(/CHECK/);
    const decide = "INSERT INTO review_decisions (item_id, stage, campaign_id, decision, state, decided_by, channel, decided_at) VALUES (1, 1, 1, ?, 'draft', 'grace', ?, 't')";
    db.prepare(decide).run('keep', 'console');
    // One current word per item and stage: a second is an update, not a second row.
    expect(() => db.prepare(decide).run('revoke', 'console')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(decide.replace('(1, 1, 1', '(1, 2, 1')).run('maybe', 'console')).toThrow(/CHECK/);
    expect(() => db.prepare(decide.replace('(1, 1, 1', '(1, 2, 1')).run('keep', 'email')).toThrow(/CHECK/);
    // Deleting a campaign (a draft) takes its items and their decisions with it.
    db.prepare('DELETE FROM review_campaigns WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM review_decisions').get()).toEqual({ n: 0 });
    db.close();
  });

  it('migration 8 adds the notification outbox, one notice per dedup key', () => {
    const f = file('m8.latchkey');
    openDatabase(f, { migrations: migrations.slice(0, 7) }).close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 8) });
    expect(schemaVersion(db)).toBe(8);
    const add = "INSERT INTO notices (dedup_key, kind, recipient, channel, subject, body, due_at, status, created_at) VALUES (?, 'review-reminder', 'grace@acme.example', ?, 's', 'b', 't', 'pending', 't')";
    db.prepare(add).run('review:1:grace:2026-12-07', 'jira-comment');
    expect(() => db.prepare(add).run('review:1:grace:2026-12-07', 'jira-comment')).toThrow(/UNIQUE/);
    expect(() => db.prepare(add).run('review:1:grace:2026-12-08', 'pigeon')).toThrow(/CHECK/);
    db.close();
  });

  it('migration 9 adds group owners to a version-8 file, one row per owner and generation, and cur_group_owners shows the live one', () => {
    const f = file('m9.latchkey');
    const v8 = openDatabase(f, { migrations: migrations.slice(0, 8) });
    v8.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at,live_gen) VALUES (1,'o','okta','https://x.okta.com','token','t','t',2)").run();
    v8.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 9) });
    expect(schemaVersion(db)).toBe(9);
    expect(db.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'o' }]);
    const add = db.prepare('INSERT INTO group_owners (connection_id, gen, group_id, owner_id, owner_type) VALUES (1, ?, ?, ?, ?)');
    add.run(1, 'g1', 'u-old', 'user');
    add.run(2, 'g1', 'u1', 'user');
    add.run(2, 'g1', 'g9', 'group');
    add.run(3, 'g1', 'u-partial', 'user');
    expect(() => add.run(2, 'g1', 'u1', 'user')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => add.run(2, 'g2', 'sp1', 'servicePrincipal')).toThrow(/CHECK/);
    expect(db.prepare('SELECT owner_id, owner_type FROM cur_group_owners ORDER BY owner_id').all()).toEqual([
      { owner_id: 'g9', owner_type: 'group' },
      { owner_id: 'u1', owner_type: 'user' },
    ]);
    db.close();
  });

  it("migration 10 indexes a reviewer's items by name on a version-9 file, and the grid's first screen reads that index, not the whole queue", () => {
    const f = file('m10.latchkey');
    const v9 = openDatabase(f, { migrations: migrations.slice(0, 9) });
    v9.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at) VALUES (1,'o','okta','https://x.okta.com','token','t','t')").run();
    v9.prepare("INSERT INTO review_campaigns (id, name, definition, status, created_by, created_channel, created_at, updated_at) VALUES (1, 'Q4', '{}', 'active', 'ada', 'console', 't', 't')").run();
    const item = v9.prepare(
      `INSERT INTO review_items (campaign_id, connection_id, identity_id, group_id, group_name, person_name, person_status, held_via, row_hash, recommendation, launch_recommendation, reviewer, reviewer_source)
       VALUES (1, 1, ?, 'g', 'grp', ?, 'ACTIVE', 'direct', 'h', 'keep', 'keep', 'grace@example.com', 'manager')`,
    );
    for (const [who, name] of [['u1', 'zoe'], ['u2', 'Bea'], ['u3', 'amy']]) item.run(who, name);
    v9.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 10) });
    expect(schemaVersion(db)).toBe(10);
    const first = "SELECT id FROM review_items WHERE campaign_id = 1 AND reviewer = 'grace@example.com' ORDER BY lower(person_name), id LIMIT 2";
    expect(db.prepare(first).pluck().all()).toEqual([3, 2]);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${first}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toContain('review_items_by_reviewer_name');
    expect(plan).not.toContain('TEMP B-TREE');
    db.close();
  });

  it('migration 11 adds the HR source to a version-10 file: one record per key, one event per event id, and the plans\' "due, not yet processed" reads its index', () => {
    const f = file('m11.latchkey');
    const v10 = openDatabase(f, { migrations: migrations.slice(0, 10) });
    v10.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at) VALUES (1,'o','okta','https://x.okta.com','token','t','t')").run();
    v10.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 11) });
    expect(schemaVersion(db)).toBe(11);
    expect(db.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'o' }]);
    const imp = db
      .prepare("INSERT INTO hr_imports (kind, preset, file_name, sha256, rows, actor, channel, imported_at) VALUES (?, 'bamboohr', 'e.csv', ?, 2, 'ada', 'cli', 't')")
      .run('csv', 'a'.repeat(64)).lastInsertRowid;
    expect(() => db.prepare("INSERT INTO hr_imports (kind, file_name, sha256, rows, actor, channel, imported_at) VALUES ('xml', 'e', ?, 0, 'a', 'cli', 't')").run('a'.repeat(64))).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO hr_imports (kind, file_name, sha256, rows, actor, channel, imported_at) VALUES ('csv', 'e', 'short', 0, 'a', 'cli', 't')").run()).toThrow(/CHECK/);
    const rec = db.prepare("INSERT INTO hr_records (record_key, employee_id, status, source, as_of, import_id, updated_at) VALUES (?, '100001', ?, 'csv:bamboohr', 't', ?, 't')");
    rec.run('id:100001', 'active', imp);
    expect(() => rec.run('id:100001', 'active', imp)).toThrow(/UNIQUE/);
    expect(() => rec.run('id:100002', 'on-leave', imp)).toThrow(/CHECK/);
    const ev = db.prepare("INSERT INTO hr_events (event_id, type, occurred_at, effective_date, record_key, received_at, source) VALUES (?, ?, 't', ?, 'id:100001', 't', 'events')");
    ev.run('e1', 'employee.hired', '2026-12-01');
    ev.run('e2', 'employee.terminated', '2026-12-09');
    expect(() => ev.run('e1', 'employee.hired', '2026-12-01')).toThrow(/UNIQUE/);
    expect(() => ev.run('e3', 'employee.promoted', '2026-12-01')).toThrow(/CHECK/);
    expect(() => ev.run('e4', 'employee.updated', '12/01/2026')).toThrow(/CHECK/);
    const due = "SELECT event_id FROM hr_events WHERE plan_state = 'pending' AND effective_date <= ? ORDER BY effective_date";
    expect(db.prepare(due).pluck().all('2026-12-08')).toEqual(['e1']);
    expect(db.prepare(due).pluck().all('2026-12-09')).toEqual(['e1', 'e2']);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${due}`).all('2026-12-09') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toContain('hr_events_due');
    db.close();
  });

  it('migration 12 adds birthright policies to a version-11 file: names unique ignoring case, versions kept, one waiting approval per policy', () => {
    const f = file('m12.latchkey');
    const v11 = openDatabase(f, { migrations: migrations.slice(0, 11) });
    v11.prepare("INSERT INTO hr_records (record_key, status, source, as_of, updated_at) VALUES ('id:1', 'active', 'events', 't', 't')").run();
    v11.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, 12) });
    expect(schemaVersion(db)).toBe(12);
    expect(db.prepare('SELECT record_key FROM hr_records').pluck().all()).toEqual(['id:1']);
    const pol = db.prepare("INSERT INTO policies (name, current_version, mode, created_at, updated_at) VALUES (?, 1, ?, 't', 't')");
    const id = Number(pol.run('Engineering', 'monitor').lastInsertRowid);
    expect(() => pol.run('ENGINEERING', 'monitor')).toThrow(/UNIQUE/);
    expect(() => pol.run('Sales', 'live')).toThrow(/CHECK/);
    const ver = db.prepare("INSERT INTO policy_versions (policy_id, version, name, definition, state, created_at, created_by, channel) VALUES (?, ?, 'Engineering', '{}', ?, 't', 'ada', 'cli')");
    ver.run(id, 1, 'current');
    ver.run(id, 2, 'awaiting-approval');
    expect(() => ver.run(id, 2, 'current')).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => ver.run(id, 3, 'draft')).toThrow(/CHECK/);
    const appr = db.prepare("INSERT INTO policy_approvals (policy_id, version, kind, requested_by, requested_channel, requested_at, reasons, counts, state) VALUES (?, 2, 'edit', 'ada', 'cli', 't', '[]', '{}', ?)");
    appr.run(id, 'withdrawn');
    appr.run(id, 'waiting');
    expect(() => appr.run(id, 'waiting')).toThrow(/UNIQUE/);
    appr.run(id, 'approved');
    db.prepare("INSERT INTO policy_exceptions (policy_id, person_id, person_label, owner, reason, ends_at, created_at, created_by, channel) VALUES (?, '1:u1', 'ada', 'grace', 'leave', 't', 't', 'ada', 'cli')").run(id);
    // A policy's versions, approvals and exceptions go with it.
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM policies WHERE id = ?').run(id);
    for (const t of ['policy_versions', 'policy_approvals', 'policy_exceptions']) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(0);
    db.close();
  });

  it('cur_* views show only the live generation', () => {
    const db = openDatabase(file('gen.latchkey'));
    db.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at,live_gen) VALUES (1,'o','okta','https://x.okta.com','token','t','t',2)").run();
    const ins = db.prepare('INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (1, ?, ?, ?)');
    ins.run(1, 'g1', 'u-old');
    ins.run(2, 'g1', 'u-new');
    ins.run(3, 'g1', 'u-partial');
    expect(db.prepare('SELECT identity_id FROM cur_memberships').all()).toEqual([{ identity_id: 'u-new' }]);
    db.close();
  });

  it('upgrades an older file and keeps its data', () => {
    const f = file('upgrade.latchkey');
    const extra = { version: latestSchemaVersion + 1, name: 'test-extra', sql: 'CREATE TABLE extra (x INTEGER);' };
    const db1 = openDatabase(f);
    db1.prepare("INSERT INTO connections (name,kind,base_url,auth_type,created_at,updated_at) VALUES ('keep','okta','https://x.okta.com','token','t','t')").run();
    db1.close();
    const db2 = openDatabase(f, { migrations: [...migrations, extra] });
    expect(schemaVersion(db2)).toBe(latestSchemaVersion + 1);
    expect(db2.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'keep' }]);
    db2.close();
  });

  it('a failing migration rolls back entirely and leaves the version alone', () => {
    const f = file('failing.latchkey');
    openDatabase(f).close();
    const bad = { version: latestSchemaVersion + 1, name: 'bad', sql: 'CREATE TABLE half (x); INSERT INTO nope VALUES (1);' };
    expect(() => openDatabase(f, { migrations: [...migrations, bad] })).toThrow(/nope/);
    const db = new Database(f);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(db.prepare("SELECT count(*) n FROM sqlite_master WHERE name='half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a file written by a newer Latchkey, without changing it', () => {
    const f = file('newer.latchkey');
    openDatabase(f).close();
    const raw = new Database(f);
    raw.pragma(`user_version = ${latestSchemaVersion + 5}`);
    raw.close();
    const before = fs.readFileSync(f);
    expect(() => openDatabase(f)).toThrow(DatabaseOpenError);
    expect(() => openDatabase(f)).toThrow(/newer Latchkey \(schema \d+; this build knows up to \d+\)/);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('the plans migration adds plans and their steps to the file before it: one plan per trigger, one step per key, statuses and tiers checked', () => {
    // Found by name: the branch adds it as 12, the merge may renumber it.
    const at = migrations.findIndex((m) => m.name === 'plans');
    expect(at).toBeGreaterThan(10);
    const f = file('m-plans.latchkey');
    const before = openDatabase(f, { migrations: migrations.slice(0, at) });
    before.prepare("INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at) VALUES (1,'o','okta','https://x.okta.com','token','t','t')").run();
    before.close();
    const db = openDatabase(f, { migrations: migrations.slice(0, at + 1) });
    expect(schemaVersion(db)).toBe(at + 1);
    expect(db.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'o' }]);
    const plan = db.prepare(
      "INSERT INTO plans (kind, trigger_key, person_id, person_name, effective_date, effective_at, status, created_at, updated_at) VALUES (?, ?, '1:u1', 'Ada', '2026-12-01', '2026-12-01T00:00:00.000Z', ?, 't', 't') RETURNING id",
    );
    const { id } = plan.get('leaver', 'hr:e1', 'waiting') as { id: number };
    expect(() => plan.get('leaver', 'hr:e1', 'waiting')).toThrow(/UNIQUE/);
    expect(() => plan.get('contractor', 'hr:e2', 'waiting')).toThrow(/CHECK/);
    expect(() => plan.get('joiner', 'hr:e3', 'paused')).toThrow(/CHECK/);
    expect(db.prepare('SELECT policy_versions, reason, last_removal_at FROM plans WHERE id = ?').get(id)).toEqual({ policy_versions: '[]', reason: null, last_removal_at: null });
    const step = db.prepare("INSERT INTO plan_steps (plan_id, step_key, tier, kind, label, status) VALUES (?, ?, ?, ?, 'x', ?)");
    step.run(id, 'check:accounts', 1, 'check', 'waiting');
    step.run(id, 'remove:grant:1', 2, 'remove', 'rolled-back');
    expect(() => step.run(id, 'check:accounts', 1, 'check', 'waiting')).toThrow(/UNIQUE/);
    expect(() => step.run(id, 'a', 7, 'check', 'waiting')).toThrow(/CHECK/);
    expect(() => step.run(id, 'b', 0, 'check', 'waiting')).toThrow(/CHECK/);
    expect(() => step.run(id, 'c', 2, 'grant', 'waiting')).toThrow(/CHECK/);
    expect(() => step.run(id, 'd', 2, 'add', 'paused')).toThrow(/CHECK/);
    expect(db.prepare('SELECT depends_on, critical FROM plan_steps WHERE step_key = ?').get('check:accounts')).toEqual({ depends_on: '[]', critical: 0 });
    db.pragma('foreign_keys = ON');
    expect(() => step.run(999, 'e', 1, 'check', 'waiting')).toThrow(/FOREIGN KEY/);
    const due = "SELECT id FROM plans WHERE status = 'waiting' AND effective_at <= ?";
    const qp = (db.prepare(`EXPLAIN QUERY PLAN ${due}`).all('2026-12-09') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(qp).toContain('plans_by_status');
    db.close();
  });

  it('refuses a file that is not SQLite, without changing it', () => {
    const f = file('notes.txt');
    fs.writeFileSync(f, 'these are my notes, not a database\n'.repeat(50));
    const before = fs.readFileSync(f);
    expect(() => openDatabase(f)).toThrow(/not a Latchkey workspace \(not an SQLite database\)/);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('refuses a corrupt SQLite file with a clear message', () => {
    const f = file('corrupt.latchkey');
    openDatabase(f).close();
    const buf = fs.readFileSync(f);
    buf.fill(0x5a, 100, Math.min(buf.length, 4096)); // trash the schema page, keep the magic header
    fs.writeFileSync(f, buf);
    expect(() => openDatabase(f)).toThrow(DatabaseOpenError);
  });

  it('read-only open never writes: no migration, no journal change, writes refused', () => {
    const f = file('ro.latchkey');
    const db = openDatabase(f);
    db.prepare("INSERT INTO connections (name,kind,base_url,auth_type,created_at,updated_at) VALUES ('c','okta','https://x.okta.com','token','t','t')").run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = fs.readFileSync(f);
    const ro = openDatabase(f, { readOnly: true });
    expect(isReadOnly(ro)).toBe(true);
    expect(ro.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'c' }]);
    expect(() => ro.prepare("UPDATE connections SET name='x'").run()).toThrow(/readonly|read-only|query_only|attempt to write/i);
    ro.close();
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('read-only open of a missing file fails instead of creating one', () => {
    const f = file('missing.latchkey');
    expect(() => openDatabase(f, { readOnly: true })).toThrow(/does not exist/);
    expect(fs.existsSync(f)).toBe(false);
  });

  it('migrate() is idempotent', () => {
    const db = openDatabase(file('idem.latchkey'));
    expect(migrate(db)).toBe(latestSchemaVersion);
    expect(migrate(db)).toBe(latestSchemaVersion);
    db.close();
  });
});
