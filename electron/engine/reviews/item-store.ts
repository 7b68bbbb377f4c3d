// The review_items table: the only SQL on it. Items are frozen at launch
// (population.ts builds the INSERT … SELECT that fills it, run here by its
// caller through the statement text it owns); only the recommendation, the
// reviewer and the stage move afterwards.
import type { Db } from '../db/database.js';
import { reasonFilterSql } from './reason-codes.js';

export type ItemRecord = {
  id: number;
  campaign_id: number;
  connection_id: number;
  identity_id: string;
  group_id: string;
  group_name: string;
  person_name: string;
  person_email: string | null;
  person_status: string;
  title: string | null;
  department: string | null;
  manager_email: string | null;
  manager_name: string | null;
  employment_type: string | null;
  last_login: string | null;
  account_created: string | null;
  held_via: string;
  via_apps: string;
  role_id: number | null;
  role_label: string | null;
  risk: string | null;
  app_label: string | null;
  grant_id: number | null;
  request_id: number | null;
  approvers: string;
  jira_key: string | null;
  granted_at: string | null;
  expires_at: string | null;
  row_hash: string;
  peer_pct: number | null;
  recommendation: string;
  reasons: string;
  launch_recommendation: string;
  /** The reasons as launched; SAME_AS_REASONS while `reasons` still holds them (read it through launchReasonsOf). */
  launch_reasons: string;
  recommendation_changed_at: string | null;
  stage: number;
  reviewer: string;
  reviewer_source: string;
  reviewer_note: string | null;
};

/**
 * launch_reasons of an item whose reasons are still the ones it was launched
 * with: launch writes this instead of a second copy of every item's reasons
 * (~300 bytes each, ~10% of a 1M-item launch's time), and the first refresh
 * that changes an item's reasons or recommendation copies the launch's into
 * launch_reasons (applyRefreshedRecommendations). Neither stored form of
 * reasons (reason-codes.ts: '[…' or '~…'), so never a real value. Items
 * launched before this keep their copy: both read alike.
 */
export const SAME_AS_REASONS = '';

/** An item's reasons as launched (as stored: either form of reason-codes.ts), from its stored reasons and launch_reasons. */
export function launchReasonsOf(reasons: string, launchReasons: string): string {
  return launchReasons === SAME_AS_REASONS ? reasons : launchReasons;
}

/** The form a campaign's items hold their reasons in (reason-codes.ts; all of a campaign's items are launched in one form): 'json' or 'codes'. */
export function campaignReasonsForm(db: Db, campaignId: number): 'json' | 'codes' {
  const first = db.prepare("SELECT substr(reasons, 1, 1) FROM review_items WHERE campaign_id = ? LIMIT 1").pluck().get(campaignId) as string | undefined;
  return first === '[' ? 'json' : 'codes';
}

export function countItems(db: Db, campaignId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM review_items WHERE campaign_id = ?').get(campaignId) as { n: number }).n;
}

export function itemRecord(db: Db, id: number): ItemRecord | null {
  return (db.prepare('SELECT * FROM review_items WHERE id = ?').get(id) as ItemRecord | undefined) ?? null;
}

/** Items by id (missing ids are left out), in id order. */
export function itemsByIds(db: Db, ids: readonly number[]): ItemRecord[] {
  if (ids.length === 0) return [];
  return db.prepare('SELECT it.* FROM review_items it WHERE it.id IN (SELECT value FROM json_each(?)) ORDER BY it.id').all(JSON.stringify(ids)) as ItemRecord[];
}

/** A reviewer's items in a campaign's stage (e-mail compared lower-cased), in (person, access) order. */
export function itemsOfReviewer(db: Db, campaignId: number, stage: number, reviewer: string): ItemRecord[] {
  return db
    .prepare('SELECT * FROM review_items WHERE campaign_id = ? AND stage = ? AND reviewer = ? ORDER BY person_name COLLATE NOCASE, identity_id, group_name COLLATE NOCASE, id')
    .all(campaignId, stage, reviewer.trim().toLowerCase()) as ItemRecord[];
}

/** Every reviewer of a campaign's stage with their item count. */
export function reviewersOfStage(db: Db, campaignId: number, stage: number): { reviewer: string; items: number }[] {
  return db.prepare('SELECT reviewer, count(*) AS items FROM review_items WHERE campaign_id = ? AND stage = ? GROUP BY reviewer ORDER BY reviewer').all(campaignId, stage) as {
    reviewer: string;
    items: number;
  }[];
}

/** Moves items to another reviewer, recording why (reassignment, delegation, a leaver's items to the fallback). */
export function setItemReviewer(db: Db, ids: readonly number[], reviewer: string, source: string, note: string | null): number {
  if (ids.length === 0) return 0;
  return db
    .prepare('UPDATE review_items SET reviewer = ?, reviewer_source = ?, reviewer_note = ? WHERE id IN (SELECT value FROM json_each(?))')
    .run(reviewer.trim().toLowerCase(), source, note, JSON.stringify(ids)).changes;
}

/** Moves items to a stage (stage two: what stage one decided goes on). */
export function setItemStage(db: Db, ids: readonly number[], stage: 1 | 2): number {
  if (ids.length === 0) return 0;
  return db.prepare('UPDATE review_items SET stage = ? WHERE id IN (SELECT value FROM json_each(?))').run(stage, JSON.stringify(ids)).changes;
}

/** Items per connection of a campaign. */
export function itemCountsByConnection(db: Db, campaignId: number): Map<number, number> {
  const rows = db.prepare('SELECT connection_id, count(*) AS n FROM review_items WHERE campaign_id = ? GROUP BY connection_id').all(campaignId) as { connection_id: number; n: number }[];
  return new Map(rows.map((r) => [r.connection_id, r.n]));
}

/** The campaign's row hashes in the canonical population order (population.ts's population_hash). */
export function rowHashesInOrder(db: Db, campaignId: number): IterableIterator<string> {
  return db.prepare('SELECT row_hash FROM review_items WHERE campaign_id = ? ORDER BY connection_id, group_id, identity_id').pluck().iterate(campaignId) as IterableIterator<string>;
}

/**
 * Runs the population's INSERT … SELECT (built by population.ts) into
 * review_items; returns rows inserted. Must run inside the caller's
 * transaction. `expectedRows` (the snapshot's total for the scope): when the
 * table holds no more rows than that (a first large launch), its secondary
 * indexes are dropped before the insert and created again after it, in the
 * same transaction, from their own stored SQL (so the schema stays exactly
 * the migrations'): one sorted build per index instead of ~1M inserts at
 * random places (the reviewer indexes), which at 1M items no longer fit the
 * page cache. A crash or a refusal rolls the drop back with the rest. With
 * more rows already there, rebuilding them would cost more than it saves, so
 * the indexes are kept. Unique indexes are always kept (their check is row by row).
 */
export function insertItemsSelect(db: Db, columns: readonly string[], selectSql: string, params: Record<string, unknown>, expectedRows = 0): number {
  const insert = (): number => db.prepare(`INSERT INTO review_items (${columns.join(', ')}) ${selectSql}`).run(params).changes;
  // max(id) bounds the rows present from above (ids of deleted items stay counted): when in doubt, the indexes stay.
  const present = db.prepare('SELECT coalesce(max(id), 0) FROM review_items').pluck().get() as number;
  if (!db.inTransaction || present > expectedRows) return insert();
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'review_items' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name")
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name.replaceAll('"', '""')}"`);
  const changes = insert();
  for (const ix of indexes) db.exec(ix.sql);
  return changes;
}

/** One item of a campaign with no possible reviewer (see population.ts), or null. */
export function itemWithReviewer(db: Db, campaignId: number, reviewer: string): ItemRecord | null {
  return (db.prepare('SELECT * FROM review_items WHERE campaign_id = ? AND reviewer = ? LIMIT 1').get(campaignId, reviewer) as ItemRecord | undefined) ?? null;
}

/** Counts for a campaign summary: items, decided and revoked in the current stage, and `me`'s undecided items. */
export function campaignItemCounts(db: Db, campaignId: number, stage: number, me: string | null): { items: number; decided: number; revokes: number; mine: number } {
  const r = db
    .prepare(
      `SELECT count(*) AS items, count(d.item_id) AS decided, sum(d.decision = 'revoke') AS revokes,
              sum(it.reviewer = @me AND it.stage = @stage AND (d.item_id IS NULL OR d.state = 'draft')) AS mine
       FROM review_items it LEFT JOIN review_decisions d ON d.item_id = it.id AND d.stage = it.stage AND d.state = 'submitted'
       WHERE it.campaign_id = @campaign`,
    )
    .get({ campaign: campaignId, stage, me: me?.trim().toLowerCase() ?? null }) as { items: number; decided: number; revokes: number | null; mine: number | null };
  return { items: r.items, decided: r.decided, revokes: r.revokes ?? 0, mine: r.mine ?? 0 };
}

/** Reviewers of the current stage with undecided (not submitted) items. */
export function reviewersWithOpenItems(db: Db, campaignId: number, stage: number): string[] {
  return db
    .prepare(
      `SELECT DISTINCT it.reviewer FROM review_items it
       LEFT JOIN review_decisions d ON d.item_id = it.id AND d.stage = it.stage AND d.state = 'submitted'
       WHERE it.campaign_id = ? AND it.stage = ? AND d.item_id IS NULL ORDER BY it.reviewer`,
    )
    .pluck()
    .all(campaignId, stage) as string[];
}

/** A reviewer's undecided (nothing submitted) items in the current stage: what goes to the fallback when they leave. */
export function undecidedItemsOf(db: Db, campaignId: number, stage: number, reviewer: string): { id: number; connection_id: number; identity_id: string }[] {
  return db
    .prepare(
      `SELECT it.id, it.connection_id, it.identity_id FROM review_items it
       WHERE it.campaign_id = ? AND it.stage = ? AND it.reviewer = ?
         AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.item_id = it.id AND d.stage = it.stage AND d.state = 'submitted')
       ORDER BY it.id`,
    )
    .all(campaignId, stage, reviewer) as { id: number; connection_id: number; identity_id: string }[];
}

/**
 * Applies refreshed recommendations from a TEMP table (id, recommendation,
 * reasons, peer_pct) built by refresh.ts: only rows whose recommendation or
 * reasons changed are written, with the time of the change; an item still
 * holding its launch reasons only in `reasons` (SAME_AS_REASONS) gets them
 * copied into launch_reasons first (SET reads the row as it was).
 */
export function applyRefreshedRecommendations(db: Db, tempTable: string, now: Date): number {
  return db
    .prepare(
      `UPDATE review_items SET recommendation = n.recommendation, reasons = n.reasons, peer_pct = n.peer_pct, recommendation_changed_at = ?,
         launch_reasons = CASE WHEN review_items.launch_reasons = '${SAME_AS_REASONS}' THEN review_items.reasons ELSE review_items.launch_reasons END
       FROM ${tempTable} n WHERE review_items.id = n.id AND (review_items.reasons IS NOT n.reasons OR review_items.recommendation IS NOT n.recommendation)`,
    )
    .run(now.toISOString()).changes;
}

// Used by decisions and close.

/** What deciding, reassigning and closing need of an item. */
export type ItemForDecision = {
  id: number;
  campaign_id: number;
  stage: number;
  reviewer: string;
  reviewer_source: string;
  recommendation: string;
  risk: string | null;
  connection_id: number;
  identity_id: string;
  group_id: string;
  group_name: string;
  person_name: string;
  person_email: string | null;
  manager_email: string | null;
  held_via: string;
  role_id: number | null;
  app_label: string | null;
  role_label: string | null;
  grant_id: number | null;
  granted_at: string | null;
  expires_at: string | null;
};

const DECISION_COLUMNS = `i.id, i.campaign_id, i.stage, i.reviewer, i.reviewer_source, i.recommendation, i.risk, i.connection_id, i.identity_id, i.group_id,
  i.group_name, i.person_name, i.person_email, i.manager_email, i.held_via, i.role_id, i.app_label, i.role_label, i.grant_id, i.granted_at, i.expires_at`;

/** These items of the campaign (ids of other campaigns or none are left out), id order. */
export function itemsForDecision(db: Db, campaignId: number, ids: readonly number[]): ItemForDecision[] {
  if (ids.length === 0) return [];
  return db
    // IN (json_each) builds a lookup once; a join on json_each would scan the list per item. The unary + keeps SQLite on the primary key:
    // with the campaign index it scanned every item of the campaign for each call (38 ms for 1,000 ids of a 50,000-item campaign, 8 ms by key).
    .prepare(`SELECT ${DECISION_COLUMNS} FROM review_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.campaign_id = ? ORDER BY i.id`)
    .all(JSON.stringify(ids), campaignId) as ItemForDecision[];
}

/** What the decision rules look at (decisions.ts refusal): who reviews it, its stage, recommendation and risk. */
export type ItemRules = Pick<ItemForDecision, 'id' | 'stage' | 'reviewer' | 'recommendation' | 'risk'> & { row_hash: string };

/** These items' rule columns and row hash only, id order: recording a workbook's 50,000 decisions reads six columns, not twenty-one (the row hash goes into the submission's audit digest). */
export function itemRulesOf(db: Db, campaignId: number, ids: readonly number[]): ItemRules[] {
  if (ids.length === 0) return [];
  return db
    .prepare('SELECT i.id, i.stage, i.reviewer, i.recommendation, i.risk, i.row_hash FROM review_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.campaign_id = ? ORDER BY i.id')
    .all(JSON.stringify(ids), campaignId) as ItemRules[];
}

/** Every item of a campaign (of one stage when given), id order. */
export function itemsOfCampaign(db: Db, campaignId: number, stage?: number): ItemForDecision[] {
  return db
    .prepare(`SELECT ${DECISION_COLUMNS} FROM review_items i WHERE i.campaign_id = ? AND (? IS NULL OR i.stage = ?) ORDER BY i.id`)
    .all(campaignId, stage ?? null, stage ?? null) as ItemForDecision[];
}

/** Ids of a campaign's items matching the item columns of a reviewer's filter (decisions are filtered by the caller). */
export function itemIdsMatching(
  db: Db,
  campaignId: number,
  f: { reviewer?: string | undefined; stage?: number | undefined; recommendation?: string | undefined; reason?: string | undefined; app?: string | undefined; search?: string | undefined },
): number[] {
  const where = ['i.campaign_id = @campaignId'];
  const p: Record<string, unknown> = { campaignId };
  const add = (sql: string, key: string, value: unknown): void => {
    where.push(sql);
    p[key] = value;
  };
  if (f.reviewer !== undefined) add('i.reviewer = @reviewer', 'reviewer', f.reviewer);
  if (f.stage !== undefined) add('i.stage = @stage', 'stage', f.stage);
  if (f.recommendation !== undefined) add('i.recommendation = @rec', 'rec', f.recommendation);
  if (f.reason !== undefined) {
    const r = reasonFilterSql('i.reasons', 'reason', f.reason);
    where.push(r.sql);
    Object.assign(p, r.params);
  }
  if (f.app !== undefined && f.app !== '') add('(i.app_label = @app OR i.role_label = @app OR i.group_name = @app)', 'app', f.app);
  if (f.search !== undefined && f.search.trim() !== '') {
    where.push("(i.person_name LIKE @s ESCAPE '\\' OR coalesce(i.person_email, '') LIKE @s ESCAPE '\\' OR i.group_name LIKE @s ESCAPE '\\' OR coalesce(i.role_label, '') LIKE @s ESCAPE '\\')");
    p.s = `%${f.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return db.prepare(`SELECT i.id FROM review_items i WHERE ${where.join(' AND ')} ORDER BY i.id`).pluck().all(p) as number[];
}

/** Moves items to another reviewer: 'delegated' where `by` was their reviewer, else 'reassigned', with the note. */
export function reassignItemRows(db: Db, ids: readonly number[], to: string, by: string, note: string): number {
  if (ids.length === 0) return 0;
  return db
    .prepare(
      `UPDATE review_items SET reviewer_source = CASE WHEN reviewer = @by THEN 'delegated' ELSE 'reassigned' END, reviewer = @to, reviewer_note = @note
       WHERE id IN (SELECT value FROM json_each(@ids))`,
    )
    .run({ ids: JSON.stringify(ids), to, by, note }).changes;
}

/** Items going on to stage two, each with its stage-two reviewer. */
export function moveItemsToStage2(db: Db, moves: readonly { itemId: number; reviewer: string; source: string; note: string | null }[]): void {
  const up = db.prepare('UPDATE review_items SET stage = 2, reviewer = ?, reviewer_source = ?, reviewer_note = ? WHERE id = ?');
  for (const m of moves) up.run(m.reviewer, m.source, m.note, m.itemId);
}
