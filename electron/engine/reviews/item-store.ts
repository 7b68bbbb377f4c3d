// The review_items table: the only SQL on it. Items are frozen at launch;
// only the recommendation, the reviewer and the stage move afterwards.
import type { Db } from '../db/database.js';

export function countItems(db: Db, campaignId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM review_items WHERE campaign_id = ?').get(campaignId) as { n: number }).n;
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
    // IN (json_each) builds a lookup once; a join on json_each would scan the list per item.
    .prepare(`SELECT ${DECISION_COLUMNS} FROM review_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND i.campaign_id = ? ORDER BY i.id`)
    .all(JSON.stringify(ids), campaignId) as ItemForDecision[];
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
  if (f.reason !== undefined) add("EXISTS (SELECT 1 FROM json_each(i.reasons) r WHERE r.value ->> 'code' = @reason)", 'reason', f.reason);
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
