// The official Microsoft Graph JS client against the sandbox, over https with
// the sandbox's CA pinned (the client only sends the bearer token to a custom
// host over https). The last middleware does the HTTP exchange with node:https
// so that trust is pinned per request instead of turned off process-wide.
import { request } from 'node:https';
import { AuthenticationHandler, Client, RetryHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxGraph } from '../../electron/sandbox/sandbox.js';

let s: Sandbox;
let g: SandboxGraph;

beforeAll(async () => {
  s = await startSandbox({ users: 300, seed: 21 });
  if (!s.graph) throw new Error('graph sandbox not started');
  g = s.graph;
});
afterAll(async () => {
  await s.close();
});

function pinnedExchange(url: string, method: string, headers: Record<string, string>, body: string | undefined, ca: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out[k] = v;
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Terminal middleware: the request goes out over https trusting only `ca`. */
class PinnedHttpsHandler implements Middleware {
  constructor(private readonly ca: string) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const headers: Record<string, string> = {};
    new Headers(context.options?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const rawBody = context.options?.body;
    const body = typeof rawBody === 'string' ? rawBody : undefined;
    const res = await pinnedExchange(url, context.options?.method ?? 'GET', headers, body, this.ca);
    context.response = new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
  }
}

async function accessToken(): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: g.clientId, client_secret: g.clientSecret, scope: 'https://graph.microsoft.com/.default' });
  const res = await pinnedExchange(`${g.url}/${g.tenantId}/oauth2/v2.0/token`, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString(), g.caPem);
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

describe('@microsoft/microsoft-graph-client against the sandbox', () => {
  it('lists users through the SDK with its page iterator, and manages members', async () => {
    const token = await accessToken();
    const client = Client.initWithMiddleware({
      middleware: [new AuthenticationHandler({ getAccessToken: () => Promise.resolve(token) }), new RetryHandler(), new PinnedHttpsHandler(g.caPem)],
      baseUrl: `${g.url}/`,
      defaultVersion: 'v1.0',
      customHosts: new Set([new URL(g.url).hostname]),
    });

    const seen = new Set<string>();
    let page = (await client.api('/users').select(['id', 'mail', 'employeeId']).top(120).get()) as { value: { id: string; mail: string }[]; '@odata.nextLink'?: string };
    for (;;) {
      for (const u of page.value) seen.add(u.id);
      const next = page['@odata.nextLink'];
      if (!next) break;
      page = (await client.api(next).get()) as typeof page;
    }
    expect(seen.size).toBe(300);

    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const groupIndex = dir.groups.find((i) => !dir.isDynamic(i));
    if (groupIndex === undefined) throw new Error('no group');
    const outsider = s.org.users.findIndex((u) => !dir.memberships.has(groupIndex, u.index));
    const groupId = dir.groupId(groupIndex);
    await client.api(`/groups/${groupId}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${dir.userId(outsider)}` });
    expect(dir.memberships.has(groupIndex, outsider)).toBe(true);
    await expect(client.api(`/groups/${groupId}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${dir.userId(outsider)}` })).rejects.toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
    });
    await client.api(`/groups/${groupId}/members/${dir.userId(outsider)}/$ref`).delete();
    expect(dir.memberships.has(groupIndex, outsider)).toBe(false);
  });
});
