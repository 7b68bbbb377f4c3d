// The review_remediations table: what each revoke (or "keep, time-bound")
// became — grant, job, manual task — and the sync run that verified it.
import type { Db } from '../db/database.js';

export function remediationCounts(db: Db, campaignId: number): Map<string, number> {
  const rows = db.prepare('SELECT status, count(*) AS n FROM review_remediations WHERE campaign_id = ? GROUP BY status').all(campaignId) as { status: string; n: number }[];
  return new Map(rows.map((r) => [r.status, r.n]));
}
