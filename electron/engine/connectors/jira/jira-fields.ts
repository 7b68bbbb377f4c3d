// What Latchkey writes to and reads from Jira issues: the JSM request type's
// field mapping, Atlassian Document Format builders, and the marks that make
// write-back idempotent (an issue label per request, a comment property per
// update).
//
// Field mapping of the "Access request" request type. These are the defaults
// (the sandbox's ids); a real site numbers its custom fields itself, so a Jira
// connection may name its own ids (settings.jira.fields, `--fields`):
//   summary            → a title only (not parsed)
//   description        → justification (plain text or ADF)
//   customfield_10050  → beneficiary e-mail (text)
//   customfield_10051  → access: "App / Role" (text, as the catalog names it)
//   customfield_10052  → duration: permanent | 1h | 6h | 24h | 7d | 30d, or a custom length 90m / 12h / 10d (text)
//   customfield_10003  → Approvers (JSM's user picker; JSM opens an approval for them)
// The reporter of the portal request is the requester.

export type JiraFieldMap = { beneficiaryEmail: string; access: string; duration: string; approvers: string };

export const JIRA_FIELDS: Readonly<JiraFieldMap> = {
  beneficiaryEmail: 'customfield_10050',
  access: 'customfield_10051',
  duration: 'customfield_10052',
  approvers: 'customfield_10003',
};

/** A connection's field ids: its own where it names them, the defaults otherwise. */
export const jiraFieldsOf = (own: Partial<JiraFieldMap> | undefined): JiraFieldMap => ({ ...JIRA_FIELDS, ...own });

/**
 * The workflow status names Latchkey moves a request's issue through, per
 * connection (settings.jira.statuses, `--statuses`): waiting for approval,
 * approved (work in progress), done, declined. The defaults are what the
 * sandbox and JSM's "Service request with approvals" workflow call them; with
 * a default name the executor also recognises the usual variants and status
 * categories, with a configured one only that name.
 */
export type JiraStatusMap = { waiting: string; approved: string; done: string; declined: string };

export const JIRA_STATUS_NAMES: Readonly<JiraStatusMap> = { waiting: 'Waiting for approval', approved: 'In progress', done: 'Done', declined: 'Declined' };

/** A connection's status names: its own where it names them, the defaults otherwise. */
export const jiraStatusesOf = (own: Partial<JiraStatusMap> | undefined): JiraStatusMap => ({ ...JIRA_STATUS_NAMES, ...own });

/** Request-level words for each mapping, as `--statuses` and the connection form name them. */
export const JIRA_STATUS_KEYS: readonly (keyof JiraStatusMap)[] = ['waiting', 'approved', 'done', 'declined'];

/**
 * Does a workflow status serve as the status named by `key`? Its configured
 * name first; with the default name also the usual variants (byName) and
 * then the status category (not byName). A configured name is taken
 * literally: no guessing.
 */
export function statusFits(key: keyof JiraStatusMap, s: { name: string; category: string | null }, names: JiraStatusMap, byName: boolean): boolean {
  const n = s.name.trim().toLowerCase();
  if (n !== '' && n === names[key].trim().toLowerCase()) return true;
  if (names[key] !== JIRA_STATUS_NAMES[key]) return false;
  const declined = /declin|reject|denied|cancel|won'?t do/.test(n);
  if (byName) {
    switch (key) {
      case 'waiting':
        return /waiting for approval|awaiting approval|pending approval/.test(n);
      case 'approved':
        return /in progress|implementing|work in progress/.test(n);
      case 'done':
        return /^(done|resolved|closed|completed)$/.test(n);
      case 'declined':
        return declined;
    }
  }
  switch (key) {
    case 'waiting':
      return s.category === 'new';
    case 'approved':
      return s.category === 'indeterminate';
    case 'done':
      return s.category === 'done' && !declined;
    case 'declined':
      return false;
  }
}

/** A status serves as `key` by name or by category. */
export const statusServes = (key: keyof JiraStatusMap, s: { name: string; category: string | null }, names: JiraStatusMap): boolean => statusFits(key, s, names, true) || statusFits(key, s, names, false);

/** The comment property of a warning comment (a transition the workflow lacks). */
export const WARNING_PROPERTY = 'latchkey.warning';

/** The issue entity property naming the request an issue records: `{workspace, request}`; verified before an issue found by label is adopted. */
export const REQUEST_PROPERTY = 'latchkey.request';

export type AdfNode = { type: string; text?: string; content?: AdfNode[]; attrs?: Record<string, unknown>; marks?: { type: string; attrs?: Record<string, unknown> }[] };
export type AdfDoc = { type: 'doc'; version: 1; content: AdfNode[] };

const textNode = (text: string, strong = false): AdfNode => ({ type: 'text', text, ...(strong ? { marks: [{ type: 'strong' }] } : {}) });

/** Plain text as ADF: one paragraph per line (ADF has no bare newlines in text nodes). */
export function adfText(text: string): AdfDoc {
  const lines = text.split(/\r?\n/);
  return { type: 'doc', version: 1, content: lines.map((l) => ({ type: 'paragraph', content: l === '' ? [] : [textNode(l)] })) };
}

/** A document of label: value lines (bold labels), then free paragraphs. */
export function adfFacts(facts: readonly [string, string][], paragraphs: readonly string[] = []): AdfDoc {
  return {
    type: 'doc',
    version: 1,
    content: [
      ...paragraphs.map((p) => ({ type: 'paragraph', content: p === '' ? [] : [textNode(p)] })),
      {
        type: 'bulletList',
        content: facts.map(([label, value]) => ({ type: 'listItem', content: [{ type: 'paragraph', content: [textNode(`${label}: `, true), textNode(value === '' ? '—' : value)] }] })),
      },
    ],
  };
}

/** The plain text of an ADF document (or a string), paragraphs on their own lines. */
export function adfToText(doc: unknown): string {
  if (typeof doc === 'string') return doc;
  const lines: string[] = [];
  const walk = (n: unknown, line: string[]): void => {
    if (!n || typeof n !== 'object') return;
    const node = n as AdfNode;
    if (node.type === 'text' && typeof node.text === 'string') line.push(node.text);
    else if (node.type === 'hardBreak') line.push('\n');
    for (const c of node.content ?? []) {
      if (c.type === 'paragraph' || c.type === 'heading' || c.type === 'listItem' || c.type === 'codeBlock') {
        const inner: string[] = [];
        walk(c, inner);
        if (c.type !== 'listItem') lines.push(inner.join(''));
        else if (inner.length) lines.push(inner.join(''));
      } else walk(c, line);
    }
  };
  const top: string[] = [];
  walk(doc, top);
  if (top.length) lines.unshift(top.join(''));
  return lines.join('\n').trim();
}

/**
 * The label that names a request's issue: `latchkey-request-<workspace>-<N>`.
 * Searching for it before creating makes issue creation idempotent across a
 * crash between "Jira created it" and "we stored its key".
 */
export const requestLabel = (workspaceId: string, requestId: number): string => `latchkey-request-${workspaceId.replace(/[^A-Za-z0-9_-]/g, '')}-${requestId}`;

/** Comment property key carrying which update a comment is (read back before posting again). */
export const COMMENT_PROPERTY = 'latchkey.update';
/** The visible reference at the end of each comment; also the fallback for sites that drop comment properties. */
export const commentRef = (workspaceId: string, jobId: number): string => `Latchkey ref ${workspaceId.slice(0, 8)}-${jobId}`;
