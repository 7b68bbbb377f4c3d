// The requests and approvals tables: every statement that reads or writes
// them. The lifecycle (requests.ts: create, decide, cancel, extend), the
// pending sweep (sweep.ts), the views (queries.ts), the Jira executor and
// the JSM import all go through these functions, inside their own
// transactions. The list reads a request's state from its grants through
// the grant store's SQL and names its role through the catalog's.
import type { ApprovalRecord, ApprovalStepKind, DecisionChannel, DurationOption, RequestSource, RequestState, RequestStatus, RiskTier } from '../../../shared/governance.js';
import { roleLabelSql, roleRiskSql } from '../catalog/catalog-store.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { dataStamp, searchClause, type PageCache } from '../db/query-kit.js';
import { grantsOfRequestSql } from '../jobs/grant-store.js';
import type { RequestForGrant } from '../jobs/grants.js';
import { requestStateSql, stateFilter } from './request-state.js';
import type { RequestListQuery } from '../../../shared/contract-requests.js';

export type RequestDbRow = {
  id: number;
  role_id: number;
  beneficiary_connection_id: number;
  beneficiary_identity_id: string;
  beneficiary_email: string | null;
  beneficiary_name: string;
  requester: string;
  duration: DurationOption;
  duration_minutes: number | null;
  ends_at: string | null;
  justification: string;
  status: RequestStatus;
  source: RequestSource;
  extends_request_id: number | null;
  current_step: number;
  escalated_at: string | null;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
  jira_issue_id: string | null;
  created_at: string;
  updated_at: string;
  decided_at: string | null;
};

export function requestDbRow(db: Db, id: number): RequestDbRow {
  const row = db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestDbRow | undefined;
  if (!row) throw new UserError(`no request #${id}`, 'not-found');
  return row;
}

/** What the ledger needs of an approved request. */
export function requestForGrant(db: Db, id: number): RequestForGrant {
  const row = db
    .prepare(
      `SELECT id, role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_email, beneficiary_name, duration_minutes, ends_at
       FROM requests WHERE id = ?`,
    )
    .get(id) as RequestForGrant | undefined;
  if (!row) throw new Error(`request #${id} does not exist`);
  return row;
}

export type NewRequest = Pick<
  RequestDbRow,
  | 'role_id'
  | 'beneficiary_connection_id'
  | 'beneficiary_identity_id'
  | 'beneficiary_email'
  | 'beneficiary_name'
  | 'requester'
  | 'duration'
  | 'duration_minutes'
  | 'ends_at'
  | 'justification'
  | 'source'
  | 'extends_request_id'
  | 'jira_connection_id'
  | 'jira_issue_key'
  | 'jira_issue_id'
>;

/** Files a pending request at step 1; returns its id. */
export function insertRequest(db: Db, r: NewRequest, now: Date): number {
  const at = now.toISOString();
  const { id } = db
    .prepare(
      `INSERT INTO requests (role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_email, beneficiary_name, requester,
         duration, duration_minutes, ends_at, justification, status, source, extends_request_id, current_step,
         jira_connection_id, jira_issue_key, jira_issue_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      r.role_id, r.beneficiary_connection_id, r.beneficiary_identity_id, r.beneficiary_email, r.beneficiary_name, r.requester,
      r.duration, r.duration_minutes, r.ends_at, r.justification, r.source, r.extends_request_id,
      r.jira_connection_id, r.jira_issue_key, r.jira_issue_id, at, at,
    ) as { id: number };
  return id;
}

/** Closes a request with its decision (approved, denied, cancelled, or expired while pending). */
export function setRequestDecision(db: Db, id: number, status: Exclude<RequestStatus, 'pending'>, now: Date): void {
  const at = now.toISOString();
  db.prepare('UPDATE requests SET status = ?, decided_at = ?, updated_at = ? WHERE id = ?').run(status, at, at, id);
}

export function setCurrentStep(db: Db, id: number, step: number, now: Date): void {
  db.prepare('UPDATE requests SET current_step = ?, updated_at = ? WHERE id = ?').run(step, now.toISOString(), id);
}

/** Links a request to its Jira issue, once; false when it already had one. */
export function linkJiraIssue(db: Db, id: number, issue: { connectionId: number; key: string; id: string }, now: Date): boolean {
  return (
    db
      .prepare('UPDATE requests SET jira_connection_id = ?, jira_issue_key = ?, jira_issue_id = ?, updated_at = ? WHERE id = ? AND jira_issue_key IS NULL')
      .run(issue.connectionId, issue.key, issue.id, now.toISOString(), id).changes === 1
  );
}

/** The open request for a role by any of these accounts (`[[connectionId, identityId], ...]`), or null. */
export function openRequestOfRole(db: Db, roleId: number, accounts: readonly (readonly [number, string])[]): number | null {
  return (
    (db
      .prepare(
        `SELECT id FROM requests WHERE role_id = ? AND status = 'pending'
           AND (beneficiary_connection_id, beneficiary_identity_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
         ORDER BY id LIMIT 1`,
      )
      .pluck()
      .get(roleId, JSON.stringify(accounts)) as number | undefined) ?? null
  );
}

/** Pending requests filed at or before `cutoff` (the sweep's candidates), by id. */
export function pendingRequestsFiledBy(db: Db, cutoff: Date): { id: number; roleId: number; createdAt: string; escalatedAt: string | null }[] {
  return (
    db.prepare(`SELECT id, role_id, created_at, escalated_at FROM requests WHERE status = 'pending' AND created_at <= ? ORDER BY id`).all(cutoff.toISOString()) as {
      id: number;
      role_id: number;
      created_at: string;
      escalated_at: string | null;
    }[]
  ).map((r) => ({ id: r.id, roleId: r.role_id, createdAt: r.created_at, escalatedAt: r.escalated_at }));
}

/** How many requests name a catalog role (all, and still pending): the catalog's role page shows it. */
export function roleRequestCounts(db: Db, roleId: number): { requestCount: number; openRequestCount: number } {
  const r = db.prepare("SELECT count(*) AS total, coalesce(sum(status = 'pending'), 0) AS open FROM requests WHERE role_id = ?").get(roleId) as {
    total: number;
    open: number;
  };
  return { requestCount: r.total, openRequestCount: r.open };
}

/** The request recorded in a Jira issue, or null. */
export function requestOfIssue(db: Db, connectionId: number, issueKey: string): number | null {
  return (db.prepare('SELECT id FROM requests WHERE jira_connection_id = ? AND jira_issue_key = ?').pluck().get(connectionId, issueKey) as number | undefined) ?? null;
}

/** Requests imported from JSM that still wait for a decision (their approvals are read back from Jira). */
export function pendingJiraRequests(db: Db, connectionId: number, limit: number): { id: number; issueKey: string }[] {
  return (
    db
      .prepare(`SELECT id, jira_issue_key FROM requests WHERE jira_connection_id = ? AND jira_issue_key IS NOT NULL AND status = 'pending' AND source = 'jira' ORDER BY id LIMIT ?`)
      .all(connectionId, limit) as { id: number; jira_issue_key: string }[]
  ).map((r) => ({ id: r.id, issueKey: r.jira_issue_key }));
}

/** A request with its role's label, as the Jira record describes it. */
export function requestWithRoleLabel(db: Db, id: number): (RequestDbRow & { role_label: string | null }) | null {
  return (db.prepare(`SELECT r.*, ${roleLabelSql('r.role_id')} AS role_label FROM requests r WHERE r.id = ?`).get(id) as (RequestDbRow & { role_label: string | null }) | undefined) ?? null;
}

// --- the queue ------------------------------------------------------------------------------------

/** A request row with what the queue shows beside it: its derived state, the step it waits on, its grants' state. */
export type ListedDbRow = RequestDbRow & {
  role_label: string | null;
  risk: RiskTier | null;
  waiting: string | null;
  grant_statuses: string | null;
  grant_expires: string | null;
  grant_ended: string | null;
  state: RequestState;
};

const LIST_SELECT = `SELECT r.*, ${roleLabelSql('r.role_id')} AS role_label, ${roleRiskSql('r.role_id')} AS risk, ${requestStateSql('r')} AS state,
    (SELECT json_object('step', s.step, 'kind', s.kind, 'approvers', json(s.approvers))
       FROM approvals s WHERE s.request_id = r.id AND s.status = 'pending' ORDER BY s.step LIMIT 1) AS waiting,
    ${grantsOfRequestSql.statuses('r.id')} AS grant_statuses,
    ${grantsOfRequestSql.accessEnd('r.id')} AS grant_expires,
    ${grantsOfRequestSql.endedAt('r.id')} AS grant_ended
  FROM requests r`;

/** The queue's rows of these ids (in no particular order; ids that do not exist are left out). */
export function listedRows(db: Db, ids: readonly number[]): ListedDbRow[] {
  if (ids.length === 0) return [];
  return db.prepare(`${LIST_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as ListedDbRow[];
}

/** `"a@x"` quoted as it sits inside the approvers JSON array (addresses are stored lower-cased). */
const quoted = (address: string): string => JSON.stringify(address.toLowerCase());

/** Below this offset + limit, a query without search pages with LIMIT/OFFSET directly. */
const DIRECT_WINDOW = 1000;

/**
 * The ids of a page of the queue, newest first, and how many match.
 * `mine`: pending requests whose current step lists one of
 * `operatorAddresses` (empty when no operator is set).
 */
export function requestIdsPage(db: Db, q: RequestListQuery, operatorAddresses: readonly string[], cache?: PageCache): { total: number; ids: number[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.view === 'mine') {
    if (operatorAddresses.length === 0) return { total: 0, ids: [] };
    where.push(
      `r.status = 'pending' AND EXISTS (SELECT 1 FROM approvals s WHERE s.request_id = r.id AND s.status = 'pending' AND (${operatorAddresses
        .map(() => 'instr(s.approvers, ?) > 0')
        .join(' OR ')}))`,
    );
    params.push(...operatorAddresses.map(quoted));
  } else if (q.view === 'open') where.push(`r.status = 'pending'`);
  // A state read from the grants costs a subquery per candidate row: such a filter reads its ids once (and caches them) rather than counting and paging in two passes.
  let derived = false;
  if (q.status.length > 0) {
    const f = stateFilter(q.status);
    where.push(f.sql);
    params.push(...f.params);
    derived = f.derived;
  }
  const search = q.search.trim();
  const idSearch = /^#?(\d{1,15})$/.exec(search);
  if (idSearch) {
    // "#42" or "42": that request (and anything else matching the text).
    where.push(`(r.id = ? OR r.beneficiary_name LIKE ? OR r.jira_issue_key LIKE ?)`);
    params.push(Number(idSearch[1]), `%${idSearch[1]}%`, `%${idSearch[1]}%`);
  } else if (search !== '') {
    const s = searchClause(['r.beneficiary_name', 'r.beneficiary_email', 'r.requester', 'r.justification', roleLabelSql('r.role_id'), 'r.jira_issue_key'], search);
    where.push(...s.sql);
    params.push(...s.params);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const from = `FROM requests r ${whereSql}`;
  const idsSql = `SELECT r.id ${from} ORDER BY r.id DESC`;
  const countSql = `SELECT count(*) ${from}`;
  const stamp = cache ? dataStamp(db) : '';
  const key = `requests\u0000${idsSql}\u0000${JSON.stringify(params)}`;
  const cached = cache?.get<number[]>(key, stamp);
  if (cached) return { total: cached.length, ids: cached.slice(q.offset, q.offset + q.limit) };
  if (search === '' && !derived && q.offset + q.limit <= DIRECT_WINDOW) {
    const total = db.prepare(countSql).pluck().get(...params) as number;
    const ids = db.prepare(`${idsSql} LIMIT ? OFFSET ?`).pluck().all(...params, q.limit, q.offset) as number[];
    return { total, ids };
  }
  const all = db.prepare(idsSql).pluck().all(...params) as number[];
  cache?.set(key, stamp, all, 'large');
  return { total: all.length, ids: all.slice(q.offset, q.offset + q.limit) };
}

// --- approvals ------------------------------------------------------------------------------------

export type StepDbRow = { id: number; step: number; kind: ApprovalStepKind | 'auto'; approvers: string; status: string; decided_by: string | null };

/** A request's routed steps: the first pending, the others waiting their turn. */
export function insertSteps(db: Db, requestId: number, steps: readonly { kind: ApprovalStepKind; approvers: readonly string[] }[]): void {
  const insert = db.prepare(`INSERT INTO approvals (request_id, step, kind, approvers, status) VALUES (?, ?, ?, ?, ?)`);
  steps.forEach((s, i) => insert.run(requestId, i + 1, s.kind, JSON.stringify(s.approvers), i === 0 ? 'pending' : 'waiting'));
}

/** The one step of an auto-approved request: approved by the policy. */
export function insertAutoApproval(db: Db, requestId: number, comment: string, recordedBy: string, now: Date): void {
  db.prepare(
    `INSERT INTO approvals (request_id, step, kind, approvers, status, decided_by, decided_at, channel, comment, recorded_by)
     VALUES (?, 1, 'auto', '[]', 'approved', 'policy', ?, 'auto', ?, ?)`,
  ).run(requestId, now.toISOString(), comment, recordedBy);
}

export function pendingStep(db: Db, requestId: number): StepDbRow | undefined {
  return db.prepare(`SELECT id, step, kind, approvers, status, decided_by FROM approvals WHERE request_id = ? AND status = 'pending' ORDER BY step LIMIT 1`).get(requestId) as
    | StepDbRow
    | undefined;
}

export function nextWaitingStep(db: Db, requestId: number): StepDbRow | undefined {
  return db.prepare(`SELECT id, step, kind, approvers, status, decided_by FROM approvals WHERE request_id = ? AND status = 'waiting' ORDER BY step LIMIT 1`).get(requestId) as
    | StepDbRow
    | undefined;
}

/** Who approved the steps before `step` (one person may not approve two steps of a request). */
export function approversOfEarlierSteps(db: Db, requestId: number, step: number): { step: number; decidedBy: string }[] {
  return (
    db.prepare(`SELECT step, decided_by FROM approvals WHERE request_id = ? AND status = 'approved' AND step < ? AND decided_by IS NOT NULL`).all(requestId, step) as {
      step: number;
      decided_by: string;
    }[]
  ).map((e) => ({ step: e.step, decidedBy: e.decided_by }));
}

/** Records the decision of a pending step; false when it was decided meanwhile (nothing changed). */
export function decideStep(
  db: Db,
  stepId: number,
  d: { status: 'approved' | 'denied'; by: string; channel: DecisionChannel; comment: string | null; recordedBy: string; recordReason?: string | null; evidenceRef?: string | null },
  now: Date,
): boolean {
  return (
    db
      .prepare(`UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, channel = ?, comment = ?, recorded_by = ?, record_reason = ?, evidence_ref = ? WHERE id = ? AND status = 'pending'`)
      .run(d.status, d.by, now.toISOString(), d.channel, d.comment, d.recordedBy, d.recordReason ?? null, d.evidenceRef ?? null, stepId).changes === 1
  );
}

export function openStep(db: Db, stepId: number): void {
  db.prepare(`UPDATE approvals SET status = 'pending' WHERE id = ?`).run(stepId);
}

/** Skips a request's steps that never got their turn (`waiting`), or every open one (`open`: pending and waiting). */
export function skipSteps(db: Db, requestId: number, which: 'waiting' | 'open'): void {
  if (which === 'waiting') db.prepare(`UPDATE approvals SET status = 'skipped' WHERE request_id = ? AND status = 'waiting'`).run(requestId);
  else db.prepare(`UPDATE approvals SET status = 'skipped' WHERE request_id = ? AND status IN ('pending', 'waiting')`).run(requestId);
}

/**
 * Escalation: the stale step is skipped with why, an escalation step takes
 * the next place in the order (later steps move down one), and the request
 * records when it was escalated. Returns the new step's number.
 */
export function escalateStep(db: Db, requestId: number, stale: StepDbRow, to: { kind: ApprovalStepKind; approvers: readonly string[] }, why: string, now: Date): number {
  const at = now.toISOString();
  db.prepare(`UPDATE approvals SET status = 'skipped', comment = ? WHERE id = ?`).run(why, stale.id);
  db.prepare(`UPDATE approvals SET step = -step WHERE request_id = ? AND step > ?`).run(requestId, stale.step);
  db.prepare(`UPDATE approvals SET step = 1 - step WHERE request_id = ? AND step < 0`).run(requestId);
  const n = stale.step + 1;
  db.prepare(`INSERT INTO approvals (request_id, step, kind, approvers, status) VALUES (?, ?, ?, ?, 'pending')`).run(requestId, n, to.kind, JSON.stringify(to.approvers));
  db.prepare(`UPDATE requests SET escalated_at = ?, current_step = ?, updated_at = ? WHERE id = ?`).run(at, n, at, requestId);
  return n;
}

export function approvalRecords(db: Db, requestId: number): ApprovalRecord[] {
  const rows = db
    .prepare('SELECT step, kind, approvers, status, decided_by, decided_at, channel, comment, recorded_by, record_reason, evidence_ref FROM approvals WHERE request_id = ? ORDER BY step')
    .all(requestId) as {
    step: number;
    kind: ApprovalRecord['kind'];
    approvers: string;
    status: ApprovalRecord['status'];
    decided_by: string | null;
    decided_at: string | null;
    channel: DecisionChannel | null;
    comment: string | null;
    recorded_by: string | null;
    record_reason: string | null;
    evidence_ref: string | null;
  }[];
  return rows.map((a) => ({
    step: a.step,
    kind: a.kind,
    approvers: JSON.parse(a.approvers) as string[],
    status: a.status,
    decidedBy: a.decided_by,
    decidedAt: a.decided_at,
    channel: a.channel,
    comment: a.comment,
    // Only a decision recorded for someone else names its recorder here (the evidence says why).
    recorded: a.record_reason !== null && a.recorded_by !== null ? { by: a.recorded_by, reason: a.record_reason, evidence: a.evidence_ref ?? '' } : null,
  }));
}

/** Did this person's decision on the request already arrive through this channel? */
export function decisionRecorded(db: Db, requestId: number, by: string, channel: DecisionChannel): boolean {
  return db.prepare(`SELECT 1 FROM approvals WHERE request_id = ? AND lower(decided_by) = lower(?) AND channel = ?`).get(requestId, by, channel) !== undefined;
}

// --- notices (requests/request-notices.ts) -------------------------------------------------------

/** A step as the notices see it: the request's people and where it lives in Jira. */
export type NoticeStepRow = {
  request_id: number;
  step: number;
  approvers: string;
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  channel: string | null;
  request_status: RequestStatus;
  requester: string;
  beneficiary_email: string | null;
  beneficiary_name: string;
  role_label: string | null;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
};

const NOTICE_STEP_SELECT = `SELECT a.request_id, a.step, a.approvers, a.status, a.decided_by, a.decided_at, a.channel, r.status AS request_status, r.requester,
  r.beneficiary_email, r.beneficiary_name, ${roleLabelSql('r.role_id')} AS role_label, r.jira_connection_id, r.jira_issue_key
  FROM approvals a JOIN requests r ON r.id = a.request_id`;

/** Every step waiting on its approvers now (the request pending, the step open). */
export function stepsAwaitingApproval(db: Db): NoticeStepRow[] {
  return db.prepare(`${NOTICE_STEP_SELECT} WHERE r.status = 'pending' AND a.status = 'pending' ORDER BY a.request_id`).all() as NoticeStepRow[];
}

/** Steps decided by a person (not the policy) at or after `since`. */
export function stepsDecidedSince(db: Db, since: Date): NoticeStepRow[] {
  return db.prepare(`${NOTICE_STEP_SELECT} WHERE a.status IN ('approved', 'denied') AND a.kind != 'auto' AND a.decided_at >= ? ORDER BY a.decided_at, a.id`).all(since.toISOString()) as NoticeStepRow[];
}

/** The state of one step (null: no such step). */
export function stepStatus(db: Db, requestId: number, step: number): { status: string; request_status: RequestStatus } | null {
  return (db.prepare('SELECT a.status, r.status AS request_status FROM approvals a JOIN requests r ON r.id = a.request_id WHERE a.request_id = ? AND a.step = ?').get(requestId, step) as { status: string; request_status: RequestStatus } | undefined) ?? null;
}
