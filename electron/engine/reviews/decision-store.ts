// The review_decisions (the current word per item and stage),
// review_decision_log (every word ever given) and review_submissions tables:
// the only SQL on them.
//
// review_decisions holds one row per (item, stage): the last word wins.
// review_decision_log is append-only: every draft, every submission, every
// default applied at close is a new row there and no row is ever updated or
// deleted, so a changed decision and a decision given through two channels
// are both on record. Bulk decisions are set-based (json_each over the item
// ids): 10,000 items are two statements, not 20,000.
import type { ReviewChannel, ReviewDecision } from '../../../shared/contract-reviews.js';
import type { Db } from '../db/database.js';

export function countDecisions(db: Db, campaignId: number, stage: number): number {
  return (db.prepare('SELECT count(*) AS n FROM review_decisions WHERE campaign_id = ? AND stage = ?').get(campaignId, stage) as { n: number }).n;
}

export type DecisionRecord = {
  item_id: number;
  stage: number;
  campaign_id: number;
  decision: ReviewDecision;
  reason_code: string | null;
  comment: string | null;
  keep_until: string | null;
  state: 'draft' | 'submitted';
  decided_by: string;
  channel: ReviewChannel;
  recorded_by: string | null;
  applied_by_default: number;
  submission_id: number | null;
  decided_at: string;
};

export type DecisionLogRecord = Omit<DecisionRecord, 'decided_at'> & { id: number; at: string };

/** One word on one item: what it is and who gave it through which channel. */
export type Word = {
  decision: ReviewDecision;
  reasonCode: string | null;
  comment: string | null;
  keepUntil: string | null;
  decidedBy: string;
  channel: ReviewChannel;
  recordedBy: string | null;
};

const LOG_FROM_CURRENT = `INSERT INTO review_decision_log (item_id, campaign_id, stage, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, submission_id, at)
  SELECT d.item_id, d.campaign_id, d.stage, d.decision, d.reason_code, d.comment, d.keep_until, d.state, d.decided_by, d.channel, d.recorded_by, d.applied_by_default, d.submission_id, d.decided_at
  FROM review_decisions d`;

/**
 * The same word as a draft on many items of one stage (the current word
 * replaced, the log appended): two set-based statements. Inside the
 * caller's transaction.
 */
export function draftOnItems(db: Db, campaignId: number, stage: number, itemIds: readonly number[], w: Word, at: string): number {
  if (itemIds.length === 0) return 0;
  const ids = JSON.stringify(itemIds);
  const n = db
    .prepare(
      `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, submission_id, decided_at)
       SELECT j.value, @stage, @campaignId, @decision, @reasonCode, @comment, @keepUntil, 'draft', @decidedBy, @channel, @recordedBy, 0, NULL, @at FROM json_each(@ids) j WHERE true
       ON CONFLICT (item_id, stage) DO UPDATE SET decision = excluded.decision, reason_code = excluded.reason_code, comment = excluded.comment,
         keep_until = excluded.keep_until, state = 'draft', decided_by = excluded.decided_by, channel = excluded.channel,
         recorded_by = excluded.recorded_by, applied_by_default = 0, submission_id = NULL, decided_at = excluded.decided_at`,
    )
    .run({ ids, stage, campaignId, ...w, at }).changes;
  db.prepare(`${LOG_FROM_CURRENT} WHERE d.item_id IN (SELECT value FROM json_each(?)) AND d.stage = ?`).run(ids, stage);
  return n;
}

/**
 * Records each item's own word (a workbook row, a Jira approval) and submits
 * it under `submissionId` at once: the current word is written submitted,
 * and the log gets each word once, as submitted (it never was a draft: a
 * workbook or a Jira answer is given and submitted in one act). The words go
 * in as one JSON list ([itemId, decision, reasonCode, comment, keepUntil,
 * decidedBy, channel, recordedBy] each), so 50,000 workbook rows are two
 * set-based statements, not 50,000 upserts. Inside the caller's
 * transaction, after the submission row is inserted.
 */
export function submitEach(db: Db, campaignId: number, stage: number, words: readonly (Word & { itemId: number })[], submissionId: number, at: string): void {
  if (words.length === 0) return;
  const list = JSON.stringify(words.map((w) => [w.itemId, w.decision, w.reasonCode, w.comment, w.keepUntil, w.decidedBy, w.channel, w.recordedBy]));
  db.prepare(
    `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, submission_id, decided_at)
     SELECT j.value ->> 0, @stage, @campaignId, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, 'submitted', j.value ->> 5, j.value ->> 6, j.value ->> 7, 0, @submissionId, @at FROM json_each(@list) j WHERE true
     ON CONFLICT (item_id, stage) DO UPDATE SET decision = excluded.decision, reason_code = excluded.reason_code, comment = excluded.comment,
       keep_until = excluded.keep_until, state = 'submitted', decided_by = excluded.decided_by, channel = excluded.channel,
       recorded_by = excluded.recorded_by, applied_by_default = 0, submission_id = excluded.submission_id, decided_at = excluded.decided_at`,
  ).run({ list, stage, campaignId, submissionId, at });
  db.prepare(`${LOG_FROM_CURRENT} WHERE d.item_id IN (SELECT value ->> 0 FROM json_each(?)) AND d.stage = ?`).run(list, stage);
}

/** The drafts `decidedBy` has in this campaign and stage (optionally only these items), item order. */
export function draftsOf(db: Db, campaignId: number, stage: number, decidedBy: string, itemIds?: readonly number[]): DecisionRecord[] {
  if (itemIds) {
    return db
      .prepare(
        `SELECT d.* FROM review_decisions d
         WHERE d.item_id IN (SELECT value FROM json_each(?)) AND d.stage = ? AND d.campaign_id = ? AND d.state = 'draft' AND d.decided_by = ? ORDER BY d.item_id`,
      )
      .all(JSON.stringify(itemIds), stage, campaignId, decidedBy) as DecisionRecord[];
  }
  return db
    .prepare("SELECT * FROM review_decisions WHERE campaign_id = ? AND stage = ? AND state = 'draft' AND decided_by = ? ORDER BY item_id")
    .all(campaignId, stage, decidedBy) as DecisionRecord[];
}

/** A submission row; returns its id. */
export function insertSubmission(
  db: Db,
  s: { campaignId: number; stage: number; reviewer: string; submittedBy: string; channel: ReviewChannel; items: number; evidence: string | null; at: string },
): number {
  return Number(
    db
      .prepare('INSERT INTO review_submissions (campaign_id, stage, reviewer, submitted_by, channel, items, evidence, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.campaignId, s.stage, s.reviewer, s.submittedBy, s.channel, s.items, s.evidence, s.at).lastInsertRowid,
  );
}

/** The drafts of these items become submitted under the submission (and go on the log as submitted). */
export function markSubmitted(db: Db, stage: number, itemIds: readonly number[], submissionId: number, channel: ReviewChannel, at: string): void {
  const ids = JSON.stringify(itemIds);
  // The submission's channel is the word's channel: a draft made in the console and submitted from the CLI was given through the CLI.
  db.prepare(
    `UPDATE review_decisions SET state = 'submitted', submission_id = ?, channel = ?, decided_at = ?
     WHERE stage = ? AND state = 'draft' AND item_id IN (SELECT value FROM json_each(?))`,
  ).run(submissionId, channel, at, stage, ids);
  db.prepare(`${LOG_FROM_CURRENT} WHERE d.item_id IN (SELECT value FROM json_each(?)) AND d.stage = ?`).run(ids, stage);
}

export type SubmissionRecord = { id: number; campaign_id: number; stage: number; reviewer: string; submitted_by: string; channel: ReviewChannel; items: number; evidence: string | null; at: string };

export function submissionRecord(db: Db, id: number): SubmissionRecord | null {
  return (db.prepare('SELECT * FROM review_submissions WHERE id = ?').get(id) as SubmissionRecord | undefined) ?? null;
}

/** The reviewer's submission whose evidence starts with `prefix` (a Jira attachment already imported: "ACC-7 attachment 10001 "), if any. */
export function submissionWithEvidence(db: Db, campaignId: number, reviewer: string, prefix: string): SubmissionRecord | null {
  return (
    (db
      .prepare('SELECT * FROM review_submissions WHERE campaign_id = ? AND reviewer = ? AND substr(evidence, 1, length(?)) = ? ORDER BY id LIMIT 1')
      .get(campaignId, reviewer, prefix, prefix) as SubmissionRecord | undefined) ?? null
  );
}

/** The current word on these items in a stage, by item id. */
export function decisionsOfItems(db: Db, stage: number, itemIds: readonly number[]): Map<number, DecisionRecord> {
  if (itemIds.length === 0) return new Map();
  const rows = db
    .prepare('SELECT d.* FROM review_decisions d WHERE d.item_id IN (SELECT value FROM json_each(?)) AND d.stage = ?')
    .all(JSON.stringify(itemIds), stage) as DecisionRecord[];
  return new Map(rows.map((r) => [r.item_id, r]));
}

/** Every current word of a campaign's stage. */
export function decisionsOfStage(db: Db, campaignId: number, stage: number): DecisionRecord[] {
  return db.prepare('SELECT * FROM review_decisions WHERE campaign_id = ? AND stage = ? ORDER BY item_id').all(campaignId, stage) as DecisionRecord[];
}

/** Every word ever given on an item, oldest first. */
export function decisionLogOfItem(db: Db, itemId: number): DecisionLogRecord[] {
  return db.prepare('SELECT * FROM review_decision_log WHERE item_id = ? ORDER BY id').all(itemId) as DecisionLogRecord[];
}

/**
 * At a stage's close, a draft does not count (nothing counts until
 * submitted): where the item had a submitted word before, that word is the
 * current one again; other drafts are dropped (the log keeps them). Returns
 * how many were restored and dropped. Inside the caller's transaction.
 */
export function settleDraftsAtClose(db: Db, campaignId: number, stage: number): { restored: number; dropped: number } {
  const restored = db
    .prepare(
      `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, submission_id, decided_at)
       SELECT l.item_id, l.stage, l.campaign_id, l.decision, l.reason_code, l.comment, l.keep_until, 'submitted', l.decided_by, l.channel, l.recorded_by, l.applied_by_default, l.submission_id, l.at
       FROM review_decision_log l
       WHERE l.id IN (SELECT max(x.id) FROM review_decision_log x JOIN review_decisions d ON d.item_id = x.item_id AND d.stage = x.stage
                      WHERE d.campaign_id = @c AND d.stage = @s AND d.state = 'draft' AND x.state = 'submitted' GROUP BY x.item_id)
       ON CONFLICT (item_id, stage) DO UPDATE SET decision = excluded.decision, reason_code = excluded.reason_code, comment = excluded.comment,
         keep_until = excluded.keep_until, state = 'submitted', decided_by = excluded.decided_by, channel = excluded.channel,
         recorded_by = excluded.recorded_by, applied_by_default = excluded.applied_by_default, submission_id = excluded.submission_id, decided_at = excluded.decided_at`,
    )
    .run({ c: campaignId, s: stage }).changes;
  const dropped = db.prepare("DELETE FROM review_decisions WHERE campaign_id = ? AND stage = ? AND state = 'draft'").run(campaignId, stage).changes;
  return { restored, dropped };
}

/**
 * The default outcome for items of the stage with no word: submitted,
 * applied_by_default, channel 'system', on the log too (an item that has a
 * word is left alone). Inside the caller's transaction.
 */
export function applyDefaults(db: Db, campaignId: number, stage: number, undecided: readonly { itemId: number; decision: ReviewDecision }[], comment: string, by: string, at: string): number {
  if (undecided.length === 0) return 0;
  const ids = JSON.stringify(undecided.map((u) => [u.itemId, u.decision]));
  const n = db
    .prepare(
      `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, keep_until, state, decided_by, channel, recorded_by, applied_by_default, submission_id, decided_at)
       SELECT j.value ->> 0, @s, @c, j.value ->> 1, NULL, @comment, NULL, 'submitted', @by, 'system', NULL, 1, NULL, @at FROM json_each(@ids) j WHERE true
       ON CONFLICT (item_id, stage) DO NOTHING`,
    )
    .run({ ids, s: stage, c: campaignId, comment, by, at }).changes;
  db.prepare(`${LOG_FROM_CURRENT} WHERE d.campaign_id = ? AND d.stage = ? AND d.applied_by_default = 1 AND d.decided_at = ? AND d.item_id IN (SELECT value ->> 0 FROM json_each(?))`).run(
    campaignId,
    stage,
    at,
    ids,
  );
  return n;
}

// --- progress: decisions with their items' reviewers, one grouped query each (a read of review_items, declared in db/table-owners.ts) ---

export type ReviewerTally = { reviewer: string; stage: number; total: number; decided: number; submitted: number; kept: number; revoked: number; channels: string | null };

/** Per reviewer and stage: items, decided (any word), submitted, kept and revoked (submitted words), the channels their words came through (comma-separated). */
export function tallyByReviewer(db: Db, campaignId: number): ReviewerTally[] {
  return db
    .prepare(
      `SELECT i.reviewer, i.stage, count(*) AS total, count(d.item_id) AS decided,
              coalesce(sum(d.state = 'submitted'), 0) AS submitted,
              coalesce(sum(d.state = 'submitted' AND d.decision = 'keep'), 0) AS kept,
              coalesce(sum(d.state = 'submitted' AND d.decision = 'revoke'), 0) AS revoked,
              group_concat(DISTINCT d.channel) AS channels
       FROM review_items i LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage
       WHERE i.campaign_id = ? GROUP BY i.reviewer, i.stage ORDER BY i.stage, i.reviewer`,
    )
    .all(campaignId) as ReviewerTally[];
}

/** Per app (the role's app, else the group): items, decided, revoked (current words at the item's stage). */
export function tallyByApp(db: Db, campaignId: number): { label: string; total: number; decided: number; revoked: number }[] {
  return db
    .prepare(
      `SELECT coalesce(i.app_label, i.group_name) AS label, count(*) AS total, count(d.item_id) AS decided, coalesce(sum(d.decision = 'revoke'), 0) AS revoked
       FROM review_items i LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage
       WHERE i.campaign_id = ? GROUP BY label ORDER BY total DESC, label`,
    )
    .all(campaignId) as { label: string; total: number; decided: number; revoked: number }[];
}

/** Items first submitted per day (UTC, any stage), from the log: the burndown. Defaults applied at close count on their day. */
export function firstSubmittedPerDay(db: Db, campaignId: number): { day: string; n: number }[] {
  return db
    .prepare(
      `SELECT substr(first, 1, 10) AS day, count(*) AS n FROM (
         SELECT min(at) AS first FROM review_decision_log WHERE campaign_id = ? AND state = 'submitted' GROUP BY item_id)
       GROUP BY day ORDER BY day`,
    )
    .all(campaignId) as { day: string; n: number }[];
}
