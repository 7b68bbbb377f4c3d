// The Jira sandbox driven by the official jira.js client over real HTTP:
// issues, ADF comments, transitions, JQL search, a JSM customer request,
// Jira's error bodies (401, 400 with field errors) and 429 + Retry-After from
// an injected fault. Response bodies are checked against the Jira platform v3
// and JSM OpenAPI specs.
import { HttpException, ServiceDeskClient, Version3Client } from 'jira.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JIRA_CUSTOM_FIELDS, JIRA_TRANSITIONS, startJiraServer, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { startSandbox, sandboxInfoLine } from '../../electron/sandbox/sandbox.js';
import { loadJiraSpec, loadJsmSpec, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

let jira: JiraServer;
let client: Version3Client;
let spec: OpenApiSpec;

const adf = (text: string) => ({ type: 'doc' as const, version: 1 as const, content: [{ type: 'paragraph' as const, content: [{ type: 'text' as const, text }] }] });

async function raw(path: string, init: { method?: string; body?: unknown; auth?: boolean } = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.auth !== false) headers.Authorization = `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${jira.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : null };
}

async function rejection(p: Promise<unknown>): Promise<HttpException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpException) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  spec = loadJiraSpec();
  jira = await startJiraServer();
  client = new Version3Client({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: jira.apiToken } } });
});
afterAll(async () => {
  await jira.close();
});

describe('Jira sandbox', () => {
  it('answers myself and the ACC project as the spec describes', async () => {
    const me = await client.myself.getCurrentUser();
    expect(me.emailAddress).toBe(jira.email);
    const project = await client.projects.getProject({ projectIdOrKey: 'ACC' });
    expect(project.issueTypes?.map((t) => t.name)).toContain('Access request');
    expect(validateResponse(spec, 'get', '/rest/api/3/myself', 200, (await raw('/rest/api/3/myself')).json)).toEqual([]);
    expect(validateResponse(spec, 'get', '/rest/api/3/project/{projectIdOrKey}', 200, (await raw('/rest/api/3/project/ACC')).json)).toEqual([]);
    const missing = await raw('/rest/api/3/project/NOPE');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errorMessages: ["No project could be found with key 'NOPE'."], errors: {} });
  });

  it('creates an issue, comments in ADF, transitions it through the workflow and finds it by JQL', async () => {
    const created = await client.issues.createIssue({
      fields: { project: { key: 'ACC' }, issuetype: { name: 'Access request' }, summary: 'Grant Finance Admins to Ada', description: adf('Requested by Grace for 7 days') },
    });
    expect(created.key).toMatch(/^ACC-\d+$/);
    expect(jira.state.issue(created.key)?.summary).toBe('Grant Finance Admins to Ada');

    const issue = await client.issues.getIssue({ issueIdOrKey: created.key });
    expect(issue.fields.status.name).toBe('Waiting for approval');
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}', 200, (await raw(`/rest/api/3/issue/${created.key}`)).json)).toEqual([]);

    const comment = await client.issueComments.addComment({ issueIdOrKey: created.key, comment: adf('Approved by Grace') });
    expect(comment.id).toBeTruthy();
    const comments = await client.issueComments.getComments({ issueIdOrKey: created.key });
    expect(comments.total).toBe(1);
    expect(jira.state.comments(created.key)[0]?.body).toEqual(adf('Approved by Grace'));
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}/comment', 200, (await raw(`/rest/api/3/issue/${created.key}/comment`)).json)).toEqual([]);

    const transitions = await client.issues.getTransitions({ issueIdOrKey: created.key });
    expect(transitions.transitions?.map((t) => t.to?.name)).toEqual(['In progress', 'Declined']);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}/transitions', 200, (await raw(`/rest/api/3/issue/${created.key}/transitions`)).json)).toEqual([]);
    await client.issues.doTransition({ issueIdOrKey: created.key, transition: { id: transitions.transitions?.find((t) => t.to?.name === 'In progress')?.id ?? '' } });
    expect(jira.state.issue(created.key)?.status).toBe('inProgress');

    // A transition not available from the current status is a 400 with a message.
    const wrong = await rejection(client.issues.doTransition({ issueIdOrKey: created.key, transition: { id: '11' } }));
    expect(wrong.status).toBe(400);

    const found = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = ACC AND status = "In progress" ORDER BY created DESC', fields: ['summary', 'status'] });
    expect(found.issues?.map((i) => i.key)).toContain(created.key);
    expect(found.issues?.every((i) => i.fields.status.name === 'In progress')).toBe(true);
    const searched = await raw('/rest/api/3/search/jql', { method: 'POST', body: { jql: 'project = ACC AND status = "In progress"', fields: ['summary', 'status'] } });
    expect(validateResponse(spec, 'post', '/rest/api/3/search/jql', 200, searched.json)).toEqual([]);

    const done = JIRA_TRANSITIONS.find((t) => t.from === 'inProgress' && t.to === 'done');
    await client.issues.doTransition({ issueIdOrKey: created.key, transition: { id: done?.id ?? '' } });
    const none = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = ACC AND status = "In progress"' });
    expect(none.issues?.map((i) => i.id)).not.toContain(created.id);
  });

  it('creates a JSM customer request in the ACC service desk', async () => {
    const sd = new ServiceDeskClient({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: jira.apiToken } } });
    const request = await sd.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'Access to Payroll', description: 'Needed for the audit' } });
    expect(request.issueKey).toMatch(/^ACC-\d+$/);
    expect(request.currentStatus?.status).toBe('Waiting for approval');
    const view = jira.state.issue(request.issueKey ?? '');
    expect(view?.requestTypeId).toBe('10');
    const again = await raw('/rest/servicedeskapi/request', { method: 'POST', body: { serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'Second' } } });
    expect(again.status).toBe(201);
    expect(validateResponse(loadJsmSpec(), 'post', '/rest/servicedeskapi/request', 201, again.json)).toEqual([]);
    const badType = await raw('/rest/servicedeskapi/request', { method: 'POST', body: { serviceDeskId: '1', requestTypeId: '99', requestFieldValues: { summary: 'x' } } });
    expect(badType.status).toBe(400);
    expect(validateResponse(loadJsmSpec(), 'post', '/rest/servicedeskapi/request', 400, badType.json)).toEqual([]);
  });

  it('rejects requests without valid Basic credentials with 401 and an ErrorCollection', async () => {
    const anonymous = await raw('/rest/api/3/myself', { auth: false });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ errorMessages: [expect.any(String)], errors: {} });
    const wrong = new Version3Client({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: 'not-the-token' } } });
    expect((await rejection(wrong.myself.getCurrentUser())).status).toBe(401);
  });

  it('answers a missing summary with 400 and the field error, creating nothing', async () => {
    const before = jira.state.issues().length;
    const e = await rejection(client.issues.createIssue({ fields: { project: { key: 'ACC' }, issuetype: { name: 'Access request' } } as never }));
    expect(e.status).toBe(400);
    const direct = await raw('/rest/api/3/issue', { method: 'POST', body: { fields: { project: { key: 'ACC' }, issuetype: { name: 'Access request' }, description: 'plain text' } } });
    expect(direct.json).toEqual({
      errorMessages: [],
      errors: { summary: 'You must specify a summary of the issue.', description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' },
    });
    expect(validateResponse(spec, 'post', '/rest/api/3/issue', 400, direct.json)).toEqual([]);
    expect(jira.state.issues().length).toBe(before);
    const unknown = await raw('/rest/api/3/issue/ACC-9999');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });

  it('sends 429 with Retry-After for an injected fault, then serves the retry', async () => {
    jira.faults.add({ match: '/rest/api/3/myself', kind: '429' });
    const limited = await raw('/rest/api/3/myself');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    jira.faults.add({ match: '/rest/api/3/issue', method: 'POST', kind: '429' });
    const fields = { project: { key: 'ACC' }, issuetype: { name: 'Access request' }, summary: 'Retried' };
    expect((await rejection(client.issues.createIssue({ fields }))).status).toBe(429);
    const created = await client.issues.createIssue({ fields });
    expect(jira.state.issues().filter((i) => i.summary === 'Retried').map((i) => i.key)).toEqual([created.key]);
  });

  it('rate-limits with Retry-After when the option is on', async () => {
    let now = Date.parse('2026-11-22T00:00:00Z');
    const limited = await startJiraServer({ rateLimit: { requests: 2, windowMs: 10_000 }, clock: { now: () => new Date(now) } });
    try {
      const c = new Version3Client({ host: limited.url, authentication: { basic: { email: limited.email, apiToken: limited.apiToken } } });
      await c.myself.getCurrentUser();
      await c.myself.getCurrentUser();
      expect((await rejection(c.myself.getCurrentUser())).status).toBe(429);
      const res = await fetch(`${limited.url}/rest/api/3/myself`);
      expect(res.headers.get('retry-after')).toBe('10');
      now += 10_000;
      expect((await c.myself.getCurrentUser()).emailAddress).toBe(limited.email);
      expect(limited.stats().rateLimited).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('serves JSM approvals: approvers from the Approvers field, answered by an approver as JSM does', async () => {
    const customer = jira.state.addUser({ email: 'ada@example.com', displayName: 'Ada' });
    const approver = jira.state.addUser({ email: 'bob@example.com', displayName: 'Bob' });
    const asUser = (u: { email: string; apiToken: string }) => new ServiceDeskClient({ host: jira.url, authentication: { basic: { email: u.email, apiToken: u.apiToken } } });
    const request = await asUser(customer).request.createCustomerRequest({
      serviceDeskId: '1',
      requestTypeId: '10',
      requestFieldValues: {
        summary: 'Figma editor for me',
        description: 'Design review',
        [JIRA_CUSTOM_FIELDS.beneficiaryEmail]: 'ada@example.com',
        [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor',
        [JIRA_CUSTOM_FIELDS.duration]: '7d',
        [JIRA_CUSTOM_FIELDS.approvers]: [{ accountId: approver.accountId }],
      },
    });
    const key = request.issueKey ?? '';
    expect(request.reporter?.emailAddress).toBe('ada@example.com');
    const jsm = loadJsmSpec();
    const list = await raw(`/rest/servicedeskapi/request/${key}/approval`);
    expect(list.status).toBe(200);
    expect(validateResponse(jsm, 'get', '/rest/servicedeskapi/request/{issueIdOrKey}/approval', 200, list.json)).toEqual([]);
    const approvals = await asUser(approver).request.getApprovals({ issueIdOrKey: key });
    expect(approvals.values?.[0]).toMatchObject({ finalDecision: 'pending', canAnswerApproval: true });
    const approvalId = Number(approvals.values?.[0]?.id);
    const one = await raw(`/rest/servicedeskapi/request/${key}/approval/${approvalId}`);
    expect(validateResponse(jsm, 'get', '/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}', 200, one.json)).toEqual([]);
    // Someone else may not answer; the approver may, once.
    expect((await rejection(asUser(customer).request.answerApproval({ issueIdOrKey: key, approvalId, decision: 'approve' }))).status).toBe(403);
    const answered = await asUser(approver).request.answerApproval({ issueIdOrKey: key, approvalId, decision: 'approve' });
    expect(answered.finalDecision).toBe('approved');
    expect(jira.state.issue(key)?.status).toBe('inProgress');
    const again = await raw(`/rest/servicedeskapi/request/${key}/approval/${approvalId}`, { method: 'POST', body: { decision: 'decline' } });
    expect(again.status).toBe(403);
    const twice = await fetch(`${jira.url}/rest/servicedeskapi/request/${key}/approval/${approvalId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${approver.email}:${approver.apiToken}`).toString('base64')}` },
      body: JSON.stringify({ decision: 'decline' }),
    });
    expect(twice.status).toBe(409);
    expect(validateResponse(jsm, 'post', '/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}', 409, await twice.json())).toEqual([]);
    // Custom fields read back on the issue; JQL finds it by request type and creation minute.
    const found = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
      jql: `project = ACC AND "Request Type" = "Access request" AND created >= "2000-01-01 00:00" ORDER BY created ASC`,
      fields: ['summary', JIRA_CUSTOM_FIELDS.access, 'reporter'],
    });
    const mine = found.issues?.find((i) => i.key === key);
    expect(mine?.fields[JIRA_CUSTOM_FIELDS.access]).toBe('Figma / Editor');
    const issues = await raw('/rest/api/3/search/jql', { method: 'POST', body: { jql: `key = ${key}`, fields: ['summary', 'labels', 'status'] } });
    expect(validateResponse(spec, 'post', '/rest/api/3/search/jql', 200, issues.json)).toEqual([]);
    // An ordinary issue is not a customer request for JSM.
    const plain = await client.issues.createIssue({ fields: { project: { key: 'ACC' }, issuetype: { name: 'Task' }, summary: 'plain' } });
    const notRequest = await raw(`/rest/servicedeskapi/request/${plain.key}/approval`);
    expect(notRequest.status).toBe(404);
    expect(validateResponse(jsm, 'get', '/rest/servicedeskapi/request/{issueIdOrKey}/approval', 404, notRequest.json)).toEqual([]);
  });

  it('labels, comment properties, mypermissions and the request type, as the specs describe', async () => {
    const created = await client.issues.createIssue({ fields: { project: { key: 'ACC' }, issuetype: { name: 'Access request' }, summary: 'Labelled', labels: ['latchkey', 'latchkey-request-w1-7'] } });
    const bad = await raw('/rest/api/3/issue', { method: 'POST', body: { fields: { project: { key: 'ACC' }, issuetype: { name: 'Task' }, summary: 'x', labels: ['has space'] } } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: { labels: "The label 'has space' contains spaces which is invalid." } });
    const byLabel = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = "ACC" AND labels = "latchkey-request-w1-7"', fields: ['labels'] });
    expect(byLabel.issues?.map((i) => i.key)).toEqual([created.key]);
    await client.issueComments.addComment({ issueIdOrKey: created.key, comment: adf('with a property'), properties: [{ key: 'latchkey.update', value: { ref: 'r-1' } }] });
    const withProps = await client.issueComments.getComments({ issueIdOrKey: created.key, expand: 'properties' });
    expect((withProps.comments?.[0] as { properties?: unknown }).properties).toEqual([{ key: 'latchkey.update', value: { ref: 'r-1' } }]);
    const perms = await raw('/rest/api/3/mypermissions?projectKey=ACC&permissions=CREATE_ISSUES,ADD_COMMENTS,TRANSITION_ISSUES');
    expect(validateResponse(spec, 'get', '/rest/api/3/mypermissions', 200, perms.json)).toEqual([]);
    expect(perms.json).toMatchObject({ permissions: { CREATE_ISSUES: { havePermission: true } } });
    const limited = jira.state.addUser({ email: 'viewer@example.com', permissions: ['BROWSE_PROJECTS'] });
    const v = new Version3Client({ host: jira.url, authentication: { basic: { email: limited.email, apiToken: limited.apiToken } } });
    const p = await v.permissions.getMyPermissions({ projectKey: 'ACC', permissions: 'CREATE_ISSUES,BROWSE_PROJECTS' });
    expect((p.permissions as Record<string, { havePermission?: boolean }> | undefined)?.CREATE_ISSUES?.havePermission).toBe(false);
    expect((await rejection(v.issues.createIssue({ fields: { project: { key: 'ACC' }, issuetype: { name: 'Task' }, summary: 'no' } }))).status).toBe(403);
    expect((await raw('/rest/api/3/mypermissions?projectKey=ACC')).status).toBe(400);
    const rt = await raw('/rest/servicedeskapi/servicedesk/1/requesttype/10');
    expect(validateResponse(loadJsmSpec(), 'get', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}', 200, rt.json)).toEqual([]);
    expect((await raw('/rest/servicedeskapi/servicedesk/1/requesttype/99')).status).toBe(404);
    const badJql = await raw('/rest/api/3/search/jql', { method: 'POST', body: { jql: 'project = ACC AND created >= "yesterday"' } });
    expect(badJql.status).toBe(400);
  });

  it('serves /browse/{key} as a read-only HTML page without credentials: escaped, no e-mail or token, no writes', async () => {
    const customer = jira.state.addUser({ email: 'reporter@example.com', displayName: 'Rita Reporter' });
    const { key } = await client.issues.createIssue({
      fields: { project: { key: 'ACC' }, issuetype: { name: 'Access request' }, summary: 'Figma <Editor> for Ada', description: adf('Why: review & ship') },
    });
    await client.issueComments.addComment({ issueIdOrKey: key, comment: adf('Approved by <script>alert(1)</script> grace') });
    await new Version3Client({ host: jira.url, authentication: { basic: { email: customer.email, apiToken: customer.apiToken } } }).issueComments.addComment({
      issueIdOrKey: key,
      comment: adf('Thanks!'),
    });
    await client.issues.doTransition({ issueIdOrKey: key, transition: { id: '11' } });

    const res = await fetch(`${jira.url}/browse/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('Jira sandbox');
    expect(html).toContain(`<div class="key">${key}</div>`);
    expect(html).toContain('Figma &lt;Editor&gt; for Ada');
    expect(html).toContain('>In progress</span>');
    expect(html).toContain('Why: review &amp; ship');
    expect(html).toContain('Approved by &lt;script&gt;alert(1)&lt;/script&gt; grace');
    expect(html).not.toContain('<script');
    expect(html).toContain('Rita Reporter');
    expect(html).toContain('Comments (2)');
    // Nothing that authenticates anyone, nor whose address it is.
    for (const secret of [jira.apiToken, customer.apiToken, jira.email, customer.email]) expect(html).not.toContain(secret);

    for (const method of ['POST', 'PUT', 'DELETE']) {
      const write = await fetch(`${jira.url}/browse/${key}`, { method, body: method === 'DELETE' ? undefined : '{}' });
      expect([method, write.status, write.headers.get('allow')]).toEqual([method, 405, 'GET, HEAD']);
    }
    expect(jira.state.comments(key)).toHaveLength(2);
    const missing = await fetch(`${jira.url}/browse/ACC-999999`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no issue ACC-999999 in the Jira sandbox.');
    expect((await fetch(`${jira.url}/browse/%3Cscript%3E`)).status).toBe(404);
    // The API itself still wants credentials.
    expect((await raw(`/rest/api/3/issue/${key}`, { auth: false })).status).toBe(401);
  });

  it('takes faults over HTTP from the bot account only (POST/GET/DELETE /__sandbox/faults)', async () => {
    const none = await raw('/__sandbox/faults', { method: 'POST', auth: false, body: { match: '/rest/api/3/myself', kind: '503' } });
    expect(none.status).toBe(401);
    const added = await raw('/__sandbox/faults', { method: 'POST', body: [{ match: '/rest/api/3/myself', kind: '503', times: 2 }] });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ faults: [{ match: '/rest/api/3/myself', kind: '503', remaining: 2 }] });
    expect((await raw('/rest/api/3/myself')).status).toBe(503);
    const bad = await raw('/__sandbox/faults', { method: 'POST', body: { match: '/x', kind: 'explode' } });
    expect(bad.status).toBe(400);
    expect((await raw('/__sandbox/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await raw('/rest/api/3/myself')).status).toBe(200);
  });
});

describe('startSandbox with Jira', () => {
  it('starts the Jira server and names it in the JSON line', async () => {
    const s = await startSandbox({ users: 40, seed: 3, graph: false });
    try {
      const line = JSON.parse(sandboxInfoLine(s)) as { jira?: Record<string, string> };
      expect(line.jira).toEqual({ url: s.jira?.url, email: 'latchkey-bot@example.com', apiToken: s.jira?.apiToken, projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10' });
      const c = new Version3Client({ host: line.jira?.url ?? '', authentication: { basic: { email: line.jira?.email ?? '', apiToken: line.jira?.apiToken ?? '' } } });
      expect((await c.projects.getProject({ projectIdOrKey: 'ACC' })).key).toBe('ACC');
      s.jiraServer?.faults.add({ match: '/rest/api/3/myself', kind: '500' });
      expect((await rejection(c.myself.getCurrentUser())).status).toBe(500);
    } finally {
      await s.close();
    }
    const without = await startSandbox({ users: 40, seed: 3, graph: false, jira: false, notices: false });
    try {
      expect(Object.keys(JSON.parse(sandboxInfoLine(without)) as object)).toEqual(['okta']);
    } finally {
      await without.close();
    }
  });
});
