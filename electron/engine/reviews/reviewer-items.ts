// One reviewer's share of a campaign, read in one pass each: their items in
// the open stage with the current decision (the workbook, the Jira issue's
// table), the items a workbook names (its import, a batch at a time), and per reviewer how many
// are still undecided (reminders, the Jira issue queue). Reads only: the
// tables' owners (item-store, decision-store, campaign-store) write them;
// these joins are listed in db/table-owners.ts because a 50,000-item
// reviewer must stay one streamed query.
import type { Db } from '../db/database.js';
import { FROZEN_COLUMNS, type FrozenColumn, type FrozenValues } from './row-hash.js';

export type ReviewerItem = FrozenValues & {
  id: number;
  stage: number;
  reviewer: string;
  row_hash: string;
  recommendation: string;
  reasons: string;
  decision: string | null;
  reason_code: string | null;
  comment: string | null;
  state: string | null;
};

const FROZEN_SQL = FROZEN_COLUMNS.map((c) => `i.${c}`).join(', ');
const ITEM_SQL = `SELECT i.id, i.stage, i.reviewer, i.row_hash, i.recommendation, i.reasons, ${FROZEN_SQL},
  d.decision, d.reason_code, d.comment, d.state
  FROM review_items i LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage`;

/** The reviewer's items in a stage, by person then access (streamed: never all in memory). */
export function iterateReviewerItems(db: Db, campaignId: number, reviewer: string, stage: number): IterableIterator<ReviewerItem> {
  return db.prepare(`${ITEM_SQL} WHERE i.campaign_id = ? AND i.reviewer = ? AND i.stage = ? ORDER BY i.person_name, i.group_name, i.id`).iterate(campaignId, reviewer, stage) as IterableIterator<ReviewerItem>;
}

/** What an imported row is checked against: the item's reviewer, stage, stored row hash and frozen values. */
export type ItemToCheck = FrozenValues & { id: number; stage: number; reviewer: string; row_hash: string };

/** The items of a campaign with these ids (others are simply absent), for checking a batch of imported rows; only the columns the check reads. */
export function itemsByIds(db: Db, campaignId: number, ids: readonly number[]): Map<number, ItemToCheck> {
  const rows = db
    // By primary key (the unary + keeps SQLite off the campaign index, which scanned the whole campaign for every batch).
    .prepare(`SELECT i.id, i.stage, i.reviewer, i.row_hash, ${FROZEN_SQL} FROM review_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.campaign_id = ?`)
    .all(JSON.stringify(ids), campaignId) as ItemToCheck[];
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The same check for a batch of imported rows, lean (50,000 rows: reading
 * every frozen column as objects was most of the check): arrays of id,
 * stage, reviewer, row_hash, a mask with bit k set when shown[k]'s stored
 * value is the empty string, then the `rest` columns' stored values. Only
 * the items found, in no particular order.
 */
export function itemChecksByIds(db: Db, campaignId: number, ids: readonly number[], shown: readonly FrozenColumn[], rest: readonly FrozenColumn[]): unknown[][] {
  if (ids.length === 0) return [];
  const mask = shown.length === 0 ? '0' : shown.map((c, k) => `((i.${c} IS '') << ${k})`).join(' | ');
  const cols = rest.map((c) => `, i.${c}`).join('');
  return db
    .prepare(`SELECT i.id, i.stage, i.reviewer, i.row_hash, ${mask}${cols} FROM review_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.campaign_id = ?`)
    .raw()
    .all(JSON.stringify(ids), campaignId) as unknown[][];
}

/** The reviewer's item ids in a stage, in the workbook's order (by person then access): a cheap first pass, so the rows can be read in batches between which the caller may yield. */
export function reviewerItemIds(db: Db, campaignId: number, reviewer: string, stage: number): number[] {
  return db.prepare('SELECT i.id FROM review_items i WHERE i.campaign_id = ? AND i.reviewer = ? AND i.stage = ? ORDER BY i.person_name, i.group_name, i.id').pluck().all(campaignId, reviewer, stage) as number[];
}

/**
 * Rows of these items in the order given, as arrays: id, recommendation,
 * reasons, the current decision and its state, then the `frozen` columns
 * asked for (a workbook batch: only what its sheet shows is read).
 */
export function reviewerRowsInOrder(db: Db, ids: readonly number[], frozen: readonly FrozenColumn[]): unknown[][] {
  if (ids.length === 0) return [];
  const cols = frozen.map((c) => `i.${c}`).join(', ');
  // json_each drives (CROSS JOIN keeps it outer): one primary-key read per id, in the list's order.
  return db
    .prepare(
      `SELECT i.id, i.recommendation, i.reasons, d.decision, d.state${cols ? `, ${cols}` : ''}
       FROM json_each(?) j CROSS JOIN review_items i ON i.id = j.value LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage ORDER BY j.key`,
    )
    .raw()
    .all(JSON.stringify(ids)) as unknown[][];
}

export type ReviewerLoad = { reviewer: string; total: number; undecided: number };

/** Per reviewer of a stage: items, and how many have no submitted decision yet. */
export function reviewerLoads(db: Db, campaignId: number, stage: number): ReviewerLoad[] {
  return db
    .prepare(
      `SELECT i.reviewer AS reviewer, count(*) AS total, sum(CASE WHEN d.state = 'submitted' THEN 0 ELSE 1 END) AS undecided
       FROM review_items i LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage
       WHERE i.campaign_id = ? AND i.stage = ? GROUP BY i.reviewer ORDER BY i.reviewer`,
    )
    .all(campaignId, stage) as ReviewerLoad[];
}

/** Ids of the campaigns under review now (status active). */
export function activeCampaignIds(db: Db): number[] {
  return db.prepare("SELECT id FROM review_campaigns WHERE status = 'active' ORDER BY id").pluck().all() as number[];
}

export type ReviewerOutcome = { reviewer: string; stage: number; total: number; kept: number; revoked: number; byDefault: number; undecided: number };

/** Per reviewer and stage of a campaign: what their items came to (the Jira summary at close). */
export function reviewerOutcomes(db: Db, campaignId: number): ReviewerOutcome[] {
  return db
    .prepare(
      `SELECT i.reviewer AS reviewer, i.stage AS stage, count(*) AS total,
         sum(CASE WHEN d.decision = 'keep' THEN 1 ELSE 0 END) AS kept,
         sum(CASE WHEN d.decision = 'revoke' THEN 1 ELSE 0 END) AS revoked,
         sum(CASE WHEN d.applied_by_default = 1 THEN 1 ELSE 0 END) AS byDefault,
         sum(CASE WHEN d.item_id IS NULL THEN 1 ELSE 0 END) AS undecided
       FROM review_items i LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage
       WHERE i.campaign_id = ? GROUP BY i.reviewer, i.stage ORDER BY i.stage, i.reviewer`,
    )
    .all(campaignId) as ReviewerOutcome[];
}
