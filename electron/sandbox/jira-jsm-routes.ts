// The Jira Service Management endpoints of the sandbox (servicedeskapi):
// raising a customer request through the portal's request type, the request
// type itself, and the request's approvals (list, get, answer), with JSM's own
// error body ({"errorMessage","i18nErrorMessage"}).
import { accountIdsOf, accountOf, intParam, statusDef, isAdf, JiraHttpError, jiraTime, moveTo, newIssue, objectBody, p0, textFieldsOf, type Ctx, type JiraReply, type Json } from './jira-route-kit.js';
import { JIRA_CUSTOM_FIELDS, JIRA_REQUEST_TYPE as REQUEST_TYPE, JIRA_SERVICE_DESK as SERVICE_DESK, TEXT_FIELDS, type Internal, type JiraAccount, type JiraApprovalView, type JiraIssueView, type JiraStatusKey as StatusKey } from './jira-state.js';

/** JSM (servicedeskapi) errors have their own shape. */
const jsmError = (status: number, message: string): JiraReply => ({ status, body: { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.public.rest.error', parameters: [] } } });
const jsmFail = (status: number, message: string): never => {
  throw new JiraHttpError(jsmError(status, message));
};

/** Plain text as an ADF document (JSM takes description as text; the issue stores ADF). */
const adfOf = (text: string): Json => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

/** JSM's UserDTO. */
const jsmUser = (s: Internal, a: JiraAccount): Json => ({
  accountId: a.accountId,
  emailAddress: a.email,
  displayName: a.displayName,
  active: true,
  timeZone: 'Etc/UTC',
  _links: { jiraRest: `${s.base()}/rest/api/2/user?accountId=${a.accountId}`, avatarUrls: {}, self: `${s.base()}/rest/api/2/user?accountId=${a.accountId}` },
});

const dateDto = (d: Date): Json => ({ iso8601: jiraTime(d), jira: jiraTime(d), friendly: d.toUTCString(), epochMillis: d.getTime() });

export function createRequest(s: Internal, user: JiraAccount, body: unknown): JiraReply {
  const b = objectBody(body);
  // JSM takes ids as strings; numbers are accepted too.
  const idOf = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  if (idOf(b.serviceDeskId) !== SERVICE_DESK.id) return jsmError(400, `The service desk with id ${idOf(b.serviceDeskId) || '(none)'} does not exist.`);
  if (idOf(b.requestTypeId) !== REQUEST_TYPE.id) return jsmError(400, `The request type with id ${idOf(b.requestTypeId) || '(none)'} does not exist in this service desk.`);
  const values = b.requestFieldValues && typeof b.requestFieldValues === 'object' ? (b.requestFieldValues as Json) : {};
  if (typeof values.summary !== 'string' || values.summary.trim() === '') return jsmError(400, 'Summary: You must specify a summary of the issue.');
  const known = new Set(['summary', 'description', JIRA_CUSTOM_FIELDS.approvers, ...TEXT_FIELDS]);
  for (const k of Object.keys(values)) if (!known.has(k)) return jsmError(400, `The field '${k}' is not valid for the request type ${REQUEST_TYPE.name}.`);
  const errors: Record<string, string> = {};
  const text = textFieldsOf(values, errors);
  const approverIds = accountIdsOf(s, values[JIRA_CUSTOM_FIELDS.approvers], 'Approvers', errors);
  const firstError = Object.entries(errors)[0];
  if (firstError) return jsmError(400, `${firstError[0]}: ${firstError[1]}`);
  let reporter = user;
  if (b.raiseOnBehalfOf !== undefined) {
    const ref = typeof b.raiseOnBehalfOf === 'string' ? b.raiseOnBehalfOf : JSON.stringify(b.raiseOnBehalfOf);
    const behalf = s.accounts.find((a) => a.accountId === ref || a.email.toLowerCase() === ref.toLowerCase());
    if (!behalf) return jsmError(400, `The customer '${ref}' does not exist.`);
    reporter = behalf;
  }
  const description = values.description === undefined ? null : typeof values.description === 'string' ? adfOf(values.description) : isAdf(values.description) ? values.description : null;
  const issue = newIssue(s, { issueTypeId: REQUEST_TYPE.issueTypeId, summary: values.summary, description, requestTypeId: REQUEST_TYPE.id, reporter, fields: text, approverIds });
  const st = statusDef(s, issue.status);
  return {
    status: 201,
    body: {
      _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
      issueId: issue.id,
      issueKey: issue.key,
      requestTypeId: REQUEST_TYPE.id,
      serviceDeskId: SERVICE_DESK.id,
      createdDate: dateDto(issue.created),
      ...(s.quirks.noReporter ? {} : { reporter: jsmUser(s, reporter) }),
      requestFieldValues: [
        { fieldId: 'summary', label: 'Summary', value: issue.summary },
        ...(typeof values.description === 'string' ? [{ fieldId: 'description', label: 'Description', value: values.description }] : []),
        ...Object.entries(text).map(([fieldId, value]) => ({ fieldId, label: FIELD_LABELS[fieldId] ?? fieldId, value })),
      ],
      currentStatus: { status: st.name, statusCategory: statusCategoryOf(s, issue.status), statusDate: dateDto(issue.created) },
      _links: { web: `${s.base()}/servicedesk/customer/portal/${REQUEST_TYPE.portalId}/${issue.key}`, self: `${s.base()}/rest/servicedeskapi/request/${issue.id}`, jiraRest: `${s.base()}/rest/api/2/issue/${issue.id}`, agent: `${s.base()}/browse/${issue.key}` },
    },
  };
}

const FIELD_LABELS: Record<string, string> = {
  [JIRA_CUSTOM_FIELDS.beneficiaryEmail]: 'Beneficiary e-mail',
  [JIRA_CUSTOM_FIELDS.access]: 'Access (App / Role)',
  [JIRA_CUSTOM_FIELDS.duration]: 'Duration',
};

const statusCategoryOf = (s: Internal, k: StatusKey): string => (statusDef(s, k).category.key === 'done' ? 'DONE' : statusDef(s, k).category.key === 'new' ? 'NEW' : 'INDETERMINATE');

function approvalJson(s: Internal, issue: JiraIssueView, a: JiraApprovalView, viewer: JiraAccount): Json {
  return {
    id: a.id,
    name: a.name,
    finalDecision: a.finalDecision,
    canAnswerApproval: a.finalDecision === 'pending' && a.approvers.some((x) => x.accountId === viewer.accountId && x.decision === 'pending'),
    approvers: a.approvers.map((x) => ({ approver: jsmUser(s, accountOf(s, x.accountId)), approverDecision: x.decision })),
    createdDate: dateDto(a.created),
    ...(a.completed ? { completedDate: dateDto(a.completed) } : {}),
    _links: { self: `${s.base()}/rest/servicedeskapi/request/${issue.id}/approval/${a.id}` },
  };
}

/** A customer request (an issue raised through a request type); others are 404 to the JSM API, as in Jira. */
function mustRequest(s: Internal, key: string): JiraIssueView {
  const issue = s.issues.find((i) => (i.key === key || i.id === key) && i.requestTypeId !== null);
  return issue ?? jsmFail(404, `The request ${key} does not exist or you do not have permission to see it.`);
}

function mustApproval(issue: JiraIssueView, id: string): JiraApprovalView {
  return issue.approvals.find((a) => a.id === id) ?? jsmFail(404, `The approval with id ${id} does not exist on this request.`);
}

/**
 * An approver's answer. One approver's decision completes the approval (the
 * "1 approver" rule JSM starts with); the workflow moves on: approved →
 * In progress, declined → Declined.
 */
export function answerApproval(s: Internal, user: JiraAccount, key: string, approvalId: string, body: unknown): JiraReply {
  const issue = mustRequest(s, key);
  const approval = mustApproval(issue, approvalId);
  const b = body && typeof body === 'object' ? (body as Json) : {};
  if (b.decision !== 'approve' && b.decision !== 'decline') return jsmError(400, "The decision must be 'approve' or 'decline'.");
  const mine = approval.approvers.find((x) => x.accountId === user.accountId);
  if (!mine) return jsmError(403, 'You are not an approver of this request.');
  if (approval.finalDecision !== 'pending' || mine.decision !== 'pending') return jsmError(409, 'This approval has already been completed or you have already submitted a decision.');
  const decision = b.decision === 'approve' ? 'approved' : 'declined';
  const now = s.clock.now();
  mine.decision = decision;
  approval.finalDecision = decision;
  approval.completed = now;
  // The workflow moves on from its first status when it has somewhere to go (approved → In progress, declined → Declined).
  const next = decision === 'approved' ? s.workflow.onApproved : s.workflow.onDeclined;
  if (issue.status === s.workflow.initial && next !== null) moveTo(s, issue, next);
  return { status: 200, body: approvalJson(s, issue, approval, user) };
}

function requestTypeJson(s: Internal): Json {
  return {
    _expands: [],
    id: REQUEST_TYPE.id,
    _links: { self: `${s.base()}/rest/servicedeskapi/servicedesk/${SERVICE_DESK.id}/requesttype/${REQUEST_TYPE.id}` },
    name: REQUEST_TYPE.name,
    description: 'Ask for access to an application or group.',
    helpText: 'Name the person, the app and role, and for how long.',
    issueTypeId: REQUEST_TYPE.issueTypeId,
    serviceDeskId: SERVICE_DESK.id,
    portalId: REQUEST_TYPE.portalId,
    groupIds: ['1'],
    icon: { id: '10500', _links: { iconUrls: {} } },
  };
}

/** GET /rest/servicedeskapi/servicedesk/{id}/requesttype/{id}: the one request type, or which id is unknown. */
export function getRequestType({ state, params }: Ctx): JiraReply {
  return p0(params) === SERVICE_DESK.id && p0(params, 1) === REQUEST_TYPE.id
    ? { status: 200, body: requestTypeJson(state.internal) }
    : p0(params) !== SERVICE_DESK.id
      ? jsmError(404, `The service desk with id ${p0(params)} does not exist.`)
      : jsmError(404, `The request type with id ${p0(params, 1)} does not exist in this service desk.`);
}

/** GET /rest/servicedeskapi/request/{key}/approval: JSM's paged list (start / limit, at most 100, with a next link). */
export function listApprovals({ state, user, params, query }: Ctx): JiraReply {
  const s = state.internal;
  const issue = mustRequest(s, p0(params));
  // Quirk approvalsNeverLastPage: `start` ignored, every page the first, never the last.
  const never = s.quirks.approvalsNeverLastPage === true;
  const start = never ? 0 : intParam(query, 'start', 0);
  const limit = Math.max(1, Math.min(intParam(query, 'limit', 50), 100));
  const page = issue.approvals.slice(start, start + limit);
  const last = !never && start + limit >= issue.approvals.length;
  return {
    status: 200,
    body: {
      _expands: [],
      size: page.length,
      start,
      limit,
      isLastPage: last,
      _links: { base: `${s.base()}/rest/servicedeskapi`, context: '', self: `${s.base()}/rest/servicedeskapi/request/${issue.id}/approval`, ...(last ? {} : { next: `${s.base()}/rest/servicedeskapi/request/${issue.id}/approval?start=${start + limit}&limit=${limit}` }) },
      values: page.map((a) => approvalJson(s, issue, a, user)),
    },
  };
}

/** GET /rest/servicedeskapi/request/{key}/approval/{id}. */
export function getApproval({ state, user, params }: Ctx): JiraReply {
  const issue = mustRequest(state.internal, p0(params));
  return { status: 200, body: approvalJson(state.internal, issue, mustApproval(issue, p0(params, 1)), user) };
}
