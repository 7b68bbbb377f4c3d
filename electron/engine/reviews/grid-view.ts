// The console's review grid read model (reviews:grid): one reviewer's items of a campaign with
// their current decision and remediation, in the compact form of ReviewGridData — people, access,
// reason lists and grants appear once each and items point at them. Why its own read: the grid
// holds a reviewer's whole queue (up to 100,000 items) so filtering, sorting and a decision key
// answer in the renderer; one ReviewItemRow object per item is ~1 KB of JSON each through the
// bridge, this is tens of bytes. One query over review_items joined to the item's current
// decision and its remediation (readers in db/table-owners.ts).
import type { ReviewGridData } from '../../../shared/contract-reviews.js';
import { listConnectionRecords } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import { campaignRecord } from './campaign-store.js';
import { launchReasonsOf } from './item-store.js';
import { decodeReasons } from './reason-codes.js';

type Raw = [
  id: number,
  stage: 1 | 2,
  connectionId: number,
  identityId: string,
  personName: string,
  personEmail: string | null,
  personStatus: string,
  title: string | null,
  department: string | null,
  managerEmail: string | null,
  managerName: string | null,
  employmentType: string | null,
  lastLogin: string | null,
  accountCreated: string | null,
  groupId: string,
  groupName: string,
  heldVia: ReviewGridData['access'][number][2],
  viaApps: string,
  roleId: number | null,
  roleLabel: string | null,
  risk: string | null,
  appLabel: string | null,
  grantId: number | null,
  requestId: number | null,
  approvers: string,
  jiraKey: string | null,
  grantedAt: string | null,
  expiresAt: string | null,
  peerPct: number | null,
  recommendation: ReviewGridData['items'][number][5],
  reasons: string,
  launchRecommendation: ReviewGridData['items'][number][5],
  launchReasons: string,
  reviewerSource: string,
  decision: NonNullable<ReviewGridData['items'][number][11]>[0] | null,
  reasonCode: NonNullable<ReviewGridData['items'][number][11]>[1],
  comment: string | null,
  keepUntil: string | null,
  state: 'draft' | 'submitted' | null,
  decidedBy: string | null,
  channel: NonNullable<ReviewGridData['items'][number][11]>[6] | null,
  recordedBy: string | null,
  appliedByDefault: 0 | 1 | null,
  decidedAt: string | null,
  remKind: 'revoke' | 'time-bound' | null,
  remStatus: NonNullable<ReviewGridData['items'][number][12]>[1] | null,
  remGrantId: number | null,
  remJobId: number | null,
  remTaskId: number | null,
  remVerifiedRunId: number | null,
  remVerifiedAt: string | null,
  remNote: string | null,
];

const SQL = `
SELECT i.id, i.stage, i.connection_id, i.identity_id, i.person_name, i.person_email, i.person_status, i.title, i.department,
       i.manager_email, i.manager_name, i.employment_type, i.last_login, i.account_created,
       i.group_id, i.group_name, i.held_via, i.via_apps, i.role_id, i.role_label, i.risk, i.app_label,
       i.grant_id, i.request_id, i.approvers, i.jira_key, i.granted_at, i.expires_at,
       i.peer_pct, i.recommendation, i.reasons, i.launch_recommendation, i.launch_reasons, i.reviewer_source,
       d.decision, d.reason_code, d.comment, d.keep_until, d.state, d.decided_by, d.channel, d.recorded_by, d.applied_by_default, d.decided_at,
       r.kind, r.status, r.grant_id, r.job_id, r.task_id, r.verified_run_id, r.verified_at, r.note
  FROM review_items i
  LEFT JOIN review_decisions d ON d.item_id = i.id AND d.stage = i.stage
  LEFT JOIN review_remediations r ON r.item_id = i.id
 WHERE i.campaign_id = @campaign AND i.reviewer = @me
 ORDER BY i.id`;
// The first screen (`first`): the first items in the grid's opening order (person name, case-insensitive,
// then id), chosen by a subquery that reads only the names, so it answers in milliseconds at 100,000 items.
const FIRST_SQL = SQL.replace(
  'WHERE i.campaign_id = @campaign AND i.reviewer = @me',
  `WHERE i.id IN (SELECT id FROM review_items WHERE campaign_id = @campaign AND reviewer = @me ORDER BY lower(person_name), id LIMIT @first)`,
);
const TOTAL_SQL = 'SELECT count(*) FROM review_items WHERE campaign_id = @campaign AND reviewer = @me';

/** Reason codes of a stored reason list (either form of reason-codes.ts), as one comparable string. */
function codesOf(stored: string): string {
  try {
    return decodeReasons(stored)
      .map((r) => r.code)
      .sort()
      .join(',');
  } catch {
    return stored;
  }
}

/** Interns values by a key: the first sighting appends to `list`, later ones reuse its index. */
function interner<T>(list: T[]): (key: string, make: () => T) => number {
  const index = new Map<string, number>();
  return (key, make) => {
    let i = index.get(key);
    if (i === undefined) {
      i = list.length;
      list.push(make());
      index.set(key, i);
    }
    return i;
  };
}

/**
 * `me`: the person the call is made for (null when nobody is signed in: no items). `first`: only
 * that many items, the first the grid shows (the console paints them while the whole queue loads);
 * `total` always counts the whole queue.
 */
export function gridView(ctx: EngineContext, campaignId: number, caller: string | null, first?: number): ReviewGridData {
  // Reviewers are stored as the contract's e-mails are: lower case.
  const me = caller === null ? null : caller.trim().toLowerCase();
  if (!campaignRecord(ctx.db, campaignId)) throw new UserError(`campaign ${campaignId} not found`, 'not-found');
  const jira = listConnectionRecords(ctx.db).find((c) => c.kind === 'jira');
  const out: ReviewGridData = { campaignId, reviewer: me, jiraBase: jira ? jira.baseUrl.replace(/\/+$/, '') : null, total: 0, people: [], access: [], reasons: [], grants: [], items: [] };
  if (me === null) return out;
  const at = { campaign: campaignId, me, first: first ?? 0 };
  const connectionNames = new Map(listConnectionRecords(ctx.db).map((c) => [c.id, c.name]));
  const person = interner(out.people);
  const access = interner(out.access);
  const reasons = interner(out.reasons);
  const grants = interner(out.grants);
  out.total = ctx.db.prepare(TOTAL_SQL).pluck().get(at) as number;
  const stmt = ctx.db.prepare(first === undefined ? SQL : FIRST_SQL).raw(true);
  for (const row of stmt.iterate(first === undefined ? { campaign: campaignId, me } : at) as IterableIterator<Raw>) {
    const [id, stage, connectionId, identityId, name, email, status, title, department, managerEmail, managerName, employmentType, lastLogin, created] = row;
    const [groupId, groupName, heldVia, viaApps, roleId, roleLabel, risk, appLabel, grantId, requestId, approvers, jiraKey, grantedAt, expiresAt, peerPct] = row.slice(14) as [
      Raw[14], Raw[15], Raw[16], Raw[17], Raw[18], Raw[19], Raw[20], Raw[21], Raw[22], Raw[23], Raw[24], Raw[25], Raw[26], Raw[27], Raw[28],
    ];
    const [recommendation, reasonJson, launchRecommendation, launchReasons, reviewerSource] = row.slice(29, 34) as [Raw[29], Raw[30], Raw[31], Raw[32], Raw[33]];
    const d = row.slice(34, 44) as [Raw[34], Raw[35], Raw[36], Raw[37], Raw[38], Raw[39], Raw[40], Raw[41], Raw[42], Raw[43]];
    const r = row.slice(44) as [Raw[44], Raw[45], Raw[46], Raw[47], Raw[48], Raw[49], Raw[50], Raw[51]];
    // The frozen person values are the same on every item of one account (frozen at the same launch).
    const p = person(`${connectionId}\u0000${identityId}`, () => [
      connectionId,
      connectionNames.get(connectionId) ?? `connection #${connectionId}`,
      identityId,
      name,
      email,
      status,
      title,
      department,
      managerEmail,
      managerName,
      employmentType,
      lastLogin,
      created,
    ]);
    // Every frozen access column is in the key: two items of one group may differ in any of them.
    const a = access(JSON.stringify([connectionId, groupId, groupName, heldVia, viaApps, roleId, roleLabel, risk, appLabel]), () => [
      groupId,
      groupName,
      heldVia,
      JSON.parse(viaApps) as string[],
      roleId,
      roleLabel,
      risk,
      appLabel,
    ]);
    const why = reasons(reasonJson, () => decodeReasons(reasonJson));
    const g = grantId === null ? -1 : grants(String(grantId), () => [grantId, requestId, JSON.parse(approvers) as string[], jiraKey, grantedAt, expiresAt]);
    const launched = launchReasonsOf(reasonJson, launchReasons);
    const changed = recommendation !== launchRecommendation || (reasonJson !== launched && codesOf(reasonJson) !== codesOf(launched)) ? 1 : 0;
    out.items.push([
      id,
      stage,
      p,
      a,
      g,
      recommendation,
      why,
      launchRecommendation,
      changed,
      peerPct,
      reviewerSource,
      d[0] === null ? null : [d[0], d[1], d[2], d[3], d[4] ?? 'draft', d[5] ?? '', d[6] ?? 'console', d[7], d[8] ?? 0, d[9] ?? ''],
      r[0] === null || r[1] === null ? null : [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]],
    ]);
  }
  return out;
}
