// The Directory's SQL on a real workspace file (real migrations, a few
// hand-written rows): search, filters, whitelisted sorting, paging totals,
// details and the dashboard's stale count with an injected clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appQuery, groupMembersQuery, groupQuery, userQuery, type UserQuery } from '../../shared/contract.js';
import { UserError } from '../../electron/engine/context.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { adminUrl, oktaAdminOrigin } from '../../electron/engine/directory/admin-urls.js';
import { getApp, listApps } from '../../electron/engine/directory/apps.js';
import { dashboardSummary, staleCutoff } from '../../electron/engine/directory/dashboard.js';
import { getGroup, listGroupMembers, listGroups } from '../../electron/engine/directory/groups.js';
import { createPageCache, likeContains, orderBy } from '../../electron/engine/db/query-kit.js';
import { listSyncRuns } from '../../electron/engine/sync/sync-runs.js';
import { flattenProfile, getUser, listUsers, USER_SORT, userFacets } from '../../electron/engine/directory/users.js';
import { ORG_NOW, seedDirectoryOrg } from '../fixtures/directory-org.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let ids: { acme: number; beta: number };

beforeEach(() => {
  ws = createTempWorkspace();
  ids = seedDirectoryOrg(ws.db);
});
afterEach(() => ws.cleanup());

const users = (q: Partial<UserQuery> = {}) => listUsers(ws.db, userQuery.parse(q));
const names = (q: Partial<UserQuery> = {}) => users(q).rows.map((r) => r.displayName);

describe('directory users', () => {
  it('lists the live generation only, sorted by name, with totals', () => {
    const page = users();
    expect(page.total).toBe(7);
    expect(page.offset).toBe(0);
    expect(page.rows.map((r) => r.displayName)).toEqual([
      'Ada Lovelace',
      'Alan Turing',
      'Barbara Liskov',
      'Grace Hopper',
      'Linus Torvalds',
      'Margaret Hamilton',
      'Promo 50%_off',
    ]);
    expect(page.rows.some((r) => r.id === 'ghost-user')).toBe(false);
  });

  it('fills manager names and group counts (not counting the stale generation)', () => {
    const ada = users({ search: 'ada@' }).rows[0];
    expect(ada).toMatchObject({ id: '00u1', managerId: '00u3', managerName: 'Alan Turing', groupCount: 3, email: 'ada@acme.example' });
    const alan = users({ search: 'alan@' }).rows[0];
    expect(alan).toMatchObject({ managerId: null, managerName: null, groupCount: 1 });
  });

  it('searches name, login, email, department and title, case-insensitively', () => {
    expect(names({ search: 'ADA' })).toEqual(['Ada Lovelace']);
    expect(names({ search: 'grace@acme' })).toEqual(['Grace Hopper']);
    expect(names({ search: 'research' })).toEqual(['Alan Turing']);
    expect(names({ search: 'account exec' })).toEqual(['Linus Torvalds']);
    // Every term must match some column.
    expect(names({ search: 'engineer hopper' })).toEqual(['Grace Hopper']);
    expect(names({ search: '   ' })).toHaveLength(7);
    // An email that differs from the login is searched too.
    ws.db.prepare("UPDATE identities SET email = 'countess@lovelace.example' WHERE id = '00u1'").run();
    expect(names({ search: 'COUNTESS' })).toEqual(['Ada Lovelace']);
  });

  it('treats LIKE wildcards in the search text literally', () => {
    expect(names({ search: '50%_off' })).toEqual(['Promo 50%_off']);
    expect(names({ search: '%_o' })).toEqual(['Promo 50%_off']);
    // Unescaped, "a_a" would match "Ada Lovelace" and "Grace Hopper" (a?a).
    expect(names({ search: 'a_a' })).toEqual([]);
    // A one-character search matches starts of names, logins, e-mails: a literal "%" starts none.
    expect(names({ search: '%' })).toEqual([]);
    expect(likeContains('a\\b%c_d')).toBe('%a\\\\b\\%c\\_d%');
  });

  it('matches a search of one or two characters at the start of a name, login or e-mail', () => {
    expect(names({ search: 'a' })).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(names({ search: 'GR' })).toEqual(['Grace Hopper']);
    // Not anywhere inside: "ov" is in "Lovelace" and "Torvalds".
    expect(names({ search: 'ov' })).toEqual([]);
    // Beside a longer term a short one keeps its "anywhere" meaning.
    expect(names({ search: 'ov lovelace' })).toEqual(['Ada Lovelace']);
    expect(names({ search: 'a b' })).toEqual([]);
  });

  it('filters by status, department (with "" for none) and connection', () => {
    expect(names({ status: ['SUSPENDED'] })).toEqual(['Linus Torvalds']);
    expect(names({ status: ['SUSPENDED', 'DEPROVISIONED'] })).toEqual(['Linus Torvalds', 'Margaret Hamilton']);
    expect(names({ department: ['Engineering'] })).toEqual(['Ada Lovelace', 'Barbara Liskov', 'Grace Hopper']);
    expect(names({ department: [''] })).toEqual(['Margaret Hamilton']);
    expect(names({ department: ['Engineering'], connectionId: ids.beta })).toEqual(['Barbara Liskov']);
    expect(users({ connectionId: ids.acme }).total).toBe(6);
  });

  it('sorts by every whitelisted column, nulls last in both directions', () => {
    expect(names({ sort: 'groupCount', dir: 'desc' }).slice(0, 2)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(names({ sort: 'lastLogin', dir: 'desc', connectionId: ids.acme })).toEqual([
      'Promo 50%_off',
      'Linus Torvalds',
      'Ada Lovelace',
      'Alan Turing',
      'Grace Hopper',
      'Margaret Hamilton',
    ]);
    expect(names({ sort: 'lastLogin', dir: 'asc', connectionId: ids.acme }).slice(0, 1)).toEqual(['Alan Turing']);
    expect(names({ sort: 'manager', connectionId: ids.acme }).slice(0, 2)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(names({ sort: 'department', dir: 'desc', connectionId: ids.acme }).at(-1)).toBe('Margaret Hamilton');
    for (const sort of Object.keys(USER_SORT) as UserQuery['sort'][]) {
      for (const dir of ['asc', 'desc'] as const) expect(users({ sort, dir }).total).toBe(7);
    }
  });

  it('builds ORDER BY only from the whitelist', () => {
    expect(() => orderBy(USER_SORT, 'displayName; DROP TABLE identities --' as UserQuery['sort'], 'asc', 'i.id')).toThrow(/unknown sort key/);
    expect(() => orderBy(USER_SORT, 'constructor' as UserQuery['sort'], 'asc', 'i.id')).toThrow(/unknown sort key/);
    // A direction that is not 'desc' can only ever become ASC.
    expect(orderBy(USER_SORT, 'login', 'sideways' as 'asc', 'd.id')).toBe('ORDER BY d.login COLLATE NOCASE ASC NULLS LAST, d.id');
  });

  it('pages with a stable total, and the cached key path agrees with the direct one', () => {
    const all = names();
    const cache = createPageCache();
    const paged: string[] = [];
    for (let offset = 0; offset < 7; offset += 2) {
      const direct = listUsers(ws.db, userQuery.parse({ offset, limit: 2 }));
      const cached = listUsers(ws.db, userQuery.parse({ offset, limit: 2, search: 'a' }), cache);
      expect(direct.total).toBe(7);
      expect(direct.offset).toBe(offset);
      paged.push(...direct.rows.map((r) => r.displayName));
      expect(cached.rows.every((r) => /a/i.test(`${r.displayName} ${r.login}`))).toBe(true);
    }
    expect(paged).toEqual(all);
    expect(users({ offset: 100 }).rows).toEqual([]);
    expect(users({ offset: 100 }).total).toBe(7);
  });

  it('never serves a cached page after the data changed', () => {
    const cache = createPageCache();
    const searched = userQuery.parse({ search: 'acme', limit: 1 });
    const first = userQuery.parse({ limit: 1, sort: 'login' });
    expect(listUsers(ws.db, searched, cache).total).toBe(6);
    expect(listUsers(ws.db, first, cache)).toMatchObject({ total: 7, rows: [{ login: 'ada@acme.example' }] });
    expect(listUsers(ws.db, first, cache).total).toBe(7);
    ws.db
      .prepare("INSERT INTO identities (connection_id, gen, id, login, display_name, status) VALUES (?, 1, '00u7', 'aaron@acme.example', 'Aaron New', 'ACTIVE')")
      .run(ids.acme);
    expect(listUsers(ws.db, searched, cache).total).toBe(7);
    expect(listUsers(ws.db, first, cache)).toMatchObject({ total: 8, rows: [{ login: 'aaron@acme.example' }] });
  });

  it('notices writes made through another connection (a sync in another process)', () => {
    const cache = createPageCache();
    const q = userQuery.parse({ offset: 0, limit: 2, search: 'acme' });
    expect(listUsers(ws.db, q, cache).total).toBe(6);
    const other = openDatabase(ws.file);
    other.prepare("UPDATE identities SET login = 'ada@elsewhere.example', email = NULL WHERE id = '00u1' AND gen = 1").run();
    other.close();
    expect(listUsers(ws.db, q, cache).total).toBe(5);
  });

  it('reports facets with counts, a missing department as ""', () => {
    const f = userFacets(ws.db, {});
    expect(f.statuses).toEqual([
      { value: 'ACTIVE', count: 5 },
      { value: 'DEPROVISIONED', count: 1 },
      { value: 'SUSPENDED', count: 1 },
    ]);
    expect(f.departments[0]).toEqual({ value: 'Engineering', count: 3 });
    expect(f.departments).toContainEqual({ value: '', count: 1 });
    expect(userFacets(ws.db, { connectionId: ids.beta }).departments).toEqual([{ value: 'Engineering', count: 1 }]);
  });

  it('returns a user detail with flattened profile, groups, apps through groups and a deep link', () => {
    const d = getUser(ws.db, ids.acme, '00u1');
    expect(d).toMatchObject({
      displayName: 'Ada Lovelace',
      firstName: 'Ada',
      lastName: 'Lovelace',
      location: 'London',
      employeeNumber: 'E-1',
      managerName: 'Alan Turing',
      groupCount: 3,
      connectionName: 'Acme',
      adminUrl: 'https://acme-admin.okta.com/admin/user/profile/view/00u1',
    });
    expect(d.profile).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      costCenter: '42',
      isContractor: 'false',
      'address.city': 'London',
      'address.zip': '',
      tags: 'math, poetry',
    });
    expect(d.groups.map((g) => [g.name, g.memberCount])).toEqual([
      ['app-figma-editors', 1],
      ['Engineering', 2],
      ['Everyone', 6],
    ]);
    expect(d.apps.map((a) => [a.app.label, a.app.groupCount, a.viaGroups.map((g) => g.name)])).toEqual([
      ['Figma', 1, ['app-figma-editors']],
      ['Slack', 2, ['Engineering', 'Everyone']],
    ]);
  });

  it('says not-found for unknown users, users of the stale generation and unknown connections', () => {
    for (const [cid, id] of [
      [ids.acme, 'nobody'],
      [ids.acme, 'ghost-user'],
      [999, '00u1'],
    ] as const) {
      let caught: unknown;
      try {
        getUser(ws.db, cid, id);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UserError);
      expect((caught as UserError).code).toBe('not-found');
    }
  });

  it('flattens odd profiles without failing', () => {
    expect(flattenProfile('not json')).toEqual({});
    expect(flattenProfile('[1,2]')).toEqual({});
    expect(flattenProfile('{"a":[{"b":1}],"c":{"d":{"e":true}}}')).toEqual({ a: '{"b":1}', 'c.d.e': 'true' });
  });
});

describe('directory groups', () => {
  const groups = (q: object = {}) => listGroups(ws.db, groupQuery.parse(q));

  it('lists groups with member counts and filters by managed-by and type', () => {
    const all = groups({ connectionId: ids.acme });
    expect(all.total).toBe(3);
    expect(all.rows.map((g) => [g.name, g.memberCount, g.managedBy])).toEqual([
      ['app-figma-editors', 1, 'external'],
      ['Engineering', 2, 'rule'],
      ['Everyone', 6, 'direct'],
    ]);
    expect(groups({ managedBy: ['rule'] }).rows.map((g) => g.name)).toEqual(['Engineering']);
    expect(groups({ managedBy: ['rule', 'external'] }).total).toBe(2);
    expect(groups({ type: ['BUILT_IN'] }).rows.map((g) => g.name)).toEqual(['Everyone']);
    expect(groups({ search: 'FIGMA' }).rows.map((g) => g.name)).toEqual(['app-figma-editors']);
    expect(groups().rows.some((g) => g.id === 'ghost-group')).toBe(false);
  });

  it('sorts by member count', () => {
    expect(groups({ sort: 'memberCount', dir: 'desc' }).rows.map((g) => g.name)).toEqual(['Everyone', 'Engineering', 'app-figma-editors', 'beta-admins']);
  });

  it('returns a group with its apps and deep link, and pages its members', () => {
    const g = getGroup(ws.db, ids.acme, '00g3');
    expect(g).toMatchObject({ name: 'Everyone', memberCount: 6, connectionName: 'Acme', adminUrl: 'https://acme-admin.okta.com/admin/group/00g3' });
    expect(g.apps.map((a) => a.label)).toEqual(['Slack']);

    const page = listGroupMembers(ws.db, groupMembersQuery.parse({ connectionId: ids.acme, id: '00g3', limit: 4 }));
    expect(page.total).toBe(6);
    expect(page.rows.map((r) => r.displayName)).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Linus Torvalds']);
    const found = listGroupMembers(ws.db, groupMembersQuery.parse({ connectionId: ids.acme, id: '00g3', search: 'hamilton' }));
    expect(found.rows.map((r) => r.id)).toEqual(['00u5']);
    expect(() => listGroupMembers(ws.db, groupMembersQuery.parse({ connectionId: ids.acme, id: 'ghost-group' }))).toThrow(UserError);
  });
});

describe('directory apps', () => {
  it('lists apps with assigned group counts and sorts by them', () => {
    const page = listApps(ws.db, appQuery.parse({ connectionId: ids.acme, sort: 'groupCount', dir: 'desc' }));
    expect(page.rows.map((a) => [a.label, a.groupCount])).toEqual([
      ['Slack', 2],
      ['Figma', 1],
      ['Unused', 0],
    ]);
    expect(listApps(ws.db, appQuery.parse({ search: 'aws' })).rows.map((a) => a.connectionId)).toEqual([ids.beta]);
  });

  it('returns an app with its groups and a deep link, also on a loopback sandbox org', () => {
    const slack = getApp(ws.db, ids.acme, '0oa2');
    expect(slack.groups.map((g) => g.name)).toEqual(['Everyone', 'Engineering']); // assignment priority order
    expect(slack.adminUrl).toBe('https://acme-admin.okta.com/admin/app/slack/instance/0oa2');
    expect(getApp(ws.db, ids.beta, '0oab1').adminUrl).toBe('http://127.0.0.1:5555/admin/app/aws/instance/0oab1');
    expect(() => getApp(ws.db, ids.acme, 'ghost-app')).toThrow(/no app/);
  });
});

describe('admin console links', () => {
  it('maps Okta org hosts to their -admin host and leaves others alone', () => {
    expect(oktaAdminOrigin('https://acme.okta.com')).toBe('https://acme-admin.okta.com');
    expect(oktaAdminOrigin('https://acme.oktapreview.com/')).toBe('https://acme-admin.oktapreview.com');
    expect(oktaAdminOrigin('https://acme-admin.okta.com')).toBe('https://acme-admin.okta.com');
    expect(oktaAdminOrigin('https://login.acme.com')).toBe('https://login.acme.com');
    expect(oktaAdminOrigin('http://127.0.0.1:41234')).toBe('http://127.0.0.1:41234');
    expect(oktaAdminOrigin('not a url')).toBeNull();
    expect(adminUrl({ kind: 'okta', baseUrl: 'https://acme.okta.com' }, { kind: 'user', id: 'a/b' })).toBe(
      'https://acme-admin.okta.com/admin/user/profile/view/a%2Fb',
    );
    expect(adminUrl({ kind: 'entra', baseUrl: 'https://graph.microsoft.com' }, { kind: 'user', id: 'x' })).toBeNull();
  });
});

describe('dashboard', () => {
  it('counts users by status and stale ACTIVE users relative to the injected clock', () => {
    const s = dashboardSummary(ws.db, { clock: { now: () => ORG_NOW }, readOnly: false, recentRuns: (limit) => listSyncRuns(ws.db, { limit }) });
    expect(s).toMatchObject({
      connections: 2,
      users: 7,
      activeUsers: 5,
      suspendedUsers: 1,
      deprovisionedUsers: 1,
      groups: 4,
      apps: 4,
      memberships: 10,
      readOnly: false,
    });
    // Grace (never), Alan (Dec 2024) and Barbara (Jan 2025) are stale on 2025-06-01; the suspended and deprovisioned never count.
    expect(s.staleUsers).toBe(3);
    expect(s.recentRuns.map((r) => r.connectionName)).toEqual(['Beta sandbox', 'Acme']);

    // Three months earlier, only Grace (never signed in) is stale.
    const earlier = dashboardSummary(ws.db, {
      clock: { now: () => new Date('2025-02-15T00:00:00.000Z') },
      readOnly: true,
      recentRuns: () => [],
    });
    expect(earlier.staleUsers).toBe(1);
    expect(earlier.readOnly).toBe(true);
    expect(staleCutoff(ORG_NOW)).toBe('2025-03-03T00:00:00.000Z');
  });
});
