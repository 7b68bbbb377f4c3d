// Migration 11: the HR source (issue 13, first slice): what the HR system
// says about each person, the dated events it sent, and each import.
//
// Why:
// - hr_records: one row per person as HR knows them (employee id, e-mail,
//   name, department, title, location, employment type, manager, start and
//   end dates, status), with where it came from (`source`: the preset or the
//   event feed) and as of when. `record_key` is the one key a person is
//   filed under ("id:<employee id>" when HR gave one, else "email:<e-mail>",
//   lower-cased): a CSV row and an event naming the same person land on the
//   same row. `base` keeps the last CSV row as imported (JSON), so events
//   can be re-applied over it in effective-date order whatever order they
//   arrived in.
// - hr_events: every employee.hired / .updated / .terminated event once
//   (event_id UNIQUE: a duplicate is ignored and counted). `applied_at` is
//   when it was folded into its HR record; `plan_state` / `processed_at` are
//   for the joiner/mover/leaver plans that come later: they select "on or
//   after the effective date and not yet processed" (never an exact date, so
//   a backdated leaver is still handled), which hr_events_due serves.
// - hr_imports: each import (file name, SHA-256, kind, preset, counts, who
//   and through which channel), what `hr status` shows as the last import.
export const migration011 = {
  version: 11,
  name: 'hr',
  sql: `
CREATE TABLE hr_imports (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('csv', 'events')),
  preset      TEXT,
  file_name   TEXT NOT NULL,
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
  rows        INTEGER NOT NULL,
  created     INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  events      INTEGER NOT NULL DEFAULT 0,
  duplicates  INTEGER NOT NULL DEFAULT 0,
  actor       TEXT NOT NULL,
  channel     TEXT NOT NULL,
  imported_at TEXT NOT NULL
);

CREATE TABLE hr_records (
  id                  INTEGER PRIMARY KEY,
  record_key          TEXT NOT NULL UNIQUE,
  employee_id         TEXT,
  email               TEXT,
  name                TEXT,
  department          TEXT,
  title               TEXT,
  location            TEXT,
  employment_type     TEXT,
  manager_email       TEXT,
  manager_employee_id TEXT,
  start_date          TEXT,
  end_date            TEXT,
  status              TEXT NOT NULL CHECK (status IN ('active', 'pending', 'terminated')),
  source              TEXT NOT NULL,
  as_of               TEXT NOT NULL,
  -- The last CSV row for this person as imported (JSON of the fields above), or NULL when only events made it.
  base                TEXT,
  import_id           INTEGER REFERENCES hr_imports(id),
  updated_at          TEXT NOT NULL
);
CREATE INDEX hr_records_by_employee_id ON hr_records (lower(employee_id));
CREATE INDEX hr_records_by_email ON hr_records (lower(email));

CREATE TABLE hr_events (
  id             INTEGER PRIMARY KEY,
  event_id       TEXT NOT NULL UNIQUE,
  type           TEXT NOT NULL CHECK (type IN ('employee.hired', 'employee.updated', 'employee.terminated')),
  occurred_at    TEXT NOT NULL,
  effective_date TEXT NOT NULL CHECK (effective_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  record_key     TEXT NOT NULL,
  employee_id    TEXT,
  email          TEXT,
  -- JSON: the employee's attributes as the event gave them.
  attributes     TEXT NOT NULL DEFAULT '{}',
  manager_email  TEXT,
  received_at    TEXT NOT NULL,
  source         TEXT NOT NULL,
  import_id      INTEGER REFERENCES hr_imports(id),
  applied_at     TEXT,
  plan_state     TEXT NOT NULL DEFAULT 'pending' CHECK (plan_state IN ('pending', 'processed', 'skipped')),
  processed_at   TEXT
);
CREATE INDEX hr_events_due ON hr_events (plan_state, effective_date);
CREATE INDEX hr_events_by_record ON hr_events (record_key, effective_date);
`,
} as const;
