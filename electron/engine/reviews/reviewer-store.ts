// The review_reviewers table: per campaign, stage and reviewer, their Jira
// issue and when they were last reminded.
import type { Db } from '../db/database.js';

export type ReviewerRecord = {
  campaign_id: number;
  stage: number;
  reviewer: string;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
  jira_issue_id: string | null;
  jira_account_id: string | null;
  last_reminded_at: string | null;
};

export function reviewersOf(db: Db, campaignId: number, stage: number): ReviewerRecord[] {
  return db.prepare('SELECT * FROM review_reviewers WHERE campaign_id = ? AND stage = ? ORDER BY reviewer').all(campaignId, stage) as ReviewerRecord[];
}

export function reviewerRecord(db: Db, campaignId: number, stage: number, reviewer: string): ReviewerRecord | null {
  return (db.prepare('SELECT * FROM review_reviewers WHERE campaign_id = ? AND stage = ? AND reviewer = ?').get(campaignId, stage, reviewer) as ReviewerRecord | undefined) ?? null;
}

/** The reviewer's row, created empty when missing. */
export function ensureReviewer(db: Db, campaignId: number, stage: number, reviewer: string): ReviewerRecord {
  db.prepare('INSERT INTO review_reviewers (campaign_id, stage, reviewer) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(campaignId, stage, reviewer);
  return reviewerRecord(db, campaignId, stage, reviewer) as ReviewerRecord;
}

/** Stores the reviewer's Jira issue (and the Jira account resolved from their e-mail, when found). */
export function setReviewerIssue(db: Db, campaignId: number, stage: number, reviewer: string, issue: { connectionId: number; key: string; id: string; accountId: string | null }): void {
  ensureReviewer(db, campaignId, stage, reviewer);
  db.prepare('UPDATE review_reviewers SET jira_connection_id = ?, jira_issue_key = ?, jira_issue_id = ?, jira_account_id = ? WHERE campaign_id = ? AND stage = ? AND reviewer = ?').run(
    issue.connectionId,
    issue.key,
    issue.id,
    issue.accountId,
    campaignId,
    stage,
    reviewer,
  );
}

export function markReminded(db: Db, campaignId: number, stage: number, reviewer: string, at: Date): void {
  ensureReviewer(db, campaignId, stage, reviewer);
  db.prepare('UPDATE review_reviewers SET last_reminded_at = ? WHERE campaign_id = ? AND stage = ? AND reviewer = ?').run(at.toISOString(), campaignId, stage, reviewer);
}

/** Every reviewer with a Jira issue in a campaign (any stage): where the summary goes at close. */
export function reviewerIssues(db: Db, campaignId: number): ReviewerRecord[] {
  return db.prepare('SELECT * FROM review_reviewers WHERE campaign_id = ? AND jira_issue_key IS NOT NULL ORDER BY stage, reviewer').all(campaignId) as ReviewerRecord[];
}

/** The reviewer whose issue this is, when Latchkey made it for a review. */
export function reviewerOfIssue(db: Db, connectionId: number, issueKey: string): ReviewerRecord | null {
  return (db.prepare('SELECT * FROM review_reviewers WHERE jira_connection_id = ? AND jira_issue_key = ?').get(connectionId, issueKey) as ReviewerRecord | undefined) ?? null;
}
