// The sandbox's changes "made in Okta": each mutation shows in the API the
// way Okta shows it (shapes checked against the spec) and writes the System
// Log events Okta writes; POST /__sandbox/mutate applies random realistic
// change sets through them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgApp, OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { loadOktaSpec, schemaOf, validate, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

type Json = Record<string, unknown>;
let spec: OpenApiSpec;
let s: Sandbox;

beforeAll(async () => {
  spec = loadOktaSpec();
  s = await startSandbox({ users: 300, seed: 17, graph: false });
});
afterAll(async () => {
  await s.close();
});

async function call(path: string, init: { token?: string | null; method?: string; body?: string } = {}): Promise<{ status: number; json: unknown; link: string }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.token !== null) headers.Authorization = `SSWS ${init.token ?? s.okta.token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${s.okta.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, link: res.headers.get('link') ?? '' };
}

/** Every page of a listing. */
async function all(path: string): Promise<Json[]> {
  const out: Json[] = [];
  let next: string | null = path;
  while (next) {
    const r = await call(next);
    expect(r.status).toBe(200);
    out.push(...(r.json as Json[]));
    const m = /<([^>]+)>;\s*rel="next"/.exec(r.link);
    next = m ? new URL(m[1] as string).pathname + new URL(m[1] as string).search : null;
  }
  return out;
}

/** System Log events since `since` (ISO), every page; the bodies are checked against the spec. */
async function logSince(since: string): Promise<Json[]> {
  const out: Json[] = [];
  let next: string | null = `/api/v1/logs?since=${encodeURIComponent(since)}&limit=1000`;
  for (;;) {
    const r = await call(next);
    expect(r.status).toBe(200);
    expect(validateResponse(spec, 'GET', '/api/v1/logs', 200, r.json)).toEqual([]);
    const page = r.json as Json[];
    if (page.length === 0) return out;
    out.push(...page);
    const m = /<([^>]+)>;\s*rel="next"/.exec(r.link);
    next = m ? new URL(m[1] as string).pathname + new URL(m[1] as string).search : null;
    if (!next) return out;
  }
}

const types = (events: Json[]): string[] => events.map((e) => e.eventType as string);
const targetsOf = (e: Json): Json[] => e.target as Json[];

describe('sandbox Okta mutations', () => {
  it('a joiner: user.lifecycle.create + activate, rule groups by the system, Everyone without an event; the user reads back valid', async () => {
    const since = new Date().toISOString();
    const manager = s.org.users.find((u) => u.status === 'ACTIVE' && u.index > 1 && s.org.users.some((r) => r.managerIndex === u.index))!;
    const dept = s.org.departments[manager.department]!.name;
    const id = s.mutations.createUser(
      { firstName: 'Ada', lastName: 'Lovelace', department: dept, city: s.org.locations[0]!.city, title: 'Engineer', employmentType: 'Employee', managerId: manager.id },
      { activate: true },
    );
    const events = await logSince(since);
    expect(types(events).slice(0, 2)).toEqual(['user.lifecycle.create', 'user.lifecycle.activate']);
    const ruleAdds = events.slice(2);
    expect(ruleAdds.length).toBeGreaterThanOrEqual(2);
    for (const e of ruleAdds) {
      expect(e).toMatchObject({ eventType: 'group.user_membership.add', actor: { type: 'SystemPrincipal' } });
      expect(targetsOf(e).map((t) => t.type)).toEqual(['User', 'UserGroup']);
    }
    const user = await call(`/api/v1/users/${id}`);
    expect(user.status).toBe(200);
    expect(validateResponse(spec, 'GET', '/api/v1/users/{id}', 200, user.json)).toEqual([]);
    expect(user.json).toMatchObject({ status: 'ACTIVE', profile: { login: expect.stringMatching(/^ada\.lovelace\d*@/) as unknown, department: dept, managerId: manager.id } });
    const groups = (await call(`/api/v1/users/${id}/groups`)).json as Json[];
    expect(groups.map((g) => (g.profile as Json).name)).toEqual(expect.arrayContaining(['Everyone', `dept-${s.org.departments[manager.department]!.slug}`]));
    expect(types(events).filter((t) => t === 'group.user_membership.add')).toHaveLength(groups.length - 1);
    // Listed like everyone else, and found by a lastUpdated search.
    expect((await all(`/api/v1/users?search=${encodeURIComponent(`lastUpdated ge "${since}"`)}`)).map((u) => u.id)).toContain(id);
  });

  it('deleting a user: deactivated first, then delete.initiated/.completed; gone from lookups, listings and groups', async () => {
    const u = s.org.users.find((x) => x.status === 'ACTIVE' && x.index > 5 && !s.org.users.some((r) => r.managerIndex === x.index))!;
    const groupsBefore = [...s.org.memberships.groupsOf(u.index)];
    expect(groupsBefore.length).toBeGreaterThan(1);
    const since = new Date().toISOString();
    s.mutations.deleteUser(u.id);
    expect(types(await logSince(since))).toEqual(['user.lifecycle.deactivate', 'user.lifecycle.delete.initiated', 'user.lifecycle.delete.completed']);
    expect((await call(`/api/v1/users/${u.id}`)).status).toBe(404);
    expect((await call(`/api/v1/users/${u.login}`)).status).toBe(404);
    expect((await all(`/api/v1/users?search=${encodeURIComponent(`id eq "${u.id}"`)}`)).length).toBe(0);
    expect((await all('/api/v1/users?limit=200')).some((x) => x.id === u.id)).toBe(false);
    const g = s.org.groups[groupsBefore[0]!] as OrgGroup;
    expect((await all(`/api/v1/groups/${g.id}/users`)).some((x) => x.id === u.id)).toBe(false);
    const direct = s.org.groups.find((x) => x.type === 'OKTA_GROUP' && x.rule < 0)!;
    expect((await call(`/api/v1/groups/${direct.id}/users/${u.id}`, { method: 'PUT' })).status).toBe(404);
    expect(() => s.mutations.deleteUser(u.id)).toThrow(/no user/);
  });

  it('groups: create, rename (changeDetails), delete (memberships and app assignments go with it)', async () => {
    const since = new Date().toISOString();
    const member = s.org.users.find((x) => x.status === 'ACTIVE' && !x.deleted)!;
    const id = s.mutations.createGroup({ name: 'proj-mutation-test', description: 'A test group' });
    s.mutations.addMembership(id, member.id);
    const app = s.org.apps.find((a) => a.index > 0) as OrgApp;
    expect(s.mutations.assignAppToGroup(app.id, id)).toBe(true);
    expect(s.mutations.assignAppToGroup(app.id, id)).toBe(false);
    s.mutations.updateGroupProfile(id, { name: 'proj-mutation-renamed' });
    const g = await call(`/api/v1/groups/${id}`);
    expect(validateResponse(spec, 'GET', '/api/v1/groups/{groupId}', 200, g.json)).toEqual([]);
    expect(g.json).toMatchObject({ type: 'OKTA_GROUP', profile: { name: 'proj-mutation-renamed', description: 'A test group' } });
    const assigned = await call(`/api/v1/apps/${app.id}/groups?limit=200`);
    expect(validateResponse(spec, 'GET', '/api/v1/apps/{appId}/groups', 200, assigned.json)).toEqual([]);
    expect((assigned.json as Json[]).map((a) => a.id)).toContain(id);

    const events = await logSince(since);
    expect(types(events)).toEqual(['group.lifecycle.create', 'group.user_membership.add', 'group.application_assignment.add', 'group.profile.update']);
    expect(targetsOf(events[2]!).map((t) => t.type)).toEqual(['AppInstance', 'UserGroup']);
    expect(targetsOf(events[2]!)[0]).toMatchObject({ id: app.id, displayName: app.label });
    expect(targetsOf(events[3]!)[0]).toMatchObject({ id, changeDetails: { from: { name: 'proj-mutation-test' }, to: { name: 'proj-mutation-renamed' } } });
    for (const e of events) expect(validate(spec, schemaOf(spec, 'LogEvent'), e)).toEqual([]);
    // lastMembershipUpdated is the time the log records.
    expect((g.json as Json).lastMembershipUpdated).toBe(events[1]!.published);

    const since2 = new Date().toISOString();
    s.mutations.deleteGroup(id);
    expect(types(await logSince(since2))).toEqual(['group.lifecycle.delete']);
    expect((await call(`/api/v1/groups/${id}`)).status).toBe(404);
    expect((await all('/api/v1/groups')).some((x) => x.id === id)).toBe(false);
    expect(((await call(`/api/v1/apps/${app.id}/groups?limit=200`)).json as Json[]).some((a) => a.id === id)).toBe(false);
    expect(s.org.memberships.groupsOf(member.index)).not.toContain(s.oktaState.groupIndex(id));

    // What Okta refuses.
    const ruleGroup = s.org.groups[s.org.rules[0]!.group]!;
    expect(() => s.mutations.deleteGroup(ruleGroup.id)).toThrow(/group rule/);
    const everyone = s.org.groups.find((x) => x.type === 'BUILT_IN')!;
    expect(() => s.mutations.deleteGroup(everyone.id)).toThrow(/only OKTA_GROUP/);
    const adGroup = s.org.groups.find((x) => x.type === 'APP_GROUP')!;
    expect(() => s.mutations.updateGroupProfile(adGroup.id, { name: 'x' })).toThrow(/APP_GROUP/);
  });

  it('app assignment removal and profile changes (department moves re-evaluate rules) are logged with their targets', async () => {
    const app = s.org.apps.find((a) => a.index > 0 && a.assignments.length > 0) as OrgApp;
    const group = s.org.groups[app.assignments[0]!.group] as OrgGroup;
    const u = s.org.users.find((x) => x.status === 'ACTIVE' && x.index > 5 && !x.deleted) as OrgUser;
    const to = s.org.departments.find((d, i) => i > 0 && i !== u.department)!.name;
    const since = new Date().toISOString();
    expect(s.mutations.unassignAppFromGroup(app.id, group.id)).toBe(true);
    expect(s.mutations.unassignAppFromGroup(app.id, group.id)).toBe(false);
    s.mutations.updateUserProfile(u.id, { department: to, title: 'Analyst' });
    const events = await logSince(since);
    expect(events[0]).toMatchObject({ eventType: 'group.application_assignment.remove', displayMessage: 'Remove assigned application from group' });
    expect(targetsOf(events[0]!).map((t) => t.id)).toEqual([app.id, group.id]);
    expect(events[1]).toMatchObject({ eventType: 'user.account.update_profile' });
    expect(targetsOf(events[1]!)[0]).toMatchObject({ id: u.id, changeDetails: { to: { department: to, title: 'Analyst' } } });
    expect(types(events.slice(2)).sort()).toEqual(['group.user_membership.add', 'group.user_membership.remove']);
  });
});

describe('POST /__sandbox/mutate', () => {
  it('applies random realistic changes, each through the mutations with its events, and says what it did', async () => {
    const before = s.log.size();
    const users = s.org.users.filter((u) => !u.deleted).length;
    const r = await call('/__sandbox/mutate', { method: 'POST', body: JSON.stringify({ fraction: 0.2, seed: 7 }) });
    expect(r.status).toBe(200);
    const summary = r.json as { changes: number; byKind: Record<string, number>; events: number; seed: number; users: number; created: { users: string[]; groups: string[] } };
    expect(summary.changes).toBe(Math.round(users * 0.2));
    expect(Object.values(summary.byKind).reduce((a, b) => a + b, 0)).toBe(summary.changes);
    expect(summary.seed).toBe(7);
    expect(summary.events).toBe(s.log.size() - before);
    expect(summary.users).toBe(users + summary.byKind.joiner! - summary.byKind['delete-user']!);
    // A realistic mix: people join, leave, move; memberships change.
    for (const k of ['joiner', 'leaver', 'mover', 'title', 'membership-add', 'membership-remove']) expect(summary.byKind[k], k).toBeGreaterThan(0);
    for (const id of summary.created.users) expect((await call(`/api/v1/users/${id}`)).status).toBe(200);
    const logged = new Set(s.log.all().slice(before).map((e) => e.eventType));
    expect([...logged]).toEqual(expect.arrayContaining(['user.lifecycle.create', 'user.lifecycle.activate', 'user.lifecycle.deactivate', 'user.account.update_profile', 'group.user_membership.add', 'group.user_membership.remove']));

    const c = await call('/__sandbox/mutate', { method: 'POST', body: JSON.stringify({ count: 5, seed: 1 }) });
    expect((c.json as { changes: number }).changes).toBe(5);
  });

  it('is deterministic for a seed on the same org', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const sb = await startSandbox({ users: 200, seed: 4, graph: false });
      try {
        const before = sb.log.size();
        const summary = sb.mutate({ count: 40, seed: 99 });
        runs.push({ byKind: summary.byKind, events: sb.log.all().slice(before).map((e) => `${e.eventType}:${e.targets.map((t) => (t.type === 'User' && !summary.created.users.includes(t.id) ? t.id : t.type)).join(',')}`) });
      } finally {
        await sb.close();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  it('answers bad requests like Okta: 400 E0000001 naming the problem, 403 for other tokens, 405 for other methods', async () => {
    const bad = async (body: string): Promise<string> => {
      const r = await call('/__sandbox/mutate', { method: 'POST', body });
      expect(r.status).toBe(400);
      expect(validate(spec, schemaOf(spec, 'Error'), r.json)).toEqual([]);
      return ((r.json as { errorCauses: { errorSummary: string }[] }).errorCauses[0] as { errorSummary: string }).errorSummary;
    };
    expect(await bad('{"fraction":0.1,"count":3}')).toMatch(/exactly one of fraction or count/);
    expect(await bad('{}')).toMatch(/exactly one of fraction or count/);
    expect(await bad('{"fraction":2}')).toMatch(/fraction must be/);
    expect(await bad('{"count":1.5}')).toMatch(/count must be/);
    expect(await bad('{"count":1,"seed":"x"}')).toMatch(/seed must be/);
    expect(await bad('{"count":1,"users":3}')).toMatch(/unknown field users/);
    expect(await bad('nope')).toMatch(/not JSON/);
    expect((await call('/__sandbox/mutate', { method: 'POST', token: s.okta.readOnlyToken, body: '{"count":1}' })).status).toBe(403);
    expect((await call('/__sandbox/mutate', { method: 'POST', token: null, body: '{"count":1}' })).status).toBe(401);
    expect((await call('/__sandbox/mutate')).status).toBe(405);
  });
});
