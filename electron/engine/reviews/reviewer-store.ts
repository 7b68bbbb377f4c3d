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
