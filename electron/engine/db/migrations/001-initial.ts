// Migration 1: connections, the synced snapshot (generation-stamped so a sync
// that fails half-way never disturbs the live one), sync runs and the
// hash-chained audit log.
//
// Snapshot tables carry `gen`: a sync writes the next generation beside the
// live one and flips `connections.live_gen` in one short transaction when it
// succeeds. Readers only ever see `cur_*` views, i.e. the live generation.
export const migration001 = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- A random id per workspace file: keychain entries are named after it, so two
-- workspaces never share (or overwrite) each other's credentials.
INSERT INTO meta (key, value) VALUES ('workspace_id', lower(hex(randomblob(16))));

CREATE TABLE connections (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind          TEXT NOT NULL CHECK (kind IN ('okta', 'entra', 'jira')),
  base_url      TEXT NOT NULL,
  auth_type     TEXT NOT NULL CHECK (auth_type IN ('token', 'oauth')),
  client_id     TEXT,
  scopes        TEXT NOT NULL DEFAULT '[]',
  settings      TEXT NOT NULL DEFAULT '{}',
  org_name      TEXT,
  live_gen      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE identities (
  connection_id   INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  gen             INTEGER NOT NULL,
  id              TEXT NOT NULL,
  login           TEXT NOT NULL,
  email           TEXT,
  first_name      TEXT,
  last_name       TEXT,
  display_name    TEXT NOT NULL,
  status          TEXT NOT NULL,
  department      TEXT,
  title           TEXT,
  manager_id      TEXT,
  location        TEXT,
  employee_type   TEXT,
  employee_number TEXT,
  last_login      TEXT,
  created         TEXT,
  last_updated    TEXT,
  profile         TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (connection_id, gen, id)
) WITHOUT ROWID;

CREATE TABLE groups (
  connection_id           INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  gen                     INTEGER NOT NULL,
  id                      TEXT NOT NULL,
  name                    TEXT NOT NULL,
  description             TEXT,
  type                    TEXT NOT NULL,
  managed_by              TEXT NOT NULL CHECK (managed_by IN ('rule', 'external', 'latchkey', 'direct')),
  managed_by_name         TEXT,
  last_membership_updated TEXT,
  last_updated            TEXT,
  PRIMARY KEY (connection_id, gen, id)
) WITHOUT ROWID;

CREATE TABLE memberships (
  connection_id INTEGER NOT NULL,
  gen           INTEGER NOT NULL,
  group_id      TEXT NOT NULL,
  identity_id   TEXT NOT NULL,
  PRIMARY KEY (connection_id, gen, group_id, identity_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_identity ON memberships (connection_id, gen, identity_id);

CREATE TABLE apps (
  connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  gen            INTEGER NOT NULL,
  id             TEXT NOT NULL,
  name           TEXT NOT NULL,
  label          TEXT NOT NULL,
  status         TEXT NOT NULL,
  sign_on_mode   TEXT,
  PRIMARY KEY (connection_id, gen, id)
) WITHOUT ROWID;

CREATE TABLE app_assignments (
  connection_id INTEGER NOT NULL,
  gen           INTEGER NOT NULL,
  app_id        TEXT NOT NULL,
  group_id      TEXT NOT NULL,
  priority      INTEGER,
  PRIMARY KEY (connection_id, gen, app_id, group_id)
) WITHOUT ROWID;
CREATE INDEX app_assignments_by_group ON app_assignments (connection_id, gen, group_id);

CREATE VIEW cur_identities AS
  SELECT i.* FROM identities i JOIN connections c ON c.id = i.connection_id AND c.live_gen = i.gen;
CREATE VIEW cur_groups AS
  SELECT g.* FROM groups g JOIN connections c ON c.id = g.connection_id AND c.live_gen = g.gen;
CREATE VIEW cur_memberships AS
  SELECT m.* FROM memberships m JOIN connections c ON c.id = m.connection_id AND c.live_gen = m.gen;
CREATE VIEW cur_apps AS
  SELECT a.* FROM apps a JOIN connections c ON c.id = a.connection_id AND c.live_gen = a.gen;
CREATE VIEW cur_app_assignments AS
  SELECT x.* FROM app_assignments x JOIN connections c ON c.id = x.connection_id AND c.live_gen = x.gen;

CREATE TABLE sync_runs (
  id               INTEGER PRIMARY KEY,
  connection_id    INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  mode             TEXT NOT NULL CHECK (mode IN ('full', 'incremental')),
  status           TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  gen              INTEGER NOT NULL,
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  users            INTEGER NOT NULL DEFAULT 0,
  groups           INTEGER NOT NULL DEFAULT 0,
  memberships      INTEGER NOT NULL DEFAULT 0,
  apps             INTEGER NOT NULL DEFAULT 0,
  app_assignments  INTEGER NOT NULL DEFAULT 0,
  requests         INTEGER NOT NULL DEFAULT 0,
  throttled_waits  INTEGER NOT NULL DEFAULT 0,
  rate_limited     INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  cursor           TEXT
);
CREATE INDEX sync_runs_by_connection ON sync_runs (connection_id, id);

-- Append-only: each row's hash = SHA-256(prev_hash || canonical JSON of the row).
CREATE TABLE audit_events (
  seq         INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
`,
} as const;
