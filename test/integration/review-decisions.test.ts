// Reviewers' decisions on a real SQLite workspace synced from the sandbox
// tenant (Okta and Entra, so people have addresses in two IdPs): drafts
// against submissions, the reason rules at their exact boundaries, the last
// word winning across two channels with the history kept, an operator
// recording for a reviewer, reassignment never to the person under review,
// and a bulk decision over 10,000 items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { addressesOfPerson } from '../../electron/engine/directory/people-lookup.js';
import { decideItems, reassignItems, recordReviewerDecisions, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { decisionLogOfItem, decisionsOfItems } from '../../electron/engine/reviews/decision-store.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { insertCampaign, insertItem, insertManyItems, itemForMembership } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { userError } from '../helpers/user-error.js';
import { offsetClock, type AdjustableClock } from '../../electron/engine/jobs/clock.js';
import { jobsWorkspace, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-review-decisions-');
let sandbox: Sandbox;
let w: JobsWorkspace;
const GRACE = 'grace@example.com';
const ADA = 'ada@example.com';

const decide = (input: Record<string, unknown>, reviewer = GRACE, recordedBy?: string) => decideItems(w.ctx, decideInput.parse(input), { reviewer, recordedBy: recordedBy ?? null });
const expectUserError = (fn: () => unknown, re: RegExp): void => {
  expect(userError(fn).message).toMatch(re);
};
let clock: AdjustableClock;
const word = (itemId: number, stage = 1) => decisionsOfItems(w.db, stage, [itemId]).get(itemId);

beforeAll(async () => {
  sandbox = await startSandbox({ users: 120, seed: 5 });
  w = await jobsWorkspace(dir, sandbox);
  w.ctx.channel = 'console';
  // A fixed instant from here on (the sync ran on real time): boundaries are tested at the exact millisecond.
  clock = offsetClock({ now: () => new Date('2026-03-01T10:00:00.000Z') });
  w.ctx.clock = clock;
}, 60_000);
afterAll(async () => {
  await sandbox.close();
});

describe('drafts and submission', () => {
  it('keeps decisions as drafts until the reviewer submits; a submission is one row and one audit event per decision', () => {
    const c = insertCampaign(w.db);
    const ids = [1, 2, 3].map(() => insertItem(w.db, c, { reviewer: GRACE }));
    const other = insertItem(w.db, c, { reviewer: ADA });
    const r = decide({ campaignId: c, itemIds: ids, decision: 'keep', reasonCode: 'still-needed', comment: 'works on it' });
    expect(r).toEqual({ decided: 3, refused: [] });
    expect(word(ids[0] as number)).toMatchObject({ state: 'draft', decision: 'keep', reason_code: 'still-needed', comment: 'works on it', decided_by: GRACE, channel: 'console', recorded_by: null });
    const seqBefore = w.db.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number;

    w.ctx.channel = 'cli';
    const s = submitDecisions(w.ctx, c, { reviewer: GRACE });
    w.ctx.channel = 'console';
    expect(s).toMatchObject({ campaignId: c, stage: 1, reviewer: GRACE, submittedBy: GRACE, channel: 'cli', items: 3, evidence: null, at: clock.now().toISOString() });
    for (const id of ids) expect(word(id)).toMatchObject({ state: 'submitted', submission_id: s.id, channel: 'cli' });
    const events = w.db
      .prepare("SELECT actor, channel, target_id, details FROM audit_events WHERE seq > ? AND action = 'review.decision_submitted' ORDER BY seq")
      .all(seqBefore) as { actor: string; channel: string; target_id: string; details: string }[];
    expect(events.map((e) => Number(e.target_id))).toEqual(ids);
    for (const e of events) {
      expect(e).toMatchObject({ actor: GRACE, channel: 'cli' });
      expect(JSON.parse(e.details)).toMatchObject({ campaignId: c, submissionId: s.id, decision: 'keep', reasonCode: 'still-needed', decidedBy: GRACE, channel: 'cli' });
    }
    // Ada's item is not Grace's to submit, and Grace has nothing left to submit.
    expect(word(other)).toBeUndefined();
    expectUserError(() => submitDecisions(w.ctx, c, { reviewer: GRACE }), /no draft decisions to submit/);
    expect(verifyAuditChain(w.db).valid).toBe(true);
  });

  it('refuses items of another reviewer, of another campaign, and campaigns that are not active', () => {
    const c = insertCampaign(w.db);
    const mine = insertItem(w.db, c, { reviewer: GRACE });
    const theirs = insertItem(w.db, c, { reviewer: ADA });
    const elsewhere = insertItem(w.db, insertCampaign(w.db), { reviewer: GRACE });
    const r = decide({ campaignId: c, itemIds: [mine, theirs, elsewhere], decision: 'revoke', reasonCode: 'left-team' });
    expect(r.decided).toBe(1);
    expect(r.refused).toEqual([
      { itemId: theirs, why: `item #${theirs}: it is reviewed by ${ADA}, not ${GRACE}` },
      { itemId: elsewhere, why: `item #${elsewhere} is not in campaign #${c}` },
    ]);
    for (const status of ['draft', 'remediating', 'complete', 'cancelled'] as const) {
      const x = insertCampaign(w.db, { status });
      const i = insertItem(w.db, x, { reviewer: GRACE });
      expectUserError(() => decide({ campaignId: x, itemIds: [i], decision: 'keep', reasonCode: 'still-needed' }), /takes no decisions/);
    }
    // An item whose stage is over (it stayed at stage 1 while the campaign went on to stage 2).
    const two = insertCampaign(w.db, { stage: 2 });
    const old = insertItem(w.db, two, { reviewer: GRACE, stage: 1 });
    expect(decide({ campaignId: two, itemIds: [old], decision: 'keep', reasonCode: 'still-needed' }).refused[0]?.why).toMatch(/its stage 1 is closed/);
  });
});

describe('reason rules', () => {
  it('requires a reason to keep an item recommended for revoke, and to revoke critical access', () => {
    const c = insertCampaign(w.db);
    const rec = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'revoke' });
    const crit = insertItem(w.db, c, { reviewer: GRACE, risk: 'critical' });
    const high = insertItem(w.db, c, { reviewer: GRACE, risk: 'high', recommendation: 'look' });
    expect(decide({ campaignId: c, itemIds: [rec, high], decision: 'keep' })).toEqual({
      decided: 1,
      refused: [{ itemId: rec, why: `item #${rec}: it is recommended for revoke: a reason is required to keep it` }],
    });
    expect(decide({ campaignId: c, itemIds: [crit, high, rec], decision: 'revoke' })).toEqual({
      decided: 2,
      refused: [{ itemId: crit, why: `item #${crit}: it is critical access: a reason is required to revoke it` }],
    });
    expect(decide({ campaignId: c, itemIds: [rec], decision: 'keep', reasonCode: 'covered-elsewhere' }).decided).toBe(1);
    expect(decide({ campaignId: c, itemIds: [crit], decision: 'revoke', reasonCode: 'unrecognised' }).decided).toBe(1);
    // Keeping critical access and revoking what is recommended for revoke need no reason.
    expect(decide({ campaignId: c, itemIds: [crit], decision: 'keep' }).decided).toBe(1);
  });

  it("'temporary' is keep with an end date strictly in the future", () => {
    const c = insertCampaign(w.db);
    const i = insertItem(w.db, c, { reviewer: GRACE });
    const now = clock.now();
    expectUserError(() => decide({ campaignId: c, itemIds: [i], decision: 'keep', reasonCode: 'temporary' }), /needs an end date/);
    expectUserError(() => decide({ campaignId: c, itemIds: [i], decision: 'revoke', reasonCode: 'temporary', keepUntil: '2031-01-01' }), /not with revoke/);
    expectUserError(() => decide({ campaignId: c, itemIds: [i], decision: 'revoke', keepUntil: '2031-01-01' }), /not with revoke/);
    expectUserError(() => decide({ campaignId: c, itemIds: [i], decision: 'keep', reasonCode: 'temporary', keepUntil: now.toISOString() }), /is not in the future/);
    const later = new Date(now.getTime() + 1).toISOString();
    expect(decide({ campaignId: c, itemIds: [i], decision: 'keep', reasonCode: 'temporary', keepUntil: later }).decided).toBe(1);
    expect(word(i)).toMatchObject({ keep_until: later, reason_code: 'temporary' });
    // A bare date is its start, UTC; an end date without 'temporary' is also time-bound.
    expect(decide({ campaignId: c, itemIds: [i], decision: 'keep', keepUntil: '2031-03-04' }).decided).toBe(1);
    expect(word(i)).toMatchObject({ keep_until: '2031-03-04T00:00:00.000Z', reason_code: null });
  });
});

describe('the last word wins, every word is kept', () => {
  it('a submitted console decision changed through a workbook: current is the workbook word, the log has both', () => {
    const c = insertCampaign(w.db);
    const i = insertItem(w.db, c, { reviewer: GRACE });
    decide({ campaignId: c, itemIds: [i], decision: 'keep', reasonCode: 'still-needed' });
    submitDecisions(w.ctx, c, { reviewer: GRACE });
    clock.advance(60_000);
    const s = recordReviewerDecisions(w.ctx, { campaignId: c, reviewer: GRACE, decisions: [{ itemId: i, decision: 'revoke', reasonCode: 'left-team', comment: 'moved to sales' }], channel: 'workbook', by: GRACE, evidence: 'sha256:abc' });
    expect(s).toMatchObject({ channel: 'workbook', items: 1, evidence: 'sha256:abc', submittedBy: GRACE });
    expect(word(i)).toMatchObject({ decision: 'revoke', state: 'submitted', channel: 'workbook', reason_code: 'left-team', comment: 'moved to sales', submission_id: s.id });
    const log = decisionLogOfItem(w.db, i).map((l) => [l.decision, l.state, l.channel]);
    // The workbook's word is on the log once, submitted: it was given and submitted in one act, never a draft.
    expect(log).toEqual([
      ['keep', 'draft', 'console'],
      ['keep', 'submitted', 'console'],
      ['revoke', 'submitted', 'workbook'],
    ]);
    // The console submission: an audit event per decision; the workbook's: one event for the submission, with the digest of its decisions.
    const audit = w.db.prepare("SELECT channel, actor FROM audit_events WHERE action = 'review.decision_submitted' AND target_id = ? ORDER BY seq").all(String(i));
    expect(audit).toEqual([{ channel: 'console', actor: GRACE }]);
    const bulk = w.db.prepare("SELECT channel, actor, details FROM audit_events WHERE action = 'review.decisions_submitted' AND target_type = 'review_submission' AND target_id = ?").get(String(s.id)) as { channel: string; actor: string; details: string };
    expect(bulk).toMatchObject({ channel: 'workbook', actor: GRACE });
    expect(JSON.parse(bulk.details)).toMatchObject({ campaignId: c, reviewer: GRACE, submittedBy: GRACE, items: 1, evidence: 'sha256:abc', submissionId: s.id });
    expect(verifyAuditChain(w.db).valid).toBe(true);
  });

  it('records Jira or workbook decisions all or none, naming each refused item', () => {
    const c = insertCampaign(w.db);
    const a = insertItem(w.db, c, { reviewer: GRACE });
    const b = insertItem(w.db, c, { reviewer: ADA });
    const r = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'revoke' });
    expectUserError(
      () =>
        recordReviewerDecisions(w.ctx, {
          campaignId: c,
          reviewer: GRACE,
          decisions: [
            { itemId: a, decision: 'keep', reasonCode: null, comment: '' },
            { itemId: b, decision: 'keep', reasonCode: null, comment: '' },
            { itemId: r, decision: 'keep', reasonCode: null, comment: '' },
            { itemId: 999999, decision: 'keep', reasonCode: null, comment: '' },
          ],
          channel: 'jira',
          by: 'jira:5b10ac8d82e05b22cc7d4ef5',
          evidence: 'ACC-12',
        }),
      new RegExp(`nothing was recorded: 3 decisions refused — item #${b}: it is reviewed by ${ADA}.*item #${r}: it is recommended for revoke.*item #999999: it is not in campaign`),
    );
    expect(word(a)).toBeUndefined();
    const s = recordReviewerDecisions(w.ctx, { campaignId: c, reviewer: GRACE, decisions: [{ itemId: a, decision: 'keep', reasonCode: null, comment: '' }], channel: 'jira', by: 'jira:5b10ac8d82e05b22cc7d4ef5', evidence: 'ACC-12' });
    expect(word(a)).toMatchObject({ decided_by: GRACE, recorded_by: 'jira:5b10ac8d82e05b22cc7d4ef5', channel: 'jira', state: 'submitted', submission_id: s.id });
  });

  it('an operator recording for a reviewer: decided by the reviewer, recorded by the operator', () => {
    const c = insertCampaign(w.db);
    const i = insertItem(w.db, c, { reviewer: GRACE });
    w.ctx.channel = 'cli';
    decide({ campaignId: c, itemIds: [i], decision: 'revoke', reasonCode: 'left-team' }, GRACE, 'admin@example.com');
    const s = submitDecisions(w.ctx, c, { reviewer: GRACE, recordedBy: 'admin@example.com' });
    w.ctx.channel = 'console';
    expect(word(i)).toMatchObject({ decided_by: GRACE, recorded_by: 'admin@example.com', channel: 'cli' });
    expect(s.submittedBy).toBe('admin@example.com');
    const e = w.db.prepare("SELECT actor, details FROM audit_events WHERE action = 'review.decision_submitted' AND target_id = ?").get(String(i)) as { actor: string; details: string };
    expect(e.actor).toBe('admin@example.com');
    expect(JSON.parse(e.details)).toMatchObject({ decidedBy: GRACE, recordedBy: 'admin@example.com' });
  });
});

describe('reassignment', () => {
  it('never to the person under review, whichever of their addresses is named', () => {
    // Someone known by two addresses: their Okta login is not their e-mail (as when a login is kept after a name change).
    const person = w.db
      .prepare("SELECT i.connection_id, i.id, i.email FROM cur_identities i WHERE i.connection_id = ? AND i.email IS NOT NULL AND EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = i.connection_id AND m.identity_id = i.id) ORDER BY i.id LIMIT 1")
      .get(w.okta.id) as { connection_id: number; id: string; email: string };
    const other = `old.login.${person.id.toLowerCase()}@alt.example`;
    w.db.prepare('UPDATE identities SET login = ? WHERE connection_id = ? AND id = ?').run(other, person.connection_id, person.id);
    expect(addressesOfPerson(w.db, person.connection_id, person.id)).toContain(other);
    const m = w.db.prepare('SELECT group_id FROM cur_memberships WHERE connection_id = ? AND identity_id = ? LIMIT 1').get(w.okta.id, person.id) as { group_id: string };
    const c = insertCampaign(w.db);
    const item = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: m.group_id, identityId: person.id, reviewer: GRACE });
    const fine = insertItem(w.db, c, { reviewer: GRACE });
    const r = reassignItems(w.ctx, { campaignId: c, itemIds: [item, fine], to: other.toUpperCase(), reason: 'Grace is on leave' }, 'admin@example.com');
    expect(r.moved).toBe(1);
    expect(r.refused.map((x) => x.itemId)).toEqual([item]);
    expect(r.refused[0]?.why).toContain(`${other} is the person under review`);
    const row = w.db.prepare('SELECT reviewer, reviewer_source, reviewer_note FROM review_items WHERE id = ?').get(fine) as Record<string, string>;
    expect(row).toMatchObject({ reviewer: other, reviewer_source: 'reassigned' });
    expect(row.reviewer_note).toContain('by admin@example.com');
    expect(row.reviewer_note).toContain('Grace is on leave');
    const e = w.db.prepare("SELECT actor, channel, details FROM audit_events WHERE action = 'review.items_reassigned' ORDER BY seq DESC LIMIT 1").get() as { actor: string; channel: string; details: string };
    expect(e).toMatchObject({ actor: 'admin@example.com', channel: 'console' });
    expect(JSON.parse(e.details)).toMatchObject({ from: [GRACE], to: other, reason: 'Grace is on leave', items: 1, itemIds: [fine] });
  });

  it("moves all of a reviewer's undecided items; delegation by the reviewer is named so", () => {
    const c = insertCampaign(w.db);
    const [d1, u1, u2] = [1, 2, 3].map(() => insertItem(w.db, c, { reviewer: GRACE })) as [number, number, number];
    const ada = insertItem(w.db, c, { reviewer: ADA });
    decide({ campaignId: c, itemIds: [d1], decision: 'keep', reasonCode: 'still-needed' });
    const r = reassignItems(w.ctx, { campaignId: c, itemIds: [], fromReviewer: GRACE, to: 'lin@example.com', reason: 'delegating while away' }, GRACE);
    expect(r).toEqual({ moved: 2, refused: [] });
    const rows = w.db.prepare('SELECT id, reviewer, reviewer_source FROM review_items WHERE campaign_id = ? ORDER BY id').all(c);
    expect(rows).toEqual([
      { id: d1, reviewer: GRACE, reviewer_source: 'manager' },
      { id: u1, reviewer: 'lin@example.com', reviewer_source: 'delegated' },
      { id: u2, reviewer: 'lin@example.com', reviewer_source: 'delegated' },
      { id: ada, reviewer: ADA, reviewer_source: 'manager' },
    ]);
    expect(w.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'review.items_delegated'").pluck().get()).toBeGreaterThan(0);
    // A decided item does not move; a reason is required.
    expect(reassignItems(w.ctx, { campaignId: c, itemIds: [d1], to: 'lin@example.com', reason: 'x' }).refused[0]?.why).toMatch(/already has a decision/);
    expectUserError(() => reassignItems(w.ctx, { campaignId: c, itemIds: [u1], to: ADA, reason: '  ' }), /a reason is required/);
  });
});

describe('bulk', () => {
  it('decides 10,000 items of a filter in one call and submits them', () => {
    const c = insertCampaign(w.db);
    insertManyItems(w.db, c, 10_000, 'bulk@example.com');
    insertManyItems(w.db, c, 5, 'bulk@example.com', 'revoke');
    const r = decide({ campaignId: c, filter: { reviewer: 'me', decision: 'undecided' }, decision: 'keep', reasonCode: 'still-needed' }, 'bulk@example.com');
    expect(r.decided).toBe(10_005);
    const again = decide({ campaignId: c, filter: { reviewer: 'me', recommendation: 'revoke' }, decision: 'revoke' }, 'bulk@example.com');
    expect(again.decided).toBe(5);
    const s = submitDecisions(w.ctx, c, { reviewer: 'bulk@example.com' });
    expect(s.items).toBe(10_005);
    expect(w.db.prepare("SELECT count(*) FROM review_decisions WHERE campaign_id = ? AND state = 'submitted'").pluck().get(c)).toBe(10_005);
    expect(w.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'review.decision_submitted' AND details ->> 'submissionId' = ?").pluck().get(s.id)).toBe(10_005);
  });
});
