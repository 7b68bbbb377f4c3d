// Snapshot history end to end against the sandbox Okta org (real HTTP, real
// SQLite): the first full sync is a baseline; changes made "in Okta" through
// the sandbox's mutations are recorded by the next full sync exactly (the
// expectation comes from the sandbox's own state, so group rules re-evaluated
// after a profile change count too); a diff across three runs composes
// them; `latchkey diff` prints it; a `snapshot save` copy opens read-only,
// holds no credential, and answers the same diff offline.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesQuery, diffQuery } from '../../shared/contract.js';
import type { SnapshotChange } from '../../shared/domain.js';
import { runCli } from '../../electron/cli/cli.js';
import { dispatch, createHandlers } from '../../electron/engine/api.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { addConnection, getConnectionRecord, loadCredential } from '../../electron/engine/connections/connections.js';
import type { OktaCredential } from '../../electron/engine/connectors/types.js';
import { statusChangeKind } from '../../electron/engine/sync/change-rules.js';
import { diffRuns, listChanges } from '../../electron/engine/sync/changes.js';
import { runFullSync } from '../../electron/engine/sync/okta-sync.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-history-');
let sandbox: Sandbox;
let sandboxOpen = false;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 23, graph: false });
  sandboxOpen = true;
});
afterAll(async () => {
  if (sandboxOpen) await sandbox.close();
});

/** What Okta holds, as the snapshot should record it: users' tracked values and every membership. */
type Truth = { users: Map<string, { status: string; department: string; title: string }>; members: Set<string> };
function truth(): Truth {
  const org = sandbox.org;
  const users = new Map<string, { status: string; department: string; title: string }>();
  for (const u of org.users) {
    if (u.deleted) continue;
    users.set(u.id, { status: u.status, department: org.departments[u.department]!.name, title: u.title });
  }
  const members = new Set<string>();
  for (const g of org.groups) {
    if (g.deleted) continue;
    for (const i of org.memberships.members(g.index)) if (!org.users[i]!.deleted) members.add(`${org.users[i]!.id}|${g.id}`);
  }
  return { users, members };
}

/** The change facts from one state to the next (what diff and the recorded rows must say), without names. */
function expected(a: Truth, b: Truth): string[] {
  const out: string[] = [];
  for (const [id, u] of b.users) {
    const old = a.users.get(id);
    if (!old) {
      out.push(`joiner|${id}|||∅|${u.status}`);
      continue;
    }
    if (old.status !== u.status) out.push(`${statusChangeKind(old.status, u.status)}|${id}||status|${old.status}|${u.status}`);
    if (old.department !== u.department) out.push(`attribute|${id}||department|${old.department}|${u.department}`);
    if (old.title !== u.title) out.push(`attribute|${id}||title|${old.title}|${u.title}`);
  }
  for (const [id, u] of a.users) if (!b.users.has(id)) out.push(`leaver|${id}|||${u.status}|∅`);
  for (const m of b.members) if (!a.members.has(m)) out.push(`membership-add|${m}||∅|∅`);
  for (const m of a.members) if (!b.members.has(m)) out.push(`membership-remove|${m}||∅|∅`);
  return out.sort();
}
const fact = (c: SnapshotChange): string => [c.kind, c.subjectId, c.objectId ?? '', c.field ?? '', c.before ?? '∅', c.after ?? '∅'].join('|');
const facts = (cs: SnapshotChange[]): string[] => cs.map(fact).sort();

async function cli(...args: string[]): Promise<{ code: number | 'serving'; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets: memorySecretStore() });
  return { code, stdout, stderr };
}

describe('snapshot history against the sandbox', () => {
  it('records a baseline, then exactly what changed in Okta; diffs compose across runs; a saved copy answers offline', async () => {
    const file = path.join(dir, 'history.latchkey');
    const secrets = memorySecretStore();
    const ctx = openWorkspace({ dbPath: file, secrets, transport: 'cli', actor: 'test' });
    const { db } = ctx;
    const token = sandbox.okta.token;
    const added = await addConnection(ctx, { kind: 'okta', name: 'acme', orgUrl: sandbox.okta.url, budgetShare: 0.5, auth: { type: 'token', token } });
    const credential = (await loadCredential(ctx, added)) as OktaCredential;
    const sync = async () => {
      const s = await runFullSync(ctx, getConnectionRecord(db, added.id), credential);
      expect(s.status, s.error ?? '').toBe('succeeded');
      return s;
    };
    const recorded = (runId: number): SnapshotChange[] => {
      const page = listChanges(db, changesQuery.parse({ runId, limit: 1000 }));
      expect(page.rows.length).toBe(page.total);
      return page.rows;
    };

    // 1. The first snapshot is a baseline.
    const run1 = await sync();
    expect(run1).toMatchObject({ baseline: true, changes: 0, changeCounts: {} });
    expect(recorded(run1.id)).toEqual([]);
    const t1 = truth();

    // 2. Changes made in Okta.
    const org = sandbox.org;
    const m = sandbox.mutations;
    const active = org.users.filter((u) => u.status === 'ACTIVE' && u.managerIndex >= 0);
    const [suspendMe, leaveMe, moveMe, retitleMe, member1] = active;
    const staged = org.users.find((u) => u.status === 'STAGED');
    const direct = org.groups.filter((g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.kind !== 'everyone');
    const chosen = new Set([suspendMe, leaveMe, moveMe, retitleMe, member1, staged].map((u) => u?.index));
    // Someone else who is in a directly managed group now, to be removed from it.
    const g2 = direct.find((g) => [...org.memberships.members(g.index)].some((i) => !chosen.has(i) && org.users[i]!.status === 'ACTIVE'));
    const member2 = g2 && org.users[[...org.memberships.members(g2.index)].find((i) => !chosen.has(i) && org.users[i]!.status === 'ACTIVE')!];
    const g1 = member1 && direct.find((g) => !org.memberships.has(g.index, member1.index));
    if (!suspendMe || !leaveMe || !moveMe || !retitleMe || !member1 || !staged || !g1 || !g2 || !member2) throw new Error('the sandbox org lacks the people this test needs');
    m.setUserStatus(suspendMe.id, 'SUSPENDED');
    m.setUserStatus(leaveMe.id, 'DEPROVISIONED');
    m.setUserStatus(staged.id, 'ACTIVE'); // group rules now add them
    const newDepartment = org.departments.find((d) => d.name !== org.departments[moveMe.department]!.name)!.name;
    m.updateUserProfile(moveMe.id, { department: newDepartment }); // rule groups follow
    m.updateUserProfile(retitleMe.id, { title: 'Principal Wizard' });
    expect(m.addMembership(g1.id, member1.id)).toBe(true);
    expect(m.removeMembership(g2.id, member2.id)).toBe(true);
    const joinerId = m.createUser(
      { firstName: 'Joan', lastName: 'Clarke', department: org.departments[0]!.name, city: org.locations[0]!.city, title: 'Cryptanalyst', employmentType: 'Employee' },
      { activate: true },
    );
    const t2 = truth();
    const run2 = await sync();
    const want2 = expected(t1, t2);
    expect(want2.some((f) => f.startsWith('membership-add') && f.includes(staged.id))).toBe(true); // a rule added the activated user
    expect(want2).toContain(`leaver|${leaveMe.id}||status|ACTIVE|DEPROVISIONED`);
    expect(want2).toContain(`joiner|${joinerId}|||∅|ACTIVE`);
    expect(facts(recorded(run2.id))).toEqual(want2);
    expect(run2).toMatchObject({ baseline: false, changes: want2.length });
    expect(Object.values(run2.changeCounts).reduce((a, b) => a + b, 0)).toBe(want2.length);

    // 3. Some changes undone, some new ones.
    m.setUserStatus(suspendMe.id, 'ACTIVE');
    m.removeMembership(g1.id, member1.id);
    m.updateUserProfile(retitleMe.id, { title: 'Chief Wizard' });
    m.setUserStatus(joinerId, 'SUSPENDED');
    const t3 = truth();
    const run3 = await sync();
    expect(facts(recorded(run3.id))).toEqual(expected(t2, t3));

    // 4. The diff across the three runs is the net change: undone changes vanish, chains keep first before / last after.
    const net = diffRuns(db, diffQuery.parse({ fromRunId: run1.id, toRunId: run3.id, limit: 1000 }));
    const want13 = expected(t1, t3);
    expect(facts(net.rows)).toEqual(want13);
    expect(net.total).toBe(want13.length);
    expect(want13.some((f) => f.includes(suspendMe.id) && f.includes('status'))).toBe(false);
    expect(want13.some((f) => f === `membership-add|${member1.id}|${g1.id}||∅|∅`)).toBe(false);
    expect(want13).toContain(`attribute|${retitleMe.id}||title|${t1.users.get(retitleMe.id)!.title}|Chief Wizard`);
    expect(want13).toContain(`joiner|${joinerId}|||∅|SUSPENDED`);

    // 5. The CLI prints it grouped, with counts and names.
    const moved = db.prepare('SELECT display_name FROM cur_identities WHERE id = ?').pluck().get(moveMe.id) as string;
    const removedFrom = db.prepare('SELECT name FROM cur_groups WHERE id = ?').pluck().get(g2.id) as string;
    const member2Name = db.prepare('SELECT display_name FROM cur_identities WHERE id = ?').pluck().get(member2.id) as string;
    const text = await cli('--db', file, 'diff', String(run1.id), String(run3.id));
    expect(text.stderr).toBe('');
    expect(text.stdout.split('\n')[0]).toBe(`diff #${run1.id} → #${run3.id} of "acme" (${run1.finishedAt} → ${run3.finishedAt}): ${want13.length} changes`);
    expect(text.stdout).toContain(`\n  ~ ${moved} department: ${t1.users.get(moveMe.id)!.department} → ${newDepartment}\n`);
    expect(text.stdout).toContain(`\n  - ${member2Name} → group ${removedFrom} (membership-remove)\n`);
    expect(text.stdout).toMatch(new RegExp(`\\nattribute \\(${want13.filter((f) => f.startsWith('attribute|')).length}\\)\\n`));

    // 6. A consistent copy: no credential in it, read-only, same diff without the network.
    const copy = path.join(dir, 'history-copy.latchkey');
    const saved = await cli('--db', file, 'snapshot', 'save', copy);
    expect(saved.code, saved.stderr).toBe(0);
    for (const f of [file, `${file}-wal`, copy]) {
      if (fs.existsSync(f)) expect(fs.readFileSync(f).includes(token), f).toBe(false);
    }
    expect(verifyAuditChain(db).valid).toBe(true);
    ctx.db.close();
    await sandbox.close();
    sandboxOpen = false;

    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets, transport: 'bridge' });
    try {
      expect(verifyAuditChain(ro.db)).toMatchObject({ valid: true });
      // Another workspace id: even this machine's keychain has no credential for the copy.
      await expect(loadCredential(ro, getConnectionRecord(ro.db, 'acme'))).rejects.toThrow(/no credential/);
      const offline = await dispatch(createHandlers(ro), 'changes:diff', { fromRunId: run1.id, toRunId: run3.id, limit: 1000 });
      expect(offline.ok).toBe(true);
      if (offline.ok) expect(offline.value).toEqual(net);
      expect(await dispatch(createHandlers(ro), 'sync:start', { connectionId: added.id })).toMatchObject({ ok: false, code: 'read-only' });
    } finally {
      ro.db.close();
    }
    const offlineText = await cli('--db', copy, '--read-only', 'diff', String(run1.id), String(run3.id));
    expect(offlineText.stdout).toBe(text.stdout);
  }, 60_000);
});
