import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../renderer/src/lib/router.js';

describe('renderer hash routes', () => {
  it('parses every page', () => {
    expect(parseRoute('')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/dashboard')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/connections')).toEqual({ page: 'connections', adding: false });
    expect(parseRoute('#/connections/new')).toEqual({ page: 'connections', adding: true });
    expect(parseRoute('#/directory')).toEqual({ page: 'directory', tab: 'users', detail: null });
    expect(parseRoute('#/directory/groups')).toEqual({ page: 'directory', tab: 'groups', detail: null });
    expect(parseRoute('#/directory/users/3/00u1abc')).toEqual({
      page: 'directory',
      tab: 'users',
      detail: { connectionId: 3, id: '00u1abc' },
    });
  });

  it('plans: the list and one plan\'s timeline, anything else not found', () => {
    expect(parseRoute('#/plans')).toEqual({ page: 'plans', planId: null });
    expect(parseRoute('#/plans/12')).toEqual({ page: 'plans', planId: 12 });
    expect(formatRoute({ page: 'plans', planId: null })).toBe('#/plans');
    expect(formatRoute({ page: 'plans', planId: 12 })).toBe('#/plans/12');
    for (const hash of ['#/plans/0', '#/plans/x', '#/plans/12/steps', '#/plans/012']) expect(parseRoute(hash).page, hash).toBe('not-found');
  });

  it('round-trips ids that need escaping', () => {
    const route: Route = { page: 'directory', tab: 'apps', detail: { connectionId: 12, id: 'a/b c#d' } };
    expect(formatRoute(route)).toBe('#/directory/apps/12/a%2Fb%20c%23d');
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('sends anything else to not-found instead of guessing', () => {
    for (const hash of ['#/nope', '#/directory/people', '#/directory/users/0/x', '#/directory/users/x/y', '#/directory/users/1', '#/directory/users/1/%E0%A4%A', '#/dashboard/extra', '#/connections/1']) {
      expect(parseRoute(hash).page, hash).toBe('not-found');
    }
  });

  it("lands a dashboard card on its list, filtered: Needs attention's sections and the access ledger", () => {
    expect(parseRoute('#/attention')).toEqual({ page: 'attention', section: null });
    expect(parseRoute('#/attention/drift')).toEqual({ page: 'attention', section: 'drift' });
    expect(parseRoute('#/access')).toEqual({ page: 'access', filter: 'time-bound', withinHours: null });
    expect(parseRoute('#/access/ended')).toEqual({ page: 'access', filter: 'ended', withinHours: null });
    expect(parseRoute('#/access/expiring?within=24')).toEqual({ page: 'access', filter: 'expiring', withinHours: 24 });
    // A bad window falls back to the notice window rather than a dead end; only 'expiring' takes one.
    expect(parseRoute('#/access/expiring?within=0')).toMatchObject({ filter: 'expiring', withinHours: null });
    expect(parseRoute('#/access/expiring?within=abc')).toMatchObject({ withinHours: null });
    expect(parseRoute('#/access/active?within=24')).toMatchObject({ filter: 'active', withinHours: null });
    const routes: Route[] = [
      { page: 'attention', section: null },
      { page: 'attention', section: 'failed' },
      { page: 'attention', section: 'tasks' },
      { page: 'attention', section: 'expiring' },
      { page: 'access', filter: 'time-bound', withinHours: null },
      { page: 'access', filter: 'expiring', withinHours: 24 },
      { page: 'access', filter: 'expiring', withinHours: null },
      { page: 'access', filter: 'all', withinHours: null },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r)), formatRoute(r)).toEqual(r);
    for (const hash of ['#/attention/nope', '#/attention/drift/1', '#/access/forever', '#/access/expiring/24']) expect(parseRoute(hash).page, hash).toBe('not-found');
  });

  it('has one address for the audit log, and nothing below it', () => {
    expect(parseRoute('#/audit')).toEqual({ page: 'audit' });
    expect(formatRoute({ page: 'audit' })).toBe('#/audit');
    expect(parseRoute('#/audit/12').page).toBe('not-found');
  });

  it('is never confused by a bridge token left in the fragment', () => {
    expect(parseRoute('#token=abcdef123456').page).toBe('not-found');
  });
});
