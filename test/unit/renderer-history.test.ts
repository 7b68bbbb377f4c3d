import { describe, expect, it } from 'vitest';
import { emptyScope, type SyncRunSummary } from '../../shared/domain.js';
import { countedKinds, describeRunChanges, totalOf } from '../../renderer/src/lib/change-kinds.js';
import { splitFieldErrors } from '../../renderer/src/lib/field-errors.js';
import { formatRoute, parseRoute, type Route } from '../../renderer/src/lib/router.js';
import { describeScope, isUnlimited, patternError, splitList } from '../../renderer/src/lib/scope.js';

const run = (patch: Partial<SyncRunSummary>): SyncRunSummary => ({
  id: 2,
  connectionId: 1,
  connectionName: 'Acme',
  mode: 'incremental',
  status: 'succeeded',
  startedAt: '2026-06-01T12:00:00Z',
  finishedAt: '2026-06-01T12:00:01Z',
  durationMs: 1000,
  users: 10,
  groups: 2,
  memberships: 12,
  apps: 1,
  appAssignments: 1,
  requests: 3,
  throttledWaits: 0,
  rateLimited: 0,
  error: null,
  changes: 0,
  changeCounts: {},
  baseline: false,
  note: null,
  ...patch,
});

describe('renderer: history routes', () => {
  it('parses and formats the Changes views', () => {
    const cases: [string, Route][] = [
      ['#/changes', { page: 'changes', view: { mode: 'run', runId: null } }],
      ['#/changes/run/12', { page: 'changes', view: { mode: 'run', runId: 12 } }],
      ['#/changes/compare', { page: 'changes', view: { mode: 'compare', fromRunId: null, toRunId: null } }],
      ['#/changes/compare/3/7', { page: 'changes', view: { mode: 'compare', fromRunId: 3, toRunId: 7 } }],
      ['#/directory/unmatched', { page: 'directory', tab: 'unmatched', detail: null }],
      ['#/directory/unmatched/2/00u9', { page: 'directory', tab: 'unmatched', detail: { connectionId: 2, id: '00u9' } }],
    ];
    for (const [hash, route] of cases) {
      expect(parseRoute(hash), hash).toEqual(route);
      expect(formatRoute(route)).toBe(hash);
    }
  });

  it('sends malformed run ids to not-found', () => {
    for (const hash of ['#/changes/run', '#/changes/run/0', '#/changes/run/-1', '#/changes/run/1e3', '#/changes/run/x', '#/changes/run/4/5', '#/changes/compare/3', '#/changes/compare/3/x', '#/changes/compare/3/4/5', '#/changes/other']) {
      expect(parseRoute(hash).page, hash).toBe('not-found');
    }
  });
});

describe('renderer: change summaries', () => {
  it('lists counted kinds in display order and says why a run has none', () => {
    const counts = { 'membership-remove': 2, joiner: 1, leaver: 0, 'membership-add': 12 };
    expect(countedKinds(counts)).toEqual([
      { kind: 'joiner', count: 1 },
      { kind: 'membership-add', count: 12 },
      { kind: 'membership-remove', count: 2 },
    ]);
    expect(totalOf(counts)).toBe(15);
    expect(describeRunChanges(run({ changes: 15, changeCounts: counts }))).toBe('1 joiner · +12 memberships · −2 memberships');
    expect(describeRunChanges(run({ baseline: true, mode: 'full' }))).toBe('First snapshot: nothing to compare with');
    expect(describeRunChanges(run({ status: 'failed', error: 'boom' }))).toBe('Nothing recorded (the run failed)');
    expect(describeRunChanges(run({}))).toBe('No changes');
  });
});

describe('renderer: sync scope', () => {
  it('reads list fields, checks patterns and describes a scope in one line', () => {
    expect(splitList(' App-, SG-\nTeam- ,, App-')).toEqual(['App-', 'SG-', 'Team-']);
    expect(patternError('')).toBeNull();
    expect(patternError('^sec-.*$')).toBeNull();
    expect(patternError('(sec')).toMatch(/^not a valid regular expression/);
    expect(isUnlimited(emptyScope())).toBe(true);
    expect(describeScope(emptyScope())).toBe('Everything: all groups and apps');
    expect(describeScope({ groups: { prefixes: ['app-'], pattern: '^sec', types: ['OKTA_GROUP'] }, apps: { include: ['Slack'] } })).toBe(
      'Groups starting with “app-” or matching /^sec/i · of type OKTA_GROUP · apps “Slack”',
    );
    expect(describeScope({ groups: { prefixes: [], pattern: null, types: ['Security'] }, apps: { include: [] } })).toBe('Groups of type Security · all apps');
  });

  it('puts the first field error next to its field despite the channel prefix', () => {
    const message = 'invalid input for connections:add: tenantId: the tenant id is required; graphUrl: not a URL: expected something like https://x';
    expect(splitFieldErrors(message, ['tenantId', 'graphUrl'])).toEqual({
      fields: { tenantId: 'the tenant id is required', graphUrl: 'not a URL: expected something like https://x' },
      form: null,
    });
  });
});
