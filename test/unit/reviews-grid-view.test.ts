// The review grid's compact read (electron/engine/reviews/grid-view.ts, reviews:grid) and its
// expansion in the console (renderer/src/lib/review-grid-data.ts): on a real workspace file, one
// reviewer's items come back with every field of ReviewItemRow as stored — person, access, grant
// with its Jira link, recommendation and "changed since launch", the current stage's decision,
// the remediation — nobody else's items, people and access sent once however many items share
// them, and a clear refusal for an unknown campaign.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewItemRow } from '../../shared/contract-reviews.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { gridView } from '../../electron/engine/reviews/grid-view.js';
import { SAME_AS_REASONS } from '../../electron/engine/reviews/item-store.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { createEventBus } from '../../electron/engine/workspace/workspace.js';
import { expandGrid } from '../../renderer/src/lib/review-grid-data.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let ctx: EngineContext;
let okta: number;

beforeEach(() => {
  ws = createTempWorkspace('latchkey-grid-view-');
  ctx = { db: ws.db, dbPath: ws.file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => new Date('2026-12-07T12:00:00Z') }, events: createEventBus(), actor: 'test', transport: 'cli', sandbox: false };
  okta = seedConnection(ws.db, { name: 'Acme Okta' });
  seedConnection(ws.db, { name: 'Acme Jira', kind: 'jira', baseUrl: 'https://acme.atlassian.net/' });
  ws.db
    .prepare("INSERT INTO review_campaigns (id, name, definition, status, created_by, created_channel, created_at, updated_at) VALUES (1, 'Q4 Payroll', '{}', 'active', 'ada', 'console', 't', 't')")
    .run();
});
afterEach(() => ws.cleanup());

const insertItem = (v: Record<string, unknown>): void => {
  const row = {
    campaign_id: 1,
    connection_id: okta,
    identity_id: 'u1',
    group_id: 'g1',
    group_name: 'payroll-admins',
    person_name: 'Ada Lovelace',
    person_email: 'ada@acme.example',
    person_status: 'ACTIVE',
    title: 'Engineer',
    department: 'Finance',
    manager_email: 'grace@acme.example',
    manager_name: 'Grace Hopper',
    employment_type: 'Employee',
    last_login: '2026-09-01T00:00:00.000Z',
    account_created: '2020-01-01T00:00:00.000Z',
    held_via: 'direct',
    via_apps: '["Payroll"]',
    role_id: 4,
    role_label: 'Admin',
    risk: 'critical',
    app_label: 'Payroll',
    grant_id: null,
    request_id: null,
    approvers: '[]',
    jira_key: null,
    granted_at: null,
    expires_at: null,
    row_hash: 'h',
    peer_pct: 12.5,
    recommendation: 'keep',
    reasons: '[]',
    launch_recommendation: 'keep',
    launch_reasons: '[]',
    stage: 1,
    reviewer: 'grace@acme.example',
    reviewer_source: 'manager',
    ...v,
  };
  const cols = Object.keys(row);
  ws.db.prepare(`INSERT INTO review_items (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
};

describe('reviews:grid', () => {
  it("returns the reviewer's items with every field, the current stage's decision and the remediation", () => {
    const outside = { reasons: '[{"code":"outside-process","text":"No grant behind this membership"}]' };
    insertItem({ id: 10, recommendation: 'revoke', ...outside, launch_recommendation: 'revoke', launch_reasons: outside.reasons });
    insertItem({
      id: 11,
      group_id: 'g2',
      group_name: 'payroll-viewers',
      role_id: 5,
      role_label: 'Viewer',
      risk: 'low',
      held_via: 'group-rule',
      via_apps: '[]',
      grant_id: 77,
      request_id: 31,
      approvers: '["grace@acme.example"]',
      jira_key: 'ACC-9',
      granted_at: '2026-11-20T00:00:00.000Z',
      expires_at: '2027-01-01T00:00:00.000Z',
      peer_pct: null,
      recommendation: 'look',
      reasons: '[{"code":"no-sign-in","text":"No sign-in for 30 days"}]',
      launch_recommendation: 'keep',
      launch_reasons: '[{"code":"recently-approved","text":"Approved 17 days ago"}]',
      stage: 2,
      reviewer_source: 'fallback',
    });
    // Someone else's item: never in this reviewer's grid.
    insertItem({ id: 12, identity_id: 'u2', person_name: 'Bob', reviewer: 'linus@acme.example' });
    // A stage-1 word on the stage-2 item is history, not its current decision; the stage-2 word is.
    const decide = ws.db.prepare(
      'INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, decided_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    decide.run(11, 1, 'revoke', null, null, null, 'submitted', 'linus@acme.example', 'jira', 'acct-1', 0, '2026-12-01T00:00:00.000Z');
    decide.run(11, 2, 'keep', 'temporary', 'till the audit', '2027-02-01', 'draft', 'grace@acme.example', 'console', null, 0, '2026-12-06T00:00:00.000Z');
    ws.db
      .prepare(
        "INSERT INTO review_remediations (item_id, campaign_id, kind, status, grant_id, job_id, task_id, verified_run_id, verified_at, note, created_at, updated_at) VALUES (11, 1, 'time-bound', 'verified', 77, 5, NULL, 9, '2026-12-07T00:00:00.000Z', 'ends 2027-02-01', 't', 't')",
      )
      .run();

    const data = gridView(ctx, 1, 'Grace@Acme.Example');
    // One person, sent once, for both items.
    expect(data.people).toHaveLength(1);
    expect(data.items).toHaveLength(2);
    const [first, second] = expandGrid(data);
    const person = { name: 'Ada Lovelace', email: 'ada@acme.example', status: 'ACTIVE', title: 'Engineer', department: 'Finance', managerEmail: 'grace@acme.example', managerName: 'Grace Hopper', employmentType: 'Employee', lastLogin: '2026-09-01T00:00:00.000Z', created: '2020-01-01T00:00:00.000Z' };
    expect(first).toEqual<ReviewItemRow>({
      id: 10,
      campaignId: 1,
      stage: 1,
      connectionId: okta,
      connectionName: 'Acme Okta',
      identityId: 'u1',
      person,
      access: { groupId: 'g1', groupName: 'payroll-admins', heldVia: 'direct', viaApps: ['Payroll'], roleId: 4, roleLabel: 'Admin', risk: 'critical', appLabel: 'Payroll' },
      grant: null,
      recommendation: 'revoke',
      reasons: [{ code: 'outside-process', text: 'No grant behind this membership' }],
      changedSinceLaunch: false,
      launchRecommendation: 'revoke',
      peerPercent: 12.5,
      reviewer: 'grace@acme.example',
      reviewerSource: 'manager',
      decision: null,
      remediation: null,
    });
    expect(second).toEqual<ReviewItemRow>({
      id: 11,
      campaignId: 1,
      stage: 2,
      connectionId: okta,
      connectionName: 'Acme Okta',
      identityId: 'u1',
      person,
      access: { groupId: 'g2', groupName: 'payroll-viewers', heldVia: 'group-rule', viaApps: [], roleId: 5, roleLabel: 'Viewer', risk: 'low', appLabel: 'Payroll' },
      grant: { grantId: 77, requestId: 31, approvers: ['grace@acme.example'], jiraKey: 'ACC-9', jiraUrl: 'https://acme.atlassian.net/browse/ACC-9', grantedAt: '2026-11-20T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z' },
      recommendation: 'look',
      reasons: [{ code: 'no-sign-in', text: 'No sign-in for 30 days' }],
      changedSinceLaunch: true,
      launchRecommendation: 'keep',
      peerPercent: null,
      reviewer: 'grace@acme.example',
      reviewerSource: 'fallback',
      decision: { decision: 'keep', reasonCode: 'temporary', comment: 'till the audit', keepUntil: '2027-02-01', state: 'draft', by: 'grace@acme.example', channel: 'console', recordedBy: null, appliedByDefault: false, at: '2026-12-06T00:00:00.000Z' },
      remediation: { kind: 'time-bound', status: 'verified', grantId: 77, jobId: 5, taskId: null, verifiedRunId: 9, verifiedAt: '2026-12-07T00:00:00.000Z', note: 'ends 2027-02-01' },
    });
    // The person object is shared, not copied per item.
    expect(first?.person).toBe(second?.person);
  });

  it('"changed since launch" follows the reason codes, not their wording or order', () => {
    insertItem({ id: 20, reasons: '[{"code":"a","text":"x"},{"code":"b","text":"y"}]', launch_reasons: '[{"code":"b","text":"other words"},{"code":"a","text":"x"}]' });
    insertItem({ id: 21, group_id: 'g9', reasons: '[{"code":"a","text":"x"}]', launch_reasons: '[]' });
    // As launch stores it: the reasons are still the launch's, kept once.
    insertItem({ id: 22, group_id: 'g10', reasons: '[{"code":"a","text":"x"}]', launch_reasons: SAME_AS_REASONS });
    expect(expandGrid(gridView(ctx, 1, 'grace@acme.example')).map((i) => i.changedSinceLaunch)).toEqual([false, true, false]);
  });

  it('is much smaller than one row object per item when items share people and access', () => {
    for (let i = 0; i < 400; i++) insertItem({ id: 100 + i, identity_id: `u${i % 20}`, group_id: `g${i % 20 === 0 ? 'x' : Math.floor(i / 20)}` });
    const data = gridView(ctx, 1, 'grace@acme.example');
    const compact = JSON.stringify(data).length;
    const full = JSON.stringify(expandGrid(data)).length;
    expect(compact * 3).toBeLessThan(full);
  });

  it('keeps what differs between two items of one group (risk, role) instead of reusing the first', () => {
    insertItem({ id: 40, identity_id: 'a', risk: 'critical', role_label: 'Admin' });
    insertItem({ id: 41, identity_id: 'b', risk: 'low', role_label: 'Viewer' });
    expect(expandGrid(gridView(ctx, 1, 'grace@acme.example')).map((i) => [i.access.risk, i.access.roleLabel])).toEqual([
      ['critical', 'Admin'],
      ['low', 'Viewer'],
    ]);
  });

  it('answers the first screen alone: the first items by name (case-insensitive) then id, with the whole queue counted', () => {
    const names = ['zoe', 'Bea', 'amy', 'Bea', 'carl'];
    names.forEach((name, k) => insertItem({ id: 60 + k, identity_id: `p${k}`, person_name: name }));
    insertItem({ id: 70, identity_id: 'o', person_name: 'Aaron', reviewer: 'linus@acme.example' });
    const firstThree = gridView(ctx, 1, 'grace@acme.example', 3);
    expect(firstThree.total).toBe(5);
    expect(expandGrid(firstThree).map((i) => [i.id, i.person.name])).toEqual([
      [61, 'Bea'],
      [62, 'amy'],
      [63, 'Bea'],
    ]);
    const all = gridView(ctx, 1, 'grace@acme.example');
    expect([all.total, all.items.length]).toEqual([5, 5]);
    expect(gridView(ctx, 1, 'grace@acme.example', 10).items).toHaveLength(5);
  });

  it('has nothing for nobody, and refuses an unknown campaign by its id', () => {
    insertItem({ id: 30 });
    expect(gridView(ctx, 1, null).items).toEqual([]);
    expect(() => gridView(ctx, 99, 'grace@acme.example')).toThrow(/campaign 99 not found/);
  });
});
