// The Jira sandbox's JQL: the queries the engine's JSM import sends (project,
// "Request Type", created >= at minute precision, ORDER BY created, quoted and
// escaped values) parse and select the right issues, and anything outside the
// subset is refused with Jira's 400 naming what was wrong.
import { describe, expect, it } from 'vitest';
import { jqlDate } from '../../electron/engine/jira/jsm-import.js';
import { JiraHttpError } from '../../electron/sandbox/jira-route-kit.js';
import { JIRA_REQUEST_TYPE, type JiraIssueView } from '../../electron/sandbox/jira-state.js';
import { matchesJql, parseJql } from '../../electron/sandbox/jql.js';

let nextId = 10000;
function issue(over: Partial<JiraIssueView> & { created: Date }): JiraIssueView {
  const id = String(nextId++);
  return {
    id,
    key: `ACC-${id}`,
    issueTypeId: JIRA_REQUEST_TYPE.issueTypeId,
    summary: 's',
    description: null,
    status: 'waiting',
    updated: over.created,
    comments: [],
    labels: [],
    fields: {},
    approverIds: [],
    approvals: [],
    reporterId: 'r',
    requestTypeId: JIRA_REQUEST_TYPE.id,
    properties: {},
    attachments: [],
    ...over,
  };
}

/** Quotes a JQL string the way the engine's JSM import does (jsm-import.ts). */
const quoted = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The error a refused query throws: Jira's 400 ErrorCollection. */
function refusal(jql: string): string {
  try {
    parseJql(jql);
  } catch (e) {
    expect(e).toBeInstanceOf(JiraHttpError);
    const reply = (e as JiraHttpError).reply;
    expect(reply.status).toBe(400);
    const messages = (reply.body as { errorMessages: string[] }).errorMessages;
    expect(messages).toHaveLength(1);
    return messages[0]!;
  }
  throw new Error(`expected '${jql}' to be refused`);
}

describe('sandbox JQL', () => {
  it('parses the JSM import query: project, "Request Type", created >= and ORDER BY created', () => {
    const since = jqlDate(new Date('2026-11-22T03:05:59Z'), 'UTC');
    const q = parseJql(`project = ${quoted('ACC')} AND "Request Type" = ${quoted('Access request')} AND created >= ${quoted(since)} ORDER BY created ASC`);
    expect(q).toEqual({
      clauses: [
        { field: 'project', op: '=', value: 'ACC' },
        { field: 'request type', op: '=', value: 'Access request' },
        { field: 'created', op: '>=', value: '2026-11-22 03:05' },
      ],
      order: 'ASC',
    });
  });

  it('selects portal requests of the request type created since the position, at minute precision', () => {
    const since = jqlDate(new Date('2026-11-22T03:05:59Z'), 'UTC');
    const q = parseJql(`project = ${quoted('ACC')} AND "Request Type" = ${quoted('Access request')} AND created >= ${quoted(since)} ORDER BY created ASC`);
    // The position's own minute is included (the import de-duplicates what it has already seen).
    expect(matchesJql(issue({ created: new Date('2026-11-22T03:05:00Z') }), q)).toBe(true);
    expect(matchesJql(issue({ created: new Date('2026-11-23T00:00:00Z') }), q)).toBe(true);
    expect(matchesJql(issue({ created: new Date('2026-11-22T03:04:59Z') }), q)).toBe(false);
    // An issue created through the platform API (not a portal request) is no request of the type, even with its issue type.
    expect(matchesJql(issue({ created: new Date('2026-11-23T00:00:00Z'), requestTypeId: null }), q)).toBe(false);
    // JQL compares minutes: "= 03:05" is any second of that minute.
    const sameMinute = parseJql('created = "2026-11-22 03:05"');
    expect(matchesJql(issue({ created: new Date('2026-11-22T03:05:42Z') }), sameMinute)).toBe(true);
    expect(matchesJql(issue({ created: new Date('2026-11-22T03:06:00Z') }), sameMinute)).toBe(false);
  });

  it('matches names without regard to case, and the request type also as "Name (PROJECT)"', () => {
    const at = new Date('2026-11-22T10:00:00Z');
    const q = parseJql('PROJECT = acc and "customer request type" = "access request (acc)" and Status = "waiting for approval" order by CREATED desc');
    expect(q.order).toBe('DESC');
    expect(matchesJql(issue({ created: at }), q)).toBe(true);
    expect(matchesJql(issue({ created: at, status: 'inProgress' }), q)).toBe(false);
    expect(matchesJql(issue({ created: at }), parseJql('project = "Some other project"'))).toBe(false);
  });

  it('reads escaped double quotes and backslashes, single quotes and bare values', () => {
    const label = 'ops "urgent" \\ desk';
    const q = parseJql(`labels = ${quoted(label)} AND key = ACC-7 AND created > '2026/11/22 03:05'`);
    expect(q.clauses.map((c) => c.value)).toEqual([label, 'ACC-7', '2026/11/22 03:05']);
    expect(q.order).toBeNull();
    const at = new Date('2026-11-22T03:06:00Z');
    expect(matchesJql(issue({ created: at, key: 'ACC-7', labels: [label] }), q)).toBe(true);
    expect(matchesJql(issue({ created: at, key: 'ACC-7', labels: ['ops'] }), q)).toBe(false);
    // > is strict: created in the same minute is not after it.
    expect(matchesJql(issue({ created: new Date('2026-11-22T03:05:30Z'), key: 'ACC-7', labels: [label] }), q)).toBe(false);
  });

  it('negates with != and defaults ORDER BY created to ascending', () => {
    const q = parseJql('labels != latchkey-request-w1-7 ORDER BY created');
    expect(q.order).toBe('ASC');
    const at = new Date('2026-11-22T10:00:00Z');
    expect(matchesJql(issue({ created: at, labels: ['latchkey-request-w1-7'] }), q)).toBe(false);
    expect(matchesJql(issue({ created: at, labels: ['other'] }), q)).toBe(true);
  });

  it('refuses a malformed query with a message naming what is wrong', () => {
    expect(refusal('project ~ ACC')).toBe("Error in the JQL Query: the sandbox does not understand 'project ~ ACC' (only field op value joined by AND).");
    expect(refusal('project = ACC OR key = ACC-1')).toContain("does not understand 'project = ACC OR key = ACC-1'");
    expect(refusal('assignee = currentUser')).toContain("Field 'assignee' does not exist");
    expect(refusal('project > ACC')).toContain("The operator '>' is not supported by the 'project' field.");
    expect(refusal('project = ACC AND created >= "yesterday"')).toContain("Date value 'yesterday' for field 'created' is invalid.");
    expect(refusal('project = ACC ORDER BY key')).toBe('Error in the JQL Query: the sandbox orders by created only.');
    // An unterminated quote is not read as a value.
    expect(refusal('project = "ACC')).toContain('does not understand');
  });
});
