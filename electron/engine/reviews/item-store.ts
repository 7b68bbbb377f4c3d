// The review_items table: the only SQL on it. Items are frozen at launch;
// only the recommendation, the reviewer and the stage move afterwards.
import type { Db } from '../db/database.js';

export function countItems(db: Db, campaignId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM review_items WHERE campaign_id = ?').get(campaignId) as { n: number }).n;
}
