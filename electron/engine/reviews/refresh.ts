// After each successful sync, for every open campaign with items on the
// synced connections: recommendations are recomputed from the live snapshot
// (recommendation_changed_at set when a reason appears or goes — what the
// reviewer sees as "changed since launch"), and a reviewer whose accounts are
// no longer active has their undecided items moved to the fallback, recorded
// on each item (reviewer_note) and in the audit log. governance/after-sync.ts
// calls it; the frozen columns never change.
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { normEmail } from '../directory/people-lookup.js';
import { campaignRecord, openCampaignIds } from './campaign-store.js';
import { definitionOf } from './campaigns.js';
import { reviewersWithOpenItems, setItemReviewer, undecidedItemsOf } from './item-store.js';
import { refreshCampaignRecommendations } from './population.js';
import { fallbackFor, reviewerFacts } from './reviewer-assignment.js';

export type RefreshResult = { campaignId: number; changed: number; moved: { from: string; to: string; items: number }[] }[];

export function refreshRecommendations(ctx: EngineContext, connectionIds: readonly number[]): RefreshResult {
  const out: RefreshResult = [];
  const now = ctx.clock.now();
  for (const id of openCampaignIds(ctx.db)) {
    const c = campaignRecord(ctx.db, id);
    if (!c) continue;
    const def = definitionOf(c);
    const result = ctx.db.transaction(() => {
      const changed = refreshCampaignRecommendations(ctx.db, id, connectionIds, def, now);
      const moved = moveLeaversItems(ctx, id, c.stage, def.reviewers.fallback);
      return { campaignId: id, changed, moved };
    })();
    if (result.changed > 0 || result.moved.length > 0) ctx.events.emit('governance:changed', { area: 'reviews', ids: [id] });
    out.push(result);
  }
  return out;
}

/** Undecided items of reviewers who are no longer active go to the fallback (or, for the fallback's own access, their manager). */
function moveLeaversItems(ctx: EngineContext, campaignId: number, stage: number, fallbackRaw: string): { from: string; to: string; items: number }[] {
  const fallback = normEmail(fallbackRaw) ?? fallbackRaw;
  const reviewers = reviewersWithOpenItems(ctx.db, campaignId, stage);
  const facts = reviewerFacts(ctx.db, [...reviewers, fallback]);
  const moved: { from: string; to: string; items: number }[] = [];
  // One instant for the whole pass: the note is the same on every item moved together (they are grouped by it).
  const at = ctx.clock.now();
  for (const r of reviewers) {
    if (r === fallback || !facts.inactive(r)) continue;
    const items = undecidedItemsOf(ctx.db, campaignId, stage, r);
    const byChoice = new Map<string, { to: string; note: string | null; ids: number[] }>();
    for (const it of items) {
      const choice = fallbackFor(ctx.db, facts, fallback, it.connection_id, it.identity_id, `${r} is no longer active in the identity provider (found after sync ${at.toISOString()})`);
      const k = `${choice.reviewer}\u0000${choice.note ?? ''}`;
      const e = byChoice.get(k) ?? { to: choice.reviewer, note: choice.note, ids: [] };
      e.ids.push(it.id);
      byChoice.set(k, e);
    }
    for (const e of byChoice.values()) {
      setItemReviewer(ctx.db, e.ids, e.to, 'fallback', e.note);
      appendAudit(
        ctx.db,
        { actor: 'system', channel: 'system', action: 'campaign.reviewer-inactive', targetType: 'review-campaign', targetId: campaignId, details: { from: r, to: e.to, items: e.ids.length, stage, note: e.note } },
        at,
      );
      moved.push({ from: r, to: e.to, items: e.ids.length });
    }
  }
  return moved;
}
