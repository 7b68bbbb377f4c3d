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

/** Every campaign (or those in one status), newest first. */
export function listCampaignRecords(db: Db, status: string | null): CampaignRecord[] {
  return (
    status === null
      ? db.prepare('SELECT * FROM review_campaigns ORDER BY id DESC').all()
      : db.prepare('SELECT * FROM review_campaigns WHERE status = ? ORDER BY id DESC').all(status)
  ) as CampaignRecord[];
}

/** Campaigns whose population is live for reviewers (recommendations refreshed, leavers' items moved). */
export function openCampaignIds(db: Db): number[] {
  return db.prepare("SELECT id FROM review_campaigns WHERE status = 'active' ORDER BY id").pluck().all() as number[];
}

export type NewCampaign = {
  name: string;
  description: string;
  definition: string;
  dueAt: string;
  stageDueAt: string | null;
  parentId: number | null;
  createdBy: string;
  createdChannel: string;
};

export function insertCampaign(db: Db, c: NewCampaign, now: Date): number {
  const at = now.toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO review_campaigns (name, description, definition, status, stage, due_at, stage_due_at, parent_id, created_by, created_channel, created_at, updated_at)
         VALUES (?, ?, ?, 'draft', 1, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.name, c.description, c.definition, c.dueAt, c.stageDueAt, c.parentId, c.createdBy, c.createdChannel, at, at).lastInsertRowid,
  );
}

/** Rewrites a draft's definition (the caller checked it is a draft). */
export function setCampaignDefinition(db: Db, id: number, c: { name: string; description: string; definition: string; dueAt: string; stageDueAt: string | null }, now: Date): void {
  db.prepare('UPDATE review_campaigns SET name = ?, description = ?, definition = ?, due_at = ?, stage_due_at = ?, updated_at = ? WHERE id = ?').run(
    c.name,
    c.description,
    c.definition,
    c.dueAt,
    c.stageDueAt,
    now.toISOString(),
    id,
  );
}

export type LaunchProof = {
  launchedBy: string;
  launchedChannel: string;
  staleOverride: string | null;
  count: number;
  hash: string;
  counts: string;
};

/** Marks a draft launched with its population's proof; false when it was no longer a draft. */
export function setCampaignLaunched(db: Db, id: number, p: LaunchProof, now: Date): boolean {
  const at = now.toISOString();
  return (
    db
      .prepare(
        `UPDATE review_campaigns SET status = 'active', launched_by = ?, launched_channel = ?, launched_at = ?, stale_override = ?,
           population_count = ?, population_hash = ?, population_counts = ?, updated_at = ?
         WHERE id = ? AND status = 'draft'`,
      )
      .run(p.launchedBy, p.launchedChannel, at, p.staleOverride, p.count, p.hash, p.counts, at, id).changes === 1
  );
}

/** Moves a campaign to another status; `from` guards against a concurrent change (false when it was not in one of them). */
export function setCampaignStatus(
  db: Db,
  id: number,
  to: 'draft' | 'active' | 'remediating' | 'complete' | 'cancelled',
  from: readonly string[],
  now: Date,
  extra: { cancelledReason?: string; closedBy?: string; closedChannel?: string; closedAt?: string; completedAt?: string } = {},
): boolean {
  const at = now.toISOString();
  return (
    db
      .prepare(
        `UPDATE review_campaigns SET status = ?, updated_at = ?,
           cancelled_reason = coalesce(?, cancelled_reason), closed_by = coalesce(?, closed_by), closed_channel = coalesce(?, closed_channel),
           closed_at = coalesce(?, closed_at), completed_at = coalesce(?, completed_at)
         WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
      )
      .run(to, at, extra.cancelledReason ?? null, extra.closedBy ?? null, extra.closedChannel ?? null, extra.closedAt ?? null, extra.completedAt ?? null, id, JSON.stringify(from))
      .changes === 1
  );
}

/** Moves an active campaign to stage 2 with that stage's due date. */
export function setCampaignStage(db: Db, id: number, stage: 1 | 2, stageDueAt: string | null, now: Date): void {
  db.prepare('UPDATE review_campaigns SET stage = ?, stage_due_at = ?, updated_at = ? WHERE id = ?').run(stage, stageDueAt, now.toISOString(), id);
}

/** Links a campaign to the one created after it (recurrence). */
export function setNextCampaign(db: Db, id: number, nextId: number, now: Date): void {
  db.prepare('UPDATE review_campaigns SET next_created_id = ?, updated_at = ? WHERE id = ?').run(nextId, now.toISOString(), id);
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

/**
 * Campaigns whose final close started and has not finished queuing its
 * remediations (a process stopped between its chunks: close.ts resumes
 * them). Close marks its start with status 'remediating' and closed_by, and
 * its end with closed_at: no column or status is needed beyond those.
 */
export function campaignsBeingClosed(db: Db): number[] {
  return db
    .prepare("SELECT id FROM review_campaigns WHERE status = 'remediating' AND closed_by IS NOT NULL AND closed_at IS NULL ORDER BY id")
    .pluck()
    .all() as number[];
}

/** True while a campaign's final close is still queuing remediations (see campaignsBeingClosed). */
export const isBeingClosed = (c: Pick<CampaignRecord, 'status' | 'closed_by' | 'closed_at'>): boolean => c.status === 'remediating' && c.closed_by !== null && c.closed_at === null;

/** Ids of campaigns in a status, oldest first. */
export function campaignIdsWithStatus(db: Db, status: string): number[] {
  return db.prepare('SELECT id FROM review_campaigns WHERE status = ? ORDER BY id').pluck().all(status) as number[];
}
