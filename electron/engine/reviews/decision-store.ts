// The review_decisions (the current word per item and stage),
// review_decision_log (every word ever given) and review_submissions tables:
// the only SQL on them.
import type { Db } from '../db/database.js';

export function countDecisions(db: Db, campaignId: number, stage: number): number {
  return (db.prepare('SELECT count(*) AS n FROM review_decisions WHERE campaign_id = ? AND stage = ?').get(campaignId, stage) as { n: number }).n;
}
