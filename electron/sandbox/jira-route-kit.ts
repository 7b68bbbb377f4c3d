// What every Jira route module shares: the reply and error shapes (Jira's
// ErrorCollection), the JSON of the objects several endpoints render (users,
// statuses, issue types, the project, comments), the issue and permission
// checks, creating an issue (through the platform API or a portal request),
// field values both creation paths read, and the route context. The route
// table is jira-routes.ts; the handlers live one module per resource.
import { JIRA_PROJECT as PROJECT, TEXT_FIELDS, type Internal, type JiraAccount, type JiraCommentView, type JiraIssueView, type JiraPermission, type JiraState, type JiraStatusDef, type JiraStatusKey as StatusKey } from './jira-state.js';

/** `raw`: a body that is not JSON (an attachment's bytes, Jira's plain-text XSRF refusal), sent as is with its own Content-Type header. */
export type JiraReply = { status: number; headers?: Record<string, string>; body?: unknown; raw?: Buffer | string };
export type Json = Record<string, unknown>;

/** Jira's ErrorCollection. */
export const jiraError = (errorMessages: string[], errors: Record<string, string> = {}): Json => ({ errorMessages, errors });

export class JiraHttpError extends Error {
  constructor(readonly reply: JiraReply) {
    super(`Jira sandbox ${reply.status}`);
  }
}
export const fail = (status: number, messages: string[], errors: Record<string, string> = {}): never => {
  throw new JiraHttpError({ status, body: jiraError(messages, errors) });
};

// Jira renders times as 2026-11-22T03:05:00.000+0000.
export const jiraTime = (d: Date): string => d.toISOString().replace('Z', '+0000');

export const isAdf = (v: unknown): boolean =>
  !!v && typeof v === 'object' && (v as Json).type === 'doc' && (v as Json).version === 1 && Array.isArray((v as Json).content);


export function userJson(s: Internal, a: JiraAccount = s.account): Json {
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

export const accountOf = (s: Internal, id: string): JiraAccount => s.accounts.find((a) => a.accountId === id) ?? s.account;

/** A status of the site's workflow (a key it does not have is a sandbox bug). */
export function statusDef(s: Internal, key: StatusKey): JiraStatusDef {
  const st = s.workflow.statuses[key];
  if (!st) throw new Error(`the workflow has no status "${key}"`);
  return st;
}

export function statusJson(s: Internal, key: StatusKey): Json {
  const st = statusDef(s, key);
  return {
    self: `${s.base()}/rest/api/3/status/${st.id}`,
    description: '',
    iconUrl: `${s.base()}/images/icons/statuses/generic.png`,
    name: st.name,
    id: st.id,
    statusCategory: { self: `${s.base()}/rest/api/3/statuscategory/${st.category.id}`, ...st.category },
  };
}

export const issueTypeJson = (s: Internal, t: { id: string; name: string; description: string }): Json => ({
  self: `${s.base()}/rest/api/3/issuetype/${t.id}`,
  id: t.id,
  name: t.name,
  description: t.description,
  subtask: false,
  hierarchyLevel: 0,
});

export const projectRef = (s: Internal): Json => ({ self: `${s.base()}/rest/api/3/project/${PROJECT.id}`, id: PROJECT.id, key: PROJECT.key, name: PROJECT.name, projectTypeKey: 'service_desk', simplified: false });

export function commentJson(s: Internal, issue: JiraIssueView, c: JiraCommentView, expand: readonly string[] = []): Json {
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

export function mustIssue(s: Internal, key: string): JiraIssueView {
  const issue = s.issues.find((i) => i.key === key || i.id === key);
  return issue ?? fail(404, ['Issue does not exist or you do not have permission to see it.']);
}

export const objectBody = (body: unknown): Json => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : fail(400, ['The request body must be a JSON object.']));

/** A project permission check as Jira does it: 403 with the ErrorCollection naming what is missing. */
export function need(user: JiraAccount, permission: JiraPermission, what: string): void {
  if (!user.permissions.has(permission)) fail(403, [`You do not have permission to ${what} in project ${PROJECT.key}.`]);
}

export function newIssue(
  s: Internal,
  input: { issueTypeId: string; summary: string; description: unknown; requestTypeId: string | null; reporter: JiraAccount; labels?: string[]; fields?: Record<string, string>; approverIds?: string[]; properties?: Record<string, unknown> },
): JiraIssueView {
  const now = s.clock.now();
  const issue: JiraIssueView = {
    id: String(s.nextIssueId++),
    key: `${PROJECT.key}-${s.nextIssueNumber++}`,
    issueTypeId: input.issueTypeId,
    summary: input.summary,
    description: input.description,
    status: s.workflow.initial,
    created: now,
    updated: now,
    comments: [],
    labels: input.labels ?? [],
    fields: input.fields ?? {},
    approverIds: input.approverIds ?? [],
    approvals: [],
    reporterId: input.reporter.accountId,
    requestTypeId: input.requestTypeId,
    properties: { ...(input.properties ?? {}) },
    attachments: [],
  };
  // JSM opens an approval when a request enters its first status with approvers set.
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

/** An account picker value: [{accountId}] (platform) or ["accountId"] (JSM accepts both). */
export function accountIdsOf(s: Internal, v: unknown, field: string, errors: Record<string, string>): string[] {
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

export function textFieldsOf(values: Json, errors: Record<string, string>): Record<string, string> {
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

export function moveTo(s: Internal, issue: JiraIssueView, to: StatusKey): void {
  issue.status = to;
  issue.updated = s.clock.now();
}

/** `raw` and `headers`: a multipart upload's bytes and the request headers (the attachment route reads both; JSON routes read `body`). */
export type Ctx = { state: JiraState; user: JiraAccount; params: string[]; query: URLSearchParams; body: unknown; raw?: Buffer; headers?: Readonly<Record<string, string | string[] | undefined>> };
export type Route = { method: string; pattern: RegExp; handler: (ctx: Ctx) => JiraReply };

export const intParam = (q: URLSearchParams, name: string, fallback: number): number => {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fail(400, [`The value '${v}' is not valid for ${name}.`]);
};
export const p0 = (params: string[], i = 0): string => decodeURIComponent(params[i] ?? '');
