// The review_remediations table: what each revoke (or "keep, time-bound")
// became — grant, job, manual task — and the sync run that verified it.
import type { RemediationStatus } from '../../../shared/contract-reviews.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';

export function remediationCounts(db: Db, campaignId: number): Map<string, number> {
  const rows = db.prepare('SELECT status, count(*) AS n FROM review_remediations WHERE campaign_id = ? GROUP BY status').all(campaignId) as { status: string; n: number }[];
  return new Map(rows.map((r) => [r.status, r.n]));
}

export type RemediationRecord = {
  item_id: number;
  campaign_id: number;
  kind: 'revoke' | 'time-bound';
  status: RemediationStatus;
  grant_id: number | null;
  job_id: number | null;
  task_id: number | null;
  done_at: string | null;
  verified_run_id: number | null;
  verified_at: string | null;
  note: string | null;
  created_at: string;
  updated_at: string;
};

export type NewRemediation = Pick<RemediationRecord, 'item_id' | 'campaign_id' | 'kind' | 'status' | 'grant_id' | 'job_id' | 'note' | 'done_at'>;

/** One remediation per item: an item closed twice (it cannot be) keeps its first. */
export function insertRemediation(db: Db, r: NewRemediation, now: Date): void {
  const at = now.toISOString();
  cachedStatement(
    db,
    `INSERT INTO review_remediations (item_id, campaign_id, kind, status, grant_id, job_id, done_at, note, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING`,
  ).run(r.item_id, r.campaign_id, r.kind, r.status, r.grant_id, r.job_id, r.done_at, r.note, at, at);
}

export type RemediationPatch = Partial<Pick<RemediationRecord, 'status' | 'task_id' | 'done_at' | 'verified_run_id' | 'verified_at' | 'note'>>;

export function setRemediation(db: Db, itemId: number, patch: RemediationPatch, now: Date): void {
  const cols = Object.keys(patch) as (keyof RemediationPatch)[];
  if (cols.length === 0) return;
  cachedStatement(db, `UPDATE review_remediations SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at WHERE item_id = @id`).run({ ...patch, updated_at: now.toISOString(), id: itemId });
}

export function remediationOfItem(db: Db, itemId: number): RemediationRecord | null {
  return (cachedStatement(db, 'SELECT * FROM review_remediations WHERE item_id = ?').get(itemId) as RemediationRecord | undefined) ?? null;
}

/** Ids of a campaign's items that have their remediation (the marker a resumed close skips). */
export function remediatedItemIds(db: Db, campaignId: number): Set<number> {
  return new Set(db.prepare('SELECT item_id FROM review_remediations WHERE campaign_id = ?').pluck().all(campaignId) as number[]);
}

/** How many remediations of each kind a campaign has. */
export function remediationKindCounts(db: Db, campaignId: number): { revoke: number; timeBound: number } {
  const rows = db.prepare('SELECT kind, count(*) AS n FROM review_remediations WHERE campaign_id = ? GROUP BY kind').all(campaignId) as { kind: string; n: number }[];
  return { revoke: rows.find((r) => r.kind === 'revoke')?.n ?? 0, timeBound: rows.find((r) => r.kind === 'time-bound')?.n ?? 0 };
}

export function remediationsOfCampaign(db: Db, campaignId: number): RemediationRecord[] {
  return db.prepare('SELECT * FROM review_remediations WHERE campaign_id = ? ORDER BY item_id').all(campaignId) as RemediationRecord[];
}

/** Remediations following a job or a manual task that may have moved (of one campaign, or all). */
export function remediationsFollowingJobs(db: Db, campaignId?: number): RemediationRecord[] {
  return db
    .prepare(
      `SELECT * FROM review_remediations WHERE status IN ('queued', 'failed', 'manual') AND job_id IS NOT NULL AND (? IS NULL OR campaign_id = ?) ORDER BY item_id`,
    )
    .all(campaignId ?? null, campaignId ?? null) as RemediationRecord[];
}

export type VerifyCandidate = RemediationRecord & { connection_id: number; group_id: string; identity_id: string; group_name: string; person_name: string };

/** Revocations of one connection's memberships a sync can confirm: done (the IdP said so) or failed (it may be gone anyway). */
export function revocationsToVerify(db: Db, connectionId: number): VerifyCandidate[] {
  return db
    .prepare(
      `SELECT r.*, i.connection_id, i.group_id, i.identity_id, i.group_name, i.person_name
       FROM review_remediations r JOIN review_items i ON i.id = r.item_id
       WHERE r.kind = 'revoke' AND r.status IN ('done', 'failed') AND i.connection_id = ? ORDER BY r.item_id`,
    )
    .all(connectionId) as VerifyCandidate[];
}

/**
 * Remediations of a campaign not finished yet: a revocation until verified
 * (or its manual task done), a time-bound keep until its end date is set.
 */
export function unfinishedRemediations(db: Db, campaignId: number): number {
  return db
    .prepare(
      `SELECT count(*) FROM review_remediations WHERE campaign_id = ?
         AND ((kind = 'revoke' AND status NOT IN ('verified', 'manual-done')) OR (kind = 'time-bound' AND status NOT IN ('done', 'verified')))`,
    )
    .pluck()
    .get(campaignId) as number;
}
