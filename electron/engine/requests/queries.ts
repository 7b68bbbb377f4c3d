// Reading requests: the queue (my approvals, all open, all by status, search)
// and one request in full, as the console and the CLI show them. The queue
// must stay quick at 50,000 requests: a first page without search is a COUNT
// plus a LIMIT on the primary key or the (status, created_at) index; deep
// pages and searches read the ordered ids once and slice them, cached per
// data stamp like the Directory (request-store.ts: requestIdsPage).
import type { Page } from '../../../shared/domain.js';
import type { RequestListQuery } from '../../../shared/contract-requests.js';
import type { ApprovalRecord, ApprovalStepKind, GrantRow, GrantStatus, JobRow, RequestDetail, RequestRow } from '../../../shared/governance.js';
import { listConnectionRecords } from '../connections/connections.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import type { PageCache } from '../db/query-kit.js';
import { grantsOfRequest } from '../jobs/grant-store.js';
import { jiraRecordOf } from '../jobs/jira-outbox.js';
import { grantRows, jobsOfRequest } from '../jobs/operations.js';
import { approvalRecords, listedRows, requestDbRow, requestIdsPage, type ListedDbRow, type RequestDbRow } from './request-store.js';
import { requestTimeline } from './timeline.js';

export type { RequestDbRow };

/** The one access state a request's grants add up to: a problem first, then work in flight, then the outcome. */
const ACCESS_ORDER: readonly GrantStatus[] = ['failed', 'manual', 'pending', 'revoking', 'active', 'expired', 'revoked', 'cancelled'];

function accessOf(statuses: string | null): GrantStatus | null {
  if (!statuses) return null;
  const set = new Set(statuses.split(','));
  return ACCESS_ORDER.find((s) => set.has(s)) ?? null;
}

/** Jira base URL per connection id, for issue links. */
function jiraBases(db: Db): Map<number, string> {
  return new Map(
    listConnectionRecords(db)
      .filter((c) => c.kind === 'jira')
      .map((c) => [c.id, c.baseUrl.replace(/\/+$/, '')]),
  );
}

function toRow(r: ListedDbRow, jira: Map<number, string>): RequestRow {
  const waiting = r.waiting ? (JSON.parse(r.waiting) as { step: number; kind: ApprovalStepKind; approvers: string[] }) : null;
  const base = r.jira_connection_id !== null ? jira.get(r.jira_connection_id) : undefined;
  return {
    id: r.id,
    roleId: r.role_id,
    roleLabel: r.role_label ?? `(deleted role #${r.role_id})`,
    risk: r.risk ?? 'high',
    beneficiary: { connectionId: r.beneficiary_connection_id, identityId: r.beneficiary_identity_id, email: r.beneficiary_email, name: r.beneficiary_name },
    requester: r.requester,
    duration: r.duration,
    durationMinutes: r.duration_minutes,
    endsAt: r.ends_at,
    justification: r.justification,
    status: r.state,
    decision: r.status,
    source: r.source,
    waitingOn: r.status === 'pending' && waiting ? waiting : null,
    jira: r.jira_issue_key ? { key: r.jira_issue_key, url: base ? `${base}/browse/${encodeURIComponent(r.jira_issue_key)}` : null } : null,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    escalated: r.escalated_at !== null,
    access: accessOf(r.grant_statuses),
    expiresAt: r.grant_expires,
    accessEndedAt: r.grant_ended,
  };
}

/** Rows of the given ids, in that order (ids that do not exist are left out). */
export function requestRows(db: Db, ids: readonly number[]): RequestRow[] {
  if (ids.length === 0) return [];
  const rows = listedRows(db, ids);
  const jira = jiraBases(db);
  const byId = new Map(rows.map((r) => [r.id, toRow(r, jira)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function getRequestRow(db: Db, id: number): RequestRow {
  const row = requestRows(db, [id])[0];
  if (!row) throw new UserError(`no request #${id}`, 'not-found');
  return row;
}

/** A page of the queue, newest first; see requestIdsPage for `mine`. */
export function listRequests(db: Db, q: RequestListQuery, operatorAddresses: readonly string[], cache?: PageCache): Page<RequestRow> {
  const { total, ids } = requestIdsPage(db, q, operatorAddresses, cache);
  return { total, offset: q.offset, rows: requestRows(db, ids) };
}


export type DetailParts = {
  request: RequestDbRow;
  row: RequestRow;
  approvals: ApprovalRecord[];
  grants: (GrantRow & { noticeAt: string | null })[];
  jobs: JobRow[];
  connectionNames: Map<number, string>;
};

function connectionNames(db: Db): Map<number, string> {
  return new Map(listConnectionRecords(db).map((c) => [c.id, c.name]));
}

function detailParts(db: Db, id: number): DetailParts {
  const request = requestDbRow(db, id);
  const row = getRequestRow(db, id);
  const names = connectionNames(db);
  const records = grantsOfRequest(db, id);
  const shown = grantRows(db, records);
  const grants = records.map((g, i) => ({ ...(shown[i] as GrantRow), noticeAt: g.notice_at }));
  const jobs = jobsOfRequest(db, id);
  return { request, row, approvals: approvalRecords(db, id), grants, jobs, connectionNames: names };
}

/** One request with its steps, grants, jobs and the merged timeline; one read transaction. */
export function getRequest(db: Db, id: number): RequestDetail {
  return db.transaction(() => {
    const parts = detailParts(db, id);
    return {
      ...parts.row,
      approvals: parts.approvals,
      grants: parts.grants.map(({ noticeAt: _n, ...g }) => g),
      jobs: parts.jobs,
      timeline: requestTimeline(db, parts),
      jiraRecord: jiraRecordOf(db, id),
    };
  })();
}
