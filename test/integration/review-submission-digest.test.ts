// A bulk review submission (a reviewer workbook, a Jira answer) is one audit
// event with a digest of its decisions instead of one event per decision:
// on a real workspace file, every decision still names who and through which
// channel on the decision log; `audit verify` recomputes the digest from the
// log and fails, naming the submission, when any field of any of its
// decisions is changed afterwards (or a decision removed or added); the
// evidence workbook's Reviews sheet shows each decision, and its Audit log
// sheet the submission's event (flagged when it no longer verifies).
import { beforeEach, describe, expect, it } from 'vitest';
import { decideInput } from '../../shared/contract-reviews.js';
import { verifyAudit } from '../../electron/engine/audit/verify.js';
import { SUBMISSION_DIGEST_ACTION, submissionDigest } from '../../electron/engine/audit/submission-digest.js';
import { auditLogSheet } from '../../electron/engine/evidence/audit-sheet.js';
import { reviewsSheet } from '../../electron/engine/evidence/sheets-reviews.js';
import type { EvidenceInput } from '../../electron/engine/evidence/sheet-types.js';
import { decideItems, recordReviewerDecisions } from '../../electron/engine/reviews/decisions.js';
import { decisionLogOfItem } from '../../electron/engine/reviews/decision-store.js';
import { insertCampaign, insertItems } from '../helpers/review-items-fixture.js';
import { buildWorld, type RequestsWorld } from '../unit/request-fixture.js';

const ADA = 'ada@acme.example';
const JIRA = 'jira:5b10ac8d82e05b22cc7d4ef5';

let w: RequestsWorld;
let campaign: number;
let items: number[];
let workbook: number;
let jira: number;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(new Date('2026-03-10T09:00:00.000Z'));
  campaign = insertCampaign(w.ctx.db, { name: 'Q1 Figma', dueAt: '2026-03-20T00:00:00.000Z' });
  items = insertItems(w.ctx.db, campaign, w.okta, Array.from({ length: 6 }, (_, k) => ({ reviewer: ADA, recommendation: k === 0 ? ('revoke' as const) : ('keep' as const) })));
  // A bulk console draft first, then the workbook's own words replace it.
  w.ctx.channel = 'console';
  decideItems(w.ctx, decideInput.parse({ campaignId: campaign, itemIds: items.slice(0, 3), decision: 'revoke', reasonCode: 'left-team' }), { reviewer: ADA });
  w.clock.advanceHours(1);
  workbook = recordReviewerDecisions(w.ctx, {
    campaignId: campaign,
    reviewer: ADA,
    decisions: [
      { itemId: items[0] as number, decision: 'keep', reasonCode: 'temporary', comment: 'until the audit ends', keepUntil: '2026-06-30' },
      { itemId: items[1] as number, decision: 'revoke', reasonCode: 'left-team', comment: '' },
      { itemId: items[2] as number, decision: 'keep', reasonCode: null, comment: 'line one\nline "two"' },
    ],
    channel: 'workbook',
    by: ADA,
    evidence: `sha256:${'a'.repeat(64)}`,
  }).id;
  w.clock.advanceHours(1);
  jira = recordReviewerDecisions(w.ctx, {
    campaignId: campaign,
    reviewer: ADA,
    decisions: items.slice(3).map((itemId) => ({ itemId, decision: 'keep' as const, reasonCode: null, comment: '' })),
    channel: 'jira',
    by: JIRA,
    evidence: `ACC-7 approval 1 by ${JIRA}`,
  }).id;
});

const digestFindings = (): { code: string; seq?: number; submissionId?: number; message: string }[] => verifyAudit(w.ctx.db).findings.filter((f) => f.code === 'submission-digest');

describe('a bulk submission is one audit event with a digest of its decisions', () => {
  it('one event per submission naming the reviewer, channel and evidence; every decision on the log once, with who and which channel', () => {
    const db = w.ctx.db;
    expect(db.prepare("SELECT count(*) FROM audit_events WHERE action = 'review.decision_submitted'").pluck().get()).toBe(0);
    const events = db.prepare('SELECT actor, channel, target_type, target_id, at, details FROM audit_events WHERE action = ? ORDER BY seq').all(SUBMISSION_DIGEST_ACTION) as Record<string, string>[];
    expect(events.map((e) => [e.actor, e.channel, e.target_type, Number(e.target_id)])).toEqual([
      [ADA, 'workbook', 'review_submission', workbook],
      [JIRA, 'jira', 'review_submission', jira],
    ]);
    const [wb, jr] = events.map((e) => JSON.parse(e.details as string) as Record<string, unknown>);
    expect(wb).toMatchObject({ campaignId: campaign, stage: 1, reviewer: ADA, submittedBy: ADA, channel: 'workbook', items: 3, digestForm: 1, submissionId: workbook, evidence: `sha256:${'a'.repeat(64)}` });
    expect(jr).toMatchObject({ reviewer: ADA, submittedBy: JIRA, channel: 'jira', items: 3, submissionId: jira });
    expect(wb?.digest).toBe(submissionDigest(db, { submissionId: workbook, campaignId: campaign, at: events[0]?.at as string }).digest);
    expect(wb?.digest).toMatch(/^[0-9a-f]{64}$/);
    // The log: the console draft, then the workbook's word once, submitted (it never was a draft).
    expect(decisionLogOfItem(db, items[0] as number).map((l) => [l.decision, l.state, l.channel, l.decided_by, l.recorded_by, l.submission_id])).toEqual([
      ['revoke', 'draft', 'console', ADA, null, null],
      ['keep', 'submitted', 'workbook', ADA, null, workbook],
    ]);
    expect(decisionLogOfItem(db, items[4] as number).map((l) => [l.decision, l.state, l.channel, l.decided_by, l.recorded_by])).toEqual([['keep', 'submitted', 'jira', ADA, JIRA]]);
    const report = verifyAudit(db);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  // Every field of a decision log row the digest covers, with another value the table accepts, and the item's row hash.
  const edits: [string, string][] = [
    ['item_id', 'UPDATE review_decision_log SET item_id = @other WHERE id = @id'],
    ['campaign_id', 'UPDATE review_decision_log SET campaign_id = campaign_id + 100 WHERE id = @id'],
    ['stage', 'UPDATE review_decision_log SET stage = 2 WHERE id = @id'],
    ['decision', "UPDATE review_decision_log SET decision = CASE decision WHEN 'keep' THEN 'revoke' ELSE 'keep' END WHERE id = @id"],
    ['reason_code', "UPDATE review_decision_log SET reason_code = 'still-needed' WHERE id = @id"],
    ['comment', "UPDATE review_decision_log SET comment = 'changed afterwards' WHERE id = @id"],
    ['keep_until', "UPDATE review_decision_log SET keep_until = '2031-01-01T00:00:00.000Z' WHERE id = @id"],
    ['state', "UPDATE review_decision_log SET state = 'draft' WHERE id = @id"],
    ['decided_by', "UPDATE review_decision_log SET decided_by = 'mallory@acme.example' WHERE id = @id"],
    ['channel', "UPDATE review_decision_log SET channel = 'console' WHERE id = @id"],
    ['recorded_by', "UPDATE review_decision_log SET recorded_by = 'mallory@acme.example' WHERE id = @id"],
    ['applied_by_default', 'UPDATE review_decision_log SET applied_by_default = 1 WHERE id = @id'],
    ['submission_id', 'UPDATE review_decision_log SET submission_id = submission_id + 100 WHERE id = @id'],
    ['at', "UPDATE review_decision_log SET at = '2026-03-10T10:00:00.001Z' WHERE id = @id"],
    ['the item row hash', "UPDATE review_items SET row_hash = 'f' || substr(row_hash, 2) WHERE id = (SELECT item_id FROM review_decision_log WHERE id = @id)"],
    ['a removed decision', 'DELETE FROM review_decision_log WHERE id = @id'],
    ['an added decision', 'INSERT INTO review_decision_log (item_id, campaign_id, stage, decision, state, decided_by, channel, submission_id, at) SELECT @other, campaign_id, stage, decision, state, decided_by, channel, submission_id, at FROM review_decision_log WHERE id = @id'],
  ];
  it.each(edits)('changing %s of a decision afterwards fails audit verify, naming the submission', (_what, sql) => {
    const db = w.ctx.db;
    // A decision of the workbook submission, and an item of the campaign that is not in it.
    const row = db.prepare("SELECT id FROM review_decision_log WHERE submission_id = ? AND item_id = ?").pluck().get(workbook, items[2]) as number;
    const other = items[5] as number;
    db.exec('SAVEPOINT tamper');
    try {
      expect(db.prepare(sql).run({ id: row, other }).changes).toBe(1);
      const found = digestFindings();
      expect(found).toEqual([expect.objectContaining({ code: 'submission-digest', submissionId: workbook, message: expect.stringContaining(`review submission #${workbook} (campaign #${campaign})`) as unknown })]);
      const event = db.prepare('SELECT seq FROM audit_events WHERE action = ? AND target_id = ?').pluck().get(SUBMISSION_DIGEST_ACTION, String(workbook)) as number;
      expect(found[0]?.seq).toBe(event);
      expect(verifyAudit(db).ok).toBe(false);
    } finally {
      db.exec('ROLLBACK TO tamper; RELEASE tamper');
    }
    expect(digestFindings()).toEqual([]);
  });

  it("the evidence workbook: the Reviews sheet shows each decision with who and which channel (not bulk); the Audit log flags a submission that no longer verifies", () => {
    const db = w.ctx.db;
    const input: EvidenceInput = { db, from: '2026-01-01T00:00:00.000Z', to: '2026-12-31T23:59:59.999Z', generatedAt: '2027-01-01T00:00:00.000Z', leaverDeadlineHours: 24 };
    const header = reviewsSheet.columns.map((c) => c.header);
    const rows = [...reviewsSheet.rows(input)].map((r) => Object.fromEntries(header.map((h, k) => [h, r.cells[k]])));
    expect(rows.map((r) => [r.Item, r.Decision, r['Decided by'], r['Recorded by'], r.Channel, r.State, r.Bulk])).toEqual([
      [items[0], 'keep', ADA, null, 'workbook', 'submitted', false],
      [items[1], 'revoke', ADA, null, 'workbook', 'submitted', false],
      [items[2], 'keep', ADA, null, 'workbook', 'submitted', false],
      [items[3], 'keep', ADA, JIRA, 'jira', 'submitted', false],
      [items[4], 'keep', ADA, JIRA, 'jira', 'submitted', false],
      [items[5], 'keep', ADA, JIRA, 'jira', 'submitted', false],
    ]);
    const audit = (): { action: unknown; target: unknown; flags: readonly string[] }[] =>
      [...auditLogSheet.rows(input)].filter((r) => r.cells[4] === SUBMISSION_DIGEST_ACTION).map((r) => ({ action: r.cells[4], target: r.cells[6], flags: r.flags ?? [] }));
    expect(audit()).toEqual([
      { action: SUBMISSION_DIGEST_ACTION, target: String(workbook), flags: [] },
      { action: SUBMISSION_DIGEST_ACTION, target: String(jira), flags: [] },
    ]);
    db.prepare("UPDATE review_decision_log SET decision = 'revoke' WHERE submission_id = ? AND item_id = ?").run(jira, items[4]);
    // A new head is needed for the sheet to verify again (it caches one verification per chain head).
    recordReviewerDecisions(w.ctx, { campaignId: campaign, reviewer: ADA, decisions: [{ itemId: items[5] as number, decision: 'keep', reasonCode: null, comment: '' }], channel: 'workbook', by: ADA, evidence: 'sha256:b' });
    const flagged = audit().filter((r) => r.flags.length > 0);
    expect(flagged).toEqual([{ action: SUBMISSION_DIGEST_ACTION, target: String(jira), flags: [expect.stringContaining(`review submission #${jira}`) as unknown] }]);
  });
});
