// Reviewers' decisions: drafts, submission, reassignment and delegation.
import type { DecideInput, DecideResult, SubmissionView } from '../../../shared/contract-reviews.js';
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
