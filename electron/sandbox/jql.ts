// The sandbox's JQL: the parser (the subset Latchkey sends: `field op value`
// clauses joined by AND, ORDER BY created) and its evaluation against an
// issue. Anything outside the subset is refused with Jira's 400 and a message
// naming what was not understood, never silently matched.
import { fail } from './jira-route-kit.js';
import { ISSUE_TYPES, JIRA_PROJECT as PROJECT, JIRA_REQUEST_TYPE as REQUEST_TYPE, JIRA_WORKFLOWS, type JiraIssueView, type JiraQuirks, type JiraWorkflow } from './jira-state.js';

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=';
type JqlField = 'project' | 'status' | 'issuetype' | 'key' | 'labels' | 'created' | 'request type';
export type Jql = { clauses: { field: JqlField; op: Op; value: string }[]; order: 'ASC' | 'DESC' | null };

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

/** Whether an issue satisfies every clause of a parsed query, on a site with this workflow and quirks (`looseLabelSearch`). */
export function matchesJql(issue: JiraIssueView, jql: Jql, site: { workflow: JiraWorkflow; quirks: Readonly<JiraQuirks> } = { workflow: JIRA_WORKFLOWS.standard, quirks: {} }): boolean {
  return jql.clauses.every(({ field, op, value }) => {
    const v = value.toLowerCase();
    let hit: boolean;
    switch (field) {
      case 'project':
        hit = v === PROJECT.key.toLowerCase() || v === PROJECT.id || v === PROJECT.name.toLowerCase();
        break;
      case 'status':
        hit = site.workflow.statuses[issue.status]?.name.toLowerCase() === v || site.workflow.statuses[issue.status]?.id === v;
        break;
      case 'issuetype':
        hit = ISSUE_TYPES.some((t) => t.id === issue.issueTypeId && (t.name.toLowerCase() === v || t.id === v));
        break;
      case 'key':
        hit = issue.key.toLowerCase() === v || issue.id === v;
        break;
      case 'labels':
        hit = issue.labels.some((l) => l.toLowerCase() === v || (site.quirks.looseLabelSearch === true && op === '=' && l.toLowerCase().startsWith(v)));
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
