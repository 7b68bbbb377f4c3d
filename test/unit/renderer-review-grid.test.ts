// The review grid's model (renderer/src/lib/review-grid.ts, its orders review-grid-order.ts): keys, selection (x, shift+x range,
// group rows), the reason rule mirrored from the engine, filters, sorting with blanks last,
// grouping by person and by app/role, the decision overlay and the counts behind Submit;
// and the reviews routes.
import { describe, expect, it } from 'vitest';
import type { ReviewItemRow } from '../../shared/contract-reviews.js';
import {
  countDecisions,
  decisionOf,
  displayRows,
  filterItems,
  filterOrder,
  itemRowsAt,
  itemsAt,
  keyAction,
  NO_FILTER,
  orderOf,
  orderReady,
  reasonNeeded,
  selectRange,
  toggleSelection,
  warmGridOrders,
  withDecision,
  type GridDecision,
} from '../../renderer/src/lib/review-grid.js';
import { sortOrder } from '../../renderer/src/lib/review-grid-order.js';
import { formatRoute, parseRoute, routes } from '../../renderer/src/lib/router.js';

let nextId = 1;
function item(p: { name: string; role?: string | null; group?: string; rec?: ReviewItemRow['recommendation']; risk?: string | null; lastLogin?: string | null; reasons?: ReviewItemRow['reasons']; identity?: string; decision?: ReviewItemRow['decision'] }): ReviewItemRow {
  const id = nextId++;
  return {
    id,
    campaignId: 1,
    stage: 1,
    connectionId: 1,
    connectionName: 'Okta',
    identityId: p.identity ?? `u-${p.name}`,
    person: { name: p.name, email: `${p.name.toLowerCase()}@example.com`, status: 'ACTIVE', title: 'Engineer', department: 'R&D', managerEmail: null, managerName: null, employmentType: 'Employee', lastLogin: p.lastLogin ?? null, created: null },
    access: { groupId: `g-${p.group ?? 'x'}`, groupName: p.group ?? 'grp', heldVia: 'direct', viaApps: [], roleId: p.role ? 1 : null, roleLabel: p.role ? `Payroll / ${p.role}` : null, risk: p.risk ?? null, appLabel: p.role ? 'Payroll' : null },
    grant: null,
    recommendation: p.rec ?? 'keep',
    reasons: p.reasons ?? [],
    changedSinceLaunch: false,
    launchRecommendation: p.rec ?? 'keep',
    peerPercent: null,
    reviewer: 'boss@example.com',
    reviewerSource: 'manager',
    decision: p.decision ?? null,
    remediation: null,
  };
}
const NONE: ReadonlyMap<number, GridDecision> = new Map();
const mods = { shift: false, ctrl: false, alt: false, meta: false };

describe('review grid keys', () => {
  it('maps the documented keys and leaves modified keys to the browser', () => {
    expect(['j', 'k', 'a', 'r', 'c', 'x', '?'].map((k) => keyAction(k, mods))).toEqual(['down', 'up', 'keep', 'revoke', 'comment', 'select', 'help']);
    expect(keyAction('X', { ...mods, shift: true })).toBe('range');
    expect(keyAction('a', { ...mods, ctrl: true })).toBeNull();
    expect(keyAction('r', { ...mods, meta: true })).toBeNull();
    expect(keyAction('q', mods)).toBeNull();
  });
});

describe('selection', () => {
  const items = [item({ name: 'Ann' }), item({ name: 'Bob' }), item({ name: 'Cy' }), item({ name: 'Di' })];
  const rows = displayRows(items, 'none', NONE);
  it('x toggles one row on and off', () => {
    const on = toggleSelection(new Set(), rows[1]);
    expect([...on]).toEqual([items[1]?.id]);
    expect(toggleSelection(on, rows[1]).size).toBe(0);
  });
  it('shift+x selects from the anchor to here, both included, in either direction, keeping what was selected', () => {
    const ids = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
    expect(ids(selectRange(new Set(), rows, 1, 3))).toEqual([items[1]?.id, items[2]?.id, items[3]?.id]);
    expect(ids(selectRange(new Set([items[0]?.id as number]), rows, 3, 2))).toEqual([items[0]?.id, items[2]?.id, items[3]?.id]);
    // No anchor yet: just this row.
    expect(ids(selectRange(new Set(), rows, -1, 2))).toEqual([items[2]?.id]);
  });
  it('x on a group header selects all of its items, and clears them when all were on', () => {
    const g = displayRows([item({ name: 'Eve', identity: 'e' }), item({ name: 'Eve', identity: 'e', group: 'y' }), item({ name: 'Fay' })], 'person', NONE);
    const header = g[0];
    expect(header?.kind).toBe('group');
    const on = toggleSelection(new Set(), header);
    expect(on.size).toBe(2);
    expect(toggleSelection(on, header).size).toBe(0);
  });
});

describe('the reason rule (the engine refuses the same)', () => {
  it('keeping what is recommended for revoke needs a reason; keeping "look" does not', () => {
    expect(reasonNeeded(item({ name: 'A', rec: 'revoke' }), 'keep')).toMatch(/reason/);
    expect(reasonNeeded(item({ name: 'A', rec: 'look' }), 'keep')).toBeNull();
    expect(reasonNeeded(item({ name: 'A', rec: 'revoke' }), 'revoke')).toBeNull();
  });
  it('revoking critical access needs a reason; high does not', () => {
    expect(reasonNeeded(item({ name: 'A', risk: 'critical' }), 'revoke')).toMatch(/critical/);
    expect(reasonNeeded(item({ name: 'A', risk: 'high' }), 'revoke')).toBeNull();
    expect(reasonNeeded(item({ name: 'A', risk: 'critical' }), 'keep')).toBeNull();
  });
});

describe('filter, sort, group', () => {
  const a = item({ name: 'Zed', role: 'Admin', rec: 'revoke', lastLogin: '2026-01-01T00:00:00Z', reasons: [{ code: 'no-sign-in', text: 'no sign-in for 90 days' }] });
  const b = item({ name: 'amy', group: 'wiki', rec: 'keep', lastLogin: null });
  const c = item({ name: 'Bea', role: 'Viewer', rec: 'look', lastLogin: '2026-06-01T00:00:00Z' });
  const items = [a, b, c];
  it('sorts by person case-insensitively, and by last sign-in with blanks last in both directions', () => {
    expect(filterItems(items, NONE, NO_FILTER, { key: 'person', dir: 'asc' }).map((i) => i.person.name)).toEqual(['amy', 'Bea', 'Zed']);
    expect(filterItems(items, NONE, NO_FILTER, { key: 'lastLogin', dir: 'asc' }).map((i) => i.person.name)).toEqual(['Zed', 'Bea', 'amy']);
    expect(filterItems(items, NONE, NO_FILTER, { key: 'lastLogin', dir: 'desc' }).map((i) => i.person.name)).toEqual(['Bea', 'Zed', 'amy']);
    expect(filterItems(items, NONE, NO_FILTER, { key: 'recommendation', dir: 'asc' }).map((i) => i.recommendation)).toEqual(['revoke', 'look', 'keep']);
  });
  it('the packed numeric sort orders exactly as the comparator: key (blanks last both ways), then name, then id', () => {
    // Hand-checked: ties on the key go by name rank then id; null and '' both last in either direction.
    const keys = ['b', null, 'a', 'b', '', 'a'];
    const names = Int32Array.from([1, 0, 2, 0, 0, 2]);
    const ids = keys.map((_, i) => ({ id: 10 + i }));
    expect([...sortOrder(keys, names, ids, 'asc')]).toEqual([2, 5, 3, 0, 1, 4]);
    expect([...sortOrder(keys, names, ids, 'desc')]).toEqual([3, 0, 2, 5, 1, 4]);
    // Random keys with many ties, strings and numbers, against the comparator it replaces.
    let seed = 42;
    const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % m);
    for (const kind of ['string', 'number'] as const) {
      const n = 5000;
      const k = Array.from({ length: n }, () => (rnd(10) === 0 ? null : kind === 'string' ? (rnd(20) === 0 ? '' : `v${rnd(300)}`) : rnd(3)));
      const nm = Int32Array.from({ length: n }, () => rnd(800));
      const its = Array.from({ length: n }, (_, i) => ({ id: 1 + i * 3 }));
      for (const dir of ['asc', 'desc'] as const) expect([...sortOrder(k, nm, its, dir)]).toEqual([...sortOrder(k, nm, its, dir, { strategy: 'comparator' })]);
    }
  });
  it('orders text as people read it: accents and case folded, numbers inside text by value, blanks last both ways, ties by name then id', () => {
    const people = ['Zoë', 'zack', 'Émile', 'emma', 'Ada', 'ada', 'Øyvind', 'Oscar', ''].map((name) => item({ name }));
    const asc = filterItems(people, NONE, NO_FILTER, { key: 'person', dir: 'asc' }).map((i) => i.person.name);
    // 'Ada' and 'ada' are equal under the collator: the lower id first. 'Ø' is not an accented O in the root collation: after O.
    expect(asc).toEqual(['Ada', 'ada', 'Émile', 'emma', 'Oscar', 'Øyvind', 'zack', 'Zoë', '']);
    expect(filterItems(people, NONE, NO_FILTER, { key: 'person', dir: 'desc' }).map((i) => i.person.name)).toEqual(['Zoë', 'zack', 'Øyvind', 'Oscar', 'emma', 'Émile', 'Ada', 'ada', '']);
    // Against an independent reference: localeCompare with the same options, blanks last, ties by id.
    const ref = [...people].sort((x, y) => (x.person.name === '' ? 1 : y.person.name === '' ? -1 : x.person.name.localeCompare(y.person.name, undefined, { sensitivity: 'base', numeric: true }) || x.id - y.id)).map((i) => i.person.name);
    expect(asc).toEqual(ref);
    // Role 2 before Role 10 (numbers in text by value); the same role ties on the name.
    const roles = [item({ name: 'Cy', role: 'Role 10' }), item({ name: 'Bo', role: 'Role 2' }), item({ name: 'Al', role: 'role 2' }), item({ name: 'Di', group: 'zz-group' })];
    expect(filterItems(roles, NONE, NO_FILTER, { key: 'access', dir: 'asc' }).map((i) => i.person.name)).toEqual(['Al', 'Bo', 'Cy', 'Di']);
    expect(filterItems(roles, NONE, NO_FILTER, { key: 'access', dir: 'desc' }).map((i) => i.person.name)).toEqual(['Di', 'Cy', 'Al', 'Bo']);
  });
  it('a queue read again ranks like the first read: the same names take their ranks over, a new name is placed where it belongs', () => {
    const names = ['Émile', 'zack', 'Ada', 'Oscar'];
    const first = names.map((name) => item({ name }));
    expect(filterItems(first, NONE, NO_FILTER, { key: 'person', dir: 'asc' }).map((i) => i.person.name)).toEqual(['Ada', 'Émile', 'Oscar', 'zack']);
    const again = names.map((name) => item({ name }));
    expect(filterItems(again, NONE, NO_FILTER, { key: 'person', dir: 'desc' }).map((i) => i.person.name)).toEqual(['zack', 'Oscar', 'Émile', 'Ada']);
    const changed = [...names.slice(0, 3), 'émilie'].map((name) => item({ name }));
    expect(filterItems(changed, NONE, NO_FILTER, { key: 'person', dir: 'asc' }).map((i) => i.person.name)).toEqual(['Ada', 'Émile', 'émilie', 'zack']);
  });
  it('orders dates by instant and never-signed-in last in both directions; a second sort returns the same cached order', () => {
    const logins = ['2026-03-01T09:00:00.000Z', null, '2025-12-31T23:59:59.999Z', '2026-03-01T09:00:00.000Z', null, '2026-03-01T08:59:59.999Z'];
    const list = logins.map((lastLogin, k) => item({ name: `P${k}`, lastLogin }));
    const asc = filterItems(list, NONE, NO_FILTER, { key: 'lastLogin', dir: 'asc' }).map((i) => i.person.name);
    expect(asc).toEqual(['P2', 'P5', 'P0', 'P3', 'P1', 'P4']);
    expect(filterItems(list, NONE, NO_FILTER, { key: 'lastLogin', dir: 'desc' }).map((i) => i.person.name)).toEqual(['P0', 'P3', 'P5', 'P2', 'P1', 'P4']);
    expect(orderOf(list, { key: 'lastLogin', dir: 'asc' }, NONE)).toBe(orderOf(list, { key: 'lastLogin', dir: 'asc' }, NONE));
  });
  it('orders built in idle time, step by step, are the orders a sort asks for at once', async () => {
    // A browser's idle callbacks, in Node, on a busy page: most give 5 ms (too short for a heavy step), every third
    // one 20 ms, so the work is cut into many steps and the heavy ones wait for the longer idle periods.
    const g = globalThis as { requestIdleCallback?: unknown; cancelIdleCallback?: unknown };
    let calls = 0;
    g.requestIdleCallback = (cb: (d: { didTimeout: boolean; timeRemaining: () => number }) => void) => {
      const end = performance.now() + (++calls % 3 === 0 ? 20 : 5);
      return setTimeout(() => cb({ didTimeout: false, timeRemaining: () => Math.max(0, end - performance.now()) }), 0) as unknown as number;
    };
    g.cancelIdleCallback = (h: number) => clearTimeout(h);
    try {
      let seed = 7;
      const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % m);
      const names = ['Ada', 'ada', 'Émile', 'Zoë', 'Oscar', 'Ivo'];
      const list = Array.from({ length: 12_000 }, (_, k) => item({ name: `${names[rnd(6)]} ${rnd(4000)}`, role: rnd(5) === 0 ? null : `Role ${rnd(40)}`, lastLogin: rnd(8) === 0 ? null : new Date(Date.UTC(2026, 0, 1) + rnd(1000) * 3_600_000).toISOString(), rec: (['revoke', 'look', 'keep'] as const)[k % 3] }));
      const copy = [...list];
      await new Promise<void>((resolve) => {
        warmGridOrders(list);
        const poll = setInterval(() => {
          if (orderReady(list, 'person', 'desc')) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      expect(calls).toBeGreaterThan(3);
      for (const key of ['person', 'access', 'recommendation', 'lastLogin', 'expiry'] as const) {
        for (const dir of ['asc', 'desc'] as const) {
          expect(orderReady(list, key, dir), `${key} ${dir}`).toBe(true);
          // The same items in a new array: nothing cached, built at once.
          expect([...orderOf(list, { key, dir }, NONE)], `${key} ${dir}`).toEqual([...orderOf(copy, { key, dir }, NONE)]);
        }
      }
    } finally {
      delete g.requestIdleCallback;
      delete g.cancelIdleCallback;
    }
  });
  it('with no filter on, a sort hands over its cached order and the same row objects, in that order', () => {
    const list = [item({ name: 'Cy', lastLogin: '2026-02-01T00:00:00Z' }), item({ name: 'Al', lastLogin: null }), item({ name: 'Bo', lastLogin: '2026-01-01T00:00:00Z' })];
    const byLogin = filterOrder(list, NONE, NO_FILTER, { key: 'lastLogin', dir: 'asc' });
    expect(byLogin).toBe(orderOf(list, { key: 'lastLogin', dir: 'asc' }, NONE));
    const rows = itemRowsAt(list, byLogin);
    expect(rows.map((r) => r.item.person.name)).toEqual(['Bo', 'Cy', 'Al']);
    expect(itemRowsAt(list, byLogin)).toBe(rows);
    const byName = itemRowsAt(list, filterOrder(list, NONE, NO_FILTER, { key: 'person', dir: 'asc' }));
    expect(byName.map((r) => r.item.person.name)).toEqual(['Al', 'Bo', 'Cy']);
    expect(byName[1]).toBe(rows[0]);
    // A filter: the positions it keeps, still in sort order.
    const kept = filterOrder(list, NONE, { ...NO_FILTER, search: 'bo' }, { key: 'lastLogin', dir: 'desc' });
    expect(itemsAt(list, kept).map((i) => i.person.name)).toEqual(['Bo']);
  });
  it('filters by recommendation, app, reason, search and decision', () => {
    const sort = { key: 'person', dir: 'asc' } as const;
    expect(filterItems(items, NONE, { ...NO_FILTER, recommendation: 'look' }, sort)).toEqual([c]);
    expect(filterItems(items, NONE, { ...NO_FILTER, app: 'wiki' }, sort)).toEqual([b]);
    expect(filterItems(items, NONE, { ...NO_FILTER, reason: 'no-sign-in' }, sort)).toEqual([a]);
    expect(filterItems(items, NONE, { ...NO_FILTER, search: 'VIEW' }, sort)).toEqual([c]);
    const overlay = withDecision(NONE, [b.id], { decision: 'revoke', reasonCode: null, comment: null, keepUntil: null });
    expect(filterItems(items, overlay, { ...NO_FILTER, decision: 'revoke' }, sort)).toEqual([b]);
    expect(filterItems(items, overlay, { ...NO_FILTER, decision: 'undecided' }, sort)).toEqual([c, a]);
    expect(filterItems(items, overlay, { ...NO_FILTER, decision: 'draft' }, sort)).toEqual([b]);
    // Pending (not answered yet) is not "submitted".
    expect(filterItems(items, overlay, { ...NO_FILTER, decision: 'submitted' }, sort)).toEqual([]);
  });
  it('the decision sort follows the overlay (never a stale cached order)', () => {
    const sort = { key: 'decision', dir: 'asc' } as const;
    expect(filterItems(items, NONE, NO_FILTER, sort).map((i) => i.person.name)).toEqual(['amy', 'Bea', 'Zed']);
    const overlay = withDecision(NONE, [b.id], { decision: 'revoke', reasonCode: null, comment: null, keepUntil: null });
    expect(filterItems(items, overlay, NO_FILTER, sort).map((i) => i.person.name)).toEqual(['Bea', 'Zed', 'amy']);
  });
  it('groups by app/role in sorted order with a header per group and its decided count', () => {
    const x = item({ name: 'Al', role: 'Admin' });
    const overlay = withDecision(NONE, [x.id], { decision: 'keep', reasonCode: null, comment: null, keepUntil: null });
    const rows = displayRows(filterItems([a, c, x], overlay, NO_FILTER, { key: 'person', dir: 'asc' }), 'access', overlay);
    expect(rows.map((r) => (r.kind === 'group' ? `[${r.label} ${r.decided}/${r.itemIds.length}]` : r.item.person.name))).toEqual(['[Payroll / Admin 1/2]', 'Al', 'Zed', '[Payroll / Viewer 0/1]', 'Bea']);
  });
});

describe('decisions and counts', () => {
  it('the overlay wins over the engine; a default-applied decision counts as undecided for the reviewer', () => {
    const submitted = item({ name: 'A', decision: { decision: 'keep', reasonCode: null, comment: null, keepUntil: null, state: 'submitted', by: 'x', channel: 'console', recordedBy: null, appliedByDefault: false, at: '2026-01-01T00:00:00Z' } });
    const byDefault = item({ name: 'B', decision: { decision: 'revoke', reasonCode: null, comment: null, keepUntil: null, state: 'submitted', by: 'system', channel: 'system', recordedBy: null, appliedByDefault: true, at: '2026-01-01T00:00:00Z' } });
    const open = item({ name: 'C' });
    expect(decisionOf(submitted, NONE)?.state).toBe('submitted');
    expect(decisionOf(byDefault, NONE)).toBeNull();
    const overlay = withDecision(NONE, [submitted.id, open.id], { decision: 'revoke', reasonCode: 'left-team', comment: null, keepUntil: null });
    expect(decisionOf(submitted, overlay)).toMatchObject({ decision: 'revoke', state: 'draft', pending: true });
    expect(countDecisions([submitted, byDefault, open], overlay)).toEqual({ drafts: 2, decided: 2, total: 3 });
    expect(countDecisions([submitted, byDefault, open], NONE)).toEqual({ drafts: 0, decided: 1, total: 3 });
  });
});

describe('reviews routes', () => {
  it('round-trip every view and refuse malformed ids', () => {
    for (const r of [routes.reviews(), routes.newCampaign(), routes.campaign(7), routes.editCampaign(7), routes.previewCampaign(7), routes.myReviews(), routes.myReviews(9)]) {
      expect(parseRoute(formatRoute(r))).toEqual(r);
    }
    for (const hash of ['#/reviews/0', '#/reviews/x', '#/reviews/7/launch', '#/reviews/mine/x', '#/reviews/7/edit/more', '#/reviews/new/1']) {
      expect(parseRoute(hash).page, hash).toBe('not-found');
    }
  });
});
