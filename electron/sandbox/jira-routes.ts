// The Jira sandbox's site (one project, ACC, with a service desk and an
// "Access request" request type) and its endpoints: platform REST v3 and the
// JSM subset, with the JSON shapes of ../shared/specs/jira-platform-v3.json
// and jsm.json and Jira's error bodies ({"errorMessages":[],"errors":{}}).
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

/** The workflow of the ACC project: ids as Jira gives them (statuses and transitions are site-wide ids). */
export const JIRA_STATUSES = {
  waiting: { id: '10002', name: 'Waiting for approval', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  inProgress: { id: '3', name: 'In progress', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  done: { id: '10003', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
} as const;
export type JiraStatusKey = keyof typeof JIRA_STATUSES;
type StatusKey = JiraStatusKey;

export const JIRA_TRANSITIONS: readonly { id: string; name: string; from: StatusKey; to: StatusKey }[] = [
  { id: '11', name: 'Start progress', from: 'waiting', to: 'inProgress' },
  { id: '21', name: 'Done', from: 'inProgress', to: 'done' },
  { id: '31', name: 'Reopen', from: 'done', to: 'waiting' },
];

const PROJECT = { id: '10000', key: 'ACC', name: 'Access requests' };
const ISSUE_TYPES = [
  { id: '10001', name: 'Access request', description: 'Request access to a group or application.' },
  { id: '10004', name: 'Task', description: 'A task.' },
];
const SERVICE_DESK = { id: '1', projectId: PROJECT.id, projectKey: PROJECT.key, projectName: PROJECT.name };
const REQUEST_TYPE = { id: '10', name: 'Access request', issueTypeId: '10001', serviceDeskId: SERVICE_DESK.id };

export type JiraCommentView = { id: string; body: unknown; created: Date };
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
  /** Set for issues created through the JSM request endpoint. */
  requestTypeId: string | null;
};

export type JiraState = {
  issues: () => readonly JiraIssueView[];
  issue: (key: string) => JiraIssueView | undefined;
  comments: (key: string) => readonly JiraCommentView[];
  /** Internal: what the routes use. */
  internal: Internal;
};

type Internal = {
  clock: Clock;
  base: () => string;
  account: { accountId: string; email: string; displayName: string };
  issues: JiraIssueView[];
  nextIssueId: number;
  nextIssueNumber: number;
  nextCommentId: number;
};

export function createJiraState(opts: { clock: Clock; baseUrl: () => string; account: { email: string; displayName: string } }): JiraState {
  const internal: Internal = {
    clock: opts.clock,
    base: opts.baseUrl,
    account: { accountId: '712020:5b10a2844c20165700ede21g', ...opts.account },
    issues: [],
    nextIssueId: 10000,
    nextIssueNumber: 1,
    nextCommentId: 10000,
  };
  const find = (key: string): JiraIssueView | undefined => internal.issues.find((i) => i.key === key || i.id === key);
  return { issues: () => internal.issues, issue: find, comments: (key) => find(key)?.comments ?? [], internal };
}

// Jira renders times as 2026-11-22T03:05:00.000+0000.
const jiraTime = (d: Date): string => d.toISOString().replace('Z', '+0000');

const isAdf = (v: unknown): boolean =>
  !!v && typeof v === 'object' && (v as Json).type === 'doc' && (v as Json).version === 1 && Array.isArray((v as Json).content);

/** Plain text as an ADF document (JSM takes description as text; the issue stores ADF). */
const adfOf = (text: string): Json => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

function userJson(s: Internal): Json {
  const a = s.account;
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

function commentJson(s: Internal, issue: JiraIssueView, c: JiraCommentView): Json {
  return {
    self: `${s.base()}/rest/api/3/issue/${issue.id}/comment/${c.id}`,
    id: c.id,
    author: userJson(s),
    updateAuthor: userJson(s),
    body: c.body,
    created: jiraTime(c.created),
    updated: jiraTime(c.created),
    jsdPublic: true,
  };
}

function issueFields(s: Internal, issue: JiraIssueView): Json {
  const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId) ?? ISSUE_TYPES[0]!;
  return {
    summary: issue.summary,
    description: issue.description,
    status: statusJson(s, issue.status),
    issuetype: issueTypeJson(s, type),
    project: projectRef(s),
    created: jiraTime(issue.created),
    updated: jiraTime(issue.updated),
    reporter: userJson(s),
    creator: userJson(s),
    comment: { comments: issue.comments.map((c) => commentJson(s, issue, c)), maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 },
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

function newIssue(s: Internal, issueTypeId: string, summary: string, description: unknown, requestTypeId: string | null): JiraIssueView {
  const now = s.clock.now();
  const issue: JiraIssueView = {
    id: String(s.nextIssueId++),
    key: `${PROJECT.key}-${s.nextIssueNumber++}`,
    issueTypeId,
    summary,
    description,
    status: 'waiting',
    created: now,
    updated: now,
    comments: [],
    requestTypeId,
  };
  s.issues.push(issue);
  return issue;
}

function createIssue(s: Internal, body: unknown): JiraReply {
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
  if (Object.keys(errors).length > 0 || !issueType) return { status: 400, body: jiraError([], errors) };
  const issue = newIssue(s, issueType.id, fields.summary as string, fields.description ?? null, null);
  return { status: 201, body: { id: issue.id, key: issue.key, self: `${s.base()}/rest/api/3/issue/${issue.id}` } };
}

function addComment(s: Internal, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const content = objectBody(body).body;
  if (!isAdf(content)) return { status: 400, body: jiraError([], { comment: 'Comment body is not valid!' }) };
  const now = s.clock.now();
  const comment: JiraCommentView = { id: String(s.nextCommentId++), body: content, created: now };
  issue.comments.push(comment);
  issue.updated = now;
  return { status: 201, body: commentJson(s, issue, comment) };
}

function transitionJson(s: Internal, t: (typeof JIRA_TRANSITIONS)[number]): Json {
  return { id: t.id, name: t.name, to: statusJson(s, t.to), hasScreen: false, isGlobal: false, isInitial: false, isAvailable: true, isConditional: false, isLooped: false };
}

function doTransition(s: Internal, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const transition = objectBody(body).transition as Json | undefined;
  const id = transition && (typeof transition.id === 'string' || typeof transition.id === 'number') ? String(transition.id) : null;
  if (id === null) return { status: 400, body: jiraError(['Missing \'transition\' identifier']) };
  const t = JIRA_TRANSITIONS.find((x) => x.id === id && x.from === issue.status);
  if (!t) return { status: 400, body: jiraError([`Transition id '${id}' is not valid for this issue.`]) };
  issue.status = t.to;
  issue.updated = s.clock.now();
  return { status: 204 };
}

type Jql = { clauses: { field: 'project' | 'status' | 'issuetype' | 'key'; value: string }[]; order: 'ASC' | 'DESC' | null };

/** The JQL Latchkey needs: `field = value` clauses joined by AND, then an optional ORDER BY created [ASC|DESC]. */
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
      const m = /^(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([\w-]+))$/.exec(part.trim());
      if (!m) bad(`the sandbox does not understand '${part.trim()}' (only field = value joined by AND).`);
      const field = m![1]!.toLowerCase();
      if (field !== 'project' && field !== 'status' && field !== 'issuetype' && field !== 'key') bad(`Field '${m![1]!}' does not exist or you do not have permission to view it.`);
      clauses.push({ field: field as Jql['clauses'][number]['field'], value: (m![2] ?? m![3] ?? m![4] ?? '').replace(/\\(.)/g, '$1') });
    }
  }
  return { clauses, order };
}

function matches(issue: JiraIssueView, jql: Jql): boolean {
  return jql.clauses.every(({ field, value }) => {
    const v = value.toLowerCase();
    switch (field) {
      case 'project':
        return v === PROJECT.key.toLowerCase() || v === PROJECT.id || v === PROJECT.name.toLowerCase();
      case 'status':
        return JIRA_STATUSES[issue.status].name.toLowerCase() === v || JIRA_STATUSES[issue.status].id === v;
      case 'issuetype':
        return ISSUE_TYPES.some((t) => t.id === issue.issueTypeId && (t.name.toLowerCase() === v || t.id === v));
      case 'key':
        return issue.key.toLowerCase() === v || issue.id === v;
    }
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

function createRequest(s: Internal, body: unknown): JiraReply {
  const b = objectBody(body);
  const jsmFail = (status: number, message: string): JiraReply => ({ status, body: { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.request.create.error', parameters: [] } } });
  // JSM takes ids as strings; numbers are accepted too.
  const idOf = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  if (idOf(b.serviceDeskId) !== SERVICE_DESK.id) return jsmFail(400, `The service desk with id ${idOf(b.serviceDeskId) || '(none)'} does not exist.`);
  if (idOf(b.requestTypeId) !== REQUEST_TYPE.id) return jsmFail(400, `The request type with id ${idOf(b.requestTypeId) || '(none)'} does not exist in this service desk.`);
  const values = b.requestFieldValues && typeof b.requestFieldValues === 'object' ? (b.requestFieldValues as Json) : {};
  if (typeof values.summary !== 'string' || values.summary.trim() === '') return jsmFail(400, 'Summary: You must specify a summary of the issue.');
  const description = values.description === undefined ? null : typeof values.description === 'string' ? adfOf(values.description) : isAdf(values.description) ? values.description : null;
  const issue = newIssue(s, REQUEST_TYPE.issueTypeId, values.summary, description, REQUEST_TYPE.id);
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
      reporter: { accountId: s.account.accountId, emailAddress: s.account.email, displayName: s.account.displayName, active: true, timeZone: 'Etc/UTC' },
      requestFieldValues: [
        { fieldId: 'summary', label: 'Summary', value: issue.summary },
        ...(typeof values.description === 'string' ? [{ fieldId: 'description', label: 'Description', value: values.description }] : []),
      ],
      currentStatus: { status: st.name, statusCategory: st.category.key === 'done' ? 'DONE' : st.category.key === 'new' ? 'NEW' : 'INDETERMINATE', statusDate: dateDto(issue.created) },
      _links: { web: `${s.base()}/servicedesk/customer/portal/${SERVICE_DESK.id}/${issue.key}`, self: `${s.base()}/rest/servicedeskapi/request/${issue.id}` },
    },
  };
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

type Ctx = { state: JiraState; params: string[]; query: URLSearchParams; body: unknown };
type Route = { method: string; pattern: RegExp; handler: (ctx: Ctx) => JiraReply };

const intParam = (q: URLSearchParams, name: string, fallback: number): number => {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fail(400, [`The value '${v}' is not valid for ${name}.`]);
};

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/rest\/api\/3\/myself$/, handler: ({ state }) => ({ status: 200, body: userJson(state.internal) }) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/project\/([^/]+)$/,
    handler: ({ state, params }) => {
      const key = decodeURIComponent(params[0] ?? '');
      return key === PROJECT.key || key === PROJECT.id ? { status: 200, body: projectJson(state.internal) } : fail(404, [`No project could be found with key '${key}'.`]);
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue$/, handler: ({ state, body }) => createIssue(state.internal, body) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)$/,
    handler: ({ state, params, query }) => {
      const fields = query.get('fields');
      return { status: 200, body: issueJson(state.internal, mustIssue(state.internal, decodeURIComponent(params[0] ?? '')), fields === null ? null : fields.split(',')) };
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, handler: ({ state, params, body }) => addComment(state.internal, decodeURIComponent(params[0] ?? ''), body) },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/,
    handler: ({ state, params, query }) => {
      const issue = mustIssue(state.internal, decodeURIComponent(params[0] ?? ''));
      const startAt = intParam(query, 'startAt', 0);
      const maxResults = Math.min(intParam(query, 'maxResults', 100), 5000);
      const page = issue.comments.slice(startAt, startAt + maxResults);
      return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments: page.map((c) => commentJson(state.internal, issue, c)) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
    handler: ({ state, params }) => {
      const issue = mustIssue(state.internal, decodeURIComponent(params[0] ?? ''));
      return { status: 200, body: { expand: 'transitions', transitions: JIRA_TRANSITIONS.filter((t) => t.from === issue.status).map((t) => transitionJson(state.internal, t)) } };
    },
  },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, handler: ({ state, params, body }) => doTransition(state.internal, decodeURIComponent(params[0] ?? ''), body) },
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
  { method: 'POST', pattern: /^\/rest\/servicedeskapi\/request$/, handler: ({ state, body }) => createRequest(state.internal, body) },
];

export function matchJiraRoute(method: string, path: string): { handler: (ctx: Ctx) => JiraReply; params: string[] } | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { handler: r.handler, params: m.slice(1) };
  }
  return null;
}
