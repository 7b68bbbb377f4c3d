// The Jira issue endpoints of the sandbox: create an issue (the platform
// API, with Jira's field validation), get one (with `fields` picking what to
// render) and JQL search (/search/jql, with nextPageToken paging; the JQL
// itself is jql.ts).
import { attachmentJson } from './jira-attachment-routes.js';
import { accountIdsOf, accountOf, commentJson, fail, intParam, isAdf, issueTypeJson, jiraError, jiraTime, mustIssue, need, newIssue, objectBody, p0, projectRef, statusJson, textFieldsOf, userJson, type Ctx, type JiraReply, type Json } from './jira-route-kit.js';
import { ISSUE_TYPES, JIRA_CUSTOM_FIELDS, JIRA_PROJECT as PROJECT, JIRA_REQUEST_TYPE as REQUEST_TYPE, JIRA_SERVICE_DESK as SERVICE_DESK, TEXT_FIELDS, type Internal, type JiraAccount, type JiraIssueView } from './jira-state.js';
import { matchesJql, parseJql } from './jql.js';

function issueFields(s: Internal, issue: JiraIssueView): Json {
  const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId) ?? ISSUE_TYPES[0]!;
  // Quirks: no reporter (a deleted account), no status field (as Atlassian's getIssue example).
  const reporter = s.quirks.noReporter ? null : userJson(s, accountOf(s, issue.reporterId));
  return {
    summary: issue.summary,
    description: issue.description,
    ...(s.quirks.statusFieldAbsent ? {} : { status: statusJson(s, issue.status) }),
    issuetype: issueTypeJson(s, type),
    project: projectRef(s),
    created: jiraTime(issue.created),
    updated: jiraTime(issue.updated),
    reporter,
    creator: reporter,
    labels: issue.labels,
    attachment: issue.attachments.map((a) => attachmentJson(s, a)),
    comment: { comments: issue.comments.map((c) => commentJson(s, issue, c)), maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 },
    [JIRA_CUSTOM_FIELDS.approvers]: issue.approverIds.map((id) => userJson(s, accountOf(s, id))),
    [JIRA_CUSTOM_FIELDS.requestType]:
      issue.requestTypeId === null
        ? null
        : { _links: { web: `${s.base()}/servicedesk/customer/portal/${REQUEST_TYPE.portalId}/${issue.key}` }, requestType: { id: REQUEST_TYPE.id, name: REQUEST_TYPE.name, serviceDeskId: SERVICE_DESK.id, portalId: REQUEST_TYPE.portalId, issueTypeId: REQUEST_TYPE.issueTypeId } },
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, issue.fields[f] ?? null])),
    duedate: issue.fields.duedate ?? null,
  };
}

function issueJson(s: Internal, issue: JiraIssueView, fields: readonly string[] | null): Json {
  const all = issueFields(s, issue);
  const picked = fields === null || fields.includes('*all') || fields.includes('*navigable') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k)));
  return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: `${s.base()}/rest/api/3/issue/${issue.id}`, key: issue.key, fields: picked };
}

/** Labels as Jira checks them: strings without spaces, at most 255 characters. */
function labelsOf(v: unknown, errors: Record<string, string>): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((l): l is string => typeof l === 'string')) {
    errors.labels = 'Labels must be a list of strings.';
    return [];
  }
  for (const l of v) {
    if (/\s/.test(l)) errors.labels = `The label '${l}' contains spaces which is invalid.`;
    else if (l.length > 255) errors.labels = 'The label must not exceed 255 characters.';
  }
  return [...new Set(v)];
}

/** IssueUpdateDetails.properties: entity properties set with the issue ([{key, value}], keys 1-255 characters). */
function propertiesOf(v: unknown, errors: Record<string, string>): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  const out: Record<string, unknown> = {};
  if (!Array.isArray(v)) {
    errors.properties = 'properties must be a list of {key, value}.';
    return out;
  }
  for (const p of v as unknown[]) {
    const o = p && typeof p === 'object' ? (p as Json) : {};
    if (typeof o.key !== 'string' || o.key === '' || o.key.length > 255) errors.properties = 'The property key must be 1 to 255 characters.';
    else out[o.key] = o.value ?? null;
  }
  return out;
}

export function createIssue(s: Internal, user: JiraAccount, body: unknown): JiraReply {
  const fields = objectBody(objectBody(body).fields ?? fail(400, [], { project: 'Specify a valid project ID or key' }));
  const errors: Record<string, string> = {};
  const project = fields.project as Json | undefined;
  if (!project || (project.key !== PROJECT.key && project.id !== PROJECT.id)) errors.project = 'Specify a valid project ID or key';
  const type = fields.issuetype as Json | undefined;
  const issueType = ISSUE_TYPES.find((t) => type && (t.id === type.id || t.name === type.name));
  if (!issueType) errors.issuetype = 'Specify an issue type';
  if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
  else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
  if (fields.description !== undefined && fields.description !== null && !isAdf(fields.description)) {
    errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  }
  const labels = labelsOf(fields.labels, errors);
  const approverIds = accountIdsOf(s, fields[JIRA_CUSTOM_FIELDS.approvers], JIRA_CUSTOM_FIELDS.approvers, errors);
  const text = textFieldsOf(fields, errors);
  const properties = propertiesOf(objectBody(body).properties, errors);
  // duedate: Jira's system field, a date "yyyy-MM-dd".
  const due = fields.duedate;
  if (due !== undefined && due !== null && (typeof due !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(due) || Number.isNaN(Date.parse(due)))) errors.duedate = "Error parsing date string: the due date must be in the format 'yyyy-MM-dd'.";
  if (typeof due === 'string' && !errors.duedate) text.duedate = due;
  // The Request Type field (JSM): setting it makes the issue a customer request of that type (approvals open for its approvers).
  const rtValue = fields[JIRA_CUSTOM_FIELDS.requestType];
  const rt = typeof rtValue === 'string' || typeof rtValue === 'number' ? String(rtValue) : rtValue === undefined || rtValue === null ? null : JSON.stringify(rtValue);
  let requestTypeId: string | null = null;
  if (rt !== null) {
    if (rt !== REQUEST_TYPE.id) errors[JIRA_CUSTOM_FIELDS.requestType] = `The request type ${rt} does not exist in this service desk.`;
    else if (issueType && issueType.id !== REQUEST_TYPE.issueTypeId) errors[JIRA_CUSTOM_FIELDS.requestType] = `The request type ${REQUEST_TYPE.name} does not belong to issue type ${issueType.name}.`;
    else requestTypeId = REQUEST_TYPE.id;
  }
  const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'duedate', JIRA_CUSTOM_FIELDS.approvers, JIRA_CUSTOM_FIELDS.requestType, ...TEXT_FIELDS]);
  for (const k of Object.keys(fields)) if (!known.has(k)) errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
  if (project && (project.key === PROJECT.key || project.id === PROJECT.id)) need(user, 'CREATE_ISSUES', 'create issues');
  if (Object.keys(errors).length > 0 || !issueType) return { status: 400, body: jiraError([], errors) };
  const issue = newIssue(s, { issueTypeId: issueType.id, summary: fields.summary as string, description: fields.description ?? null, requestTypeId, reporter: user, labels, fields: text, approverIds, properties });
  return { status: 201, body: { id: issue.id, key: issue.key, self: `${s.base()}/rest/api/3/issue/${issue.id}` } };
}

function search(s: Internal, input: { jql: string; maxResults: number; fields: string[] | null; nextPageToken: string | null }): JiraReply {
  const jql = parseJql(input.jql);
  // Jira rejects unbounded queries on /search/jql; the sandbox only asks for a restriction of some kind.
  if (jql.clauses.length === 0) return { status: 400, body: jiraError(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']) };
  const found = s.issues.filter((i) => matchesJql(i, jql, s));
  const sorted = jql.order === 'DESC' ? [...found].sort((a, b) => b.created.getTime() - a.created.getTime() || Number(b.id) - Number(a.id)) : [...found].sort((a, b) => a.created.getTime() - b.created.getTime() || Number(a.id) - Number(b.id));
  const start = input.nextPageToken === null ? 0 : Number.parseInt(Buffer.from(input.nextPageToken, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) return { status: 400, body: jiraError(['The nextPageToken is not valid.']) };
  const max = Math.min(Math.max(input.maxResults, 1), 5000);
  const page = sorted.slice(start, start + max);
  // Quirk searchNeverLast: always one more page (empty ones past the end).
  const more = s.quirks.searchNeverLast === true || start + max < sorted.length;
  // Without `fields`, /search/jql returns ids only.
  const fields = input.fields ?? [];
  return { status: 200, body: { issues: page.map((i) => issueJson(s, i, fields)), isLast: !more, ...(more ? { nextPageToken: Buffer.from(String(start + max)).toString('base64url') } : {}) } };
}

/** GET /rest/api/3/issue/{key}: `fields` (comma-separated) picks what to render. */
export function getIssue({ state, params, query }: Ctx): JiraReply {
  const fields = query.get('fields');
  return { status: 200, body: issueJson(state.internal, mustIssue(state.internal, p0(params)), fields === null ? null : fields.split(',')) };
}

/** POST /rest/api/3/search/jql: the query in a JSON body. */
export function searchPost({ state, body }: Ctx): JiraReply {
  const b = objectBody(body);
  if (typeof b.jql !== 'string') return { status: 400, body: jiraError(['The JQL query is required.']) };
  const fields = Array.isArray(b.fields) ? b.fields.filter((f): f is string => typeof f === 'string') : null;
  const maxResults = typeof b.maxResults === 'number' && Number.isInteger(b.maxResults) ? b.maxResults : 50;
  return search(state.internal, { jql: b.jql, maxResults, fields, nextPageToken: typeof b.nextPageToken === 'string' ? b.nextPageToken : null });
}

/** GET /rest/api/3/search/jql: the query in the query string. */
export function searchGet({ state, query }: Ctx): JiraReply {
  return search(state.internal, { jql: query.get('jql') ?? '', maxResults: intParam(query, 'maxResults', 50), fields: query.get('fields')?.split(',') ?? null, nextPageToken: query.get('nextPageToken') });
}

/** GET /rest/api/3/issue/{key}/properties/{propertyKey}: EntityProperty {key, value}; 404 when the issue has none of that key. */
export function getIssueProperty({ state, params }: Ctx): JiraReply {
  const issue = mustIssue(state.internal, p0(params));
  const key = p0(params, 1);
  if (!(key in issue.properties)) return { status: 404, body: jiraError([`The property with key '${key}' does not exist.`]) };
  return { status: 200, body: { key, value: issue.properties[key] } };
}

/** PUT /rest/api/3/issue/{key}/properties/{propertyKey}: any JSON value; 201 when created, 200 when replaced (EDIT_ISSUES). */
export function setIssueProperty({ state, user, params, body }: Ctx): JiraReply {
  const issue = mustIssue(state.internal, p0(params));
  const key = p0(params, 1);
  if (key.length > 255) return { status: 400, body: jiraError(['The property key must be 1 to 255 characters.']) };
  need(user, 'EDIT_ISSUES', 'edit issues');
  const existed = key in issue.properties;
  issue.properties[key] = body ?? null;
  return { status: existed ? 200 : 201 };
}

/** GET /rest/api/3/user/search?query=: accounts whose e-mail or display name contains the query (case-insensitive), as Jira's user search. */
export function userSearch({ state, query }: Ctx): JiraReply {
  const q = (query.get('query') ?? query.get('accountId') ?? '').trim().toLowerCase();
  if (q === '') return { status: 400, body: jiraError(["One of 'accountId' or 'query' must be specified."]) };
  const s = state.internal;
  const max = Math.max(1, Math.min(intParam(query, 'maxResults', 50), 1000));
  const found = s.accounts.filter((a) => a.accountId.toLowerCase() === q || a.email.toLowerCase().includes(q) || a.displayName.toLowerCase().includes(q));
  return { status: 200, body: found.slice(intParam(query, 'startAt', 0), intParam(query, 'startAt', 0) + max).map((a) => userJson(s, a)) };
}
