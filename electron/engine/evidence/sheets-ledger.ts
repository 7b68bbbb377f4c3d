// The evidence workbook's sheets read from the governance ledger: Requests
// and Approvals here; Grants, Leavers and the review sheets beside it
// (sheets-grants.ts, sheets-leavers.ts, sheets-reviews.ts). LEDGER_SHEETS
// lists them in workbook order for the writer.
//
// Each sheet is one streamed SELECT in a fixed order (ids, which the ledger
// allocates in time order, so no sort of a million rows), its flags computed
// from the row alone, and a reconciliation counted by a separate statement.
// The requests and approvals tables belong to requests/request-store.ts; the
// evidence area reads them in its own SQL (db/table-owners.ts says why), with
// the request's state and role label from their owners' SQL.
import { roleLabelSql } from '../catalog/catalog-store.js';
import { requestStateSql } from '../requests/request-state.js';
import { hoursBetween, jiraLinks, periodOf, sameAddress } from './ledger-kit.js';
import { dateCell } from './snapshot-cells.js';
import type { EvidenceRow, EvidenceSheet } from './sheet-types.js';
import { grantsSheet } from './sheets-grants.js';
import { leaversSheet } from './sheets-leavers.js';
import { reviewCampaignsSheet, reviewsSheet } from './sheets-reviews.js';

const IN_PERIOD = 'r.created_at >= @from AND r.created_at <= @to';

type RequestDb = {
  id: number;
  created_at: string;
  requester: string;
  beneficiary_name: string;
  beneficiary_email: string | null;
  role_label: string | null;
  role_id: number;
  groups: string | null;
  duration: string;
  duration_minutes: number | null;
  justification: string;
  source: string;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
  state: string;
  decided_at: string | null;
};

/** "permanent", "24h", or a custom length in minutes. */
const durationText = (d: string, minutes: number | null): string => (d === 'custom' && minutes !== null ? `custom: ${minutes} min` : d);

export const requestsSheet: EvidenceSheet = {
  name: 'Requests',
  query: 'requests-created-in-period',
  description:
    'Every access request created in the period (created at or after its start and at or before its end), in request order: who asked, for whom, ' +
    'which role and IdP groups, for how long, why, its Jira issue and its state now. Flagged: a request with no justification.',
  columns: [
    { header: 'Request', type: 'integer' },
    { header: 'Created at (UTC)', type: 'date' },
    { header: 'Requester', type: 'text' },
    { header: 'Beneficiary', type: 'text' },
    { header: 'Beneficiary e-mail', type: 'text' },
    { header: 'Role', type: 'text' },
    { header: 'Groups', type: 'text', width: 40 },
    { header: 'Duration', type: 'text' },
    { header: 'Justification', type: 'text', width: 50 },
    { header: 'Source', type: 'text' },
    { header: 'Jira issue', type: 'link' },
    { header: 'State', type: 'text' },
    { header: 'Decided at (UTC)', type: 'date' },
  ],
  *rows(input) {
    const jira = jiraLinks(input.db);
    // The groups are those the approval gave (its grants); a request never approved shows its role's groups as mapped now.
    const stmt = input.db.prepare(
      `SELECT r.id, r.created_at, r.requester, r.beneficiary_name, r.beneficiary_email, r.role_id, ${roleLabelSql('r.role_id')} AS role_label,
              coalesce((SELECT group_concat(n, '; ' ORDER BY n) FROM (SELECT DISTINCT g.group_name AS n FROM grants g WHERE g.request_id = r.id)),
                       (SELECT group_concat(m.group_name, '; ' ORDER BY m.group_name) FROM catalog_mappings m WHERE m.role_id = r.role_id)) AS groups,
              r.duration, r.duration_minutes, r.justification, r.source, r.jira_connection_id, r.jira_issue_key, ${requestStateSql('r')} AS state, r.decided_at
       FROM requests r WHERE ${IN_PERIOD} ORDER BY r.id`,
    );
    for (const r of stmt.iterate(periodOf(input)) as IterableIterator<RequestDb>) {
      const flags = r.justification.trim() === '' ? ['no justification'] : [];
      yield {
        cells: [
          r.id,
          dateCell(r.created_at),
          r.requester,
          r.beneficiary_name,
          r.beneficiary_email,
          r.role_label ?? `(deleted role #${r.role_id})`,
          r.groups ?? '',
          durationText(r.duration, r.duration_minutes),
          r.justification,
          r.source,
          jira(r.jira_connection_id, r.jira_issue_key),
          r.state,
          dateCell(r.decided_at),
        ],
        flags,
      };
    }
  },
  reconcile(input, written) {
    const expected = input.db.prepare(`SELECT count(*) FROM requests r WHERE ${IN_PERIOD}`).pluck().get(periodOf(input)) as number;
    return [{ what: 'requests created in the period', expected, actual: written }];
  },
};

type ApprovalDb = {
  request_id: number;
  step: number;
  kind: string;
  approvers: string;
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  channel: string | null;
  comment: string | null;
  recorded_by: string | null;
  record_reason: string | null;
  evidence_ref: string | null;
  requester: string;
  beneficiary_email: string | null;
  request_status: string;
  request_decided_at: string | null;
  first_provisioned_at: string | null;
  last_step: number;
};

const DECIDED = new Set(['approved', 'denied']);
const APPROVAL_DECISION = 4;

/** What is wrong with one approval step (self-approval; access in the IdP before the approval it needed). */
function approvalFlags(a: ApprovalDb): string[] {
  const flags: string[] = [];
  if (DECIDED.has(a.status) && a.kind !== 'auto') {
    if (sameAddress(a.decided_by, a.requester)) flags.push('approver is the requester');
    if (sameAddress(a.decided_by, a.beneficiary_email)) flags.push('approver is the beneficiary');
  }
  const granted = a.first_provisioned_at;
  const beforeStep = granted !== null && a.status === 'approved' && a.decided_at !== null && granted < a.decided_at;
  if (beforeStep) flags.push(`access granted at ${granted}, before this approval at ${a.decided_at}`);
  if (granted !== null && a.step === a.last_step && !beforeStep) {
    // Once per request, on its last step: the request as a whole was not (yet) approved when the access was given.
    if (a.request_status !== 'approved') flags.push(`access granted at ${granted} but the request is ${a.request_status}`);
    else if (a.request_decided_at !== null && granted < a.request_decided_at) flags.push(`access granted at ${granted}, before the request was fully approved at ${a.request_decided_at}`);
  }
  return flags;
}

export const approvalsSheet: EvidenceSheet = {
  name: 'Approvals',
  query: 'approval-steps-of-requests-in-period',
  description:
    'Every approval step of the requests on the Requests sheet, in request and step order: who could decide, who decided, what, when, through which channel, ' +
    'their comment, and who recorded it when that was someone else (with why and the evidence). Flagged: an approver who is the requester or the beneficiary; ' +
    'access provisioned in the IdP before this approval, or before the request as a whole was approved.',
  columns: [
    { header: 'Request', type: 'integer' },
    { header: 'Step', type: 'integer' },
    { header: 'Kind', type: 'text' },
    { header: 'Eligible approvers', type: 'text', width: 40 },
    { header: 'Decision', type: 'text' },
    { header: 'Approver', type: 'text' },
    { header: 'Decided at (UTC)', type: 'date' },
    { header: 'Channel', type: 'text' },
    { header: 'Comment', type: 'text', width: 40 },
    { header: 'Recorded by', type: 'text' },
    { header: 'Recorded because', type: 'text', width: 30 },
    { header: 'Evidence reference', type: 'text', width: 30 },
    { header: 'Requester', type: 'text' },
    { header: 'Beneficiary e-mail', type: 'text' },
    { header: 'Access provisioned at (UTC)', type: 'date' },
    { header: 'Hours from decision to access', type: 'number' },
  ],
  *rows(input) {
    const stmt = input.db.prepare(
      `SELECT a.request_id, a.step, a.kind, a.approvers, a.status, a.decided_by, a.decided_at, a.channel, a.comment, a.recorded_by, a.record_reason, a.evidence_ref,
              r.requester, r.beneficiary_email, r.status AS request_status, r.decided_at AS request_decided_at,
              (SELECT min(g.provisioned_at) FROM grants g WHERE g.request_id = r.id) AS first_provisioned_at,
              (SELECT max(x.step) FROM approvals x WHERE x.request_id = r.id) AS last_step
       FROM requests r JOIN approvals a ON a.request_id = r.id
       WHERE ${IN_PERIOD} ORDER BY r.id, a.step`,
    );
    for (const a of stmt.iterate(periodOf(input)) as IterableIterator<ApprovalDb>) {
      const approvers = (JSON.parse(a.approvers) as string[]).join('; ');
      yield {
        cells: [
          a.request_id,
          a.step,
          a.kind,
          approvers,
          a.status,
          a.decided_by,
          dateCell(a.decided_at),
          a.channel,
          a.comment,
          a.recorded_by !== null && !sameAddress(a.recorded_by, a.decided_by) ? a.recorded_by : null,
          a.record_reason,
          a.evidence_ref,
          a.requester,
          a.beneficiary_email,
          dateCell(a.first_provisioned_at),
          a.status === 'approved' ? hoursBetween(a.decided_at, a.first_provisioned_at) : null,
        ],
        flags: approvalFlags(a),
      };
    }
  },
  reconcile(input, written) {
    const expected = input.db.prepare(`SELECT count(*) FROM approvals a WHERE a.request_id IN (SELECT r.id FROM requests r WHERE ${IN_PERIOD})`).pluck().get(periodOf(input)) as number;
    return [{ what: 'approval steps of the requests created in the period', expected, actual: written }];
  },
  sample: { population: 'approvals', accepts: (row: EvidenceRow) => {
      const decision = row.cells[APPROVAL_DECISION];
      return typeof decision === 'string' && DECIDED.has(decision);
    }, },
};

/** The ledger's sheets in workbook order (after Access, before Privileged). */
export const LEDGER_SHEETS: readonly EvidenceSheet[] = [requestsSheet, approvalsSheet, grantsSheet, leaversSheet, reviewsSheet, reviewCampaignsSheet];
