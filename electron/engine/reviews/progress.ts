// A campaign's progress: decided / total per reviewer and per app, revokes, overdue reviewers, burndown, rubber-stamp warnings.
//
// Definitions (the campaign page and `review show` use these words):
// - decided: the item has a word (draft or submitted); submitted: the word
//   counts. Revokes and the approval rate count submitted words only.
// - overdue: the reviewer's stage is the open one, its due date has passed,
//   and they have items without a submitted word.
// - approval rate: kept / (kept + revoked) of the reviewer's submitted words.
//   "Rubber-stamping" is flagged above 95% only from RUBBER_STAMP_MIN
//   decisions: a reviewer who kept 3 of 3 says nothing yet.
// - channels: how the reviewer's current words came in (console, cli,
//   workbook, jira, system for defaults), sorted: who answered where.
// - burndown: per day (UTC) since launch, the items first submitted that day
//   and how many were left without a submitted word at its end (defaults
//   applied at close count on the day of the close).
import type { CampaignProgress, ReviewChannel, ReviewerProgress } from '../../../shared/contract-reviews.js';
import { UserError, type EngineContext } from '../context.js';
import { nameOfAddress } from '../directory/people-lookup.js';
import { campaignRecord } from './campaign-store.js';
import { firstSubmittedPerDay, tallyByApp, tallyByReviewer } from './decision-store.js';
import { reviewersOf } from './reviewer-store.js';

/** Decisions a reviewer must have submitted before their approval rate is judged. */
export const RUBBER_STAMP_MIN = 20;
/** Above this share of keeps, a reviewer is flagged. */
export const RUBBER_STAMP_RATE = 0.95;
const MAX_BURNDOWN_DAYS = 400;

const day = (iso: string): string => iso.slice(0, 10);
const nextDay = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function campaignProgress(ctx: EngineContext, campaignId: number): CampaignProgress {
  const { db } = ctx;
  const c = campaignRecord(db, campaignId);
  if (!c) throw new UserError(`campaign #${campaignId} does not exist`, 'not-found');
  const now = ctx.clock.now();
  const stageDue = c.stage_due_at ?? c.due_at;
  const pastDue = c.status === 'active' && stageDue !== null && stageDue <= now.toISOString();
  const jira = new Map<string, string | null>();
  for (const s of [1, 2]) for (const r of reviewersOf(db, c.id, s)) jira.set(`${s}:${r.reviewer}`, r.jira_issue_key);
  const names = new Map<string, string | null>();
  const nameOf = (a: string): string | null => {
    if (!names.has(a)) names.set(a, nameOfAddress(db, a));
    return names.get(a) ?? null;
  };

  const byReviewer: ReviewerProgress[] = tallyByReviewer(db, c.id).map((t) => {
    const judged = t.kept + t.revoked;
    const approvalRate = judged > 0 ? t.kept / judged : null;
    return {
      reviewer: t.reviewer,
      name: nameOf(t.reviewer),
      stage: t.stage,
      total: t.total,
      decided: t.decided,
      submitted: t.submitted,
      kept: t.kept,
      revoked: t.revoked,
      approvalRate,
      rubberStamp: approvalRate !== null && judged >= RUBBER_STAMP_MIN && approvalRate > RUBBER_STAMP_RATE,
      overdue: pastDue && t.stage === c.stage && t.submitted < t.total,
      jiraIssueKey: jira.get(`${t.stage}:${t.reviewer}`) ?? null,
      channels: t.channels === null ? [] : (t.channels.split(',').sort() as ReviewChannel[]),
    };
  });

  const total = byReviewer.reduce((n, r) => n + r.total, 0);
  const warnings: string[] = [];
  for (const r of byReviewer) {
    if (!r.rubberStamp || r.approvalRate === null) continue;
    warnings.push(
      `${r.name ?? r.reviewer} kept ${(r.approvalRate * 100).toFixed(1)}% of ${r.kept + r.revoked} decisions (stage ${r.stage}): an approval rate above ${RUBBER_STAMP_RATE * 100}% may be rubber-stamping`,
    );
  }
  const overdue = byReviewer.filter((r) => r.overdue);
  if (overdue.length > 0) warnings.push(`${overdue.length} reviewer${overdue.length === 1 ? ' is' : 's are'} past the due date ${stageDue ?? ''} with items not submitted`);

  const burndown: CampaignProgress['burndown'] = [];
  if (c.launched_at) {
    const perDay = new Map(firstSubmittedPerDay(db, c.id).map((d) => [d.day, d.n]));
    const last = day(c.closed_at ?? now.toISOString());
    let remaining = total;
    for (let d = day(c.launched_at), i = 0; d <= last && i < MAX_BURNDOWN_DAYS; d = nextDay(d), i++) {
      const decided = perDay.get(d) ?? 0;
      remaining -= decided;
      burndown.push({ day: d, remaining: Math.max(0, remaining), decided });
    }
  }

  return {
    total,
    decided: byReviewer.reduce((n, r) => n + r.decided, 0),
    submitted: byReviewer.reduce((n, r) => n + r.submitted, 0),
    revokes: byReviewer.reduce((n, r) => n + r.revoked, 0),
    byReviewer,
    byApp: tallyByApp(db, c.id),
    burndown,
    warnings,
  };
}
