// Migration 5: an audit chain that cannot be quietly rewritten.
//
// Why: format 1 hashed only some fields of an event (not its seq, not its
// previous hash) and the chain was its own only witness, so a cut tail, an
// emptied table or an edit with every later hash recomputed all verified.
//
// - audit_events.channel: where the event came from (console, cli, jira,
//   workbook, policy, system). Events written before this migration came
//   from no recorded channel: 'system'.
// - audit_events.format: how the row's hash is computed. 1 = the old content
//   hash (rows written before this migration keep verifying as they were);
//   2 = every stored field: seq, at, actor, channel, action, target_type,
//   target_id, details exactly as stored, prev_hash, and the format itself.
//   A chain never goes back from 2 to 1 (verify refuses a downgrade).
// - audit_keys: the workspace's Ed25519 public key(s); the private key lives
//   in the OS keychain only. Each key's creation is itself an audit event.
// - audit_checkpoints: signed (seq, head hash, count, time, key) every N
//   events and at the end of each sync run and job-runner run.
// - audit_anchors: each head (hash, count) Latchkey wrote outside the file
//   (a Jira comment, a snapshot copy) or that a copy knows from its origin,
//   so `audit verify` can check the chain still contains it.
// Keys, checkpoints and anchors are append-only like the events.
export const migration005 = {
  version: 5,
  name: 'audit-chain',
  sql: `
ALTER TABLE audit_events ADD COLUMN channel TEXT NOT NULL DEFAULT 'system'
  CHECK (channel IN ('console', 'cli', 'jira', 'workbook', 'policy', 'system'));
ALTER TABLE audit_events ADD COLUMN format INTEGER NOT NULL DEFAULT 1 CHECK (format IN (1, 2));

CREATE TABLE audit_keys (
  key_id      TEXT PRIMARY KEY,
  algorithm   TEXT NOT NULL CHECK (algorithm = 'ed25519'),
  -- SubjectPublicKeyInfo, DER, base64.
  public_key  TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL
);
CREATE TRIGGER audit_keys_no_update BEFORE UPDATE ON audit_keys
  BEGIN SELECT RAISE(ABORT, 'audit_keys is append-only'); END;
CREATE TRIGGER audit_keys_no_delete BEFORE DELETE ON audit_keys
  BEGIN SELECT RAISE(ABORT, 'audit_keys is append-only'); END;

CREATE TABLE audit_checkpoints (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  head_hash   TEXT NOT NULL,
  at          TEXT NOT NULL,
  key_id      TEXT NOT NULL,
  reason      TEXT NOT NULL CHECK (reason IN ('interval', 'sync', 'jobs', 'manual')),
  -- Ed25519 over the checkpoint's canonical text, base64.
  signature   TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_count ON audit_checkpoints (count);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TABLE audit_anchors (
  id             INTEGER PRIMARY KEY,
  -- jira-checkpoint: the daily comment on a connection's anchor issue;
  -- jira-comment: the audit-head line of a request issue comment;
  -- snapshot: written into a snapshot copy;
  -- origin: in a snapshot copy, the head of the workspace it was copied from.
  kind           TEXT NOT NULL CHECK (kind IN ('jira-checkpoint', 'jira-comment', 'snapshot', 'origin')),
  count          INTEGER NOT NULL,
  head_hash      TEXT NOT NULL,
  at             TEXT NOT NULL,
  connection_id  INTEGER,
  issue_key      TEXT,
  comment_id     TEXT,
  -- A snapshot's file, or the workspace a copy came from.
  target         TEXT
);
CREATE INDEX audit_anchors_kind ON audit_anchors (kind, connection_id, at);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
  BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
  BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
`,
} as const;
