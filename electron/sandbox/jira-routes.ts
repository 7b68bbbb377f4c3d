// The Jira sandbox's site (one project, ACC, with a service desk and an
// "Access request" request type) and its endpoints: platform REST v3 and the
// JSM subset, with the JSON shapes of ../shared/specs/jira-platform-v3.json
// and jsm.json and Jira's error bodies ({"errorMessages":[],"errors":{}};
// JSM's {"errorMessage","i18nErrorMessage"}).
import { randomBytes } from 'node:crypto';
import type { Clock } from './okta-state.js';

export type JiraReply = { status: number; headers?: Record<string, string>; body?: unknown };
type Json = Record<string, unknown>;

/** Jira's ErrorCollection. */
export const jiraError = (errorMessages: string[], errors: Record<string, string> = {}): Json => ({ errorMessages, errors });

export class JiraHttpError extends Error {
  constructor(readonly reply: JiraReply) {
    super(`Jira sandbox ${reply.status}`);
  }
}
const fail = (status: number, messages: string[], errors: Record<string, string> = {}): never => {
  throw new JiraHttpError({ status, body: jiraError(messages, errors) });
};
/** JSM (servicedeskapi) errors have their own shape. */
const jsmError = (status: number, message: string): JiraReply => ({ status, body: { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.public.rest.error', parameters: [] } } });
const jsmFail = (status: number, message: string): never => {
  throw new JiraHttpError(jsmError(status, message));
};

/** The workflow of the ACC project: ids as Jira gives them (statuses and transitions are site-wide ids). */
export const JIRA_STATUSES = {
  waiting: { id: '10002', name: 'Waiting for approval', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  inProgress: { id: '3', name: 'In progress', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  done: { id: '10003', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
  declined: { id: '10005', name: 'Declined', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
} as const;
export type JiraStatusKey = keyof typeof JIRA_STATUSES;
type StatusKey = JiraStatusKey;

export const JIRA_TRANSITIONS: readonly { id: string; name: string; from: StatusKey; to: StatusKey }[] = [
  { id: '11', name: 'Start progress', from: 'waiting', to: 'inProgress' },
  { id: '41', name: 'Decline', from: 'waiting', to: 'declined' },
  { id: '21', name: 'Done', from: 'inProgress', to: 'done' },
  { id: '51', name: 'Decline', from: 'inProgress', to: 'declined' },
  { id: '31', name: 'Reopen', from: 'done', to: 'waiting' },
  { id: '61', name: 'Reopen', from: 'declined', to: 'waiting' },
];

/**
 * Custom fields of the "Access request" request type (ids as a JSM site would
 * number them; the connector's field mapping, JIRA_FIELDS in
 * connectors/jira/jira-fields.ts, uses the same ones):
 * - customfield_10003 Approvers (JSM's multi user picker; a JSM approval is opened for them)
 * - customfield_10010 Request Type (JSM's, read-only)
 * - customfield_10050 Beneficiary e-mail (text)
 * - customfield_10051 Access: "App / Role" (text)
 * - customfield_10052 Duration: permanent | 1h | 6h | 24h | 7d | 30d | <n>m | <n>h | <n>d (text)
 */
export const JIRA_CUSTOM_FIELDS = {
  approvers: 'customfield_10003',
  requestType: 'customfield_10010',
  beneficiaryEmail: 'customfield_10050',
  access: 'customfield_10051',
  duration: 'customfield_10052',
} as const;
const TEXT_FIELDS: readonly string[] = [JIRA_CUSTOM_FIELDS.beneficiaryEmail, JIRA_CUSTOM_FIELDS.access, JIRA_CUSTOM_FIELDS.duration];

export const JIRA_PROJECT = { id: '10000', key: 'ACC', name: 'Access requests' } as const;
const PROJECT = JIRA_PROJECT;
const ISSUE_TYPES = [
  { id: '10001', name: 'Access request', description: 'Request access to a group or application.' },
  { id: '10004', name: 'Task', description: 'A task.' },
];
export const JIRA_SERVICE_DESK = { id: '1', projectId: PROJECT.id, projectKey: PROJECT.key, projectName: PROJECT.name } as const;
export const JIRA_REQUEST_TYPE = { id: '10', name: 'Access request', issueTypeId: '10001', serviceDeskId: JIRA_SERVICE_DESK.id, portalId: '1' } as const;
const SERVICE_DESK = JIRA_SERVICE_DESK;
const REQUEST_TYPE = JIRA_REQUEST_TYPE;

/** Project permissions the sandbox knows and enforces (the rest of Jira's are always granted). */
export const JIRA_PERMISSIONS = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'ADD_COMMENTS', 'TRANSITION_ISSUES', 'EDIT_ISSUES'] as const;
export type JiraPermission = (typeof JIRA_PERMISSIONS)[number];

export type JiraAccount = { accountId: string; email: string; displayName: string; apiToken: string; permissions: ReadonlySet<string> };

export type JiraCommentView = { id: string; body: unknown; created: Date; authorId: string; properties: { key: string; value: unknown }[] };
export type JiraApprovalView = {
  id: string;
  name: string;
  approvers: { accountId: string; decision: 'approved' | 'declined' | 'pending' }[];
  finalDecision: 'approved' | 'declined' | 'pending';
  created: Date;
  completed: Date | null;
};
export type JiraIssueView = {
  id: string;
  key: string;
  issueTypeId: string;
  summary: string;
  description: unknown;
  status: JiraStatusKey;
  created: Date;
  updated: Date;
  comments: JiraCommentView[];
  labels: string[];
  /** Custom text fields by id (customfield_100xx). */
  fields: Record<string, string>;
  /** Approvers field (account ids). */
  approverIds: string[];
  approvals: JiraApprovalView[];
  reporterId: string;
  /** Set for issues created through the JSM request endpoint. */
  requestTypeId: string | null;
};

export type JiraState = {
  issues: () => readonly JiraIssueView[];
  issue: (key: string) => JiraIssueView | undefined;
  comments: (key: string) => readonly JiraCommentView[];
  /** Adds a site user (a customer or an approver) with an API token of its own; `permissions` limits what it may do in ACC (default all). */
  addUser: (user: { email: string; displayName?: string; permissions?: readonly JiraPermission[] }) => JiraAccount;
  user: (emailOrAccountId: string) => JiraAccount | undefined;
  /** Internal: what the routes use. */
  internal: Internal;
};

type Internal = {
  clock: Clock;
  base: () => string;
  account: JiraAccount;
  accounts: JiraAccount[];
  issues: JiraIssueView[];
  nextIssueId: number;
  nextIssueNumber: number;
  nextCommentId: number;
  nextApprovalId: number;
  nextAccount: number;
};

export function createJiraState(opts: { clock: Clock; baseUrl: () => string; account: { email: string; displayName: string; apiToken: string } }): JiraState {
  const bot: JiraAccount = { accountId: '712020:5b10a2844c20165700ede21g', ...opts.account, permissions: new Set(JIRA_PERMISSIONS) };
  const internal: Internal = {
    clock: opts.clock,
    base: opts.baseUrl,
    account: bot,
    accounts: [bot],
    issues: [],
    nextIssueId: 10000,
    nextIssueNumber: 1,
    nextCommentId: 10000,
    nextApprovalId: 1,
    nextAccount: 1,
  };
  const find = (key: string): JiraIssueView | undefined => internal.issues.find((i) => i.key === key || i.id === key);
  const user = (ref: string): JiraAccount | undefined => internal.accounts.find((a) => a.accountId === ref || a.email.toLowerCase() === ref.toLowerCase());
  return {
    issues: () => internal.issues,
    issue: find,
    comments: (key) => find(key)?.comments ?? [],
    user,
    addUser: (u) => {
      const existing = user(u.email);
      if (existing) return existing;
      const n = internal.nextAccount++;
      const account: JiraAccount = {
        accountId: `712020:${n.toString(16).padStart(8, '0')}-5b10-4a28-9c20-${(0x165700ede21 + n).toString(16)}`,
        email: u.email,
        displayName: u.displayName ?? u.email.split('@')[0] ?? u.email,
        apiToken: `ATATT${randomBytes(24).toString('base64url')}`,
        permissions: new Set(u.permissions ?? JIRA_PERMISSIONS),
      };
      internal.accounts.push(account);
      return account;
    },
    internal,
  };
}

// Jira renders times as 2026-11-22T03:05:00.000+0000.
const jiraTime = (d: Date): string => d.toISOString().replace('Z', '+0000');

const isAdf = (v: unknown): boolean =>
  !!v && typeof v === 'object' && (v as Json).type === 'doc' && (v as Json).version === 1 && Array.isArray((v as Json).content);

/** Plain text as an ADF document (JSM takes description as text; the issue stores ADF). */
const adfOf = (text: string): Json => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

function userJson(s: Internal, a: JiraAccount = s.account): Json {
  return {
    self: `${s.base()}/rest/api/3/user?accountId=${a.accountId}`,
    accountId: a.accountId,
    accountType: 'atlassian',
    emailAddress: a.email,
    displayName: a.displayName,
    active: true,
    timeZone: 'Etc/UTC',
    locale: 'en_US',
    avatarUrls: {},
  };
}

/** JSM's UserDTO. */
const jsmUser = (s: Internal, a: JiraAccount): Json => ({
  accountId: a.accountId,
  emailAddress: a.email,
  displayName: a.displayName,
  active: true,
  timeZone: 'Etc/UTC',
  _links: { jiraRest: `${s.base()}/rest/api/2/user?accountId=${a.accountId}`, avatarUrls: {}, self: `${s.base()}/rest/api/2/user?accountId=${a.accountId}` },
});

const accountOf = (s: Internal, id: string): JiraAccount => s.accounts.find((a) => a.accountId === id) ?? s.account;

function statusJson(s: Internal, key: StatusKey): Json {
  const st = JIRA_STATUSES[key];
  return {
    self: `${s.base()}/rest/api/3/status/${st.id}`,
    description: '',
    iconUrl: `${s.base()}/images/icons/statuses/generic.png`,
    name: st.name,
    id: st.id,
    statusCategory: { self: `${s.base()}/rest/api/3/statuscategory/${st.category.id}`, ...st.category },
  };
}

const issueTypeJson = (s: Internal, t: { id: string; name: string; description: string }): Json => ({
  self: `${s.base()}/rest/api/3/issuetype/${t.id}`,
  id: t.id,
  name: t.name,
  description: t.description,
  subtask: false,
  hierarchyLevel: 0,
});

const projectRef = (s: Internal): Json => ({ self: `${s.base()}/rest/api/3/project/${PROJECT.id}`, id: PROJECT.id, key: PROJECT.key, name: PROJECT.name, projectTypeKey: 'service_desk', simplified: false });

function commentJson(s: Internal, issue: JiraIssueView, c: JiraCommentView, expand: readonly string[] = []): Json {
  const author = userJson(s, accountOf(s, c.authorId));
  return {
    self: `${s.base()}/rest/api/3/issue/${issue.id}/comment/${c.id}`,
    id: c.id,
    author,
    updateAuthor: author,
    body: c.body,
    created: jiraTime(c.created),
    updated: jiraTime(c.created),
    jsdPublic: true,
    ...(expand.includes('properties') ? { properties: c.properties } : {}),
  };
}

function issueFields(s: Internal, issue: JiraIssueView): Json {
  const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId) ?? ISSUE_TYPES[0]!;
  const reporter = userJson(s, accountOf(s, issue.reporterId));
  return {
    summary: issue.summary,
    description: issue.description,
    status: statusJson(s, issue.status),
    issuetype: issueTypeJson(s, type),
    project: projectRef(s),
    created: jiraTime(issue.created),
    updated: jiraTime(issue.updated),
    reporter,
    creator: reporter,
    labels: issue.labels,
    comment: { comments: issue.comments.map((c) => commentJson(s, issue, c)), maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 },
    [JIRA_CUSTOM_FIELDS.approvers]: issue.approverIds.map((id) => userJson(s, accountOf(s, id))),
    [JIRA_CUSTOM_FIELDS.requestType]:
      issue.requestTypeId === null
        ? null
        : { _links: { web: `${s.base()}/servicedesk/customer/portal/${REQUEST_TYPE.portalId}/${issue.key}` }, requestType: { id: REQUEST_TYPE.id, name: REQUEST_TYPE.name, serviceDeskId: SERVICE_DESK.id, portalId: REQUEST_TYPE.portalId, issueTypeId: REQUEST_TYPE.issueTypeId } },
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, issue.fields[f] ?? null])),
  };
}

function issueJson(s: Internal, issue: JiraIssueView, fields: readonly string[] | null): Json {
  const all = issueFields(s, issue);
  const picked = fields === null || fields.includes('*all') || fields.includes('*navigable') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k)));
  return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: `${s.base()}/rest/api/3/issue/${issue.id}`, key: issue.key, fields: picked };
}

function mustIssue(s: Internal, key: string): JiraIssueView {
  const issue = s.issues.find((i) => i.key === key || i.id === key);
  return issue ?? fail(404, ['Issue does not exist or you do not have permission to see it.']);
}

const objectBody = (body: unknown): Json => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : fail(400, ['The request body must be a JSON object.']));

/** A project permission check as Jira does it: 403 with the ErrorCollection naming what is missing. */
function need(user: JiraAccount, permission: JiraPermission, what: string): void {
  if (!user.permissions.has(permission)) fail(403, [`You do not have permission to ${what} in project ${PROJECT.key}.`]);
}

function newIssue(s: Internal, input: { issueTypeId: string; summary: string; description: unknown; requestTypeId: string | null; reporter: JiraAccount; labels?: string[]; fields?: Record<string, string>; approverIds?: string[] }): JiraIssueView {
  const now = s.clock.now();
  const issue: JiraIssueView = {
    id: String(s.nextIssueId++),
    key: `${PROJECT.key}-${s.nextIssueNumber++}`,
    issueTypeId: input.issueTypeId,
    summary: input.summary,
    description: input.description,
    status: 'waiting',
    created: now,
    updated: now,
    comments: [],
    labels: input.labels ?? [],
    fields: input.fields ?? {},
    approverIds: input.approverIds ?? [],
    approvals: [],
    reporterId: input.reporter.accountId,
    requestTypeId: input.requestTypeId,
  };
  // JSM opens an approval when a request enters "Waiting for approval" with approvers set.
  if (input.requestTypeId !== null && issue.approverIds.length > 0) {
    issue.approvals.push({
      id: String(s.nextApprovalId++),
      name: 'Please approve this request',
      approvers: issue.approverIds.map((accountId) => ({ accountId, decision: 'pending' })),
      finalDecision: 'pending',
      created: now,
      completed: null,
    });
  }
  s.issues.push(issue);
  return issue;
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

/** An account picker value: [{accountId}] (platform) or ["accountId"] (JSM accepts both). */
function accountIdsOf(s: Internal, v: unknown, field: string, errors: Record<string, string>): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errors[field] = 'Specify a list of users.';
    return [];
  }
  const ids: string[] = [];
  for (const item of v) {
    const id = typeof item === 'string' ? item : item && typeof item === 'object' && typeof (item as Json).accountId === 'string' ? ((item as Json).accountId as string) : null;
    if (id === null || !s.accounts.some((a) => a.accountId === id)) errors[field] = `User '${id ?? JSON.stringify(item)}' does not exist.`;
    else ids.push(id);
  }
  return [...new Set(ids)];
}

function textFieldsOf(values: Json, errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TEXT_FIELDS) {
    const v = values[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') errors[f] = 'Specify a string value for this field.';
    else if (v.length > 255) errors[f] = 'The entered text is too long. It exceeds the allowed limit of 255 characters.';
    else out[f] = v;
  }
  return out;
}

function createIssue(s: Internal, user: JiraAccount, body: unknown): JiraReply {
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
  const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels', JIRA_CUSTOM_FIELDS.approvers, ...TEXT_FIELDS]);
  for (const k of Object.keys(fields)) if (!known.has(k)) errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
  if (project && (project.key === PROJECT.key || project.id === PROJECT.id)) need(user, 'CREATE_ISSUES', 'create issues');
  if (Object.keys(errors).length > 0 || !issueType) return { status: 400, body: jiraError([], errors) };
  const issue = newIssue(s, { issueTypeId: issueType.id, summary: fields.summary as string, description: fields.description ?? null, requestTypeId: null, reporter: user, labels, fields: text, approverIds });
  return { status: 201, body: { id: issue.id, key: issue.key, self: `${s.base()}/rest/api/3/issue/${issue.id}` } };
}

function addComment(s: Internal, user: JiraAccount, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const b = objectBody(body);
  if (!isAdf(b.body)) return { status: 400, body: jiraError([], { comment: 'Comment body is not valid!' }) };
  const properties: { key: string; value: unknown }[] = [];
  if (b.properties !== undefined && b.properties !== null) {
    if (!Array.isArray(b.properties)) return { status: 400, body: jiraError(['properties must be a list of {key, value}.']) };
    for (const p of b.properties as unknown[]) {
      const o = p && typeof p === 'object' ? (p as Json) : {};
      if (typeof o.key !== 'string' || o.key === '' || o.key.length > 255) return { status: 400, body: jiraError(['The property key must be 1 to 255 characters.']) };
      properties.push({ key: o.key, value: o.value ?? null });
    }
  }
  need(user, 'ADD_COMMENTS', 'add comments');
  const now = s.clock.now();
  const comment: JiraCommentView = { id: String(s.nextCommentId++), body: b.body, created: now, authorId: user.accountId, properties };
  issue.comments.push(comment);
  issue.updated = now;
  return { status: 201, body: commentJson(s, issue, comment) };
}

function transitionJson(s: Internal, t: (typeof JIRA_TRANSITIONS)[number]): Json {
  return { id: t.id, name: t.name, to: statusJson(s, t.to), hasScreen: false, isGlobal: false, isInitial: false, isAvailable: true, isConditional: false, isLooped: false };
}

function moveTo(s: Internal, issue: JiraIssueView, to: StatusKey): void {
  issue.status = to;
  issue.updated = s.clock.now();
}

function doTransition(s: Internal, user: JiraAccount, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const transition = objectBody(body).transition as Json | undefined;
  const id = transition && (typeof transition.id === 'string' || typeof transition.id === 'number') ? String(transition.id) : null;
  if (id === null) return { status: 400, body: jiraError(['Missing \'transition\' identifier']) };
  need(user, 'TRANSITION_ISSUES', 'transition issues');
  const t = JIRA_TRANSITIONS.find((x) => x.id === id && x.from === issue.status);
  if (!t) return { status: 400, body: jiraError([`Transition id '${id}' is not valid for this issue.`]) };
  moveTo(s, issue, t.to);
  return { status: 204 };
}

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=';
type JqlField = 'project' | 'status' | 'issuetype' | 'key' | 'labels' | 'created' | 'request type';
type Jql = { clauses: { field: JqlField; op: Op; value: string }[]; order: 'ASC' | 'DESC' | null };

const FIELD_ALIASES: Record<string, JqlField> = {
  project: 'project',
  status: 'status',
  issuetype: 'issuetype',
  type: 'issuetype',
  key: 'key',
  issuekey: 'key',
  labels: 'labels',
  created: 'created',
  createddate: 'created',
  'request type': 'request type',
  'customer request type': 'request type',
};

/**
 * The JQL Latchkey needs: `field op value` clauses joined by AND, then an
 * optional ORDER BY created [ASC|DESC]. Fields: project, status, issuetype,
 * key, labels (=, !=), created (=, >, >=, <, <= with "yyyy-MM-dd HH:mm",
 * "yyyy/MM/dd HH:mm" or "yyyy-MM-dd", in the user's time zone: UTC here) and
 * "Request Type" / "Customer Request Type" (the request type's name).
 */
export function parseJql(jql: string): Jql {
  const bad = (why: string): never => fail(400, [`Error in the JQL Query: ${why}`]);
  let text = jql.trim();
  let order: Jql['order'] = null;
  const orderMatch = /\s*order\s+by\s+created(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (orderMatch) {
    order = (orderMatch[1]?.toUpperCase() as 'ASC' | 'DESC' | undefined) ?? 'ASC';
    text = text.slice(0, orderMatch.index).trim();
  } else if (/order\s+by/i.test(text)) bad('the sandbox orders by created only.');
  const clauses: Jql['clauses'] = [];
  if (text !== '') {
    for (const part of text.split(/\s+and\s+/i)) {
      const m = /^(?:"([^"]+)"|(\w+))\s*(!=|>=|<=|=|>|<)\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([\w.:/-]+))$/.exec(part.trim());
      if (!m) bad(`the sandbox does not understand '${part.trim()}' (only field op value joined by AND).`);
      const name = (m![1] ?? m![2] ?? '').toLowerCase();
      const field = FIELD_ALIASES[name];
      if (!field) bad(`Field '${m![1] ?? m![2] ?? ''}' does not exist or you do not have permission to view it.`);
      const op = m![3] as Op;
      if (field !== 'created' && op !== '=' && op !== '!=') bad(`The operator '${op}' is not supported by the '${name}' field.`);
      const value = (m![4] ?? m![5] ?? m![6] ?? '').replace(/\\(.)/g, '$1');
      if (field === 'created' && parseJqlDate(value) === null) bad(`Date value '${value}' for field 'created' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'.`);
      clauses.push({ field: field!, op, value });
    }
  }
  return { clauses, order };
}

/** A JQL date (minute precision) as epoch ms, read in UTC (the sandbox users' time zone). */
function parseJqlDate(v: string): number | null {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(v.trim());
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  return Number.isFinite(t) ? t : null;
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

function matches(issue: JiraIssueView, jql: Jql): boolean {
  return jql.clauses.every(({ field, op, value }) => {
    const v = value.toLowerCase();
    let hit: boolean;
    switch (field) {
      case 'project':
        hit = v === PROJECT.key.toLowerCase() || v === PROJECT.id || v === PROJECT.name.toLowerCase();
        break;
      case 'status':
        hit = JIRA_STATUSES[issue.status].name.toLowerCase() === v || JIRA_STATUSES[issue.status].id === v;
        break;
      case 'issuetype':
        hit = ISSUE_TYPES.some((t) => t.id === issue.issueTypeId && (t.name.toLowerCase() === v || t.id === v));
        break;
      case 'key':
        hit = issue.key.toLowerCase() === v || issue.id === v;
        break;
      case 'labels':
        hit = issue.labels.some((l) => l.toLowerCase() === v);
        break;
      case 'request type':
        hit = issue.requestTypeId === REQUEST_TYPE.id && (REQUEST_TYPE.name.toLowerCase() === v || `${REQUEST_TYPE.name.toLowerCase()} (${PROJECT.key.toLowerCase()})` === v);
        break;
      case 'created': {
        // JQL compares at minute precision.
        const minute = Math.floor(issue.created.getTime() / 60_000) * 60_000;
        return compare(minute, op, parseJqlDate(value) ?? 0);
      }
    }
    return op === '!=' ? !hit : hit;
  });
}

function search(s: Internal, input: { jql: string; maxResults: number; fields: string[] | null; nextPageToken: string | null }): JiraReply {
  const jql = parseJql(input.jql);
  // Jira rejects unbounded queries on /search/jql; the sandbox only asks for a restriction of some kind.
  if (jql.clauses.length === 0) return { status: 400, body: jiraError(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']) };
  const found = s.issues.filter((i) => matches(i, jql));
  const sorted = jql.order === 'DESC' ? [...found].sort((a, b) => b.created.getTime() - a.created.getTime() || Number(b.id) - Number(a.id)) : [...found].sort((a, b) => a.created.getTime() - b.created.getTime() || Number(a.id) - Number(b.id));
  const start = input.nextPageToken === null ? 0 : Number.parseInt(Buffer.from(input.nextPageToken, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) return { status: 400, body: jiraError(['The nextPageToken is not valid.']) };
  const max = Math.min(Math.max(input.maxResults, 1), 5000);
  const page = sorted.slice(start, start + max);
  const more = start + max < sorted.length;
  // Without `fields`, /search/jql returns ids only.
  const fields = input.fields ?? [];
  return { status: 200, body: { issues: page.map((i) => issueJson(s, i, fields)), isLast: !more, ...(more ? { nextPageToken: Buffer.from(String(start + max)).toString('base64url') } : {}) } };
}

const dateDto = (d: Date): Json => ({ iso8601: jiraTime(d), jira: jiraTime(d), friendly: d.toUTCString(), epochMillis: d.getTime() });

function createRequest(s: Internal, user: JiraAccount, body: unknown): JiraReply {
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
  const st = JIRA_STATUSES[issue.status];
  return {
    status: 201,
    body: {
      _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
      issueId: issue.id,
      issueKey: issue.key,
      requestTypeId: REQUEST_TYPE.id,
      serviceDeskId: SERVICE_DESK.id,
      createdDate: dateDto(issue.created),
      reporter: jsmUser(s, reporter),
      requestFieldValues: [
        { fieldId: 'summary', label: 'Summary', value: issue.summary },
        ...(typeof values.description === 'string' ? [{ fieldId: 'description', label: 'Description', value: values.description }] : []),
        ...Object.entries(text).map(([fieldId, value]) => ({ fieldId, label: FIELD_LABELS[fieldId] ?? fieldId, value })),
      ],
      currentStatus: { status: st.name, statusCategory: statusCategoryOf(issue.status), statusDate: dateDto(issue.created) },
      _links: { web: `${s.base()}/servicedesk/customer/portal/${REQUEST_TYPE.portalId}/${issue.key}`, self: `${s.base()}/rest/servicedeskapi/request/${issue.id}`, jiraRest: `${s.base()}/rest/api/2/issue/${issue.id}`, agent: `${s.base()}/browse/${issue.key}` },
    },
  };
}

const FIELD_LABELS: Record<string, string> = {
  [JIRA_CUSTOM_FIELDS.beneficiaryEmail]: 'Beneficiary e-mail',
  [JIRA_CUSTOM_FIELDS.access]: 'Access (App / Role)',
  [JIRA_CUSTOM_FIELDS.duration]: 'Duration',
};

const statusCategoryOf = (k: StatusKey): string => (JIRA_STATUSES[k].category.key === 'done' ? 'DONE' : JIRA_STATUSES[k].category.key === 'new' ? 'NEW' : 'INDETERMINATE');

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
function answerApproval(s: Internal, user: JiraAccount, key: string, approvalId: string, body: unknown): JiraReply {
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
  if (issue.status === 'waiting') moveTo(s, issue, decision === 'approved' ? 'inProgress' : 'declined');
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

/** GET /rest/api/3/mypermissions: Jira requires `permissions`; each one reported for the project. */
function myPermissions(s: Internal, user: JiraAccount, query: URLSearchParams): JiraReply {
  const list = query.get('permissions');
  if (!list) return { status: 400, body: jiraError(['The permissions query parameter is required.']) };
  const projectKey = query.get('projectKey') ?? query.get('projectId');
  if (projectKey !== null && projectKey !== PROJECT.key && projectKey !== PROJECT.id) return { status: 404, body: jiraError([`No project could be found with key '${projectKey}'.`]) };
  const permissions: Record<string, Json> = {};
  for (const key of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const known = (JIRA_PERMISSIONS as readonly string[]).includes(key);
    permissions[key] = {
      id: String(10 + Object.keys(permissions).length),
      key,
      name: key.toLowerCase().replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      type: 'PROJECT',
      description: `Ability to ${key.toLowerCase().replace(/_/g, ' ')}.`,
      havePermission: known ? user.permissions.has(key) : true,
    };
  }
  return { status: 200, body: { permissions } };
}

function projectJson(s: Internal): Json {
  return {
    ...projectRef(s),
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    description: 'Access requests handled by Latchkey.',
    lead: userJson(s),
    issueTypes: ISSUE_TYPES.map((t) => issueTypeJson(s, t)),
    assigneeType: 'UNASSIGNED',
    isPrivate: false,
    style: 'classic',
    avatarUrls: {},
    properties: {},
  };
}

type Ctx = { state: JiraState; user: JiraAccount; params: string[]; query: URLSearchParams; body: unknown };
type Route = { method: string; pattern: RegExp; handler: (ctx: Ctx) => JiraReply };

const intParam = (q: URLSearchParams, name: string, fallback: number): number => {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fail(400, [`The value '${v}' is not valid for ${name}.`]);
};
const p0 = (params: string[], i = 0): string => decodeURIComponent(params[i] ?? '');

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/rest\/api\/3\/myself$/, handler: ({ state, user }) => ({ status: 200, body: userJson(state.internal, user) }) },
  { method: 'GET', pattern: /^\/rest\/api\/3\/mypermissions$/, handler: ({ state, user, query }) => myPermissions(state.internal, user, query) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/project\/([^/]+)$/,
    handler: ({ state, params }) => {
      const key = p0(params);
      return key === PROJECT.key || key === PROJECT.id ? { status: 200, body: projectJson(state.internal) } : fail(404, [`No project could be found with key '${key}'.`]);
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue$/, handler: ({ state, user, body }) => createIssue(state.internal, user, body) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)$/,
    handler: ({ state, params, query }) => {
      const fields = query.get('fields');
      return { status: 200, body: issueJson(state.internal, mustIssue(state.internal, p0(params)), fields === null ? null : fields.split(',')) };
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, handler: ({ state, user, params, body }) => addComment(state.internal, user, p0(params), body) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/,
    handler: ({ state, params, query }) => {
      const issue = mustIssue(state.internal, p0(params));
      const startAt = intParam(query, 'startAt', 0);
      const maxResults = Math.min(intParam(query, 'maxResults', 100), 5000);
      const expand = (query.get('expand') ?? '').split(',');
      const page = issue.comments.slice(startAt, startAt + maxResults);
      return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments: page.map((c) => commentJson(state.internal, issue, c, expand)) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
    handler: ({ state, params }) => {
      const issue = mustIssue(state.internal, p0(params));
      return { status: 200, body: { expand: 'transitions', transitions: JIRA_TRANSITIONS.filter((t) => t.from === issue.status).map((t) => transitionJson(state.internal, t)) } };
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, handler: ({ state, user, params, body }) => doTransition(state.internal, user, p0(params), body) },
  {
    method: 'POST',
    pattern: /^\/rest\/api\/3\/search\/jql$/,
    handler: ({ state, body }) => {
      const b = objectBody(body);
      if (typeof b.jql !== 'string') return { status: 400, body: jiraError(['The JQL query is required.']) };
      const fields = Array.isArray(b.fields) ? b.fields.filter((f): f is string => typeof f === 'string') : null;
      const maxResults = typeof b.maxResults === 'number' && Number.isInteger(b.maxResults) ? b.maxResults : 50;
      return search(state.internal, { jql: b.jql, maxResults, fields, nextPageToken: typeof b.nextPageToken === 'string' ? b.nextPageToken : null });
    },
  },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/search\/jql$/,
    handler: ({ state, query }) =>
      search(state.internal, { jql: query.get('jql') ?? '', maxResults: intParam(query, 'maxResults', 50), fields: query.get('fields')?.split(',') ?? null, nextPageToken: query.get('nextPageToken') }),
  },
  { method: 'POST', pattern: /^\/rest\/servicedeskapi\/request$/, handler: ({ state, user, body }) => createRequest(state.internal, user, body) },
  {
    method: 'GET',
    pattern: /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/requesttype\/([^/]+)$/,
    handler: ({ state, params }) =>
      p0(params) === SERVICE_DESK.id && p0(params, 1) === REQUEST_TYPE.id
        ? { status: 200, body: requestTypeJson(state.internal) }
        : p0(params) !== SERVICE_DESK.id
          ? jsmError(404, `The service desk with id ${p0(params)} does not exist.`)
          : jsmError(404, `The request type with id ${p0(params, 1)} does not exist in this service desk.`),
  },
  {
    method: 'GET',
    pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval$/,
    handler: ({ state, user, params, query }) => {
      const s = state.internal;
      const issue = mustRequest(s, p0(params));
      const start = intParam(query, 'start', 0);
      const limit = Math.max(1, Math.min(intParam(query, 'limit', 50), 100));
      const page = issue.approvals.slice(start, start + limit);
      const last = start + limit >= issue.approvals.length;
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
    },
  },
  {
    method: 'GET',
    pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval\/([^/]+)$/,
    handler: ({ state, user, params }) => {
      const issue = mustRequest(state.internal, p0(params));
      return { status: 200, body: approvalJson(state.internal, issue, mustApproval(issue, p0(params, 1)), user) };
    },
  },
  { method: 'POST', pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval\/([^/]+)$/, handler: ({ state, user, params, body }) => answerApproval(state.internal, user, p0(params), p0(params, 1), body) },
];

export function matchJiraRoute(method: string, path: string): { handler: (ctx: Ctx) => JiraReply; params: string[] } | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { handler: r.handler, params: m.slice(1) };
  }
  return null;
}
