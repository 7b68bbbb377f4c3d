// The Jira sandbox driven by the official jira.js client over real HTTP:
// issues, ADF comments, transitions, JQL search, a JSM customer request,
// Jira's error bodies (401, 400 with field errors) and 429 + Retry-After from
// an injected fault. Response bodies are checked against the Jira platform v3
// and JSM OpenAPI specs.
import { HttpException, ServiceDeskClient, Version3Client } from 'jira.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JIRA_TRANSITIONS, startJiraServer, type JiraServer } from '../../electron/sandbox/jira-server.js';
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
    expect(transitions.transitions?.map((t) => t.to?.name)).toEqual(['In progress']);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}/transitions', 200, (await raw(`/rest/api/3/issue/${created.key}/transitions`)).json)).toEqual([]);
    await client.issues.doTransition({ issueIdOrKey: created.key, transition: { id: transitions.transitions?.[0]?.id ?? '' } });
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
});
