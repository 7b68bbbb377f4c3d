// The Jira sandbox's site and its state: one project, ACC, with its workflow
// (statuses and transitions), issue types, a service desk and an "Access
// request" request type with its custom fields; the project permissions the
// sandbox enforces; the site's accounts, and the issues, comments and
// approvals and attachments written to it. The endpoints over it are in
// jira-routes.ts.
import { randomBytes } from 'node:crypto';
import type { Clock } from './okta-state.js';

/** A workflow status: ids as Jira gives them (statuses are site-wide ids), with its status category. */
export type JiraStatusDef = { id: string; name: string; category: { id: number; key: string; colorName: string; name: string } };
export type JiraTransitionDef = { id: string; name: string; from: string; to: string };
/**
 * A project workflow: its statuses by key, its transitions, the status a new
 * issue starts in, and where an answered JSM approval moves an issue (null:
 * it stays where it is, as a workflow without such a status does).
 */
export type JiraWorkflow = {
  statuses: Readonly<Record<string, JiraStatusDef>>;
  transitions: readonly JiraTransitionDef[];
  initial: string;
  onApproved: string | null;
  onDeclined: string | null;
};

/** The workflow of the ACC project (the default). */
export const JIRA_STATUSES = {
  waiting: { id: '10002', name: 'Waiting for approval', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  inProgress: { id: '3', name: 'In progress', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  done: { id: '10003', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
  declined: { id: '10005', name: 'Declined', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
} as const;
/** A status key of the site's workflow ('waiting', 'inProgress', 'done', 'declined' in the default one). */
export type JiraStatusKey = string;

export const JIRA_TRANSITIONS: readonly JiraTransitionDef[] = [
  { id: '11', name: 'Start progress', from: 'waiting', to: 'inProgress' },
  { id: '41', name: 'Decline', from: 'waiting', to: 'declined' },
  { id: '21', name: 'Done', from: 'inProgress', to: 'done' },
  { id: '51', name: 'Decline', from: 'inProgress', to: 'declined' },
  { id: '31', name: 'Reopen', from: 'done', to: 'waiting' },
  { id: '61', name: 'Reopen', from: 'declined', to: 'waiting' },
];

/**
 * The workflows a sandbox site can have (quirk `workflow`):
 * - `standard`: the one above;
 * - `no-waiting`: Jira's simple workflow, To Do → In Progress → Done, with no
 *   "Waiting for approval" and no Declined status (standard categories);
 * - `atlassian-example`: the statuses and transitions of Atlassian's own
 *   getTransitions example (specs/jira-platform-v3.json): "Close Issue" →
 *   In Progress (category `in-flight`, id 1) and "QA Review" → Closed
 *   (category `completed`, id 9), from Open; custom status categories
 *   throughout, none of Jira's `new` / `indeterminate` / `done`.
 */
export const JIRA_WORKFLOWS: Readonly<Record<'standard' | 'no-waiting' | 'atlassian-example', JiraWorkflow>> = {
  standard: { statuses: JIRA_STATUSES, transitions: JIRA_TRANSITIONS, initial: 'waiting', onApproved: 'inProgress', onDeclined: 'declined' },
  'no-waiting': {
    statuses: {
      todo: { id: '10000', name: 'To Do', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
      inProgress: { id: '3', name: 'In Progress', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
      done: { id: '10001', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
    },
    transitions: [
      { id: '11', name: 'Start progress', from: 'todo', to: 'inProgress' },
      { id: '21', name: 'Done', from: 'inProgress', to: 'done' },
      { id: '31', name: 'Reopen', from: 'done', to: 'todo' },
    ],
    initial: 'todo',
    onApproved: 'inProgress',
    onDeclined: null,
  },
  'atlassian-example': {
    statuses: {
      open: { id: '1', name: 'Open', category: { id: 8, key: 'queued', colorName: 'blue-gray', name: 'Queued' } },
      inProgress: { id: '10000', name: 'In Progress', category: { id: 1, key: 'in-flight', colorName: 'yellow', name: 'In Progress' } },
      closed: { id: '5', name: 'Closed', category: { id: 9, key: 'completed', colorName: 'green', name: 'Completed' } },
    },
    transitions: [
      { id: '2', name: 'Close Issue', from: 'open', to: 'inProgress' },
      { id: '711', name: 'QA Review', from: 'open', to: 'closed' },
      { id: '711', name: 'QA Review', from: 'inProgress', to: 'closed' },
      { id: '3', name: 'Reopen Issue', from: 'closed', to: 'open' },
    ],
    initial: 'open',
    onApproved: null,
    onDeclined: null,
  },
};

/**
 * Ways a real site differs from the sandbox's default one, chosen when the
 * server starts (`startJiraServer({ quirks })`, `startSandbox({ jiraQuirks })`),
 * each shaped like Atlassian's documentation examples:
 */
export type JiraQuirks = {
  /** The project's workflow (above); default `standard`. */
  workflow?: keyof typeof JIRA_WORKFLOWS;
  /** Issues are rendered without `fields.status`, as in Atlassian's getIssue example. */
  statusFieldAbsent?: boolean;
  /**
   * JQL `labels = "X"` also matches issues with a label that starts with X
   * (a text-like match): a label search for request 1 returns the issue of
   * request 12, an issue already linked to another request.
   */
  looseLabelSearch?: boolean;
  /** The JSM approvals pager never says `isLastPage: true` and ignores `start` (every page is the first, with a `next` link). */
  approvalsNeverLastPage?: boolean;
  /** JQL search never says `isLast: true`: past the end it keeps answering empty pages, each with a fresh `nextPageToken`. */
  searchNeverLast?: boolean;
  /** Issues have no reporter (`fields.reporter: null`, JSM's `reporter` absent), as after the reporter's account was deleted. */
  noReporter?: boolean;
};

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
/** The request type's text fields (the others are the approvers picker and the read-only request type). */
export const TEXT_FIELDS: readonly string[] = [JIRA_CUSTOM_FIELDS.beneficiaryEmail, JIRA_CUSTOM_FIELDS.access, JIRA_CUSTOM_FIELDS.duration];

export const JIRA_PROJECT = { id: '10000', key: 'ACC', name: 'Access requests' } as const;
const PROJECT = JIRA_PROJECT;
export const ISSUE_TYPES = [
  { id: '10001', name: 'Access request', description: 'Request access to a group or application.' },
  { id: '10004', name: 'Task', description: 'A task.' },
];
export const JIRA_SERVICE_DESK = { id: '1', projectId: PROJECT.id, projectKey: PROJECT.key, projectName: PROJECT.name } as const;
export const JIRA_REQUEST_TYPE = { id: '10', name: 'Access request', issueTypeId: '10001', serviceDeskId: JIRA_SERVICE_DESK.id, portalId: '1' } as const;

/** Project permissions the sandbox knows and enforces (the rest of Jira's are always granted). */
export const JIRA_PERMISSIONS = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'ADD_COMMENTS', 'TRANSITION_ISSUES', 'EDIT_ISSUES', 'CREATE_ATTACHMENTS'] as const;
/** The site's attachment size limit unless the server is started with another (Jira Cloud's is set per site; /rest/api/3/attachment/meta says it): room for a 50,000-row reviewer workbook (about 11 MB). */
export const JIRA_ATTACHMENT_LIMIT = 50 * 1024 * 1024;
export type JiraPermission = (typeof JIRA_PERMISSIONS)[number];

export type JiraAccount = { accountId: string; email: string; displayName: string; apiToken: string; permissions: ReadonlySet<string> };

export type JiraCommentView = { id: string; body: unknown; created: Date; authorId: string; properties: { key: string; value: unknown }[] };
/** A file attached to an issue: its bytes are kept in memory (the sandbox is a test tenant). */
export type JiraAttachmentView = { id: string; filename: string; mimeType: string; size: number; created: Date; authorId: string; content: Buffer };
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
  /** Issue entity properties (key → JSON value), as set at creation or with PUT .../properties/{key}. */
  properties: Record<string, unknown>;
  /** Files attached to the issue, oldest first. */
  attachments: JiraAttachmentView[];
};

export type JiraState = {
  /** The quirks the site was started with. */
  quirks: Readonly<JiraQuirks>;
  /** The project's workflow (from the `workflow` quirk). */
  workflow: JiraWorkflow;
  issues: () => readonly JiraIssueView[];
  issue: (key: string) => JiraIssueView | undefined;
  comments: (key: string) => readonly JiraCommentView[];
  /** Adds a site user (a customer or an approver) with an API token of its own; `permissions` limits what it may do in ACC (default all). */
  addUser: (user: { email: string; displayName?: string; permissions?: readonly JiraPermission[] }) => JiraAccount;
  user: (emailOrAccountId: string) => JiraAccount | undefined;
  /**
   * Attaches a file to an issue as the given account (e-mail or account id),
   * as POST /rest/api/3/issue/{key}/attachments would: the same size limit and
   * checks; throws naming what is wrong (no such issue or user, too large).
   */
  addAttachment: (key: string, file: { as: string; filename: string; content: Buffer; mimeType?: string }) => JiraAttachmentView;
  /** Internal: what the routes use. */
  internal: Internal;
};

/** The site as the route modules change it: accounts, issues and the next ids. */
export type Internal = {
  clock: Clock;
  quirks: Readonly<JiraQuirks>;
  workflow: JiraWorkflow;
  base: () => string;
  account: JiraAccount;
  accounts: JiraAccount[];
  issues: JiraIssueView[];
  nextIssueId: number;
  nextIssueNumber: number;
  nextCommentId: number;
  nextApprovalId: number;
  nextAccount: number;
  nextAttachmentId: number;
  /** Largest attachment accepted, in bytes. */
  attachmentLimit: number;
};

/** The MIME type Jira records for an upload: the one the client sent, else guessed from the file name. */
export function attachmentMimeType(filename: string, sent: string | null | undefined): string {
  if (sent && sent !== 'application/octet-stream') return sent;
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  const known: Record<string, string> = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv', txt: 'text/plain', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg' };
  return known[ext] ?? sent ?? 'application/octet-stream';
}

/** Adds an attachment to an issue (the route and the test helper share it), or says why it is refused. */
export function attach(s: Internal, issue: JiraIssueView, author: JiraAccount, file: { filename: string; content: Buffer; mimeType?: string | null }): JiraAttachmentView | { refused: string } {
  if (file.content.length > s.attachmentLimit) return { refused: `The file '${file.filename}' is ${file.content.length} bytes, larger than this site's attachment size limit of ${s.attachmentLimit} bytes.` };
  const now = s.clock.now();
  const a: JiraAttachmentView = { id: String(s.nextAttachmentId++), filename: file.filename, mimeType: attachmentMimeType(file.filename, file.mimeType), size: file.content.length, created: now, authorId: author.accountId, content: file.content };
  issue.attachments.push(a);
  issue.updated = now;
  return a;
}

export function createJiraState(opts: { clock: Clock; baseUrl: () => string; account: { email: string; displayName: string; apiToken: string }; quirks?: JiraQuirks; attachmentLimit?: number }): JiraState {
  const quirks: Readonly<JiraQuirks> = { ...(opts.quirks ?? {}) };
  const workflow = JIRA_WORKFLOWS[quirks.workflow ?? 'standard'];
  const bot: JiraAccount = { accountId: '712020:5b10a2844c20165700ede21g', ...opts.account, permissions: new Set(JIRA_PERMISSIONS) };
  const internal: Internal = {
    clock: opts.clock,
    quirks,
    workflow,
    base: opts.baseUrl,
    account: bot,
    accounts: [bot],
    issues: [],
    nextIssueId: 10000,
    nextIssueNumber: 1,
    nextCommentId: 10000,
    nextApprovalId: 1,
    nextAccount: 1,
    nextAttachmentId: 10000,
    attachmentLimit: opts.attachmentLimit ?? JIRA_ATTACHMENT_LIMIT,
  };
  const find = (key: string): JiraIssueView | undefined => internal.issues.find((i) => i.key === key || i.id === key);
  const user = (ref: string): JiraAccount | undefined => internal.accounts.find((a) => a.accountId === ref || a.email.toLowerCase() === ref.toLowerCase());
  return {
    quirks,
    workflow,
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
    addAttachment: (key, file) => {
      const issue = find(key);
      if (!issue) throw new Error(`the Jira sandbox has no issue ${key}`);
      const author = user(file.as);
      if (!author) throw new Error(`the Jira sandbox has no user ${file.as}`);
      const added = attach(internal, issue, author, file);
      if ('refused' in added) throw new Error(added.refused);
      return added;
    },
    internal,
  };
}
