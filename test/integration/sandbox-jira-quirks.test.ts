// The Jira sandbox's quirk modes (a site that is not like the default one),
// over real HTTP and checked against Atlassian's platform v3 and JSM specs:
// the workflow of Atlassian's getTransitions example (custom status
// categories, no "Waiting for approval"), Jira's simple workflow, an issue
// without a status field, a loose label search, an approvals pager that never
// says isLastPage, an issue without a reporter; plus the endpoints the quirks
// are tested through (project statuses, issue entity properties).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startJiraServer, type JiraQuirks, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { loadJiraSpec, loadJsmSpec, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

let spec: OpenApiSpec;
let jsmSpec: OpenApiSpec;
let jira: JiraServer | null = null;
beforeAll(() => {
  spec = loadJiraSpec();
  jsmSpec = loadJsmSpec();
});
afterEach(async () => {
  await jira?.close();
  jira = null;
});

async function site(quirks: JiraQuirks): Promise<JiraServer> {
  jira = await startJiraServer({ quirks });
  return jira;
}

async function raw(j: JiraServer, path: string, init: { method?: string; body?: unknown; as?: { email: string; apiToken: string } } = {}): Promise<{ status: number; json: unknown }> {
  const who = init.as ?? j;
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Basic ${Buffer.from(`${who.email}:${who.apiToken}`).toString('base64')}` };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${j.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

const newIssue = async (j: JiraServer, labels: string[] = [], properties?: { key: string; value: unknown }[]): Promise<string> => {
  const r = await raw(j, '/rest/api/3/issue', { method: 'POST', body: { fields: { project: { key: 'ACC' }, issuetype: { id: '10004' }, summary: 's', labels }, ...(properties ? { properties } : {}) } });
  expect(r.status).toBe(201);
  return (r.json as { key: string }).key;
};

type Transitions = { transitions: { id: string; name: string; to: { name: string; statusCategory: { key: string; id: number } } }[] };

describe('Jira sandbox quirks', () => {
  it("workflow 'atlassian-example': Open, Close Issue → In Progress (in-flight), QA Review → Closed (completed), as Atlassian's example", async () => {
    const j = await site({ workflow: 'atlassian-example' });
    const key = await newIssue(j);
    const issue = await raw(j, `/rest/api/3/issue/${key}?fields=status`);
    expect((issue.json as { fields: { status: { name: string } } }).fields.status.name).toBe('Open');
    const t = await raw(j, `/rest/api/3/issue/${key}/transitions`);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}/transitions', 200, t.json)).toEqual([]);
    const list = (t.json as Transitions).transitions.map((x) => [x.id, x.name, x.to.name, x.to.statusCategory.key, x.to.statusCategory.id]);
    expect(list).toEqual([
      ['2', 'Close Issue', 'In Progress', 'in-flight', 1],
      ['711', 'QA Review', 'Closed', 'completed', 9],
    ]);
    expect(list.some((x) => /waiting/i.test(String(x[2])))).toBe(false);
    // The project's statuses: the workflow's, per issue type.
    const statuses = await raw(j, '/rest/api/3/project/ACC/statuses');
    expect(validateResponse(spec, 'get', '/rest/api/3/project/{projectIdOrKey}/statuses', 200, statuses.json)).toEqual([]);
    expect((statuses.json as { statuses: { name: string }[] }[])[0]?.statuses.map((s) => s.name)).toEqual(['Open', 'In Progress', 'Closed']);
    expect((await raw(j, `/rest/api/3/issue/${key}/transitions`, { method: 'POST', body: { transition: { id: '711' } } })).status).toBe(204);
    expect(j.state.issue(key)?.status).toBe('closed');
  });

  it("workflow 'no-waiting': To Do → In Progress → Done, no Waiting for approval and no Declined", async () => {
    const j = await site({ workflow: 'no-waiting' });
    const key = await newIssue(j);
    expect(j.state.issue(key)?.status).toBe('todo');
    const names = Object.values(j.state.workflow.statuses).map((s) => s.name);
    expect(names).toEqual(['To Do', 'In Progress', 'Done']);
    expect(((await raw(j, `/rest/api/3/issue/${key}/transitions`)).json as Transitions).transitions.map((x) => x.to.name)).toEqual(['In Progress']);
  });

  it('statusFieldAbsent: issues come without fields.status (search too); the default site has it', async () => {
    const j = await site({ statusFieldAbsent: true });
    const key = await newIssue(j, ['x1']);
    const issue = await raw(j, `/rest/api/3/issue/${key}?fields=status,summary`);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}', 200, issue.json)).toEqual([]);
    const fields = (issue.json as { fields: Record<string, unknown> }).fields;
    expect(fields.summary).toBe('s');
    expect('status' in fields).toBe(false);
    const found = await raw(j, '/rest/api/3/search/jql', { method: 'POST', body: { jql: 'labels = "x1"', fields: ['status'] } });
    expect(Object.keys((found.json as { issues: { fields: Record<string, unknown> }[] }).issues[0]?.fields ?? { x: 1 })).toEqual([]);
    await j.close();
    jira = null;
    const plain = await site({});
    const k2 = await newIssue(plain);
    expect(((await raw(plain, `/rest/api/3/issue/${k2}?fields=status`)).json as { fields: Record<string, unknown> }).fields.status).toBeDefined();
  });

  it('looseLabelSearch: labels = "…-1" also returns the issue labelled "…-12"; exact otherwise', async () => {
    const j = await site({ looseLabelSearch: true });
    const other = await newIssue(j, ['latchkey-request-w-12']);
    const q = { jql: 'project = ACC AND labels = "latchkey-request-w-1"', fields: ['labels'] };
    const found = await raw(j, '/rest/api/3/search/jql', { method: 'POST', body: q });
    expect((found.json as { issues: { key: string }[] }).issues.map((i) => i.key)).toEqual([other]);
    expect(((await raw(j, '/rest/api/3/search/jql', { method: 'POST', body: { ...q, jql: 'project = ACC AND labels = "latchkey-request-w-2"' } })).json as { issues: unknown[] }).issues).toEqual([]);
    await j.close();
    jira = null;
    const plain = await site({});
    await newIssue(plain, ['latchkey-request-w-12']);
    expect(((await raw(plain, '/rest/api/3/search/jql', { method: 'POST', body: q })).json as { issues: unknown[] }).issues).toEqual([]);
  });

  it('approvalsNeverLastPage: every page is the first, isLastPage false, with a next link', async () => {
    const j = await site({ approvalsNeverLastPage: true });
    const ada = j.state.addUser({ email: 'ada@example.com' });
    const bob = j.state.addUser({ email: 'bob@example.com' });
    const r = await raw(j, '/rest/servicedeskapi/request', { method: 'POST', as: ada, body: { serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'x', customfield_10003: [bob.accountId] } } });
    expect(r.status).toBe(201);
    const key = (r.json as { issueKey: string }).issueKey;
    const p1 = await raw(j, `/rest/servicedeskapi/request/${key}/approval?start=0&limit=1`);
    const p2 = await raw(j, `/rest/servicedeskapi/request/${key}/approval?start=1&limit=1`);
    expect(validateResponse(jsmSpec, 'get', '/rest/servicedeskapi/request/{issueIdOrKey}/approval', 200, p1.json)).toEqual([]);
    for (const p of [p1, p2]) {
      const page = p.json as { isLastPage: boolean; values: { id: string }[]; _links: { next?: string } };
      expect(page.isLastPage).toBe(false);
      expect(page.values.map((v) => v.id)).toEqual(['1']);
      expect(page._links.next).toContain('start=1');
    }
  });

  it('noReporter: the issue has reporter null and the portal request no reporter', async () => {
    const j = await site({ noReporter: true });
    const ada = j.state.addUser({ email: 'ada@example.com' });
    const r = await raw(j, '/rest/servicedeskapi/request', { method: 'POST', as: ada, body: { serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'x' } } });
    expect('reporter' in (r.json as object)).toBe(false);
    const key = (r.json as { issueKey: string }).issueKey;
    const issue = await raw(j, `/rest/api/3/issue/${key}?fields=reporter,summary`);
    expect((issue.json as { fields: Record<string, unknown> }).fields.reporter).toBeNull();
  });

  it('issue entity properties: set at creation or with PUT, read back as {key, value}; 404 for an unknown key', async () => {
    const j = await site({});
    const key = await newIssue(j, [], [{ key: 'latchkey.request', value: { workspace: 'w', request: 1 } }]);
    const got = await raw(j, `/rest/api/3/issue/${key}/properties/latchkey.request`);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', 200, got.json)).toEqual([]);
    expect(got.json).toEqual({ key: 'latchkey.request', value: { workspace: 'w', request: 1 } });
    expect((await raw(j, `/rest/api/3/issue/${key}/properties/other`)).status).toBe(404);
    expect((await raw(j, `/rest/api/3/issue/${key}/properties/other`, { method: 'PUT', body: { a: 1 } })).status).toBe(201);
    expect((await raw(j, `/rest/api/3/issue/${key}/properties/other`, { method: 'PUT', body: { a: 2 } })).status).toBe(200);
    expect((await raw(j, `/rest/api/3/issue/${key}/properties/other`)).json).toEqual({ key: 'other', value: { a: 2 } });
  });
});
