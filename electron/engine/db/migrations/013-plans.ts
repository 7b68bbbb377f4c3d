// Migration 13: orchestration plans for joiners, movers and leavers (issue
// 13), after the birthright policies (12).
//
// Why:
// - plans: one per HR event or detected change (`trigger_key` UNIQUE: an
//   event is planned once, whatever crashes or re-evaluations follow), with
//   the person it is about (the Directory's person id, name and e-mail as
//   they were when planned), the HR event, the policy versions that justify
//   it (JSON), when it may start (`effective_at`: never before the
//   effective date), its state and why it failed, its Jira issue, and for a
//   leaver when the last removal landed (`last_removal_at`: the evidence
//   workbook's Leavers sheet measures from the effective date to it).
// - plan_steps: the plan's graph. Each step sits in a tier (1 account
//   checks, 2 base access, 3 department, 4 role, 5 manual steps, 6
//   notices) and may name further steps it depends on (`depends_on`, JSON
//   step keys); a tier starts when every step of the tiers before it has
//   settled. A step that changes access points at its grant and its durable
//   job (jobs/), a manual one at its manual task; `undo_job_id` is the
//   revocation a rollback queued for a step the plan had completed.
//   `not_before`: a mover's removal waits for its policy's grace period.
export const migration013 = {
  version: 13,
  name: 'plans',
  sql: `
CREATE TABLE plans (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('joiner', 'mover', 'leaver')),
  trigger_key      TEXT NOT NULL UNIQUE,
  person_id        TEXT NOT NULL,
  person_name      TEXT NOT NULL,
  person_email     TEXT,
  hr_event_id      INTEGER REFERENCES hr_events(id),
  effective_date   TEXT NOT NULL,
  effective_at     TEXT NOT NULL,
  -- JSON: [{policyId, version}] of the policies whose roles the plan grants or removes.
  policy_versions  TEXT NOT NULL DEFAULT '[]',
  status           TEXT NOT NULL CHECK (status IN ('waiting', 'running', 'rolling-back', 'done', 'partial', 'failed', 'cancelled')),
  reason           TEXT,
  jira_connection_id INTEGER,
  jira_issue_key   TEXT,
  jira_issue_id    TEXT,
  last_removal_at  TEXT,
  created_at       TEXT NOT NULL,
  started_at       TEXT,
  finished_at      TEXT,
  updated_at       TEXT NOT NULL
);
CREATE INDEX plans_by_status ON plans (status, effective_at);
CREATE INDEX plans_by_person ON plans (person_id, id);

CREATE TABLE plan_steps (
  id              INTEGER PRIMARY KEY,
  plan_id         INTEGER NOT NULL REFERENCES plans(id),
  step_key        TEXT NOT NULL,
  tier            INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 6),
  kind            TEXT NOT NULL CHECK (kind IN ('check', 'add', 'remove', 'suspend', 'manual', 'notice')),
  label           TEXT NOT NULL,
  depends_on      TEXT NOT NULL DEFAULT '[]',
  critical        INTEGER NOT NULL DEFAULT 0 CHECK (critical IN (0, 1)),
  role_id         INTEGER,
  policy_id       INTEGER,
  policy_version  INTEGER,
  connection_id   INTEGER,
  group_id        TEXT,
  group_name      TEXT,
  identity_id     TEXT,
  assignee        TEXT,
  not_before      TEXT,
  grace_days      INTEGER,
  duration_days   INTEGER,
  status          TEXT NOT NULL CHECK (status IN ('waiting', 'running', 'done', 'failed', 'manual', 'skipped', 'cancelled', 'rolled-back')),
  note            TEXT,
  error           TEXT,
  grant_id        INTEGER REFERENCES grants(id),
  job_id          INTEGER REFERENCES jobs(id),
  task_id         INTEGER REFERENCES manual_tasks(id),
  undo_job_id     INTEGER REFERENCES jobs(id),
  started_at      TEXT,
  finished_at     TEXT,
  UNIQUE (plan_id, step_key)
);
CREATE INDEX plan_steps_by_job ON plan_steps (job_id);
`,
} as const;
