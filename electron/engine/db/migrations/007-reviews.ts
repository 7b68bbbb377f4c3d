// Migration 7: access reviews — campaigns, their frozen population, the
// decisions on it (drafts, submissions, history) and what each revoke became.
//
// Why each table:
// - review_campaigns: the definition (scope, reviewers, due date, what happens
//   at close) as JSON, so a campaign launched under one definition keeps it;
//   and, from launch, the population's proof: its count, the SHA-256 over its
//   canonical rows and the counts per connection checked against the
//   snapshot's own totals for the same scope (the evidence workbook shows
//   both). stale_override: the reason (and who) when launch went ahead on a
//   connection whose data was old or whose last sync failed.
// - review_items: one row per (person, access) in scope, copied at launch
//   with what the reviewer needs as of that moment — never rewritten by a
//   later sync (row_hash covers the frozen columns; the reviewer workbook
//   carries it so an edited population column is refused on import). Only
//   the recommendation (refreshed after each sync while open), the reviewer
//   (reassignment, a leaver's items to the fallback) and the stage move.
// - review_decisions: the current word per item and stage (a draft until the
//   reviewer submits; last word wins); review_decision_log keeps every word
//   ever given, so a changed decision and a decision given through two
//   channels are both on record.
// - review_submissions: each batch a reviewer submitted (who, when, through
//   which channel, how many items, the workbook's SHA-256 or Jira's account).
// - review_remediations: what a revoke (or "keep, time-bound") became: the
//   grant, the job, the manual task, and the sync run that verified the
//   membership gone.
// - review_reviewers: per campaign, stage and reviewer: their Jira issue and
//   when they were last reminded.
export const migration007 = {
  version: 7,
  name: 'reviews',
  sql: `
CREATE TABLE review_campaigns (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL,
  description         TEXT NOT NULL DEFAULT '',
  -- JSON CampaignDefinition (shared/contract-reviews.ts).
  definition          TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('draft', 'active', 'remediating', 'complete', 'cancelled')),
  stage               INTEGER NOT NULL DEFAULT 1 CHECK (stage IN (1, 2)),
  due_at              TEXT,
  stage_due_at        TEXT,
  -- The campaign this one was copied from or recurs after.
  parent_id           INTEGER REFERENCES review_campaigns(id),
  created_by          TEXT NOT NULL,
  created_channel     TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  launched_by         TEXT,
  launched_channel    TEXT,
  launched_at         TEXT,
  stale_override      TEXT,
  population_count    INTEGER,
  population_hash     TEXT,
  -- JSON [{connectionId, name, items, snapshotTotal, syncRunId, syncedAt}].
  population_counts   TEXT,
  closed_by           TEXT,
  closed_channel      TEXT,
  closed_at           TEXT,
  completed_at        TEXT,
  cancelled_reason    TEXT,
  next_created_id     INTEGER,
  updated_at          TEXT NOT NULL
);
CREATE INDEX review_campaigns_by_status ON review_campaigns (status, due_at);

CREATE TABLE review_items (
  id                  INTEGER PRIMARY KEY,
  campaign_id         INTEGER NOT NULL REFERENCES review_campaigns(id) ON DELETE CASCADE,
  -- The account and the access (a group membership: what the IdP grants and Latchkey can remove).
  connection_id       INTEGER NOT NULL,
  identity_id         TEXT NOT NULL,
  group_id            TEXT NOT NULL,
  group_name          TEXT NOT NULL,
  -- The person as of launch.
  person_name         TEXT NOT NULL,
  person_email        TEXT,
  person_status       TEXT NOT NULL,
  title               TEXT,
  department          TEXT,
  manager_email       TEXT,
  manager_name        TEXT,
  employment_type     TEXT,
  last_login          TEXT,
  account_created     TEXT,
  -- How the access is held: direct, group-rule, dynamic-group, external (source-managed).
  held_via            TEXT NOT NULL CHECK (held_via IN ('direct', 'group-rule', 'dynamic-group', 'external')),
  -- JSON string[]: the IdP apps the group is assigned to (app assignment via group).
  via_apps            TEXT NOT NULL DEFAULT '[]',
  role_id             INTEGER,
  role_label          TEXT,
  risk                TEXT,
  app_label           TEXT,
  -- What is behind it: NULL grant = held outside the process.
  grant_id            INTEGER,
  request_id          INTEGER,
  approvers           TEXT NOT NULL DEFAULT '[]',
  jira_key            TEXT,
  granted_at          TEXT,
  expires_at          TEXT,
  -- SHA-256 of the frozen columns above in canonical form.
  row_hash            TEXT NOT NULL,
  peer_pct            REAL,
  recommendation      TEXT NOT NULL CHECK (recommendation IN ('revoke', 'look', 'keep')),
  -- JSON [{code, text}].
  reasons             TEXT NOT NULL DEFAULT '[]',
  launch_recommendation TEXT NOT NULL CHECK (launch_recommendation IN ('revoke', 'look', 'keep')),
  launch_reasons      TEXT NOT NULL DEFAULT '[]',
  recommendation_changed_at TEXT,
  stage               INTEGER NOT NULL DEFAULT 1 CHECK (stage IN (1, 2)),
  reviewer            TEXT NOT NULL,
  reviewer_source     TEXT NOT NULL CHECK (reviewer_source IN ('manager', 'owner', 'group-owner', 'named', 'fallback', 'reassigned', 'delegated')),
  reviewer_note       TEXT
);
CREATE INDEX review_items_by_reviewer ON review_items (campaign_id, reviewer, stage);
CREATE INDEX review_items_by_member ON review_items (connection_id, group_id, identity_id);

CREATE TABLE review_decisions (
  item_id             INTEGER NOT NULL REFERENCES review_items(id) ON DELETE CASCADE,
  stage               INTEGER NOT NULL CHECK (stage IN (1, 2)),
  campaign_id         INTEGER NOT NULL,
  decision            TEXT NOT NULL CHECK (decision IN ('keep', 'revoke')),
  reason_code         TEXT,
  comment             TEXT,
  -- "Keep, but make it time-bound": the end date the membership gets.
  keep_until          TEXT,
  state               TEXT NOT NULL CHECK (state IN ('draft', 'submitted')),
  decided_by          TEXT NOT NULL,
  channel             TEXT NOT NULL CHECK (channel IN ('console', 'cli', 'jira', 'workbook', 'system')),
  recorded_by         TEXT,
  applied_by_default  INTEGER NOT NULL DEFAULT 0,
  submission_id       INTEGER,
  decided_at          TEXT NOT NULL,
  PRIMARY KEY (item_id, stage)
) WITHOUT ROWID;
CREATE INDEX review_decisions_by_campaign ON review_decisions (campaign_id, stage, state);

CREATE TABLE review_decision_log (
  id                  INTEGER PRIMARY KEY,
  item_id             INTEGER NOT NULL REFERENCES review_items(id) ON DELETE CASCADE,
  campaign_id         INTEGER NOT NULL,
  stage               INTEGER NOT NULL,
  decision            TEXT NOT NULL,
  reason_code         TEXT,
  comment             TEXT,
  keep_until          TEXT,
  state               TEXT NOT NULL,
  decided_by          TEXT NOT NULL,
  channel             TEXT NOT NULL,
  recorded_by         TEXT,
  applied_by_default  INTEGER NOT NULL DEFAULT 0,
  submission_id       INTEGER,
  at                  TEXT NOT NULL
);
CREATE INDEX review_decision_log_by_item ON review_decision_log (item_id, id);
CREATE INDEX review_decision_log_by_campaign ON review_decision_log (campaign_id, at);

CREATE TABLE review_submissions (
  id                  INTEGER PRIMARY KEY,
  campaign_id         INTEGER NOT NULL REFERENCES review_campaigns(id) ON DELETE CASCADE,
  stage               INTEGER NOT NULL,
  reviewer            TEXT NOT NULL,
  submitted_by        TEXT NOT NULL,
  channel             TEXT NOT NULL CHECK (channel IN ('console', 'cli', 'jira', 'workbook', 'system')),
  items               INTEGER NOT NULL,
  -- The reviewer workbook's SHA-256, or Jira's account id and issue key.
  evidence            TEXT,
  at                  TEXT NOT NULL
);
CREATE INDEX review_submissions_by_campaign ON review_submissions (campaign_id, reviewer);

CREATE TABLE review_remediations (
  item_id             INTEGER PRIMARY KEY REFERENCES review_items(id) ON DELETE CASCADE,
  campaign_id         INTEGER NOT NULL,
  kind                TEXT NOT NULL CHECK (kind IN ('revoke', 'time-bound')),
  status              TEXT NOT NULL CHECK (status IN ('queued', 'done', 'verified', 'failed', 'manual', 'manual-done')),
  grant_id            INTEGER,
  job_id              INTEGER,
  task_id             INTEGER,
  -- When the IdP change was done (the job succeeded): a sync verifies only if it started after this.
  done_at             TEXT,
  verified_run_id     INTEGER,
  verified_at         TEXT,
  note                TEXT,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX review_remediations_by_campaign ON review_remediations (campaign_id, status);
CREATE INDEX review_remediations_by_grant ON review_remediations (grant_id);

CREATE TABLE review_reviewers (
  campaign_id         INTEGER NOT NULL REFERENCES review_campaigns(id) ON DELETE CASCADE,
  stage               INTEGER NOT NULL,
  reviewer            TEXT NOT NULL,
  jira_connection_id  INTEGER,
  jira_issue_key      TEXT,
  jira_issue_id       TEXT,
  jira_account_id     TEXT,
  last_reminded_at    TEXT,
  PRIMARY KEY (campaign_id, stage, reviewer)
) WITHOUT ROWID;
`,
} as const;
