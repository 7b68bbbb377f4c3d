// Review items as reviewers and the campaign page read them: filtered,
// sorted, paged (a reviewer's queue of 100,000 items is one query), each with
// its current decision (review_decisions, the item's current stage) and what
// its revoke became (review_remediations); one item with every decision ever
// given on it (review_decision_log).
import type { Page } from '../../../shared/domain.js';
import type {
  HeldVia,
  ReasonCode,
  Recommendation,
  RemediationStatus,
  ReviewChannel,
  ReviewDecision,
  ReviewItemDecision,
  ReviewItemDetail,
  ReviewItemRow,
  ReviewItemsQuery,
} from '../../../shared/contract-reviews.js';
import { listConnectionRecords } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { normEmail } from '../directory/people-lookup.js';
import { decisionLogOfItem } from './decision-store.js';
import { launchReasonsOf, type ItemRecord } from './item-store.js';
import { decodeReasons, reasonFilterSql, sameReasons } from './reason-codes.js';

type DecisionCols = {
  d_decision: ReviewDecision | null;
  d_reason_code: ReasonCode | null;
  d_comment: string | null;
  d_keep_until: string | null;
  d_state: 'draft' | 'submitted' | null;
  d_decided_by: string | null;
  d_channel: ReviewChannel | null;
  d_recorded_by: string | null;
  d_applied_by_default: number | null;
  d_decided_at: string | null;
};
type RemediationCols = {
  rm_kind: 'revoke' | 'time-bound' | null;
  rm_status: RemediationStatus | null;
  rm_grant_id: number | null;
  rm_job_id: number | null;
  rm_task_id: number | null;
  rm_verified_run_id: number | null;
  rm_verified_at: string | null;
  rm_note: string | null;
};
type Row = ItemRecord & DecisionCols & RemediationCols & { jira_connection_id: number | null };

const SELECT = `SELECT it.*,
    d.decision AS d_decision, d.reason_code AS d_reason_code, d.comment AS d_comment, d.keep_until AS d_keep_until, d.state AS d_state,
    d.decided_by AS d_decided_by, d.channel AS d_channel, d.recorded_by AS d_recorded_by, d.applied_by_default AS d_applied_by_default, d.decided_at AS d_decided_at,
    rm.kind AS rm_kind, rm.status AS rm_status, rm.grant_id AS rm_grant_id, rm.job_id AS rm_job_id, rm.task_id AS rm_task_id,
    rm.verified_run_id AS rm_verified_run_id, rm.verified_at AS rm_verified_at, rm.note AS rm_note
  FROM review_items it
  LEFT JOIN review_decisions d ON d.item_id = it.id AND d.stage = it.stage
  LEFT JOIN review_remediations rm ON rm.item_id = it.id`;

const ORDER: Record<ReviewItemsQuery['sort'], (dir: string) => string> = {
  person: (d) => `it.person_name COLLATE NOCASE ${d}, it.identity_id ${d}, it.group_name COLLATE NOCASE ${d}, it.id ${d}`,
  access: (d) => `coalesce(it.role_label, it.group_name) COLLATE NOCASE ${d}, it.person_name COLLATE NOCASE ${d}, it.id ${d}`,
  recommendation: (d) => `CASE it.recommendation WHEN 'revoke' THEN 0 WHEN 'look' THEN 1 ELSE 2 END ${d}, it.person_name COLLATE NOCASE, it.id`,
  lastLogin: (d) => `it.last_login ${d}, it.person_name COLLATE NOCASE, it.id`,
  reviewer: (d) => `it.reviewer ${d}, it.person_name COLLATE NOCASE, it.id`,
  decision: (d) => `coalesce(d.decision, '~') ${d}, it.person_name COLLATE NOCASE, it.id`,
};

/** The browse URL of an issue (as the request views build it; jira/ sits above reviews, so not imported). */
const issueUrl = (siteUrl: string, key: string): string => `${siteUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;

/** Jira browse URLs by Jira connection id (the request's site), as the request views build them. */
function jiraSites(db: Db): { byId: Map<number, string>; names: Map<number, string>; any: string | null } {
  const all = listConnectionRecords(db);
  const jira = all.filter((c) => c.kind === 'jira');
  return { byId: new Map(jira.map((c) => [c.id, c.baseUrl])), names: new Map(all.map((c) => [c.id, c.name])), any: jira[0]?.baseUrl ?? null };
}

function toRow(r: Row, sites: ReturnType<typeof jiraSites>): ReviewItemRow {
  const site = r.jira_connection_id !== null ? (sites.byId.get(r.jira_connection_id) ?? null) : sites.any;
  const reasons = decodeReasons(r.reasons);
  return {
    id: r.id,
    campaignId: r.campaign_id,
    stage: r.stage === 2 ? 2 : 1,
    connectionId: r.connection_id,
    connectionName: sites.names.get(r.connection_id) ?? `connection #${r.connection_id}`,
    identityId: r.identity_id,
    person: {
      name: r.person_name,
      email: r.person_email,
      status: r.person_status,
      title: r.title,
      department: r.department,
      managerEmail: r.manager_email,
      managerName: r.manager_name,
      employmentType: r.employment_type,
      lastLogin: r.last_login,
      created: r.account_created,
    },
    access: {
      groupId: r.group_id,
      groupName: r.group_name,
      heldVia: r.held_via as HeldVia,
      viaApps: JSON.parse(r.via_apps) as string[],
      roleId: r.role_id,
      roleLabel: r.role_label,
      risk: r.risk,
      appLabel: r.app_label,
    },
    grant:
      r.grant_id === null
        ? null
        : {
            grantId: r.grant_id,
            requestId: r.request_id,
            approvers: JSON.parse(r.approvers) as string[],
            jiraKey: r.jira_key,
            jiraUrl: r.jira_key && site ? issueUrl(site, r.jira_key) : null,
            grantedAt: r.granted_at,
            expiresAt: r.expires_at,
          },
    recommendation: r.recommendation as Recommendation,
    reasons,
    changedSinceLaunch: r.recommendation !== r.launch_recommendation || !sameReasons(r.reasons, launchReasonsOf(r.reasons, r.launch_reasons)),
    launchRecommendation: r.launch_recommendation as Recommendation,
    peerPercent: r.peer_pct,
    reviewer: r.reviewer,
    reviewerSource: r.reviewer_source,
    decision:
      r.d_decision === null
        ? null
        : {
            decision: r.d_decision,
            reasonCode: r.d_reason_code,
            comment: r.d_comment,
            keepUntil: r.d_keep_until,
            state: r.d_state ?? 'draft',
            by: r.d_decided_by ?? '',
            channel: r.d_channel ?? 'system',
            recordedBy: r.d_recorded_by,
            appliedByDefault: r.d_applied_by_default === 1,
            at: r.d_decided_at ?? '',
          },
    remediation:
      r.rm_kind === null || r.rm_status === null
        ? null
        : {
            kind: r.rm_kind,
            status: r.rm_status,
            grantId: r.rm_grant_id,
            jobId: r.rm_job_id,
            taskId: r.rm_task_id,
            verifiedRunId: r.rm_verified_run_id,
            verifiedAt: r.rm_verified_at,
            note: r.rm_note,
          },
  };
}

/** The WHERE clause and parameters of a query (also what a bulk decision over a filter selects). */
export function itemsWhere(q: Omit<ReviewItemsQuery, 'offset' | 'limit' | 'sort' | 'dir'>, me: string | null): { sql: string; params: Record<string, unknown> } {
  const where = ['it.campaign_id = @campaign'];
  const params: Record<string, unknown> = { campaign: q.campaignId };
  if (q.reviewer !== undefined) {
    const who = q.reviewer === 'me' ? normEmail(me) : normEmail(q.reviewer);
    if (!who) throw new UserError("whose items? Nobody is signed in, so 'me' stands for no one: sign in, or name the reviewer", 'unauthorized');
    where.push('it.reviewer = @reviewer');
    params.reviewer = who;
  }
  if (q.stage !== undefined) {
    where.push('it.stage = @stage');
    params.stage = q.stage;
  }
  if (q.recommendation !== undefined) {
    where.push('it.recommendation = @recommendation');
    params.recommendation = q.recommendation;
  }
  if (q.decision !== undefined) {
    where.push(
      q.decision === 'undecided' ? 'd.item_id IS NULL' : q.decision === 'draft' || q.decision === 'submitted' ? 'd.state = @decision' : 'd.decision = @decision',
    );
    if (q.decision !== 'undecided') params.decision = q.decision;
  }
  if (q.reason !== undefined) {
    // Either stored form of the reasons (reason-codes.ts).
    const r = reasonFilterSql('it.reasons', 'reason', q.reason);
    where.push(r.sql);
    Object.assign(params, r.params);
  }
  if (q.app !== undefined && q.app.trim() !== '') {
    where.push('(it.app_label = @app COLLATE NOCASE OR it.role_label = @app COLLATE NOCASE OR it.group_name = @app COLLATE NOCASE)');
    params.app = q.app.trim();
  }
  if (q.remediation !== undefined) {
    where.push('rm.status = @remediation');
    params.remediation = q.remediation;
  }
  const search = q.search.trim();
  if (search !== '') {
    where.push(`(it.person_name LIKE @search ESCAPE '\\' OR it.person_email LIKE @search ESCAPE '\\' OR it.group_name LIKE @search ESCAPE '\\' OR it.role_label LIKE @search ESCAPE '\\')`);
    params.search = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return { sql: where.join(' AND '), params };
}

/** `me`: the person 'me' stands for (null when nobody is signed in). */
export function listItems(ctx: EngineContext, q: ReviewItemsQuery, me: string | null): Page<ReviewItemRow> {
  const { sql, params } = itemsWhere(q, me);
  const sites = jiraSites(ctx.db);
  return ctx.db.transaction(() => {
    const total = ctx.db
      .prepare(`SELECT count(*) FROM review_items it LEFT JOIN review_decisions d ON d.item_id = it.id AND d.stage = it.stage LEFT JOIN review_remediations rm ON rm.item_id = it.id WHERE ${sql}`)
      .pluck()
      .get(params) as number;
    const rows = ctx.db
      .prepare(`${SELECT.replace('SELECT it.*,', 'SELECT it.*, NULL AS jira_connection_id,')} WHERE ${sql} ORDER BY ${ORDER[q.sort](q.dir === 'desc' ? 'DESC' : 'ASC')} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: q.limit, offset: q.offset }) as Row[];
    return { total, offset: q.offset, rows: rows.map((r) => toRow(r, sites)) };
  })();
}

export function getItem(ctx: EngineContext, itemId: number): ReviewItemDetail {
  const sites = jiraSites(ctx.db);
  const r = ctx.db.prepare(`${SELECT.replace('SELECT it.*,', 'SELECT it.*, NULL AS jira_connection_id,')} WHERE it.id = ?`).get(itemId) as Row | undefined;
  if (!r) throw new UserError(`review item #${itemId} does not exist`, 'not-found');
  const log = decisionLogOfItem(ctx.db, itemId);
  const history: (ReviewItemDecision & { stage: number })[] = log.map((l) => ({
    stage: l.stage,
    decision: l.decision,
    reasonCode: l.reason_code as ReasonCode | null,
    comment: l.comment,
    keepUntil: l.keep_until,
    state: l.state,
    by: l.decided_by,
    channel: l.channel,
    recordedBy: l.recorded_by,
    appliedByDefault: l.applied_by_default === 1,
    at: l.at,
  }));
  return { ...toRow(r, sites), history, rowHash: r.row_hash };
}
