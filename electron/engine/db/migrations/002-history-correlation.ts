// Migration 2: what each sync run changed (snapshot history and diff), the
// cross-IdP person correlation, and the run fields incremental sync needs.
//
// Changes are facts about one object ("subject") and, for links, the group on
// the other end ("object"): a user's membership of a group, an app's
// assignment to a group. Existence changes (joiner/leaver, *-add/*-remove,
// *-added/*-removed) have no field; attribute changes name the field with its
// before/after value. A diff between two runs composes the changes in between
// (first before, last after), so nothing else has to be kept per generation.
export const migration002 = {
  version: 2,
  name: 'history-correlation',
  sql: `
CREATE TABLE sync_changes (
  seq           INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  connection_id INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN (
                  'joiner', 'leaver', 'status', 'attribute',
                  'membership-add', 'membership-remove', 'assignment-add', 'assignment-remove',
                  'group-added', 'group-removed', 'group-changed', 'app-added', 'app-removed', 'app-changed')),
  subject_type  TEXT NOT NULL CHECK (subject_type IN ('user', 'group', 'app')),
  subject_id    TEXT NOT NULL,
  subject_name  TEXT,
  object_id     TEXT,
  object_name   TEXT,
  field         TEXT,
  before        TEXT,
  after         TEXT
);
CREATE INDEX sync_changes_by_run ON sync_changes (run_id, kind);
CREATE INDEX sync_changes_by_subject ON sync_changes (connection_id, subject_type, subject_id);

-- changes: rows in sync_changes for the run. baseline: the connection's first
-- snapshot (nothing to compare it with, so no per-object changes recorded).
-- note: why this mode was chosen (e.g. "System Log position older than 90 days: full sync").
ALTER TABLE sync_runs ADD COLUMN changes  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN note     TEXT;
-- History starts here for a workspace synced before this version: its newest
-- successful run per connection is the baseline later runs compare with (a
-- diff reaching further back would be silently incomplete).
UPDATE sync_runs SET baseline = 1
  WHERE id IN (SELECT max(id) FROM sync_runs WHERE status = 'succeeded' GROUP BY connection_id);

-- One person known to several IdPs: accounts of one person share person_id
-- (the "connectionId:identityId" of the cluster's first account). Only people
-- with two or more accounts have rows; an identity without one is its own
-- person. Rewritten after a sync that changed a match key (people.ts).
CREATE TABLE person_links (
  connection_id INTEGER NOT NULL,
  identity_id   TEXT NOT NULL,
  person_id     TEXT NOT NULL,
  matched_by    TEXT CHECK (matched_by IN ('email', 'employee-id')),
  PRIMARY KEY (connection_id, identity_id)
) WITHOUT ROWID;
CREATE INDEX person_links_by_person ON person_links (person_id);

-- Matches the correlation refused to guess (listed for the admin).
CREATE TABLE correlation_issues (
  id       INTEGER PRIMARY KEY,
  reason   TEXT NOT NULL CHECK (reason IN ('ambiguous-email', 'ambiguous-employee-id', 'conflicting-keys')),
  match_key TEXT NOT NULL,
  accounts TEXT NOT NULL
);
`,
} as const;
