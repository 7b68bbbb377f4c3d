// Migration 12: birthright policies (issue 13): what a person gets because
// of who they are, versioned, with exceptions and a second operator's
// approval for large enforced changes.
//
// Why:
// - policies: one row per policy (name unique, case-insensitive), the
//   version in effect and its mode (monitor: evaluated and reported; enforce:
//   acted on). Only policies/policy-store.ts writes it.
// - policy_versions: every version ever saved, never deleted: the
//   definition (conditions, roles, grace period) as JSON, who saved it and
//   through which channel. An edit is a new version; the one in effect is
//   'current', earlier ones 'superseded'; an edit of an enforced policy that
//   needs a second operator is 'awaiting-approval' until approved (the
//   current one stays in effect meanwhile), 'withdrawn' if replaced first.
// - policy_approvals: a change that needs a second operator (enforcing a
//   policy, or an edit of an enforced one, affecting more people than the
//   workspace allows or touching a critical role): who asked, why, the
//   what-if's counts it was judged on, and who approved it. At most one
//   waiting per policy (the partial unique index).
// - policy_exceptions: a person a policy does not apply to until `ends_at`
//   (an exact instant: from then on it no longer applies), with an owner and
//   a reason. Ending one early sets `ended_at`.
export const migration012 = {
  version: 12,
  name: 'policies',
  sql: `
CREATE TABLE policies (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  current_version INTEGER NOT NULL CHECK (current_version >= 1),
  mode            TEXT NOT NULL CHECK (mode IN ('monitor', 'enforce')),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE policy_versions (
  policy_id   INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL CHECK (version >= 1),
  name        TEXT NOT NULL,
  -- JSON: { description, when, grants, graceDays } (shared/contract-policies.ts PolicyDefinition without name and mode).
  definition  TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('current', 'superseded', 'awaiting-approval', 'withdrawn')),
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  channel     TEXT NOT NULL,
  PRIMARY KEY (policy_id, version)
) WITHOUT ROWID;

CREATE TABLE policy_approvals (
  id                INTEGER PRIMARY KEY,
  policy_id         INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  version           INTEGER NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('enforce', 'edit')),
  requested_by      TEXT NOT NULL,
  requested_channel TEXT NOT NULL,
  requested_at      TEXT NOT NULL,
  -- JSON: why approval is needed (strings) and the what-if's counts.
  reasons           TEXT NOT NULL,
  counts            TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('waiting', 'approved', 'withdrawn')),
  decided_by        TEXT,
  decided_channel   TEXT,
  decided_at        TEXT
);
CREATE UNIQUE INDEX policy_approvals_waiting ON policy_approvals (policy_id) WHERE state = 'waiting';

CREATE TABLE policy_exceptions (
  id           INTEGER PRIMARY KEY,
  policy_id    INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  person_id    TEXT NOT NULL,
  person_label TEXT NOT NULL,
  owner        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  ends_at      TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  channel      TEXT NOT NULL,
  ended_at     TEXT,
  ended_by     TEXT
);
CREATE INDEX policy_exceptions_by_policy ON policy_exceptions (policy_id, ends_at);
`,
} as const;
