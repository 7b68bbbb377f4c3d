// The Jira sandbox's issue attachments over real HTTP: uploaded with jira.js
// (multipart, field "file", X-Atlassian-Token) and with Latchkey's own client,
// listed in the issue's fields.attachment, read back as metadata and content
// (redirect by default, bytes with redirect=false); Jira's 403 without the
// XSRF header, 413 over the site's size limit (nothing attached), 403 without
// the Create attachments permission; the control plane's attach-as-a-user.
// Bodies are checked against the platform v3 spec.
import { Version3Client } from 'jira.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraClient } from '../../electron/engine/connectors/jira/jira-client.js';
import { JiraApiError } from '../../electron/engine/connectors/jira/jira-errors.js';
import { startJiraServer, type JiraAccount, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { loadJiraSpec, schemaOf, validate, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

const LIMIT = 64 * 1024;
let jira: JiraServer;
let spec: OpenApiSpec;
let reviewer: JiraAccount;
let key: string;

const basic = (a: { email: string; apiToken: string }): string => `Basic ${Buffer.from(`${a.email}:${a.apiToken}`).toString('base64')}`;

async function get(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${jira.url}${path}`, { headers: { Authorization: basic(jira), Accept: 'application/json' }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function upload(as: { email: string; apiToken: string }, files: { name: string; bytes: Buffer }[], headers: Record<string, string> = { 'X-Atlassian-Token': 'no-check' }) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)], { type: 'application/octet-stream' }), f.name);
  const res = await fetch(`${jira.url}/rest/api/3/issue/${key}/attachments`, { method: 'POST', headers: { Authorization: basic(as), Accept: 'application/json', ...headers }, body: form });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

beforeAll(async () => {
  spec = loadJiraSpec();
  jira = await startJiraServer({ attachmentLimit: LIMIT });
  reviewer = jira.state.addUser({ email: 'ada@example.com', displayName: 'Ada Lovelace' });
  const client = new Version3Client({ host: jira.url, authentication: { basic: { email: jira.email, apiToken: jira.apiToken } } });
  key = (await client.issues.createIssue({ fields: { project: { key: 'ACC' }, issuetype: { name: 'Task' }, summary: 'Review' } })).key;
});
afterAll(async () => {
  await jira.close();
});

describe('Jira sandbox attachments', () => {
  it('takes an upload from jira.js and lists it on the issue, as metadata and as content, in the spec shapes', async () => {
    const client = new Version3Client({ host: jira.url, authentication: { basic: { email: reviewer.email, apiToken: reviewer.apiToken } } });
    const bytes = Buffer.from('PK\u0003\u0004 not really a workbook');
    const added = await client.issueAttachments.addAttachment({ issueIdOrKey: key, attachment: { filename: 'answers.xlsx', file: bytes } });
    expect(added).toHaveLength(1);
    expect(validate(spec, { type: 'array', items: schemaOf(spec, 'Attachment') }, added)).toEqual([]);
    const a = added[0];
    expect(a).toMatchObject({ filename: 'answers.xlsx', size: bytes.length, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', author: { accountId: reviewer.accountId } });
    expect(a?.content).toBe(`${jira.url}/rest/api/3/attachment/content/${a?.id}`);

    const issue = await get(`/rest/api/3/issue/${key}?fields=attachment`);
    const listed = (JSON.parse(issue.bytes.toString()) as { fields: { attachment: unknown[] } }).fields.attachment;
    expect(listed).toEqual(added);
    expect(validateResponse(spec, 'get', '/rest/api/3/issue/{issueIdOrKey}', 200, JSON.parse(issue.bytes.toString()))).toEqual([]);

    const meta = await get(`/rest/api/3/attachment/${a?.id}`);
    const metaJson = JSON.parse(meta.bytes.toString()) as Record<string, unknown>;
    expect(validateResponse(spec, 'get', '/rest/api/3/attachment/{id}', 200, metaJson)).toEqual([]);
    expect(metaJson).toMatchObject({ id: Number(a?.id), filename: 'answers.xlsx', size: bytes.length });

    // Jira's default is a redirect to the download; redirect=false answers the bytes.
    const redirected = await get(`/rest/api/3/attachment/content/${a?.id}`);
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe(`${jira.url}/rest/api/3/attachment/content/${a?.id}?redirect=false`);
    const content = await client.issueAttachments.getAttachmentContent({ id: a?.id ?? '', redirect: false });
    expect(Buffer.from(content).equals(bytes)).toBe(true);
    expect((await get('/rest/api/3/attachment/meta')).bytes.toString()).toBe(JSON.stringify({ enabled: true, uploadLimit: LIMIT }));
    expect((await get('/rest/api/3/attachment/99999')).status).toBe(404);
  });

  it("uploads and downloads through Latchkey's client (429 retried like every call)", async () => {
    jira.faults.add({ kind: '429', method: 'POST', match: `/rest/api/3/issue/${key}/attachments`, times: 1 });
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken, sleep: () => Promise.resolve() });
    const bytes = Buffer.from([0, 1, 2, 255, 254, 13, 10, 45, 45]);
    const [added] = await client.addAttachment(key, { filename: 'bin ärger.xlsx', content: bytes, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(client.stats().rateLimited).toBe(1);
    expect(added).toMatchObject({ filename: 'bin ärger.xlsx', size: bytes.length, author: { accountId: jira.state.internal.account.accountId } });
    expect((await client.attachments(key)).map((x) => x.id)).toContain(added?.id);
    expect((await client.attachmentContent(added?.id ?? '', 1024)).equals(bytes)).toBe(true);
    await expect(client.attachmentContent(added?.id ?? '', 4)).rejects.toThrow(/more than the 4 Latchkey reads/);
  });

  it("refuses an upload without X-Atlassian-Token (403, Jira's XSRF check), over the size limit (413, nothing kept) and without the permission", async () => {
    const before = jira.state.issue(key)?.attachments.length ?? 0;
    const noToken = await upload(reviewer, [{ name: 'a.xlsx', bytes: Buffer.from('x') }], {});
    expect(noToken).toMatchObject({ status: 403, text: 'XSRF check failed' });
    expect(noToken.type).toMatch(/^text\/plain/);

    const big = await upload(reviewer, [
      { name: 'small.xlsx', bytes: Buffer.from('ok') },
      { name: 'big.xlsx', bytes: Buffer.alloc(LIMIT + 1) },
    ]);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toEqual({ errorMessages: [`The file 'big.xlsx' is ${LIMIT + 1} bytes, larger than this site's attachment size limit of ${LIMIT} bytes.`], errors: {} });
    const huge = await upload(reviewer, [{ name: 'huge.xlsx', bytes: Buffer.alloc(LIMIT + (2 << 20)) }]);
    expect(huge.status).toBe(413);
    expect(() => jira.state.addAttachment(key, { as: reviewer.email, filename: 'big.xlsx', content: Buffer.alloc(LIMIT + 1) })).toThrow(/larger than this site's attachment size limit/);

    const viewer = jira.state.addUser({ email: 'viewer@example.com', permissions: ['BROWSE_PROJECTS'] });
    const denied = await upload(viewer, [{ name: 'a.xlsx', bytes: Buffer.from('x') }]);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toEqual({ errorMessages: ['You do not have permission to create attachments in project ACC.'], errors: {} });
    expect(jira.state.issue(key)?.attachments).toHaveLength(before);

    // Latchkey's client says what Jira said.
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken, sleep: () => Promise.resolve() });
    const err = await client.addAttachment(key, { filename: 'big.xlsx', content: Buffer.alloc(LIMIT + 1), mimeType: 'application/octet-stream' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JiraApiError);
    expect((err as JiraApiError).message).toContain(`larger than this site's attachment size limit of ${LIMIT} bytes`);
  });

  it('lets a test attach a file as a given user (the reviewer replying), shown on the browse page', async () => {
    const a = jira.state.addAttachment(key, { as: reviewer.email, filename: 'reply.xlsx', content: Buffer.from('PK') });
    expect(a).toMatchObject({ authorId: reviewer.accountId, size: 2 });
    const page = await fetch(`${jira.url}/browse/${key}`);
    const html = await page.text();
    expect(html).toContain('reply.xlsx');
    expect(html).toContain('Ada Lovelace');
    expect(html).not.toContain(reviewer.email);
  });

  it('attaches as a site user through the control plane (bot credentials only), adding the user when the site has none', async () => {
    const post = (as: { email: string; apiToken: string }, body: unknown) =>
      fetch(`${jira.url}/__sandbox/attachments`, { method: 'POST', headers: { Authorization: basic(as), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const body = { issue: key, as: 'new.reviewer@example.com', filename: 'control.xlsx', contentBase64: Buffer.from('PK\u0003\u0004').toString('base64') };
    expect((await post(reviewer, body)).status).toBe(401);
    const res = await post(jira, body);
    expect(res.status).toBe(200);
    const a = (await res.json()) as { id: string; author: { accountId: string; emailAddress: string } };
    expect(a.author.emailAddress).toBe('new.reviewer@example.com');
    expect(jira.state.issue(key)?.attachments.at(-1)).toMatchObject({ id: a.id, filename: 'control.xlsx', size: 4, authorId: jira.state.user('new.reviewer@example.com')?.accountId });
    expect((await post(jira, { ...body, contentBase64: Buffer.alloc(LIMIT + 1).toString('base64') })).status).toBe(413);
    expect((await post(jira, { ...body, issue: 'ACC-999' })).status).toBe(404);
  });
});
