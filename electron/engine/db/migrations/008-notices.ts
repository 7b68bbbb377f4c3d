// Migration 8: the notification outbox.
//
// Why: a reminder must reach a reviewer at most once a day, never after they
// finished, and survive a restart; Slack, Teams and e-mail will be added as
// channels later. So a notice is a row before it is a message: dedup_key
// makes "the reminder of reviewer X for campaign N on day D" one row however
// often the tick runs; due_at / sent_at / status say what is owed and what
// went out; cancelled (with why) when it is no longer wanted (the reviewer
// decided everything, the campaign closed). The channel's own reference
// (e.g. the Jira comment id) is kept for the record.
export const migration008 = {
  version: 8,
  name: 'notices',
  sql: `
CREATE TABLE notices (
  id            INTEGER PRIMARY KEY,
  dedup_key     TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL,
  recipient     TEXT NOT NULL,
  channel       TEXT NOT NULL CHECK (channel IN ('jira-comment', 'email', 'slack', 'teams')),
  -- JSON: where the notice goes (e.g. {"issueKey": "ACC-12", "connectionId": 3}).
  target        TEXT NOT NULL DEFAULT '{}',
  subject       TEXT NOT NULL,
  body          TEXT NOT NULL,
  due_at        TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  sent_at       TEXT,
  reference     TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  cancelled_why TEXT,
  -- What the notice is about (e.g. 'review-campaign', '12').
  about_type    TEXT,
  about_id      TEXT,
  created_at    TEXT NOT NULL
);
CREATE INDEX notices_due ON notices (status, due_at);
CREATE INDEX notices_by_about ON notices (about_type, about_id);
`,
} as const;
