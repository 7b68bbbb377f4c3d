// The SQL of the audit chain's witnesses (migration 5): the workspace's
// public keys, the signed checkpoints and the anchors written outside the
// file. All three are append-only (triggers), like audit_events; this module
// only inserts and reads. Signing is checkpoints.ts, anchors are anchors.ts.
import type { Db } from '../db/database.js';

export type AuditKeyRow = { keyId: string; algorithm: 'ed25519'; publicKey: string; createdAt: string };

export type CheckpointReason = 'interval' | 'sync' | 'jobs' | 'manual';
export type CheckpointRow = {
  id: number;
  seq: number;
  count: number;
  headHash: string;
  at: string;
  keyId: string;
  reason: CheckpointReason;
  signature: string;
};

export type AnchorKind = 'jira-checkpoint' | 'jira-comment' | 'snapshot' | 'origin';
export type AnchorRow = {
  id: number;
  kind: AnchorKind;
  count: number;
  headHash: string;
  at: string;
  connectionId: number | null;
  issueKey: string | null;
  commentId: string | null;
  target: string | null;
};

export function insertAuditKey(db: Db, k: AuditKeyRow): void {
  db.prepare('INSERT INTO audit_keys (key_id, algorithm, public_key, created_at) VALUES (?, ?, ?, ?)').run(k.keyId, k.algorithm, k.publicKey, k.createdAt);
}

export function listAuditKeys(db: Db): AuditKeyRow[] {
  return db.prepare('SELECT key_id AS keyId, algorithm, public_key AS publicKey, created_at AS createdAt FROM audit_keys ORDER BY created_at, key_id').all() as AuditKeyRow[];
}

export function insertCheckpoint(db: Db, c: Omit<CheckpointRow, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO audit_checkpoints (seq, count, head_hash, at, key_id, reason, signature) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(c.seq, c.count, c.headHash, c.at, c.keyId, c.reason, c.signature).lastInsertRowid,
  );
}

const CHECKPOINT_COLUMNS = 'id, seq, count, head_hash AS headHash, at, key_id AS keyId, reason, signature';

export function listCheckpoints(db: Db): CheckpointRow[] {
  return db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY id`).all() as CheckpointRow[];
}

export function latestCheckpoint(db: Db): CheckpointRow | null {
  return (db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).get() as CheckpointRow | undefined) ?? null;
}

/** A reader of the newest checkpoint's seq (0 when none), prepared once: the interval check runs after every event. */
export function latestCheckpointSeqReader(db: Db): () => number {
  const stmt = db.prepare('SELECT seq FROM audit_checkpoints ORDER BY id DESC LIMIT 1').pluck();
  return () => (stmt.get() as number | undefined) ?? 0;
}

export function insertAnchor(db: Db, a: Omit<AnchorRow, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO audit_anchors (kind, count, head_hash, at, connection_id, issue_key, comment_id, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.kind, a.count, a.headHash, a.at, a.connectionId, a.issueKey, a.commentId, a.target).lastInsertRowid,
  );
}

const ANCHOR_COLUMNS = 'id, kind, count, head_hash AS headHash, at, connection_id AS connectionId, issue_key AS issueKey, comment_id AS commentId, target';

export function listAnchors(db: Db): AnchorRow[] {
  return db.prepare(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors ORDER BY id`).all() as AnchorRow[];
}

/** The newest anchor of a kind (for one connection, when given): the daily anchor comment's "at most once a day". */
export function latestAnchor(db: Db, kind: AnchorKind, connectionId?: number): AnchorRow | null {
  const row =
    connectionId === undefined
      ? db.prepare(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors WHERE kind = ? ORDER BY id DESC LIMIT 1`).get(kind)
      : db.prepare(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors WHERE kind = ? AND connection_id = ? ORDER BY id DESC LIMIT 1`).get(kind, connectionId);
  return (row as AnchorRow | undefined) ?? null;
}
