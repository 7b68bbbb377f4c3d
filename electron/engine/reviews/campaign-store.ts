// The review_campaigns table: the only SQL on it. A campaign's definition is
// JSON (shared/contract-reviews.ts CampaignDefinition); from launch it also
// holds the population's proof (count, hash, counts per connection).
import type { Db } from '../db/database.js';

export type CampaignRecord = {
  id: number;
  name: string;
  description: string;
  definition: string;
  status: string;
  stage: number;
  due_at: string | null;
  stage_due_at: string | null;
  parent_id: number | null;
  created_by: string;
  created_channel: string;
  created_at: string;
  launched_by: string | null;
  launched_channel: string | null;
  launched_at: string | null;
  stale_override: string | null;
  population_count: number | null;
  population_hash: string | null;
  population_counts: string | null;
  closed_by: string | null;
  closed_channel: string | null;
  closed_at: string | null;
  completed_at: string | null;
  cancelled_reason: string | null;
  next_created_id: number | null;
  updated_at: string;
};

export function campaignRecord(db: Db, id: number): CampaignRecord | null {
  return (db.prepare('SELECT * FROM review_campaigns WHERE id = ?').get(id) as CampaignRecord | undefined) ?? null;
}
