// Reading requests: the queue (my approvals, all open, all by status, search)
// and one request in full. The queue must stay quick at 50,000 requests: a
// first page without search is a COUNT plus a LIMIT on the primary key or the (status, created_at) index; deep pages and
// searches read the ordered ids once and slice them, cached per data stamp
// like the Directory (query-kit.ts), so scrolling costs one scan per query.
import type { Page } from '../../../shared/domain.js';
import type { RequestListQuery } from '../../../shared/contract-requests.js';
import type {
  ApprovalRecord,
  ApprovalStepKind,
  DecisionChannel,
  DurationOption,
  GrantRow,
  GrantStatus,
  JobRow,
  RequestDetail,
  RequestRow,
  RequestSource,
  RequestState,
  RequestStatus,
  RiskTier,
} from '../../../shared/governance.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { dataStamp, searchClause, type PageCache } from '../db/query-kit.js';
import { grantsOfRequest } from '../jobs/grant-store.js';
import { jiraRecordOf } from '../jobs/jira-outbox.js';
import { grantRows, jobsOfRequest } from '../jobs/operations.js';
import { requestStateSql, stateFilter } from './request-state.js';
import { requestTimeline } from './timeline.js';

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

type ListedDbRow = RequestDbRow & {
  role_name: string | null;
  app_name: string | null;
  risk: RiskTier | null;
  waiting: string | null;
  grant_statuses: string | null;
  grant_expires: string | null;
  grant_ended: string | null;
  state: RequestState;
};

const LIST_SELECT = `SELECT r.*, ro.name AS role_name, ap.name AS app_name, ro.risk, ${requestStateSql('r')} AS state,
    (SELECT json_object('step', s.step, 'kind', s.kind, 'approvers', json(s.approvers))
       FROM approvals s WHERE s.request_id = r.id AND s.status = 'pending' ORDER BY s.step LIMIT 1) AS waiting,
    (SELECT group_concat(g.status) FROM grants g WHERE g.request_id = r.id) AS grant_statuses,
    -- The status test sits inside min(): as a WHERE term it lets SQLite pick grants_by_expiry (status, expires_at) and scan it whole.
    (SELECT min(CASE WHEN g.status IN ('pending', 'active', 'manual') THEN g.expires_at END) FROM grants g WHERE g.request_id = r.id) AS grant_expires,
    (SELECT CASE WHEN count(*) > 0 AND sum(g.ended_at IS NULL) = 0 THEN max(g.ended_at) END FROM grants g WHERE g.request_id = r.id) AS grant_ended
  FROM requests r
  LEFT JOIN catalog_roles ro ON ro.id = r.role_id
  LEFT JOIN catalog_apps ap ON ap.id = ro.app_id`;

/** The one access state a request's grants add up to: a problem first, then work in flight, then the outcome. */
const ACCESS_ORDER: readonly GrantStatus[] = ['failed', 'manual', 'pending', 'revoking', 'active', 'expired', 'revoked', 'cancelled'];

function accessOf(statuses: string | null): GrantStatus | null {
  if (!statuses) return null;
  const set = new Set(statuses.split(','));
  return ACCESS_ORDER.find((s) => set.has(s)) ?? null;
}

/** Jira base URL per connection id, for issue links. */
function jiraBases(db: Db): Map<number, string> {
  const rows = db.prepare("SELECT id, base_url FROM connections WHERE kind = 'jira'").all() as { id: number; base_url: string }[];
  return new Map(rows.map((r) => [r.id, r.base_url.replace(/\/+$/, '')]));
}

function toRow(r: ListedDbRow, jira: Map<number, string>): RequestRow {
  const waiting = r.waiting ? (JSON.parse(r.waiting) as { step: number; kind: ApprovalStepKind; approvers: string[] }) : null;
  const base = r.jira_connection_id !== null ? jira.get(r.jira_connection_id) : undefined;
  return {
    id: r.id,
    roleId: r.role_id,
    roleLabel: r.app_name !== null && r.role_name !== null ? `${r.app_name} / ${r.role_name}` : `(deleted role #${r.role_id})`,
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
  const rows = db.prepare(`${LIST_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as ListedDbRow[];
  const jira = jiraBases(db);
  const byId = new Map(rows.map((r) => [r.id, toRow(r, jira)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function getRequestRow(db: Db, id: number): RequestRow {
  const row = requestRows(db, [id])[0];
  if (!row) throw new UserError(`no request #${id}`, 'not-found');
  return row;
}

export function requestDbRow(db: Db, id: number): RequestDbRow {
  const row = db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestDbRow | undefined;
  if (!row) throw new UserError(`no request #${id}`, 'not-found');
  return row;
}

/** `"a@x"` quoted as it sits inside the approvers JSON array (addresses are stored lower-cased). */
const quoted = (address: string): string => JSON.stringify(address.toLowerCase());

/** Below this offset + limit, a query without search pages with LIMIT/OFFSET directly. */
const DIRECT_WINDOW = 1000;

/**
 * A page of the queue, newest first. `mine`: pending requests whose current
 * step lists one of `operatorAddresses` (empty when no operator is set).
 */
export function listRequests(db: Db, q: RequestListQuery, operatorAddresses: readonly string[], cache?: PageCache): Page<RequestRow> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.view === 'mine') {
    if (operatorAddresses.length === 0) return { total: 0, offset: q.offset, rows: [] };
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
  let join = '';
  if (idSearch) {
    // "#42" or "42": that request (and anything else matching the text).
    where.push(`(r.id = ? OR r.beneficiary_name LIKE ? OR r.jira_issue_key LIKE ?)`);
    params.push(Number(idSearch[1]), `%${idSearch[1]}%`, `%${idSearch[1]}%`);
  } else if (search !== '') {
    join = 'LEFT JOIN catalog_roles ro ON ro.id = r.role_id LEFT JOIN catalog_apps ap ON ap.id = ro.app_id';
    const s = searchClause(
      ['r.beneficiary_name', 'r.beneficiary_email', 'r.requester', 'r.justification', "(ap.name || ' / ' || ro.name)", 'r.jira_issue_key'],
      search,
    );
    where.push(...s.sql);
    params.push(...s.params);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const from = `FROM requests r ${join} ${whereSql}`;
  const idsSql = `SELECT r.id ${from} ORDER BY r.id DESC`;
  const countSql = `SELECT count(*) ${from}`;
  const stamp = cache ? dataStamp(db) : '';
  const key = `requests\u0000${idsSql}\u0000${JSON.stringify(params)}`;
  const cached = cache?.get<number[]>(key, stamp);
  let total: number;
  let ids: number[];
  if (cached) {
    total = cached.length;
    ids = cached.slice(q.offset, q.offset + q.limit);
  } else if (search === '' && !derived && q.offset + q.limit <= DIRECT_WINDOW) {
    total = db.prepare(countSql).pluck().get(...params) as number;
    ids = db.prepare(`${idsSql} LIMIT ? OFFSET ?`).pluck().all(...params, q.limit, q.offset) as number[];
  } else {
    const all = db.prepare(idsSql).pluck().all(...params) as number[];
    cache?.set(key, stamp, all, 'large');
    total = all.length;
    ids = all.slice(q.offset, q.offset + q.limit);
  }
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
  const rows = db.prepare('SELECT id, name FROM connections').all() as { id: number; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function approvalRecords(db: Db, requestId: number): ApprovalRecord[] {
  const rows = db
    .prepare('SELECT step, kind, approvers, status, decided_by, decided_at, channel, comment FROM approvals WHERE request_id = ? ORDER BY step')
    .all(requestId) as {
    step: number;
    kind: ApprovalRecord['kind'];
    approvers: string;
    status: ApprovalRecord['status'];
    decided_by: string | null;
    decided_at: string | null;
    channel: DecisionChannel | null;
    comment: string | null;
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
  }));
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
