// Reviewers' decisions: drafts, submission, reassignment and delegation.
import type { DecideInput, DecideResult, ReasonCode, ReviewDecision, SubmissionView } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

/** Drafts decisions as `reviewer` (the person deciding); `recordedBy` when an operator records them for the reviewer. */
export function decideItems(_ctx: EngineContext, _input: DecideInput, _who: { reviewer: string; recordedBy?: string | null }): DecideResult {
  return notBuilt('deciding review items');
}
export function submitDecisions(_ctx: EngineContext, _campaignId: number, _who: { reviewer: string; recordedBy?: string | null }): SubmissionView {
  return notBuilt('submitting decisions');
}
export function reassignItems(
  _ctx: EngineContext,
  _input: { campaignId: number; itemIds: number[]; fromReviewer?: string | undefined; to: string; reason: string },
): { moved: number; refused: { itemId: number; why: string }[] } {
  return notBuilt('reassigning review items');
}

/** One decision given outside the console (a Jira approval, a reviewer workbook row). */
export type RecordedDecision = { itemId: number; decision: ReviewDecision; reasonCode: ReasonCode | null; comment: string; keepUntil?: string | null };

/**
 * Records and submits a reviewer's decisions given through Jira or a workbook
 * in one transaction: every item must be the reviewer's and open, else
 * nothing is recorded (the error names the item). `by` is who gave them (the
 * reviewer, or Jira's account id for channel jira), `evidence` the workbook's
 * SHA-256 or the Jira issue and account.
 */
export function recordReviewerDecisions(
  _ctx: EngineContext,
  _input: { campaignId: number; reviewer: string; decisions: RecordedDecision[]; channel: 'jira' | 'workbook'; by: string; evidence: string },
): SubmissionView {
  return notBuilt('recording decisions given through Jira or a workbook');
}
