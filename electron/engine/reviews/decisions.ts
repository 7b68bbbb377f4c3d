// Reviewers' decisions: drafts, submission, reassignment and delegation.
//
// A decision is a draft until the reviewer submits: nothing counts before
// (close treats a draft as no word, or as the word last submitted). A
// submission is one review_submissions row (who, when, channel, how many)
// and, in the same transaction, one audit event per decision when drafted
// and submitted in Latchkey (console, CLI), or one event for the whole
// submission carrying a digest of its decisions when given in bulk outside
// it (a reviewer workbook, a Jira answer: audit/submission-digest.ts; each
// decision's who and channel are on the decision log). A submitted decision
// can be changed until its stage closes: the new word replaces the current
// one (last word wins) and the log keeps both. Rules on the words themselves:
// - a reason code is required to keep an item recommended for revoke, and to
//   revoke critical access (auditors ask why);
// - 'temporary' (or an end date) is "keep, but make it time-bound": a keep
//   with keepUntil in the future; at close the membership gets that end date.
// Items can only be decided by their reviewer while their stage is open; an
// operator may record a decision for a reviewer (decided_by the reviewer,
// recorded_by the operator).
import type { AuditChannel } from '../../../shared/governance.js';
import type { DecideInput, DecideResult, ReasonCode, ReviewChannel, ReviewDecision, SubmissionView } from '../../../shared/contract-reviews.js';
import { appendAudit, appendAuditEvents } from '../audit/audit-log.js';
import { digestOfLines, SUBMISSION_DIGEST_ACTION, SUBMISSION_DIGEST_FORM, SUBMISSION_TARGET, type DigestLine } from '../audit/submission-digest.js';
import { UserError, type EngineContext } from '../context.js';
import { addressesOf, identitiesByAddress, normEmail, personAccounts } from '../directory/people-lookup.js';
import { campaignRecord, type CampaignRecord } from './campaign-store.js';
import { decisionsOfItems, draftOnItems, draftsOf, insertSubmission, markSubmitted, submissionRecord, submitEach, type DecisionRecord, type Word } from './decision-store.js';
import { itemIdsMatching, itemRulesOf, itemsForDecision, itemsOfCampaign, reassignItemRows, type ItemForDecision, type ItemRules } from './item-store.js';

/** The review channel a call came through (a policy acting is the system). */
export function reviewChannel(c: AuditChannel | undefined): ReviewChannel {
  return c === 'console' || c === 'cli' || c === 'jira' || c === 'workbook' ? c : 'system';
}

/** A campaign open for decisions: it exists and is active. */
export function openCampaign(ctx: EngineContext, campaignId: number): CampaignRecord {
  const c = campaignRecord(ctx.db, campaignId);
  if (!c) throw new UserError(`campaign #${campaignId} does not exist`, 'not-found');
  if (c.status !== 'active') {
    const why = c.status === 'draft' ? 'it has not been launched' : c.status === 'cancelled' ? 'it was cancelled' : `it is closed (${c.status})`;
    throw new UserError(`campaign #${campaignId} "${c.name}" takes no decisions: ${why}`, 'conflict');
  }
  return c;
}

/** An ISO instant from a date or date-time (a bare date: its start, UTC). */
const instant = (s: string): string => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s).toISOString();

/** The word's own rules, independent of the item; throws for what no item could accept. */
function checkWord(decision: ReviewDecision, reasonCode: ReasonCode | null, keepUntil: string | null, now: Date): void {
  if (decision === 'revoke' && keepUntil !== null) throw new UserError('an end date (keepUntil) goes with keep ("keep, but make it time-bound"), not with revoke', 'bad-input');
  if (decision === 'revoke' && reasonCode === 'temporary') throw new UserError("reason 'temporary' means keep it for a while: use it with keep and an end date (keepUntil)", 'bad-input');
  if (reasonCode === 'temporary' && keepUntil === null) throw new UserError("reason 'temporary' needs an end date (keepUntil): until when is the access kept?", 'bad-input');
  if (keepUntil !== null && keepUntil <= now.toISOString()) throw new UserError(`the end date ${keepUntil} is not in the future`, 'bad-input');
}

/** Why this reviewer may not give this word on this item now, or null. */
function refusal(item: Omit<ItemRules, 'row_hash'>, c: CampaignRecord, reviewer: string, decision: ReviewDecision, reasonCode: ReasonCode | null): string | null {
  if (item.reviewer !== reviewer) return `it is reviewed by ${item.reviewer}, not ${reviewer}`;
  if (item.stage !== c.stage) return `its stage ${item.stage} is closed`;
  if (decision === 'keep' && item.recommendation === 'revoke' && reasonCode === null) return 'it is recommended for revoke: a reason is required to keep it';
  if (decision === 'revoke' && item.risk === 'critical' && reasonCode === null) return 'it is critical access: a reason is required to revoke it';
  return null;
}

/** The console's campaign page and grid refresh on this. */
const changed = (ctx: EngineContext, campaignId: number): void => ctx.events.emit('governance:changed', { area: 'reviews', ids: [campaignId] });

const capIds = (ids: readonly number[]): Record<string, unknown> => (ids.length <= 1000 ? { itemIds: ids } : { firstItemIds: ids.slice(0, 1000) });

/** The item ids a decide call names: its ids, or every item of its filter (the reviewer's own when the filter says 'me'). */
function namedItems(ctx: EngineContext, input: DecideInput, reviewer: string, stage: number): number[] {
  if (input.itemIds.length > 0) return [...new Set(input.itemIds)];
  const f = input.filter;
  if (!f) throw new UserError('name the items to decide, or a filter of them', 'bad-input');
  const ids = itemIdsMatching(ctx.db, input.campaignId, {
    reviewer: f.reviewer === 'me' || f.reviewer === undefined ? reviewer : f.reviewer,
    stage: f.stage ?? stage,
    recommendation: f.recommendation,
    reason: f.reason,
    app: f.app,
    search: f.search,
  });
  if (!f.decision) return ids;
  const words = decisionsOfItems(ctx.db, stage, ids);
  return ids.filter((id) => {
    const d = words.get(id);
    if (f.decision === 'undecided') return !d;
    if (f.decision === 'draft' || f.decision === 'submitted') return d?.state === f.decision;
    return d?.decision === f.decision;
  });
}

/** Drafts decisions as `reviewer` (the person deciding); `recordedBy` when an operator records them for the reviewer. */
export function decideItems(ctx: EngineContext, input: DecideInput, who: { reviewer: string; recordedBy?: string | null }): DecideResult {
  const now = ctx.clock.now();
  const at = now.toISOString();
  const reviewer = normEmail(who.reviewer) ?? who.reviewer;
  const reasonCode = input.reasonCode ?? null;
  const keepUntil = input.keepUntil ? instant(input.keepUntil) : null;
  checkWord(input.decision, reasonCode, keepUntil, now);
  const result = ctx.db
    .transaction((): DecideResult => {
      const c = openCampaign(ctx, input.campaignId);
      const ids = namedItems(ctx, input, reviewer, c.stage);
      const items = itemsForDecision(ctx.db, c.id, ids);
      const found = new Set(items.map((i) => i.id));
      const refused: DecideResult['refused'] = ids.filter((id) => !found.has(id)).map((itemId) => ({ itemId, why: `item #${itemId} is not in campaign #${c.id}` }));
      const ok: number[] = [];
      for (const item of items) {
        const why = refusal(item, c, reviewer, input.decision, reasonCode);
        if (why) refused.push({ itemId: item.id, why: `item #${item.id}: ${why}` });
        else ok.push(item.id);
      }
      const recordedBy = who.recordedBy && who.recordedBy !== reviewer ? who.recordedBy : null;
      const word: Word = { decision: input.decision, reasonCode, comment: input.comment === '' ? null : input.comment, keepUntil, decidedBy: reviewer, channel: reviewChannel(ctx.channel), recordedBy };
      const decided = draftOnItems(ctx.db, c.id, c.stage, ok, word, at);
      if (decided > 0) {
        appendAudit(
          ctx.db,
          {
            actor: recordedBy ?? reviewer,
            channel: ctx.channel,
            action: 'review.decisions_drafted',
            targetType: 'review_campaign',
            targetId: c.id,
            details: { stage: c.stage, reviewer, recordedBy, decision: input.decision, reasonCode, comment: word.comment, keepUntil, items: decided, ...capIds(ok), refused: refused.length },
          },
          now,
        );
      }
      return { decided, refused: refused.sort((a, b) => a.itemId - b.itemId) };
    })
    .immediate();
  if (result.decided > 0) changed(ctx, input.campaignId);
  return result;
}

const toSubmissionView = (s: NonNullable<ReturnType<typeof submissionRecord>>): SubmissionView => ({
  id: s.id,
  campaignId: s.campaign_id,
  stage: s.stage,
  reviewer: s.reviewer,
  submittedBy: s.submitted_by,
  channel: s.channel,
  items: s.items,
  evidence: s.evidence,
  at: s.at,
});

/** What a submission needs of each draft it submits. */
type SubmittedWord = Pick<DecisionRecord, 'item_id' | 'decision' | 'reason_code' | 'comment' | 'keep_until' | 'decided_by' | 'recorded_by'>;

/**
 * Submits drafts (inside the caller's transaction): the submission row, the
 * drafts submitted, one audit event per decision naming who decided, who
 * recorded it and the channel.
 */
function submit(
  ctx: EngineContext,
  c: CampaignRecord,
  drafts: readonly SubmittedWord[],
  s: SubmissionBy,
  now: Date,
): number {
  const at = now.toISOString();
  const submissionId = insertSubmission(ctx.db, { campaignId: c.id, stage: c.stage, reviewer: s.reviewer, submittedBy: s.submittedBy, channel: s.channel, items: drafts.length, evidence: s.evidence, at });
  markSubmitted(
    ctx.db,
    c.stage,
    drafts.map((d) => d.item_id),
    submissionId,
    s.channel,
    at,
  );
  auditSubmitted(ctx, c, drafts, s, submissionId, now);
  return submissionId;
}

/** Who submits, through which channel, with what evidence. */
type SubmissionBy = { reviewer: string; submittedBy: string; channel: ReviewChannel; evidence: string | null; actor: string };

/** One audit event per submitted decision, appended in one pass (the chain's head read once); the details' keys in sorted order, as the audit log stores them. */
function auditSubmitted(ctx: EngineContext, c: CampaignRecord, drafts: readonly SubmittedWord[], s: SubmissionBy, submissionId: number, now: Date): void {
  appendAuditEvents(
    ctx.db,
    drafts.map((d) => ({
      actor: s.actor,
      channel: s.channel,
      action: 'review.decision_submitted',
      targetType: 'review_item',
      targetId: d.item_id,
      details: {
        campaignId: c.id,
        channel: s.channel,
        comment: d.comment,
        decidedBy: d.decided_by,
        decision: d.decision,
        ...(s.evidence ? { evidence: s.evidence } : {}),
        keepUntil: d.keep_until,
        reasonCode: d.reason_code,
        recordedBy: d.recorded_by,
        stage: c.stage,
        submissionId,
      },
    })),
    now,
  );
}

/**
 * A bulk submission (a workbook, a Jira answer) is one audit event carrying
 * the SHA-256 of its decisions as stored on the log (the form:
 * audit/submission-digest.ts), which `audit verify` recomputes from the log.
 * Each decision's who, channel and when are on the log; the event names the
 * reviewer, who submitted, the channel and the evidence (the file's SHA-256,
 * the Jira issue).
 */
function auditBulkSubmission(ctx: EngineContext, c: CampaignRecord, s: SubmissionBy, submissionId: number, { digest, decisions }: { digest: string; decisions: number }, now: Date): void {
  appendAudit(
    ctx.db,
    {
      actor: s.actor,
      channel: s.channel,
      action: SUBMISSION_DIGEST_ACTION,
      targetType: SUBMISSION_TARGET,
      targetId: submissionId,
      // Keys in sorted order, as the audit log stores them.
      details: { campaignId: c.id, channel: s.channel, digest, digestForm: SUBMISSION_DIGEST_FORM, evidence: s.evidence, items: decisions, reviewer: s.reviewer, stage: c.stage, submissionId, submittedBy: s.submittedBy },
    },
    now,
  );
}

export function submitDecisions(ctx: EngineContext, campaignId: number, who: { reviewer: string; recordedBy?: string | null }): SubmissionView {
  const now = ctx.clock.now();
  const reviewer = normEmail(who.reviewer) ?? who.reviewer;
  const recordedBy = who.recordedBy && who.recordedBy !== reviewer ? who.recordedBy : null;
  const id = ctx.db
    .transaction(() => {
      const c = openCampaign(ctx, campaignId);
      const drafts = draftsOf(ctx.db, c.id, c.stage, reviewer);
      if (drafts.length === 0) throw new UserError(`${reviewer} has no draft decisions to submit in campaign #${c.id}`, 'conflict');
      return submit(ctx, c, drafts, { reviewer, submittedBy: recordedBy ?? reviewer, channel: reviewChannel(ctx.channel), evidence: null, actor: recordedBy ?? reviewer }, now);
    })
    .immediate();
  const s = submissionRecord(ctx.db, id);
  if (!s) throw new UserError(`submission #${id} vanished`, 'failed');
  changed(ctx, s.campaign_id);
  return toSubmissionView(s);
}

export function reassignItems(
  ctx: EngineContext,
  input: { campaignId: number; itemIds: number[]; fromReviewer?: string | undefined; to: string; reason: string },
  by: string = ctx.actor,
): { moved: number; refused: { itemId: number; why: string }[] } {
  const now = ctx.clock.now();
  const to = normEmail(input.to);
  const reason = input.reason.trim();
  if (!to) throw new UserError('say whom to reassign the items to (an e-mail address)', 'bad-input');
  if (reason === '') throw new UserError('a reason is required to reassign review items', 'bad-input');
  const byNorm = normEmail(by) ?? by;
  const result = ctx.db
    .transaction(() => {
      const c = openCampaign(ctx, input.campaignId);
      let items: ItemForDecision[];
      let missing: number[] = [];
      const from = normEmail(input.fromReviewer);
      if (input.itemIds.length > 0) {
        const ids = [...new Set(input.itemIds)];
        items = itemsForDecision(ctx.db, c.id, ids);
        const found = new Set(items.map((i) => i.id));
        missing = ids.filter((i) => !found.has(i));
      } else if (from) {
        // All of one reviewer's undecided items in the open stage.
        const theirs = itemsOfCampaign(ctx.db, c.id, c.stage).filter((i) => i.reviewer === from);
        const words = decisionsOfItems(
          ctx.db,
          c.stage,
          theirs.map((i) => i.id),
        );
        items = theirs.filter((i) => !words.has(i.id));
        if (theirs.length === 0) throw new UserError(`${from} has no items in stage ${c.stage} of campaign #${c.id}`, 'not-found');
      } else {
        throw new UserError('name the items to reassign, or the reviewer whose undecided items move (--from)', 'bad-input');
      }
      // The person under review never reviews their own access, whichever of their addresses `to` is.
      const toAddresses = addressesOf(ctx.db, to);
      const toAccounts = new Set(identitiesByAddress(ctx.db, to).flatMap((b) => personAccounts(ctx.db, b.connectionId, b.identityId).map((a) => `${a.connectionId}:${a.identityId}`)));
      const words = decisionsOfItems(
        ctx.db,
        c.stage,
        items.map((i) => i.id),
      );
      const refused = missing.map((itemId) => ({ itemId, why: `item #${itemId} is not in campaign #${c.id}` }));
      const ok: ItemForDecision[] = [];
      for (const i of items) {
        const self = toAccounts.has(`${i.connection_id}:${i.identity_id}`) || (i.person_email !== null && toAddresses.has(i.person_email.toLowerCase()));
        const why = self
          ? `${to} is the person under review (${i.person_name}): nobody reviews their own access`
          : from && input.itemIds.length > 0 && i.reviewer !== from
            ? `it is reviewed by ${i.reviewer}, not ${from}`
            : i.stage !== c.stage
              ? `its stage ${i.stage} is closed`
              : i.reviewer === to
                ? `it is already reviewed by ${to}`
                : words.has(i.id)
                  ? `it already has a decision (${words.get(i.id)?.decision} by ${words.get(i.id)?.decided_by}): only undecided items move`
                  : null;
        if (why) refused.push({ itemId: i.id, why: `item #${i.id}: ${why}` });
        else ok.push(i);
      }
      const ids = ok.map((i) => i.id);
      const note = `reassigned to ${to} by ${byNorm} at ${now.toISOString()}: ${reason}`;
      const moved = reassignItemRows(ctx.db, ids, to, byNorm, note);
      if (moved > 0) {
        const fromReviewers = [...new Set(ok.map((i) => i.reviewer))];
        appendAudit(
          ctx.db,
          {
            actor: byNorm,
            channel: ctx.channel,
            action: fromReviewers.length === 1 && fromReviewers[0] === byNorm ? 'review.items_delegated' : 'review.items_reassigned',
            targetType: 'review_campaign',
            targetId: c.id,
            details: { stage: c.stage, from: fromReviewers, to, reason, items: moved, ...capIds(ids) },
          },
          now,
        );
      }
      return { moved, refused: refused.sort((a, b) => a.itemId - b.itemId) };
    })
    .immediate();
  if (result.moved > 0) changed(ctx, input.campaignId);
  return result;
}

/** One decision given outside the console (a Jira approval, a reviewer workbook row). */
export type RecordedDecision = { itemId: number; decision: ReviewDecision; reasonCode: ReasonCode | null; comment: string; keepUntil?: string | null };

/**
 * Records and submits a reviewer's decisions given through Jira or a workbook
 * in one transaction: every item must be the reviewer's and open, else
 * nothing is recorded (the error names the item). `by` is who gave them (the
 * reviewer, or Jira's account id for channel jira), `evidence` the workbook's
 * SHA-256 or the Jira issue and account. One audit event for the
 * submission, with the digest of its decisions (auditBulkSubmission).
 */
export function recordReviewerDecisions(
  ctx: EngineContext,
  input: { campaignId: number; reviewer: string; decisions: RecordedDecision[]; channel: 'jira' | 'workbook'; by: string; evidence: string },
): SubmissionView {
  const now = ctx.clock.now();
  const at = now.toISOString();
  const reviewer = normEmail(input.reviewer) ?? input.reviewer;
  if (input.decisions.length === 0) throw new UserError(`no decisions to record for ${reviewer}`, 'bad-input');
  const id = ctx.db
    .transaction(() => {
      const c = openCampaign(ctx, input.campaignId);
      const seen = new Set<number>();
      const ids = input.decisions.map((d) => d.itemId);
      const items = new Map(itemRulesOf(ctx.db, c.id, ids).map((i) => [i.id, i]));
      const errors: string[] = [];
      const words: (Word & { itemId: number })[] = [];
      for (const d of input.decisions) {
        const item = items.get(d.itemId);
        const keepUntil = d.keepUntil ? instant(d.keepUntil) : null;
        let why: string | null = null;
        if (seen.has(d.itemId)) why = 'it is decided twice in this batch';
        else if (!item) why = `it is not in campaign #${c.id}`;
        else {
          try {
            checkWord(d.decision, d.reasonCode, keepUntil, now);
            why = refusal(item, c, reviewer, d.decision, d.reasonCode);
          } catch (e) {
            why = e instanceof Error ? e.message : String(e);
          }
        }
        seen.add(d.itemId);
        if (why) errors.push(`item #${d.itemId}: ${why}`);
        else words.push({ itemId: d.itemId, decision: d.decision, reasonCode: d.reasonCode, comment: d.comment.trim() === '' ? null : d.comment.trim(), keepUntil, decidedBy: reviewer, channel: input.channel, recordedBy: input.by === reviewer ? null : input.by });
      }
      if (errors.length > 0) {
        const shown = errors.slice(0, 20).join('; ');
        throw new UserError(`nothing was recorded: ${errors.length} decision${errors.length === 1 ? '' : 's'} refused — ${shown}${errors.length > 20 ? `; and ${errors.length - 20} more` : ''}`, 'bad-input');
      }
      // Recorded and submitted in one step: the words are written submitted and go on the log once, as submitted.
      const submissionId = insertSubmission(ctx.db, { campaignId: c.id, stage: c.stage, reviewer, submittedBy: input.by, channel: input.channel, items: words.length, evidence: input.evidence, at });
      submitEach(ctx.db, c.id, c.stage, words, submissionId, at);
      // The digest's lines: each word as submitEach stored it on the log (state submitted, not by default, under the submission, at its instant) with its item's row hash, in item order.
      const lines = words
        .map((w): DigestLine => [w.itemId, c.id, c.stage, w.decision, w.reasonCode, w.comment, w.keepUntil, 'submitted', w.decidedBy, w.channel, w.recordedBy, 0, submissionId, at, items.get(w.itemId)?.row_hash ?? null])
        .sort((a, b) => a[0] - b[0]);
      auditBulkSubmission(ctx, c, { reviewer, submittedBy: input.by, channel: input.channel, evidence: input.evidence, actor: input.by }, submissionId, digestOfLines({ submissionId, campaignId: c.id }, lines), now);
      return submissionId;
    })
    .immediate();
  const s = submissionRecord(ctx.db, id);
  if (!s) throw new UserError(`submission #${id} vanished`, 'failed');
  changed(ctx, s.campaign_id);
  return toSubmissionView(s);
}
