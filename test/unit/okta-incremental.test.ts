// The decisions of Okta incremental sync, without a network: which System
// Log events mean what (okta-incremental.ts planOktaChanges), where the next
// run resumes (nextCursor), which events force a full sync, and the cursor's
// stored form. Also the sandbox search's timestamp comparisons it relies on.
import { describe, expect, it } from 'vitest';
import { emptyScope } from '../../shared/domain.js';
import type { OktaLogEvent } from '../../electron/engine/connectors/okta/okta-normalise.js';
import { normaliseLogEvent } from '../../electron/engine/connectors/okta/okta-normalise.js';
import {
  cannotApply,
  decodeCursor,
  encodeCursor,
  LATE_EVENT_MS,
  LOG_FILTER,
  nextCursor,
  planOktaChanges,
  sameScope,
} from '../../electron/engine/sync/okta-incremental.js';
import { evaluateFilter, parseFilter } from '../../electron/sandbox/scim-filter.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
let n = 0;
function ev(eventType: string, targets: [type: string, id: string, name?: string][], at = T0 + n * 1000, outcome = 'SUCCESS'): OktaLogEvent {
  n++;
  return {
    uuid: `uuid-${n}`,
    published: new Date(at).toISOString(),
    eventType,
    outcome,
    targets: targets.map(([type, id, name]) => ({ type, id, displayName: name ?? id, alternateId: id })),
  };
}

describe('planOktaChanges', () => {
  it('re-reads users named by lifecycle and account events; creations also join Everyone; deletions win', () => {
    const first = ev('user.lifecycle.create', [['User', 'u1']]);
    const plan = planOktaChanges([
      first,
      ev('user.lifecycle.activate', [['User', 'u1']]),
      ev('user.lifecycle.suspend', [['User', 'u2']]),
      ev('user.account.update_profile', [['User', 'u3']]),
      ev('user.account.lock', [['User', 'u4']]),
      ev('user.lifecycle.create', [['User', 'u5']]),
      ev('user.lifecycle.deactivate', [['User', 'u5']]),
      ev('user.lifecycle.delete.initiated', [['User', 'u5']]),
      ev('user.lifecycle.delete.completed', [['User', 'u5']]),
    ]);
    expect([...plan.users].sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect([...plan.createdUsers]).toEqual(['u1']);
    expect([...plan.deletedUsers]).toEqual(['u5']);
    expect(plan.usersSince).toBe(Date.parse(first.published));
    expect(plan.events).toBe(9);
  });

  it('keeps the last membership change per user and group, and when each group last changed', () => {
    const plan = planOktaChanges([
      ev('group.user_membership.add', [['User', 'u1'], ['UserGroup', 'g1', 'proj-x']]),
      ev('group.user_membership.remove', [['User', 'u1'], ['UserGroup', 'g1', 'proj-x']]),
      ev('group.user_membership.add', [['User', 'u2'], ['UserGroup', 'g1', 'proj-x']]),
      ev('group.user_membership.remove', [['User', 'u3'], ['UserGroup', 'g2', 'app-y']]),
      ev('group.user_membership.add', [['User', 'u3'], ['UserGroup', 'g2', 'app-y']]),
    ]);
    expect([...plan.memberships.values()]).toEqual([
      { groupId: 'g1', userId: 'u1', add: false },
      { groupId: 'g1', userId: 'u2', add: true },
      { groupId: 'g2', userId: 'u3', add: true },
    ]);
    expect(plan.membershipGroups.get('g1')).toEqual({ name: 'proj-x', last: new Date(T0 + (n - 3) * 1000).toISOString() });
    expect(plan.membershipGroups.get('g2')?.last).toBe(new Date(T0 + (n - 1) * 1000).toISOString());
  });

  it('groups: created and changed ones are re-read, deleted ones removed; app assignment and app lifecycle events name apps', () => {
    const plan = planOktaChanges([
      ev('group.lifecycle.create', [['UserGroup', 'g1']]),
      ev('group.profile.update', [['UserGroup', 'g2']]),
      ev('group.lifecycle.create', [['UserGroup', 'g3']]),
      ev('group.lifecycle.delete', [['UserGroup', 'g3']]),
      ev('group.application_assignment.add', [['AppInstance', 'a1'], ['UserGroup', 'g1']]),
      ev('group.application_assignment.remove', [['AppInstance', 'a2'], ['UserGroup', 'g2']]),
      ev('application.lifecycle.deactivate', [['AppInstance', 'a3']]),
      ev('group.privilege.grant', [['UserGroup', 'g4']]),
      ev('group.user_membership.rule.add_exclusion', [['User', 'u1'], ['UserGroup', 'g5']]),
      ev('user.session.start', [['User', 'u9']]),
    ]);
    expect([...plan.groups].sort()).toEqual(['g1', 'g2']);
    expect([...plan.createdGroups]).toEqual(['g1']);
    expect([...plan.deletedGroups]).toEqual(['g3']);
    expect([...plan.appAssignments].sort()).toEqual(['a1', 'a2']);
    expect([...plan.apps]).toEqual(['a3']);
    expect(plan.users.size).toBe(0);
    expect(plan.unappliable.size).toBe(0);
  });

  it('reports group rule changes as needing a full sync; failed operations and already-applied events change nothing', () => {
    const applied = ev('group.user_membership.add', [['User', 'u1'], ['UserGroup', 'g1']]);
    const plan = planOktaChanges(
      [
        applied,
        ev('group.rule.deactivate', [['GroupRule', 'r1']]),
        ev('group.rule.deactivate', [['GroupRule', 'r2']]),
        ev('user.lifecycle.suspend', [['User', 'u2']], undefined, 'FAILURE'),
      ],
      new Set([applied.uuid]),
    );
    expect(plan.replayed).toBe(1);
    expect(plan.events).toBe(3);
    expect(plan.memberships.size).toBe(0);
    expect(plan.users.size).toBe(0);
    expect([...plan.unappliable]).toEqual([['group.rule.deactivate', 2]]);
    expect(cannotApply('group.rule.create')).toBe(true);
    expect(cannotApply('group.user_membership.add')).toBe(false);
    expect(cannotApply('policy.rule.update')).toBe(false);
  });
});

describe('nextCursor', () => {
  it('resumes a minute before the newest event (or the org clock, if later), remembering the events after that point', () => {
    const events = [ev('user.lifecycle.suspend', [['User', 'u1']], T0), ev('user.lifecycle.suspend', [['User', 'u2']], T0 + 90_000), ev('user.lifecycle.suspend', [['User', 'u3']], T0 + 120_000)];
    const plan = planOktaChanges(events);
    const prev = { since: new Date(T0 - 60_000).toISOString(), seen: [] };
    const next = nextCursor(prev, plan, T0 + 121_000);
    expect(next.since).toBe(new Date(T0 + 121_000 - LATE_EVENT_MS).toISOString());
    expect(next.seen).toEqual([events[1]!.uuid, events[2]!.uuid]);
    // Later: the events are older than the window and are not read again.
    expect(nextCursor(prev, plan, T0 + 200_000)).toEqual({ since: new Date(T0 + 200_000 - LATE_EVENT_MS).toISOString(), seen: [] });
    // An org clock behind the newest event does not move the position before it.
    expect(nextCursor(prev, plan, T0).since).toBe(new Date(T0 + 120_000 - LATE_EVENT_MS).toISOString());
  });

  it('with nothing new, moves up to a minute before the org clock, never back', () => {
    const prev = { since: new Date(T0).toISOString(), seen: ['a', 'b'] };
    const empty = planOktaChanges([]);
    expect(nextCursor(prev, empty, T0 + 30_000)).toEqual({ since: prev.since, seen: [] });
    expect(nextCursor(prev, empty, T0 + 600_000)).toEqual({ since: new Date(T0 + 600_000 - LATE_EVENT_MS).toISOString(), seen: [] });
  });
});

describe('nextCursor at the exact position', () => {
  // The next poll reads from `since` inclusive: an event published exactly then is read again and must be remembered.
  const at = (ms: number, uuid: string) => ({ uuid, at: T0 + ms });
  const prev = { since: new Date(T0 - 600_000).toISOString(), seen: [] };

  it('remembers an event published exactly at the new position, not one 1 ms before it', () => {
    const read = [at(-1, 'before'), at(0, 'exactly'), at(1, 'after')];
    expect(nextCursor(prev, { newest: T0 + 1, read }, T0 + LATE_EVENT_MS)).toEqual({ since: new Date(T0).toISOString(), seen: ['exactly', 'after'] });
  });

  it('a burst of more than 10,000 remembered events resumes at the newest one, remembering every event at that instant', () => {
    // One event 1 ms before the newest, then `n` published at the newest instant (T0); the position would be a minute before T0.
    const burst = (n: number) => [at(-1, 'older'), ...Array.from({ length: n }, (_, i) => at(0, `e${i}`))];
    // Exactly 10,000 to remember: carried as they are.
    const fits = nextCursor(prev, { newest: T0, read: burst(9_999) }, T0);
    expect(fits.since).toBe(new Date(T0 - LATE_EVENT_MS).toISOString());
    expect(fits.seen).toHaveLength(10_000);
    // One more: resume at the newest event itself, remembering all 10,000 published exactly then (and not the older one).
    const over = nextCursor(prev, { newest: T0, read: burst(10_000) }, T0);
    expect(over.since).toBe(new Date(T0).toISOString());
    expect(over.seen).toHaveLength(10_000);
    expect(over.seen).not.toContain('older');
  });
});

describe('cursor', () => {
  it('round-trips, normalises the scope, and refuses what it does not understand', () => {
    const scope = { ...emptyScope(), groups: { prefixes: ['app-'], pattern: null, types: [] } };
    const raw = encodeCursor({ since: '2026-03-02T10:00:00.000Z', seen: ['x'], readAt: '2026-03-02T10:01:00.000Z', scope });
    expect(decodeCursor(raw)).toEqual({ v: 1, kind: 'okta-system-log', since: '2026-03-02T10:00:00.000Z', seen: ['x'], readAt: '2026-03-02T10:01:00.000Z', scope });
    expect(decodeCursor('{"deltaLink":"https://graph"}')).toBeNull();
    expect(decodeCursor('not json')).toBeNull();
    expect(decodeCursor(JSON.stringify({ v: 1, kind: 'okta-system-log', since: 'yesterday', readAt: '2026-03-02T10:01:00.000Z' }))).toBeNull();
    expect(sameScope(scope, { groups: { prefixes: ['app-'] } } as never)).toBe(true);
    expect(sameScope(scope, emptyScope())).toBe(false);
  });

  it('asks the log for lifecycle, account, group and app lifecycle events only', () => {
    const node = parseFilter(LOG_FILTER);
    const match = (eventType: string): boolean => evaluateFilter(node, (a) => (a === 'eventType' ? eventType : undefined), { caseInsensitive: false });
    for (const t of ['user.lifecycle.create', 'user.account.update_profile', 'group.user_membership.add', 'group.rule.activate', 'application.lifecycle.delete']) expect(match(t)).toBe(true);
    for (const t of ['user.session.start', 'user.authentication.sso', 'policy.evaluate_sign_on', 'application.user_membership.add']) expect(match(t)).toBe(false);
  });
});

describe('normaliseLogEvent', () => {
  it('keeps what the plan needs and drops malformed events', () => {
    expect(
      normaliseLogEvent({
        uuid: 'u',
        published: '2026-03-02T10:00:00.000Z',
        eventType: 'group.user_membership.add',
        outcome: { result: 'SUCCESS' },
        target: [{ id: '00u1', type: 'User', alternateId: 'a@b', displayName: 'A B' }, { id: '00g1', type: 'UserGroup', alternateId: 'unknown', displayName: 'g' }, { type: 'x' }],
      }),
    ).toEqual({
      uuid: 'u',
      published: '2026-03-02T10:00:00.000Z',
      eventType: 'group.user_membership.add',
      outcome: 'SUCCESS',
      targets: [
        { id: '00u1', type: 'User', alternateId: 'a@b', displayName: 'A B' },
        { id: '00g1', type: 'UserGroup', alternateId: 'unknown', displayName: 'g' },
      ],
    });
    expect(normaliseLogEvent({ uuid: 'u', eventType: 'x' })).toBeNull();
    expect(normaliseLogEvent({ uuid: 'u', eventType: 'x', published: 'soon' })).toBeNull();
  });
});

describe('sandbox search over timestamps given as instants', () => {
  const at = Date.parse('2026-03-02T10:00:00.000Z');
  const test = (expr: string, value: number | null): boolean =>
    evaluateFilter(parseFilter(expr), () => (value === null ? null : { instant: value }), { caseInsensitive: true });
  it('compares instants with ISO literals as instants, text operators on the ISO form', () => {
    expect(test('lastUpdated gt "2026-03-02T09:59:59Z"', at)).toBe(true);
    expect(test('lastUpdated gt "2026-03-02T10:00:00.000Z"', at)).toBe(false);
    expect(test('lastUpdated ge "2026-03-02T10:00:00Z"', at)).toBe(true);
    expect(test('lastUpdated lt "2026-03-02T10:00:00.001Z"', at)).toBe(true);
    expect(test('lastUpdated eq "2026-03-02T10:00:00Z"', at)).toBe(true);
    expect(test('lastUpdated sw "2026-03-02"', at)).toBe(true);
    expect(test('lastUpdated pr', at)).toBe(true);
    expect(test('activated pr', null)).toBe(false);
    expect(test('activated eq null', null)).toBe(true);
  });
});
