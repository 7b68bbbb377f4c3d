// A bulk review submission (a reviewer workbook, a Jira answer) is one
// audit event carrying a SHA-256 over every decision it submitted, instead of
// one event per decision: 50,000 rows of a workbook are one event, not
// 50,000. Each decision stays on a durable record of its own — the decision
// log (review_decision_log: who decided, who recorded it, through which
// channel, when) — and `audit verify` recomputes the digest from the log, so
// a decision of the submission changed, removed or added afterwards fails
// verification naming the submission (the event itself is in the chain: its
// digest cannot be changed to match without breaking the chain).
//
// The canonical form (digest form 1), UTF-8 text, one JSON array per line,
// each line ending in "\n":
//   ["latchkey-review-submission",1,<submission id>,<campaign id>]
// then one line per decision log row of the submission (submission_id =
// the submission, in the campaign, stamped at the submission's instant), in
// item id order (then log id):
//   [item_id,campaign_id,stage,decision,reason_code,comment,keep_until,state,
//    decided_by,channel,recorded_by,applied_by_default,submission_id,at,
//    row_hash]
// as stored (integers as numbers, absent values as null); row_hash is the
// reviewed item's frozen population row hash (review_items.row_hash), so the
// decision stays bound to the row the reviewer saw. The digest is the
// SHA-256 (hex) of that text. The event also records how many decisions
// there were; verify counts every log row naming the submission (wherever
// stamped) against it, so a row moved into the submission is caught too.
//
// This module reads the decision log and the items' row hashes itself
// (declared in db/table-owners.ts): the audit area sits below reviews and
// cannot call its store, and the form has to be one function for the writer
// and the verifier alike.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';
import { auditEventsOfAction } from './audit-log.js';

/** The action of a bulk submission's one event (per-decision events are 'review.decision_submitted'). */
export const SUBMISSION_DIGEST_ACTION = 'review.decisions_submitted';
/** The event's target type; its target id is the submission's id. */
export const SUBMISSION_TARGET = 'review_submission';
export const SUBMISSION_DIGEST_TAG = 'latchkey-review-submission';
export const SUBMISSION_DIGEST_FORM = 1;

/** Which submission: its id, campaign and instant (the event's `at`). */
export type SubmissionKey = { submissionId: number; campaignId: number; at: string };

/** The columns of a digest line, in order (review_decision_log's, then the item's row hash). */
export const DIGEST_COLUMNS = [
  'item_id', 'campaign_id', 'stage', 'decision', 'reason_code', 'comment', 'keep_until', 'state',
  'decided_by', 'channel', 'recorded_by', 'applied_by_default', 'submission_id', 'at', 'row_hash',
] as const;
/** One decision as a digest line's values, in DIGEST_COLUMNS order. */
export type DigestLine = readonly [number, number, number, string, string | null, string | null, string | null, string, string, string, string | null, number, number, string, string | null];

/**
 * The digest of a submission from its decisions' lines, in item id order:
 * the writer builds them from the words it has just stored (no read back
 * of 50,000 rows), the verifier reads them from the log
 * (submissionDigest). Both go through this one function.
 */
export function digestOfLines(s: Pick<SubmissionKey, 'submissionId' | 'campaignId'>, lines: Iterable<readonly unknown[]>): { digest: string; decisions: number } {
  const h = createHash('sha256');
  h.update(`${JSON.stringify([SUBMISSION_DIGEST_TAG, SUBMISSION_DIGEST_FORM, s.submissionId, s.campaignId])}\n`);
  let decisions = 0;
  // Lines hashed in chunks: one update per line would be 50,000 calls into the hash.
  let chunk = '';
  for (const line of lines) {
    chunk += `${JSON.stringify(line)}\n`;
    decisions++;
    if (chunk.length > 1 << 16) {
      h.update(chunk);
      chunk = '';
    }
  }
  h.update(chunk);
  return { digest: h.digest('hex'), decisions };
}

// Through the log's (campaign_id, at) index: the rows of one submission, not a scan of every word ever given.
const ROWS_SQL = `SELECT ${DIGEST_COLUMNS.map((c) => (c === 'row_hash' ? 'i.row_hash' : `l.${c}`)).join(', ')}
  FROM review_decision_log l LEFT JOIN review_items i ON i.id = l.item_id
  WHERE l.campaign_id = ? AND l.at = ? AND l.submission_id = ? ORDER BY l.item_id, l.id`;

/** The digest of a submission's decisions as the log holds them now, and how many there are. */
export function submissionDigest(db: Db, s: SubmissionKey): { digest: string; decisions: number } {
  return digestOfLines(s, db.prepare(ROWS_SQL).raw().iterate(s.campaignId, s.at, s.submissionId) as IterableIterator<unknown[]>);
}

/** A digest event that no longer matches the decision log: its seq, and what is wrong. */
export type DigestFault = { seq: number; submissionId: number | null; message: string };

/**
 * Every bulk submission's event checked against the decision log: the
 * digest recomputed, and the log rows naming the submission counted (one
 * pass over the log for all of them).
 */
export function checkSubmissionDigests(db: Db): { checked: number; faults: DigestFault[] } {
  const events = auditEventsOfAction(db, SUBMISSION_TARGET, SUBMISSION_DIGEST_ACTION);
  if (events.length === 0) return { checked: 0, faults: [] };
  const faults: DigestFault[] = [];
  const claims: { seq: number; key: SubmissionKey; digest: string; items: number }[] = [];
  for (const e of events) {
    const d = parsed(e.details);
    const submissionId = Number(e.target_id);
    const campaignId = d?.campaignId;
    const digest = d?.digest;
    const items = d?.items;
    if (d === null || d.submissionId !== submissionId || typeof campaignId !== 'number' || typeof digest !== 'string' || typeof items !== 'number' || d.digestForm !== SUBMISSION_DIGEST_FORM) {
      faults.push({ seq: e.seq, submissionId: Number.isInteger(submissionId) ? submissionId : null, message: `event ${e.seq}: review submission ${e.target_id}'s event has no digest this version can check` });
      continue;
    }
    claims.push({ seq: e.seq, key: { submissionId, campaignId, at: e.at }, digest, items });
  }
  // Every log row naming a digested submission, wherever it is stamped: one scan of the log.
  const counted = new Map<number, number>();
  const ids = JSON.stringify(claims.map((c) => c.key.submissionId));
  for (const [id, n] of db.prepare('SELECT submission_id, count(*) FROM review_decision_log WHERE submission_id IN (SELECT value FROM json_each(?)) GROUP BY submission_id').raw().iterate(ids) as IterableIterator<[number, number]>) {
    counted.set(id, n);
  }
  for (const c of claims) {
    const now = submissionDigest(db, c.key);
    const named = counted.get(c.key.submissionId) ?? 0;
    const what = `event ${c.seq}: review submission #${c.key.submissionId} (campaign #${c.key.campaignId})`;
    if (named !== c.items || now.decisions !== c.items) {
      faults.push({ seq: c.seq, submissionId: c.key.submissionId, message: `${what} recorded ${c.items} decisions; the decision log now holds ${now.decisions} of them${named !== now.decisions ? ` and ${named} rows naming it` : ''}: decisions were removed or added after it was submitted` });
    } else if (now.digest !== c.digest) {
      faults.push({ seq: c.seq, submissionId: c.key.submissionId, message: `${what}: its decisions in the decision log (or their items' row hashes) no longer match the digest recorded when it was submitted: a decision was changed afterwards` });
    }
  }
  return { checked: events.length, faults };
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
