// The Jira connector: jira.js 5.4 (Version3Client for the platform REST v3,
// ServiceDeskClient for JSM) behind the handful of calls Latchkey makes, with
// our own retry and error normalisation around every call:
// - 429 is always retried here (Jira did not act on the request), waiting
//   what Retry-After / X-RateLimit-Reset says, bounded: a wait longer than
//   `maxWaitMs`, or more than `maxRetries` tries, ends with the JiraApiError
//   (its retryAfterMs tells the job queue when to come back);
// - 5xx and "no response" are retried here only for reads: a POST that died
//   may have been applied, and the callers (the write-back job) re-check Jira
//   before writing again instead;
// - everything else becomes a JiraApiError naming what failed with Jira's
//   own messages, without the API token;
// - every pager is bounded (JIRA_PAGER_LIMITS) and says when it stopped.
import { ServiceDeskClient, Version3Client } from 'jira.js';
import { JiraApiError, toJiraError } from './jira-errors.js';
import type { AdfDoc } from './jira-fields.js';

export type JiraClientOptions = {
  /** The site, e.g. https://acme.atlassian.net. */
  siteUrl: string;
  email: string;
  apiToken: string;
  /** Tries per call on 429 (and on 5xx / no response for reads), default 4. */
  maxRetries?: number;
  /** Longest single wait honoured inline (default 10 s); beyond it the error goes back to the caller with retryAfterMs. */
  maxWaitMs?: number;
  /** Per-request time-out (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  nowMs?: () => number;
  /** Stops retrying (the job runner's shutdown). */
  signal?: AbortSignal;
};

export type JiraUser = { accountId: string; email: string | null; displayName: string; timeZone: string | null };
export type JiraIssueRef = { id: string; key: string };
export type JiraIssue = {
  id: string;
  key: string;
  summary: string;
  status: { id: string; name: string; category: string | null };
  created: string | null;
  labels: string[];
  reporter: JiraUser | null;
  description: unknown;
  /** Every other field as Jira returned it (custom fields). */
  fields: Record<string, unknown>;
};
/** A file on an issue (`fields.attachment`, an upload's answer): `created` as Jira wrote it (ISO text; epoch ms in some of Atlassian's examples). */
export type JiraAttachment = { id: string; filename: string; mimeType: string | null; size: number | null; created: string | null; author: JiraUser | null; content: string | null };
export type JiraComment = { id: string; body: unknown; created: string | null; properties: { key: string; value: unknown }[] };
export type JiraTransition = { id: string; name: string; to: { id: string; name: string; category: string | null } };
export type JsmApproval = {
  id: string;
  name: string;
  finalDecision: 'approved' | 'declined' | 'pending';
  approvers: { accountId: string; email: string | null; displayName: string; decision: 'approved' | 'declined' | 'pending' }[];
  completedAt: string | null;
};

/**
 * Every pager is bounded: a site that never says "last page" (or keeps
 * handing out the same page) must not hold a job or a poll forever. When a
 * bound is hit the listing stops there and says so (takeWarnings).
 */
export const JIRA_PAGER_LIMITS = {
  /** JQL search: pages of at most 100. */
  searchPages: 50,
  /** Comments of one issue: pages of 100, and items. */
  commentPages: 50,
  commentItems: 5000,
  /** JSM approvals of one request: pages of 50, and items. */
  approvalPages: 20,
  approvalItems: 500,
} as const;

export type JiraClient = {
  siteUrl: string;
  /** What the client noticed and did not throw for (a pager bound hit, a page repeated); emptied by the call. */
  takeWarnings: () => string[];
  myself: () => Promise<JiraUser>;
  /** Accounts matching a query (an e-mail address: the account with it, when its owner lets it be seen). */
  findUsers: (query: string) => Promise<JiraUser[]>;
  /** Which of `permissions` the account has in the project. */
  myPermissions: (projectKey: string, permissions: readonly string[]) => Promise<Record<string, boolean>>;
  project: (key: string) => Promise<{ id: string; key: string; name: string; issueTypes: { id: string; name: string }[] }>;
  requestType: (serviceDeskId: string, requestTypeId: string) => Promise<{ id: string; name: string; issueTypeId: string | null }>;
  createIssue: (fields: Record<string, unknown>, properties?: { key: string; value: unknown }[]) => Promise<JiraIssueRef>;
  /** An issue entity property's value, or undefined when the issue has none of that key. */
  issueProperty: (issueKey: string, propertyKey: string) => Promise<unknown>;
  /** The statuses of the project's workflows (every issue type's, once each). */
  projectStatuses: (projectKey: string) => Promise<{ id: string; name: string; category: string | null }[]>;
  issue: (key: string, fields: readonly string[]) => Promise<JiraIssue>;
  /** All matches of a JQL query (pages through nextPageToken), up to `limit`. */
  search: (jql: string, fields: readonly string[], limit?: number) => Promise<JiraIssue[]>;
  comments: (issueKey: string) => Promise<JiraComment[]>;
  addComment: (issueKey: string, body: AdfDoc, properties?: { key: string; value: unknown }[]) => Promise<{ id: string }>;
  transitions: (issueKey: string) => Promise<JiraTransition[]>;
  transition: (issueKey: string, transitionId: string) => Promise<void>;
  approvals: (issueKey: string) => Promise<JsmApproval[]>;
  /** The issue's attachments (its `attachment` field), oldest first as Jira lists them. */
  attachments: (issueKey: string) => Promise<JiraAttachment[]>;
  /** Uploads one file (multipart, with the X-Atlassian-Token header jira.js sets); Jira's answer for it. Not retried on 5xx: the caller re-reads the issue's attachments first. */
  addAttachment: (issueKey: string, file: { filename: string; content: Buffer; mimeType: string }) => Promise<JiraAttachment[]>;
  /** An attachment's bytes, asked for without Jira's redirect (the client follows none); refused beyond `maxBytes`. */
  attachmentContent: (id: string, maxBytes: number) => Promise<Buffer>;
  /** Requests made (each try counts) and 429s seen, for status and tests. */
  stats: () => { requests: number; rateLimited: number; retries: number };
};

type Any = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function userOf(v: unknown): JiraUser | null {
  if (!v || typeof v !== 'object') return null;
  const u = v as Any;
  return { accountId: str(u.accountId) ?? '', email: str(u.emailAddress), displayName: str(u.displayName) ?? '', timeZone: str(u.timeZone) };
}

export function attachmentOf(v: unknown): JiraAttachment | null {
  if (!v || typeof v !== 'object') return null;
  const a = v as Any;
  const id = str(a.id);
  if (id === null) return null;
  // created: ISO text as Jira sends it; Atlassian's addAttachment example has epoch milliseconds.
  const created = typeof a.created === 'number' ? new Date(a.created).toISOString() : str(a.created);
  return { id, filename: str(a.filename) ?? '', mimeType: str(a.mimeType), size: typeof a.size === 'number' ? a.size : null, created, author: userOf(a.author), content: str(a.content) };
}

function issueOf(raw: unknown): JiraIssue {
  const i = (raw ?? {}) as Any;
  const f = (i.fields ?? {}) as Any;
  const status = (f.status ?? {}) as Any;
  const cat = (status.statusCategory ?? {}) as Any;
  return {
    id: str(i.id) ?? '',
    key: str(i.key) ?? '',
    summary: str(f.summary) ?? '',
    status: { id: str(status.id) ?? '', name: str(status.name) ?? '', category: str(cat.key) },
    created: str(f.created),
    labels: Array.isArray(f.labels) ? f.labels.filter((l): l is string => typeof l === 'string') : [],
    reporter: userOf(f.reporter),
    description: f.description ?? null,
    fields: f,
  };
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createJiraClient(options: JiraClientOptions): JiraClient {
  const siteUrl = new URL(options.siteUrl).origin;
  const config = {
    host: siteUrl,
    authentication: { basic: { email: options.email, apiToken: options.apiToken } },
    baseRequestConfig: { timeout: options.timeoutMs ?? 30_000, maxRedirects: 0 },
  };
  const v3 = new Version3Client(config);
  const sd = new ServiceDeskClient(config);
  const maxRetries = options.maxRetries ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  const nowMs = options.nowMs ?? Date.now;
  const secrets = [options.apiToken, Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')];
  const counters = { requests: 0, rateLimited: 0, retries: 0 };
  let warnings: string[] = [];
  const warn = (text: string): void => {
    if (!warnings.includes(text)) warnings.push(text);
  };

  /** One call with the retry policy above; `read` marks calls safe to repeat after a 5xx or a lost answer. */
  async function call<T>(what: string, read: boolean, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new JiraApiError(`Jira could not ${what}: cancelled`, 'network', null, [], null);
      counters.requests++;
      try {
        return await fn();
      } catch (e) {
        const err = toJiraError(e, what, { secrets, nowMs: nowMs() });
        if (err.kind === 'rate-limited') counters.rateLimited++;
        const retryable = err.kind === 'rate-limited' || (read && err.transient);
        if (!retryable || attempt >= maxRetries) throw err;
        // Exponential backoff with jitter when the service gave no wait.
        const wait = err.retryAfterMs ?? Math.round(Math.min(8000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        if (wait > maxWaitMs) throw err;
        counters.retries++;
        await sleep(wait);
      }
    }
  }

  return {
    siteUrl,
    takeWarnings: () => {
      const out = warnings;
      warnings = [];
      return out;
    },
    myself: async () => {
      const me = userOf(await call('read the account (myself)', true, () => v3.myself.getCurrentUser()));
      if (!me) throw new JiraApiError('Jira answered /myself without a user', 'other', 200, [], null);
      return me;
    },
    findUsers: async (query) => {
      const found: unknown = await call('search users', true, () => v3.userSearch.findUsers({ query, maxResults: 20 }));
      return (Array.isArray(found) ? found : []).map(userOf).filter((u): u is JiraUser => u !== null && u.accountId !== '');
    },
    myPermissions: async (projectKey, permissions) => {
      const r = await call(`read permissions in project ${projectKey}`, true, () => v3.permissions.getMyPermissions<{ permissions?: Record<string, { havePermission?: boolean }> }>({ projectKey, permissions: permissions.join(',') }));
      return Object.fromEntries(permissions.map((p) => [p, r.permissions?.[p]?.havePermission === true]));
    },
    project: async (key) => {
      const p = (await call(`read project ${key}`, true, () => v3.projects.getProject({ projectIdOrKey: key }))) as unknown as Any;
      const types = Array.isArray(p.issueTypes) ? (p.issueTypes as Any[]) : [];
      return { id: str(p.id) ?? '', key: str(p.key) ?? key, name: str(p.name) ?? key, issueTypes: types.map((t) => ({ id: str(t.id) ?? '', name: str(t.name) ?? '' })) };
    },
    requestType: async (serviceDeskId, requestTypeId) => {
      const t = (await call(`read request type ${requestTypeId} of service desk ${serviceDeskId}`, true, () =>
        sd.serviceDesk.getRequestTypeById({ serviceDeskId, requestTypeId: Number(requestTypeId) }),
      )) as unknown as Any;
      return { id: str(t.id) ?? requestTypeId, name: str(t.name) ?? '', issueTypeId: str(t.issueTypeId) };
    },
    createIssue: async (fields, properties) => {
      const r = await call('create the issue', false, () => v3.issues.createIssue({ fields: fields as never, ...(properties ? { properties } : {}) }));
      return { id: str(r.id) ?? '', key: str(r.key) ?? '' };
    },
    issueProperty: async (issueKey, propertyKey) => {
      try {
        const r = (await call(`read the property ${propertyKey} of ${issueKey}`, true, () => v3.issueProperties.getIssueProperty({ issueIdOrKey: issueKey, propertyKey }))) as unknown as Any;
        return r.value;
      } catch (e) {
        // 404: no such property (the issue's own 404 reads the same; the caller has just found the issue).
        if (e instanceof JiraApiError && e.kind === 'not-found') return undefined;
        throw e;
      }
    },
    projectStatuses: async (projectKey) => {
      const types = (await call(`read the workflow statuses of project ${projectKey}`, true, () => v3.projects.getAllStatuses({ projectIdOrKey: projectKey }))) as unknown as Any[];
      const seen = new Map<string, { id: string; name: string; category: string | null }>();
      for (const t of Array.isArray(types) ? types : []) {
        for (const st of Array.isArray(t.statuses) ? (t.statuses as Any[]) : []) {
          const name = str(st.name) ?? '';
          if (name === '' || seen.has(name.toLowerCase())) continue;
          seen.set(name.toLowerCase(), { id: str(st.id) ?? '', name, category: str((st.statusCategory as Any | undefined)?.key) });
        }
      }
      return [...seen.values()];
    },
    issue: async (key, fields) => issueOf(await call(`read ${key}`, true, () => v3.issues.getIssue({ issueIdOrKey: key, fields: [...fields] }))),
    search: async (jql, fields, limit = 1000) => {
      const out: JiraIssue[] = [];
      const tokens = new Set<string>();
      let nextPageToken: string | undefined;
      for (let pages = 0; ; pages++) {
        if (pages >= JIRA_PAGER_LIMITS.searchPages) {
          warn(`search stopped at ${JIRA_PAGER_LIMITS.searchPages} pages (${out.length} issue${out.length === 1 ? '' : 's'}): the site kept offering more pages`);
          break;
        }
        const page = await call('search issues (JQL)', true, () =>
          v3.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql, fields: [...fields], maxResults: Math.min(100, limit - out.length), ...(nextPageToken ? { nextPageToken } : {}) }),
        );
        for (const i of page.issues ?? []) out.push(issueOf(i));
        // jira.js types the page without isLast; the token's presence is what counts.
        nextPageToken = (page as { isLast?: boolean }).isLast !== true && typeof page.nextPageToken === 'string' ? page.nextPageToken : undefined;
        if (!nextPageToken || out.length >= limit) break;
        if (tokens.has(nextPageToken)) {
          warn(`search stopped after ${pages + 1} pages (${out.length} issue${out.length === 1 ? '' : 's'}): the site handed out the same page token twice`);
          break;
        }
        tokens.add(nextPageToken);
      }
      return out;
    },
    comments: async (issueKey) => {
      const out: JiraComment[] = [];
      for (let startAt = 0, pages = 0; ; pages++) {
        if (pages >= JIRA_PAGER_LIMITS.commentPages || out.length >= JIRA_PAGER_LIMITS.commentItems) {
          warn(`the comments of ${issueKey} were read up to ${out.length} (the bound of ${JIRA_PAGER_LIMITS.commentPages} pages / ${JIRA_PAGER_LIMITS.commentItems} comments)`);
          return out;
        }
        const page = await call(`read the comments of ${issueKey}`, true, () => v3.issueComments.getComments({ issueIdOrKey: issueKey, startAt, maxResults: 100, expand: 'properties' }));
        const items = (page.comments ?? []) as unknown as Any[];
        for (const c of items) {
          const props = Array.isArray(c.properties) ? (c.properties as Any[]).map((p) => ({ key: str(p.key) ?? '', value: p.value })) : [];
          out.push({ id: str(c.id) ?? '', body: c.body ?? null, created: str(c.created), properties: props });
        }
        startAt += items.length;
        if (items.length === 0 || startAt >= (page.total ?? 0)) return out;
      }
    },
    addComment: async (issueKey, body, properties) => {
      const r = await call(`comment on ${issueKey}`, false, () => v3.issueComments.addComment({ issueIdOrKey: issueKey, comment: body, ...(properties ? { properties } : {}) }));
      return { id: str(r.id) ?? '' };
    },
    transitions: async (issueKey) => {
      const r = await call(`read the transitions of ${issueKey}`, true, () => v3.issues.getTransitions({ issueIdOrKey: issueKey }));
      return (r.transitions ?? []).map((t) => ({
        id: str(t.id) ?? '',
        name: str(t.name) ?? '',
        to: { id: str(t.to?.id) ?? '', name: str(t.to?.name) ?? '', category: str((t.to?.statusCategory as Any | undefined)?.key) },
      }));
    },
    transition: async (issueKey, transitionId) => {
      await call(`transition ${issueKey}`, false, () => v3.issues.doTransition({ issueIdOrKey: issueKey, transition: { id: transitionId } }));
    },
    approvals: async (issueKey) => {
      const out: JsmApproval[] = [];
      const ids = new Set<string>();
      for (let start = 0, pages = 0; ; pages++) {
        if (pages >= JIRA_PAGER_LIMITS.approvalPages || out.length >= JIRA_PAGER_LIMITS.approvalItems) {
          warn(`the approvals of ${issueKey} were read up to ${out.length} (the bound of ${JIRA_PAGER_LIMITS.approvalPages} pages / ${JIRA_PAGER_LIMITS.approvalItems} approvals): the site never said it was the last page`);
          return out;
        }
        const page = (await call(`read the approvals of ${issueKey}`, true, () => sd.request.getApprovals({ issueIdOrKey: issueKey, start, limit: 50 }))) as unknown as Any;
        const values = Array.isArray(page.values) ? (page.values as Any[]) : [];
        let fresh = 0;
        for (const a of values) {
          const id = str(a.id) ?? '';
          if (ids.has(id)) continue;
          ids.add(id);
          fresh++;
          const approvers = Array.isArray(a.approvers) ? (a.approvers as Any[]) : [];
          const completed = (a.completedDate ?? null) as Any | null;
          out.push({
            id,
            name: str(a.name) ?? '',
            finalDecision: a.finalDecision === 'approved' || a.finalDecision === 'declined' ? a.finalDecision : 'pending',
            approvers: approvers.map((x) => {
              const u = userOf(x.approver);
              const d = x.approverDecision;
              return { accountId: u?.accountId ?? '', email: u?.email ?? null, displayName: u?.displayName ?? '', decision: d === 'approved' || d === 'declined' ? d : 'pending' };
            }),
            completedAt: completed ? str(completed.iso8601) : null,
          });
        }
        start += values.length;
        if (page.isLastPage !== false || values.length === 0) return out;
        if (fresh === 0) {
          // A page of approvals already seen: the site ignores `start`; what it shows is all there is.
          warn(`the approvals of ${issueKey}: the site repeated a page without saying it was the last (isLastPage), so paging stopped after ${pages + 1} pages`);
          return out;
        }
      }
    },
    attachments: async (issueKey) => {
      const issue = (await call(`read the attachments of ${issueKey}`, true, () => v3.issues.getIssue({ issueIdOrKey: issueKey, fields: ['attachment'] }))) as unknown as Any;
      const list = ((issue.fields ?? {}) as Any).attachment;
      return (Array.isArray(list) ? list : []).map(attachmentOf).filter((a): a is JiraAttachment => a !== null);
    },
    addAttachment: async (issueKey, file) => {
      const r: unknown = await call(`attach ${file.filename} to ${issueKey}`, false, () =>
        v3.issueAttachments.addAttachment({ issueIdOrKey: issueKey, attachment: { filename: file.filename, file: file.content, mimeType: file.mimeType } }),
      );
      return (Array.isArray(r) ? r : []).map(attachmentOf).filter((a): a is JiraAttachment => a !== null);
    },
    attachmentContent: async (id, maxBytes) => {
      const data: unknown = await call(`download attachment ${id}`, true, () => v3.issueAttachments.getAttachmentContent({ id, redirect: false }));
      const bytes = Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : null;
      if (bytes === null) throw new JiraApiError(`Jira answered the download of attachment ${id} without its bytes`, 'other', 200, [], null);
      if (bytes.length > maxBytes) throw new JiraApiError(`attachment ${id} is ${bytes.length} bytes, more than the ${maxBytes} Latchkey reads`, 'bad-request', 200, [], null);
      return bytes;
    },
    stats: () => ({ ...counters }),
  };
}
