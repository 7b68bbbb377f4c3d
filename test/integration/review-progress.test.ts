// A campaign's progress on a real SQLite workspace: decided / submitted per
// reviewer and per app, revokes, the rubber-stamp warning at its boundaries
// (above 95%, from 20 decisions), overdue at the exact due instant, and the
// burndown by day from the decision log.
import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineContext } from '../../electron/engine/context.js';
import { decideItems, recordReviewerDecisions, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { campaignProgress } from '../../electron/engine/reviews/progress.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { insertCampaign, insertItem } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-review-progress-');
let ctx: EngineContext;
let at = Date.parse('2026-01-01T09:00:00.000Z');

beforeEach(() => {
  ctx = workspace(dir).ctx;
  at = Date.parse('2026-01-01T09:00:00.000Z');
  ctx.clock = { now: () => new Date(at) };
  ctx.channel = 'console';
});

function decide(c: number, ids: number[], reviewer: string, decision: 'keep' | 'revoke'): void {
  decideItems(ctx, decideInput.parse({ campaignId: c, itemIds: ids, decision, reasonCode: 'still-needed' }), { reviewer });
}
const items = (c: number, n: number, reviewer: string, appLabel: string | null = null): number[] => Array.from({ length: n }, () => insertItem(ctx.db, c, { reviewer, appLabel }));

describe('campaign progress', () => {
  it('counts per reviewer and per app, and flags an approval rate above 95% only from 20 decisions', () => {
    const c = insertCampaign(ctx.db, { launchedAt: '2026-01-01T08:00:00.000Z', dueAt: '2026-01-10T00:00:00.000Z' });
    const stamp = items(c, 21, 'stamp@example.com', 'Figma');
    const edge = items(c, 20, 'edge@example.com', 'Slack');
    const few = items(c, 19, 'few@example.com', 'Slack');
    decide(c, stamp.slice(0, 20), 'stamp@example.com', 'keep');
    decide(c, stamp.slice(20), 'stamp@example.com', 'revoke');
    submitDecisions(ctx, c, { reviewer: 'stamp@example.com' });
    // Exactly 95% (19 of 20) is not above 95%.
    decide(c, edge.slice(0, 19), 'edge@example.com', 'keep');
    decide(c, edge.slice(19), 'edge@example.com', 'revoke');
    submitDecisions(ctx, c, { reviewer: 'edge@example.com' });
    // 100% of 19: too few to judge. One more only drafted: decided, not submitted.
    decide(c, few.slice(0, 18), 'few@example.com', 'keep');
    submitDecisions(ctx, c, { reviewer: 'few@example.com' });
    decide(c, few.slice(18), 'few@example.com', 'keep');

    const p = campaignProgress(ctx, c);
    expect(p).toMatchObject({ total: 60, decided: 60, submitted: 59, revokes: 2 });
    const r = new Map(p.byReviewer.map((x) => [x.reviewer, x]));
    expect(r.get('stamp@example.com')).toMatchObject({ total: 21, decided: 21, submitted: 21, kept: 20, revoked: 1, rubberStamp: true, overdue: false, jiraIssueKey: null });
    expect(r.get('stamp@example.com')?.approvalRate).toBeCloseTo(20 / 21);
    expect(r.get('edge@example.com')).toMatchObject({ kept: 19, revoked: 1, approvalRate: 0.95, rubberStamp: false });
    expect(r.get('few@example.com')).toMatchObject({ total: 19, decided: 19, submitted: 18, approvalRate: 1, rubberStamp: false });
    expect(p.warnings).toEqual(['stamp@example.com kept 95.2% of 21 decisions (stage 1): an approval rate above 95% may be rubber-stamping']);
    expect(p.byApp).toEqual([
      { label: 'Slack', total: 39, decided: 39, revoked: 1 },
      { label: 'Figma', total: 21, decided: 21, revoked: 1 },
    ]);
  });

  it('names the channels each reviewer\'s words came through (none before a word; both when one answered in two ways)', () => {
    const c = insertCampaign(ctx.db, { launchedAt: '2026-01-01T08:00:00.000Z', dueAt: '2026-01-10T00:00:00.000Z' });
    const both = items(c, 3, 'both@example.com');
    const sheet = items(c, 2, 'sheet@example.com');
    items(c, 2, 'idle@example.com');
    const keep = (itemId: number) => ({ itemId, decision: 'keep' as const, reasonCode: 'still-needed' as const, comment: '' });
    decide(c, both.slice(0, 1), 'both@example.com', 'revoke');
    recordReviewerDecisions(ctx, { campaignId: c, reviewer: 'both@example.com', decisions: both.slice(1).map(keep), channel: 'jira', by: '712020:abc', evidence: 'ACC-1 approval 1 by 712020:abc' });
    recordReviewerDecisions(ctx, { campaignId: c, reviewer: 'sheet@example.com', decisions: sheet.map(keep), channel: 'workbook', by: 'sheet@example.com', evidence: `sha256:${'a'.repeat(64)}` });
    const r = new Map(campaignProgress(ctx, c).byReviewer.map((x) => [x.reviewer, x.channels]));
    expect(Object.fromEntries(r)).toEqual({ 'both@example.com': ['console', 'jira'], 'idle@example.com': [], 'sheet@example.com': ['workbook'] });
  });

  it('overdue from the exact due instant, for reviewers with items not submitted; burndown by day since launch', () => {
    const c = insertCampaign(ctx.db, { launchedAt: '2026-01-01T08:00:00.000Z', dueAt: '2026-01-03T12:00:00.000Z' });
    const done = items(c, 3, 'done@example.com');
    const late = items(c, 2, 'late@example.com');
    decide(c, done.slice(0, 2), 'done@example.com', 'keep');
    submitDecisions(ctx, c, { reviewer: 'done@example.com' });
    at = Date.parse('2026-01-02T10:00:00.000Z');
    decide(c, done.slice(2), 'done@example.com', 'revoke');
    submitDecisions(ctx, c, { reviewer: 'done@example.com' });
    decide(c, late, 'late@example.com', 'keep');

    at = Date.parse('2026-01-03T11:59:59.999Z');
    expect(campaignProgress(ctx, c).byReviewer.some((x) => x.overdue)).toBe(false);
    at = Date.parse('2026-01-03T12:00:00.000Z');
    const p = campaignProgress(ctx, c);
    expect(p.byReviewer.map((x) => [x.reviewer, x.overdue])).toEqual([
      ['done@example.com', false],
      ['late@example.com', true],
    ]);
    expect(p.warnings).toContain('1 reviewer is past the due date 2026-01-03T12:00:00.000Z with items not submitted');
    expect(p.burndown).toEqual([
      { day: '2026-01-01', remaining: 3, decided: 2 },
      { day: '2026-01-02', remaining: 2, decided: 1 },
      { day: '2026-01-03', remaining: 2, decided: 0 },
    ]);
  });
});
