// The second half of a campaign's final close: each item's final word becomes
// its remediation (remediation.ts: a revocation through the jobs, or an end
// date on the grant), up to 500 items or 100 ms per transaction, yielding to
// the event loop between chunks, so that closing 10,000 revocations does not
// hold the engine (and the console or HTTP bridge it serves) for tens of
// seconds.
//
// Resumable, and never twice:
// - the campaign-level decisions (drafts settled, defaults applied, who
//   closed through which channel) were committed first, with the campaign
//   'remediating' and closed_by set but closed_at still NULL
//   (campaign-store.ts isBeingClosed): "closing" needs no new status;
// - the remediation row of an item is the marker: an item is remediated only
//   inside a transaction that first finds it has none, so a chunk repeated
//   after a crash, or run by two processes at once, skips what is done;
// - the chunk that queues the last item also finishes the close in the same
//   transaction (status, closed_at, the Jira summary job, the audit event):
//   a close is either still being queued (closed_at NULL, resumable by the
//   scheduler or by closing again) or finished, never in between.
// A SIGKILL leaves the last committed chunk: the prior state of the items
// after it, resumed where it stopped.
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { jiraConnectionId } from '../jobs/jira-outbox.js';
import { enqueueJob } from '../jobs/job-store.js';
import { JOB_PRIORITY } from '../jobs/job-types.js';
import { campaignRecord, isBeingClosed, setCampaign, type CampaignRecord } from './campaign-store.js';
import { decisionsOfStage, type DecisionRecord } from './decision-store.js';
import { itemsOfCampaign, type ItemForDecision } from './item-store.js';
import { remediateItem } from './remediation.js';
import { remediatedItemIds, remediationKindCounts, remediationOfItem, unfinishedRemediations } from './remediation-store.js';

/** Items per transaction at most: large enough that the per-transaction cost vanishes. */
export const CLOSE_CHUNK = 500;
/**
 * A chunk also ends once it has run this long, so that what waits on the
 * engine (a console read through the bridge) waits at most about this much
 * however loaded the machine is (on a loaded 2-core machine 500 items took
 * ~1 s).
 */
export const CLOSE_CHUNK_MS = 100;
const RESUME_ACTOR = 'latchkey:reviews';

export type PendingRemediation = { item: ItemForDecision; word: DecisionRecord };

/** Test hooks: where a crash test stops the process (inside a chunk's transaction, after a chunk committed). */
export type CloseHooks = { inChunk?: (chunk: number) => void; afterChunk?: (chunk: number, done: number) => void | Promise<void> };
/** chunkMs 0: chunks end by size only (tests that stop at an exact chunk). */
export type CloseOptions = { chunkSize?: number; chunkMs?: number; hooks?: CloseHooks };

/** Who runs this pass: the person closing (first pass), or the engine resuming their close. */
export type ClosePass = { by: string; channel: EngineContext['channel']; resumed: boolean };

export type QueueOutcome = { revocations: number; timeBound: number; status: 'remediating' | 'complete'; summaryJobId: number | null; chunks: number };

/** A word that becomes a remediation row: a revoke, or a keep with an end date (remediateItem writes exactly one row for each). */
const needsRemediation = (w: DecisionRecord): boolean => w.decision === 'revoke' || w.keep_until !== null;

/**
 * The campaign's items whose final word (at the stage each ended in) needs a
 * remediation that is not there yet, item order. `items`: every item of the
 * campaign when the caller has them already.
 */
export function pendingRemediations(db: Db, campaignId: number, items?: readonly ItemForDecision[]): PendingRemediation[] {
  const byStage = [new Map(decisionsOfStage(db, campaignId, 1).map((d) => [d.item_id, d])), new Map(decisionsOfStage(db, campaignId, 2).map((d) => [d.item_id, d]))];
  const done = remediatedItemIds(db, campaignId);
  const out: PendingRemediation[] = [];
  for (const item of items ?? itemsOfCampaign(db, campaignId)) {
    const word = byStage[item.stage - 1]?.get(item.id);
    if (word && needsRemediation(word) && !done.has(item.id)) out.push({ item, word });
  }
  return out;
}

/**
 * Ends a close whose remediations are all queued (inside the transaction of
 * its last chunk, or of the close itself when there were none): status,
 * closed_at, the Jira summary job, and the audit event naming who closed
 * through which channel (the engine's own name when it resumed their close).
 */
export function finishClose(ctx: EngineContext, c: CampaignRecord, pass: ClosePass, chunks: number, now: Date): QueueOutcome {
  const at = now.toISOString();
  const { revoke, timeBound } = remediationKindCounts(ctx.db, c.id);
  const status = unfinishedRemediations(ctx.db, c.id) > 0 ? 'remediating' : 'complete';
  setCampaign(ctx.db, c.id, { status, closed_at: at, ...(status === 'complete' ? { completed_at: at } : {}) }, now);
  const jira = jiraConnectionId(ctx.db);
  const summaryJobId =
    jira === null
      ? null
      : enqueueJob(ctx.db, { kind: 'jira', connectionId: jira, payload: { type: 'review-summary', campaignId: c.id }, idempotencyKey: `jira:review-summary:${c.id}`, priority: JOB_PRIORITY.jira }, now);
  appendAudit(
    ctx.db,
    {
      actor: pass.resumed ? RESUME_ACTOR : pass.by,
      channel: pass.resumed ? 'system' : pass.channel,
      action: 'review.remediations_queued',
      targetType: 'review_campaign',
      targetId: c.id,
      details: { revocations: revoke, timeBound, status, summaryJobId, chunks, ...(pass.resumed ? { resumed: true, closedBy: c.closed_by, closedChannel: c.closed_channel } : {}) },
    },
    now,
  );
  return { revocations: revoke, timeBound, status, summaryJobId, chunks };
}

/** The outcome of a close another pass finished (or that was finished before this one looked). */
function finishedOutcome(db: Db, c: CampaignRecord | null, chunks: number): QueueOutcome {
  const counts = c ? remediationKindCounts(db, c.id) : { revoke: 0, timeBound: 0 };
  return { revocations: counts.revoke, timeBound: counts.timeBound, status: c?.status === 'complete' ? 'complete' : 'remediating', summaryJobId: null, chunks };
}

/**
 * Queues the remediations of `pending` chunk by chunk (see the top), then
 * finishes the close. `pending` may hold items done meanwhile (by another
 * process): they are skipped inside each chunk's transaction.
 */
export async function queueRemediations(ctx: EngineContext, campaignId: number, pending: readonly PendingRemediation[], pass: ClosePass, opts: CloseOptions = {}): Promise<QueueOutcome> {
  const size = Math.max(1, opts.chunkSize ?? CLOSE_CHUNK);
  const budgetMs = opts.chunkMs ?? CLOSE_CHUNK_MS;
  for (let k = 0, chunk = 1; ; chunk++) {
    const outcome = ctx.db
      .transaction((): QueueOutcome | null => {
        const c = campaignRecord(ctx.db, campaignId);
        if (!c || !isBeingClosed(c)) return finishedOutcome(ctx.db, c, chunk - 1);
        const now = ctx.clock.now();
        const started = performance.now();
        for (let n = 0; k < pending.length && n < size && (budgetMs <= 0 || n === 0 || performance.now() - started < budgetMs); n++, k++) {
          const p = pending[k] as PendingRemediation;
          if (remediationOfItem(ctx.db, p.item.id)) continue;
          remediateItem(ctx, c, p.item, p.word, pass.by, now);
        }
        opts.hooks?.inChunk?.(chunk);
        return k >= pending.length ? finishClose(ctx, c, pass, chunk, now) : null;
      })
      .immediate();
    if (outcome) return outcome;
    await opts.hooks?.afterChunk?.(chunk, k);
    // Let the engine answer the console, the bridge and the scheduler between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
