// Closing a stage or a campaign: defaults applied, revokes become revocations through the jobs, Jira gets the summary.
//
// Close (manual, or at the due date through governance/scheduler.ts):
// 1. Drafts do not count: an item whose current word is a draft gets back
//    the word it last had submitted, or none.
// 2. Undecided items of the stage get the campaign's default outcome
//    (no-change → keep, revoke → revoke, recommendation → revoke when the
//    recommendation is revoke, else keep), each submitted as decided by the
//    campaign default, channel 'system', marked applied_by_default.
// 3. Stage 1 of a two-stage campaign: items whose stage-1 outcome is one of
//    stage2.outcomes go on to stage 2 with their stage-2 reviewer; the others
//    are final. The campaign stays active in stage 2 (its due date:
//    stage2.dueAt, else 14 days from this close).
// 4. Final close: each item's final word (at the stage it ended in) becomes
//    its remediation (remediation.ts): revocations through the jobs,
//    time-bound keeps as grant end dates. The campaign is 'remediating', or
//    'complete' when there is nothing to follow. With a Jira connection, a
//    campaign summary job is queued (its executor is in the Jira area).
// Steps 1–3, and for a final close steps 1–2 with the campaign marked as
// closing (who, through which channel), are one transaction. Step 4 runs in
// chunks (close-queue.ts): resumable after a crash, never twice, the engine
// free between chunks. An interrupted close is resumed by the scheduler's
// next tick or by closing the campaign again.
import type { CampaignDefinition, CampaignView, ReviewDecision } from '../../../shared/contract-reviews.js';
import type { Db } from '../db/database.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { roleInfo } from '../catalog/catalog-store.js';
import { normEmail } from '../directory/people-lookup.js';
import { createNextFromRecurrence, getCampaign } from './campaigns.js';
import { campaignRecord, campaignsBeingClosed, campaignsDueForClose, isBeingClosed, setCampaign, type CampaignRecord } from './campaign-store.js';
import { pendingRemediations, queueRemediations, type CloseOptions, type ClosePass, type PendingRemediation } from './close-queue.js';
import { applyDefaults, decisionsOfStage, settleDraftsAtClose } from './decision-store.js';
import { reviewChannel } from './decisions.js';
import { itemsOfCampaign, moveItemsToStage2, type ItemForDecision } from './item-store.js';
import { NO_REVIEWER, reviewerFacts, settle, spreadIndex, type ReviewerFacts } from './reviewer-assignment.js';
import { groupOwnersOf } from './group-owners.js';

export type { CloseHooks, CloseOptions } from './close-queue.js';

/** Who decided an item no one decided: the campaign's configured default. */
export const DEFAULT_DECIDER = 'latchkey:review-default';
const STAGE2_DAYS = 14;

export type CloseResult = {
  campaignId: number;
  /** The stage that was closed. */
  stage: 1 | 2;
  /** True when the campaign itself closed (not only its first stage). */
  final: boolean;
  draftsRestored: number;
  draftsDropped: number;
  defaults: number;
  movedToStage2: number;
  revocations: number;
  timeBound: number;
  status: CampaignRecord['status'];
  summaryJobId: number | null;
  /** The next campaign of a recurring one (a draft), created at the final close. */
  nextCampaignId: number | null;
  /** True when this call resumed a final close that had been interrupted (its defaults were applied then). */
  resumed?: boolean;
};

/** Campaigns this process is closing now, per connection: a second close of one of them is refused, the scheduler's resume leaves it alone. */
const closing = new WeakMap<Db, Set<number>>();
function claim(db: Db, campaignId: number): (() => void) | null {
  let set = closing.get(db);
  if (!set) {
    set = new Set();
    closing.set(db, set);
  }
  if (set.has(campaignId)) return null;
  set.add(campaignId);
  const held = set;
  return () => held.delete(campaignId);
}

function defaultDecision(outcome: CampaignDefinition['defaultOutcome'], item: ItemForDecision): ReviewDecision {
  if (outcome === 'revoke') return 'revoke';
  if (outcome === 'recommendation') return item.recommendation === 'revoke' ? 'revoke' : 'keep';
  return 'keep';
}

/**
 * The stage-2 reviewer of an item, with launch's rules (reviewer-assignment.ts):
 * the named reviewers (spread by person), the person's manager, the role's
 * or app's owner, or the group's owner in the IdP — and the fallback when
 * that one is missing, inactive or the person under review.
 */
function stage2Candidate(ctx: EngineContext, s2: NonNullable<CampaignDefinition['reviewers']['stage2']>, item: ItemForDecision): { cand: string | null; why: string } {
  let cand: string | null;
  let why: string;
  if (s2.kind === 'named') {
    cand = s2.named.length === 0 ? null : (s2.named[s2.named.length === 1 ? 0 : spreadIndex(normEmail(item.person_email) ?? `${item.connection_id}:${item.identity_id}`, s2.named.length)] ?? null);
    why = 'no named reviewer';
  } else if (s2.kind === 'manager') {
    cand = normEmail(item.manager_email);
    why = `${item.person_name} has no manager on record`;
  } else if (s2.kind === 'owner') {
    const info = item.role_id === null ? null : roleInfo(ctx.db, item.role_id);
    cand = normEmail(info?.roleOwner ?? info?.appOwner ?? null);
    why = info ? `${info.label} has no role or app owner` : 'the group is not mapped to a catalog role (no owner)';
  } else {
    cand =
      groupOwnersOf(ctx.db, item.connection_id, item.group_id)
        .map((o) => normEmail(o))
        .filter((o): o is string => o !== null)
        .sort()[0] ?? null;
    why = 'the group has no owner in the identity provider';
  }
  return { cand, why };
}

function stage2Reviewer(ctx: EngineContext, def: CampaignDefinition, facts: ReviewerFacts, item: ItemForDecision, c: { cand: string | null; why: string }): { reviewer: string; source: string; note: string | null } {
  const s2 = def.reviewers.stage2;
  if (!s2) return { reviewer: def.reviewers.fallback, source: 'fallback', note: null };
  const choice = settle(ctx.db, facts, s2.kind, def.reviewers.fallback, c.cand, c.cand ? null : c.why, item.connection_id, item.identity_id);
  if (choice.reviewer === NO_REVIEWER) return { reviewer: def.reviewers.fallback, source: 'fallback', note: choice.note };
  return { reviewer: choice.reviewer, source: choice.source, note: choice.note === null ? null : `stage 2: ${choice.note}` };
}

/** The first part of a close, in one transaction: the stage closed (stage 1 of two: finished here), or the final close begun. */
type Begun = { done: CloseResult } | { campaign: CampaignRecord; base: Omit<CloseResult, 'final' | 'movedToStage2' | 'revocations' | 'timeBound' | 'status' | 'summaryJobId' | 'nextCampaignId'>; pending: PendingRemediation[] };

function beginClose(ctx: EngineContext, campaignId: number, by: string, now: Date): Begun {
  const at = now.toISOString();
  return ctx.db
    .transaction((): Begun => {
      const c = campaignRecord(ctx.db, campaignId);
      if (!c) throw new UserError(`campaign #${campaignId} does not exist`, 'not-found');
      if (c.status !== 'active') throw new UserError(`campaign #${campaignId} "${c.name}" is ${c.status}: only an active campaign can be closed`, 'conflict');
      const def = JSON.parse(c.definition) as CampaignDefinition;
      const stage = c.stage === 2 ? 2 : 1;
      const { restored, dropped } = settleDraftsAtClose(ctx.db, c.id, stage);
      // Read once (10,000 items and more): those of the stage closed, and all of them for the final close.
      const all = itemsOfCampaign(ctx.db, c.id);
      const items = all.filter((i) => i.stage === stage);
      const words = new Map(decisionsOfStage(ctx.db, c.id, stage).map((d) => [d.item_id, d]));
      const undecided = items.filter((i) => !words.has(i.id)).map((i) => ({ itemId: i.id, decision: defaultDecision(def.defaultOutcome, i) }));
      const defaults = applyDefaults(ctx.db, c.id, stage, undecided, `applied by default at the close of stage ${stage} (${def.defaultOutcome})`, DEFAULT_DECIDER, at);
      const base = { campaignId: c.id, stage, draftsRestored: restored, draftsDropped: dropped, defaults } as const;

      if (stage === 1 && def.reviewers.stage2) {
        const outcomes = new Set<string>(def.reviewers.stage2.outcomes);
        const final = new Map(decisionsOfStage(ctx.db, c.id, 1).map((d) => [d.item_id, d.decision]));
        const going = items.filter((i) => outcomes.has(final.get(i.id) ?? ''));
        const s2 = def.reviewers.stage2;
        const cands = going.map((i) => stage2Candidate(ctx, s2, i));
        const facts = reviewerFacts(ctx.db, [def.reviewers.fallback, ...cands.flatMap((x) => (x.cand ? [x.cand] : []))]);
        const moves = going.map((i, k) => ({ itemId: i.id, ...stage2Reviewer(ctx, def, facts, i, cands[k] as { cand: string | null; why: string }) }));
        moveItemsToStage2(ctx.db, moves);
        const due = def.reviewers.stage2.dueAt ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(def.reviewers.stage2.dueAt) ? `${def.reviewers.stage2.dueAt}T00:00:00Z` : def.reviewers.stage2.dueAt) : new Date(now.getTime() + STAGE2_DAYS * 86_400_000);
        setCampaign(ctx.db, c.id, { stage: 2, stage_due_at: due.toISOString() }, now);
        appendAudit(
          ctx.db,
          {
            actor: by,
            channel: ctx.channel,
            action: 'review.stage_closed',
            targetType: 'review_campaign',
            targetId: c.id,
            details: { stage: 1, items: items.length, defaults, draftsRestored: restored, draftsDropped: dropped, movedToStage2: moves.length, outcomes: [...outcomes], stage2DueAt: due.toISOString() },
          },
          now,
        );
        return { done: { ...base, final: false, movedToStage2: moves.length, revocations: 0, timeBound: 0, status: 'active', summaryJobId: null, nextCampaignId: null } };
      }

      // Final: the decisions are final from here (the campaign leaves 'active'); closed_at is set when the last remediation is queued.
      const pending = pendingRemediations(ctx.db, c.id, all);
      setCampaign(ctx.db, c.id, { status: 'remediating', closed_by: by, closed_channel: reviewChannel(ctx.channel) }, now);
      appendAudit(
        ctx.db,
        {
          actor: by,
          channel: ctx.channel,
          action: 'review.campaign_closed',
          targetType: 'review_campaign',
          targetId: c.id,
          details: { stage, items: all.length, defaults, defaultOutcome: def.defaultOutcome, draftsRestored: restored, draftsDropped: dropped, remediationsToQueue: pending.length },
        },
        now,
      );
      return { campaign: c, base, pending };
    })
    .immediate();
}

/**
 * Closes the campaign's open stage (see above); `by` is who closes (the
 * scheduler at the due date). A final close whose queuing was interrupted
 * is resumed instead (its own closer and channel stay on record).
 */
export async function closeCampaignNow(ctx: EngineContext, campaignId: number, by: string = ctx.actor, opts: CloseOptions = {}): Promise<CloseResult> {
  const release = claim(ctx.db, campaignId);
  if (!release) throw new UserError(`campaign #${campaignId} is being closed right now`, 'conflict');
  try {
    const existing = campaignRecord(ctx.db, campaignId);
    if (existing && isBeingClosed(existing)) return await resume(ctx, existing, opts);
    const begun = beginClose(ctx, campaignId, by, ctx.clock.now());
    if ('done' in begun) {
      ctx.events.emit('governance:changed', { area: 'reviews', ids: [campaignId] });
      return begun.done;
    }
    // The campaign page shows it closing while its remediations are queued.
    ctx.events.emit('governance:changed', { area: 'reviews', ids: [campaignId] });
    const q = await queueRemediations(ctx, campaignId, begun.pending, { by, channel: ctx.channel, resumed: false }, opts);
    return finished(ctx, { ...begun.base, final: true, movedToStage2: 0, revocations: q.revocations, timeBound: q.timeBound, status: q.status, summaryJobId: q.summaryJobId, nextCampaignId: null });
  } finally {
    release();
  }
}

/** Queues what an interrupted final close left (close-queue.ts), as the engine, naming the original closer in the audit event. */
async function resume(ctx: EngineContext, c: CampaignRecord, opts: CloseOptions): Promise<CloseResult> {
  const pending = pendingRemediations(ctx.db, c.id);
  const pass: ClosePass = { by: c.closed_by ?? DEFAULT_DECIDER, channel: 'system', resumed: true };
  const q = await queueRemediations(ctx, c.id, pending, pass, opts);
  const stage = c.stage === 2 ? 2 : 1;
  return finished(ctx, {
    campaignId: c.id, stage, final: true, draftsRestored: 0, draftsDropped: 0, defaults: 0, movedToStage2: 0,
    revocations: q.revocations, timeBound: q.timeBound, status: q.status, summaryJobId: q.summaryJobId, nextCampaignId: null, resumed: true,
  });
}

function finished(ctx: EngineContext, result: CloseResult): CloseResult {
  // A recurring campaign's next one, as a draft (its own transaction: the close stands even if this fails; campaigns.ts's own check makes it once).
  result.nextCampaignId = createNextFromRecurrence(ctx, result.campaignId)?.id ?? null;
  // The campaign page follows 'reviews'; Needs attention and the jobs list follow 'jobs' (revocations were queued).
  ctx.events.emit('governance:changed', { area: 'reviews', ids: [result.campaignId] });
  if (result.revocations > 0) ctx.events.emit('governance:changed', { area: 'jobs', ids: [] });
  return result;
}

/** Closes the campaign's open stage and returns the campaign as the console shows it. */
export async function closeCampaign(ctx: EngineContext, campaignId: number): Promise<CampaignView> {
  await closeCampaignNow(ctx, campaignId);
  return getCampaign(ctx, campaignId, null);
}

/**
 * The scheduler's step: every interrupted final close is resumed, then every
 * active campaign whose stage is due is closed (one failing does not stop
 * the others). A campaign this process is closing right now is left to it.
 */
export async function closeDueCampaigns(ctx: EngineContext, onError: (e: unknown) => void = () => undefined): Promise<CloseResult[]> {
  if (ctx.readOnly) return [];
  const out: CloseResult[] = [];
  const busy = closing.get(ctx.db);
  for (const id of campaignsBeingClosed(ctx.db)) {
    if (busy?.has(id)) continue;
    try {
      out.push(await closeCampaignNow(ctx, id));
    } catch (e) {
      onError(e);
    }
  }
  for (const id of campaignsDueForClose(ctx.db, ctx.clock.now())) {
    try {
      out.push(await closeCampaignNow(ctx, id, 'latchkey:review-due'));
    } catch (e) {
      onError(e);
    }
  }
  return out;
}
