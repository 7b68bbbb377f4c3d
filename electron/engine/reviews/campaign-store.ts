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

// Used by decisions and close.

export type CampaignPatch = Partial<Pick<CampaignRecord, 'status' | 'stage' | 'stage_due_at' | 'closed_by' | 'closed_channel' | 'closed_at' | 'completed_at'>>;

export function setCampaign(db: Db, id: number, patch: CampaignPatch, now: Date): void {
  const cols = Object.keys(patch) as (keyof CampaignPatch)[];
  if (cols.length === 0) return;
  db.prepare(`UPDATE review_campaigns SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, updated_at: now.toISOString(), id });
}

/** Active campaigns whose current stage is due at or before `now` (stage_due_at, else due_at). */
export function campaignsDueForClose(db: Db, now: Date): number[] {
  return db
    .prepare("SELECT id FROM review_campaigns WHERE status = 'active' AND coalesce(stage_due_at, due_at) IS NOT NULL AND coalesce(stage_due_at, due_at) <= ? ORDER BY id")
    .pluck()
    .all(now.toISOString()) as number[];
}

/** Ids of campaigns in a status, oldest first. */
export function campaignIdsWithStatus(db: Db, status: string): number[] {
  return db.prepare('SELECT id FROM review_campaigns WHERE status = ? ORDER BY id').pluck().all(status) as number[];
}
