// Migration 3: the governance tables — ours, never rewritten by sync.
//
// catalog_apps / catalog_roles / catalog_mappings: what can be requested and
// which IdP groups a role means. requests / approvals: who asked for what and
// who decided. grants: the access ledger, one row per (request, mapped group),
// the only record of why a membership exists and until when. jobs: the durable
// queue that changes the IdP (provision, revoke) and writes back to Jira;
// job_attempts keep every try for the request timeline. manual_tasks: changes
// Latchkey may not make itself (rule/dynamic groups, read-only connections).
// drift: memberships and grants that disagree.
//
// Mappings keep the group's name as it was when mapped and have no foreign key
// to the snapshot: a group deleted or renamed in the IdP must leave a visible,
// explained broken mapping, not vanish with the next sync.
export const migration003 = {
  version: 3,
  name: 'governance',
  sql: `
CREATE TABLE catalog_apps (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description          TEXT NOT NULL DEFAULT '',
  owner_email          TEXT,
  -- The IdP app this entry was suggested from, if any.
  source_connection_id INTEGER,
  source_app_id        TEXT,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);

CREATE TABLE catalog_roles (
  id                    INTEGER PRIMARY KEY,
  app_id                INTEGER NOT NULL REFERENCES catalog_apps(id) ON DELETE CASCADE,
  name                  TEXT NOT NULL COLLATE NOCASE,
  description           TEXT NOT NULL DEFAULT '',
  risk                  TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
  -- JSON ApprovalPolicy (shared/governance.ts).
  approval_policy       TEXT NOT NULL,
  -- JSON DurationOption[]; 'custom' allows any length up to max_duration_minutes.
  durations             TEXT NOT NULL,
  default_duration      TEXT NOT NULL,
  max_duration_minutes  INTEGER,
  owner_email           TEXT,
  requestable           INTEGER NOT NULL DEFAULT 1,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  UNIQUE (app_id, name)
);

CREATE TABLE catalog_mappings (
  role_id        INTEGER NOT NULL REFERENCES catalog_roles(id) ON DELETE CASCADE,
  connection_id  INTEGER NOT NULL,
  group_id       TEXT NOT NULL,
  group_name     TEXT NOT NULL,
  mapped_at      TEXT NOT NULL,
  PRIMARY KEY (role_id, connection_id, group_id)
) WITHOUT ROWID;
CREATE INDEX catalog_mappings_by_group ON catalog_mappings (connection_id, group_id);

-- Suggestions the admin dismissed stay dismissed across syncs.
CREATE TABLE catalog_dismissed (
  connection_id  INTEGER NOT NULL,
  app_id         TEXT NOT NULL,
  group_id       TEXT NOT NULL,
  dismissed_at   TEXT NOT NULL,
  dismissed_by   TEXT NOT NULL,
  PRIMARY KEY (connection_id, app_id, group_id)
) WITHOUT ROWID;

CREATE TABLE requests (
  id                         INTEGER PRIMARY KEY,
  role_id                    INTEGER NOT NULL REFERENCES catalog_roles(id),
  -- The beneficiary's account the request was made for; other IdP accounts
  -- of the same person are found through correlation at provisioning time.
  beneficiary_connection_id  INTEGER NOT NULL,
  beneficiary_identity_id    TEXT NOT NULL,
  beneficiary_email          TEXT,
  beneficiary_name           TEXT NOT NULL,
  requester                  TEXT NOT NULL,
  duration                   TEXT NOT NULL,
  duration_minutes           INTEGER,
  ends_at                    TEXT,
  justification              TEXT NOT NULL,
  status                     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
  source                     TEXT NOT NULL CHECK (source IN ('console', 'cli', 'jira', 'csv', 'extend')),
  -- For 'extend': the grant's request this one renews.
  extends_request_id         INTEGER REFERENCES requests(id),
  current_step               INTEGER NOT NULL DEFAULT 0,
  escalated_at               TEXT,
  jira_connection_id         INTEGER,
  jira_issue_key             TEXT,
  jira_issue_id              TEXT,
  created_at                 TEXT NOT NULL,
  updated_at                 TEXT NOT NULL,
  decided_at                 TEXT
);
CREATE INDEX requests_by_status ON requests (status, created_at);
CREATE INDEX requests_by_beneficiary ON requests (beneficiary_connection_id, beneficiary_identity_id);
-- One Latchkey request per Jira issue: importing a JSM request twice is a no-op.
CREATE UNIQUE INDEX requests_by_jira_issue ON requests (jira_connection_id, jira_issue_key) WHERE jira_issue_key IS NOT NULL;

CREATE TABLE approvals (
  id           INTEGER PRIMARY KEY,
  request_id   INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  step         INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('auto', 'manager', 'app-owner', 'named')),
  -- JSON string[] of e-mails allowed to decide this step, resolved when the step opened.
  approvers    TEXT NOT NULL DEFAULT '[]',
  status       TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'denied', 'skipped')),
  decided_by   TEXT,
  decided_at   TEXT,
  channel      TEXT CHECK (channel IN ('console', 'cli', 'jira', 'auto', 'csv')),
  comment      TEXT,
  recorded_by  TEXT,
  UNIQUE (request_id, step)
);

CREATE TABLE grants (
  id                 INTEGER PRIMARY KEY,
  request_id         INTEGER REFERENCES requests(id),
  role_id            INTEGER REFERENCES catalog_roles(id),
  connection_id      INTEGER NOT NULL,
  group_id           TEXT NOT NULL,
  group_name         TEXT NOT NULL,
  identity_id        TEXT NOT NULL,
  beneficiary_email  TEXT,
  beneficiary_name   TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'active', 'manual', 'failed', 'revoking', 'revoked', 'expired', 'cancelled')),
  starts_at          TEXT NOT NULL,
  expires_at         TEXT,
  provisioned_at     TEXT,
  ended_at           TEXT,
  end_reason         TEXT,
  notice_at          TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX grants_by_expiry ON grants (status, expires_at);
CREATE INDEX grants_by_member ON grants (connection_id, group_id, identity_id);
CREATE INDEX grants_by_request ON grants (request_id);

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('provision', 'revoke', 'jira')),
  grant_id         INTEGER REFERENCES grants(id),
  request_id       INTEGER REFERENCES requests(id),
  connection_id    INTEGER,
  payload          TEXT NOT NULL DEFAULT '{}',
  status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'manual')),
  -- Lower runs first: expiry catch-up (0) before provisioning (10) before Jira (20).
  priority         INTEGER NOT NULL DEFAULT 10,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 8,
  run_after        TEXT NOT NULL,
  locked_by        TEXT,
  locked_at        TEXT,
  last_error       TEXT,
  result           TEXT,
  -- Enqueueing the same effect twice yields one job.
  idempotency_key  TEXT UNIQUE,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  finished_at      TEXT
);
CREATE INDEX jobs_due ON jobs (status, priority, run_after);
CREATE INDEX jobs_by_grant ON jobs (grant_id);
CREATE INDEX jobs_by_request ON jobs (request_id);

CREATE TABLE job_attempts (
  job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt      INTEGER NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  outcome      TEXT CHECK (outcome IN ('succeeded', 'retry', 'failed', 'manual', 'interrupted')),
  http_status  INTEGER,
  error        TEXT,
  PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;

CREATE TABLE manual_tasks (
  id            INTEGER PRIMARY KEY,
  grant_id      INTEGER REFERENCES grants(id),
  job_id        INTEGER REFERENCES jobs(id),
  action        TEXT NOT NULL CHECK (action IN ('add', 'remove')),
  reason        TEXT NOT NULL,
  instructions  TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  evidence      TEXT,
  completed_by  TEXT,
  completed_at  TEXT,
  created_at    TEXT NOT NULL
);
CREATE INDEX manual_tasks_by_status ON manual_tasks (status);

CREATE TABLE drift (
  id             INTEGER PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('reappeared', 'missing', 'expired-still-member')),
  connection_id  INTEGER NOT NULL,
  group_id       TEXT NOT NULL,
  identity_id    TEXT NOT NULL,
  grant_id       INTEGER REFERENCES grants(id),
  details        TEXT NOT NULL DEFAULT '{}',
  detected_at    TEXT NOT NULL,
  resolved_at    TEXT,
  resolution     TEXT
);
CREATE UNIQUE INDEX drift_open ON drift (kind, connection_id, group_id, identity_id) WHERE resolved_at IS NULL;

-- A request's timeline reads its audit events by target.
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id);

-- Workspace-level settings (operator identity, notice lead time, ...): JSON values.
CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
`,
} as const;
