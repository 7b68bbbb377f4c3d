// A Jira Cloud-compatible HTTP server on loopback (node:http, no framework):
// the platform REST v3 and Jira Service Management subset Latchkey writes
// back to (issues, ADF comments, transitions, JQL search, customer requests).
// Around the handlers of jira-routes.ts it does, in this order:
//   1. injected faults (network / edge failures, before anything else);
//   2. rate limiting (when on): a fixed window per start, 429 with
//      Retry-After (seconds) as Jira Cloud sends when a budget is spent;
//   3. authentication: HTTP Basic with an account's email and API token, as
//      Jira Cloud takes them; 401 with Jira's ErrorCollection otherwise. The
//      site has the bot account Latchkey uses and any users tests add
//      (customers raising portal requests, approvers answering them);
//   4. the route (a multipart upload's bytes are read up to the site's
//      attachment limit, the JSON bodies of the other writes up to 1 MiB).
// Except GET /browse/{key}: a read-only HTML page of the issue for a browser
// following the console's link, without authentication (jira-browse.ts).
// A control plane under /__sandbox/faults (the bot account only) lets another
// process inject faults into a sandbox started by `latchkey sandbox`, and
// POST /__sandbox/attachments attach a file as a site user (a reviewer
// replying with their workbook in a demo or an end-to-end test; the user is
// added when the site has none with that e-mail).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, originOf } from '../engine/net/listen.js';
import { readBody, readBodyBytes, realSleep, sameSecret, systemClock } from './http-util.js';
import { createFaults, parseFaultRequest, type ActiveFault, type Faults } from './faults.js';
import { attachAsUser } from './jira-attachment-routes.js';
import { serveBrowsePage } from './jira-browse.js';
import { jiraError, JiraHttpError, type JiraReply } from './jira-route-kit.js';
import { matchJiraRoute } from './jira-routes.js';
import { createJiraState, type JiraAccount, type JiraQuirks, type JiraState } from './jira-state.js';
import type { Clock } from './okta-state.js';

export type { JiraAccount, JiraApprovalView, JiraAttachmentView, JiraCommentView, JiraIssueView, JiraPermission, JiraQuirks, JiraState, JiraStatusKey } from './jira-state.js';
export { JIRA_ATTACHMENT_LIMIT, JIRA_CUSTOM_FIELDS, JIRA_PERMISSIONS, JIRA_PROJECT, JIRA_REQUEST_TYPE, JIRA_SERVICE_DESK, JIRA_STATUSES, JIRA_TRANSITIONS, JIRA_WORKFLOWS } from './jira-state.js';

export type JiraServerOptions = {
  host?: string;
  port?: number;
  /** The account the API token belongs to (default latchkey-bot@example.com). */
  email?: string;
  /** Random per start unless given. */
  apiToken?: string;
  /** Jira Cloud's limits are not published per endpoint; when set, at most `requests` per `windowMs` (429 + Retry-After beyond). */
  rateLimit?: { requests: number; windowMs: number };
  clock?: Clock;
  /** How this site differs from the default one (jira-state.ts, JiraQuirks): its workflow, absent fields, a loose label search, an endless approvals pager. */
  quirks?: JiraQuirks;
  /** The site's attachment size limit in bytes (default JIRA_ATTACHMENT_LIMIT, 50 MiB). */
  attachmentLimit?: number;
  /** How a 'slow' fault waits. */
  sleep?: (ms: number) => Promise<void>;
};

export type JiraServer = {
  /** The site URL, e.g. http://127.0.0.1:41234 (no trailing slash): what jira.js takes as `host`. */
  url: string;
  email: string;
  apiToken: string;
  faults: Faults;
  /** The in-process view of the site (issues, comments) for tests. */
  state: JiraState;
  stats: () => { requests: number; rateLimited: number };
  close: () => Promise<void>;
};

const JSON_TYPE = 'application/json;charset=UTF-8';

function send(res: ServerResponse, reply: JiraReply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.raw !== undefined) {
    res.writeHead(reply.status, headers).end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, ...headers }).end(JSON.stringify(reply.body));
}

/** A 429 as Jira Cloud sends it: Retry-After in seconds and the reason header. */
const tooManyRequests = (retryAfterSeconds: number): JiraReply => ({
  status: 429,
  headers: { 'Retry-After': String(retryAfterSeconds), 'RateLimit-Reason': 'jira-burst-based' },
  body: jiraError(['Rate limit exceeded.']),
});

async function applyFault(fault: ActiveFault, res: ServerResponse, sleep: (ms: number) => Promise<void>): Promise<boolean> {
  switch (fault.kind) {
    case '429':
      send(res, tooManyRequests(1));
      return true;
    case '500':
      send(res, { status: 500, body: jiraError(['Internal server error']) });
      return true;
    case '502':
      // A proxy's page, not a Jira body: clients must cope with non-JSON errors.
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return true;
    case '503':
      send(res, { status: 503, headers: { 'Retry-After': '1' }, body: jiraError(['Service Unavailable']) });
      return true;
    case 'slow':
      await sleep(fault.delayMs);
      return false;
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'reset-mid-body': {
      const body = JSON.stringify(jiraError(['partial']));
      res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length * 2) });
      res.write(body.slice(0, body.length >> 1));
      res.socket?.destroy();
      return true;
    }
  }
}

export async function startJiraServer(options: JiraServerOptions = {}): Promise<JiraServer> {
  const host = options.host ?? '127.0.0.1';
  const email = options.email ?? 'latchkey-bot@example.com';
  const apiToken = options.apiToken ?? `ATATT${randomBytes(24).toString('base64url')}`;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const faults = createFaults();
  const counters = { requests: 0, rateLimited: 0 };
  let window = { start: 0, used: 0 };
  let base = '';
  const state = createJiraState({ clock, baseUrl: () => base, account: { email, displayName: 'Latchkey Bot', apiToken }, ...(options.quirks ? { quirks: options.quirks } : {}), ...(options.attachmentLimit !== undefined ? { attachmentLimit: options.attachmentLimit } : {}) });
  const basicOf = (a: JiraAccount): string => `Basic ${Buffer.from(`${a.email}:${a.apiToken}`).toString('base64')}`;
  /** The account whose e-mail and token the header carries; every account is compared in constant time. */
  const authenticate = (header: string): JiraAccount | null => {
    let found: JiraAccount | null = null;
    for (const a of state.internal.accounts) if (sameSecret(header, basicOf(a)) && found === null) found = a;
    return found;
  };

  const control = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    const list = (): JiraReply => ({
      status: 200,
      body: { faults: faults.list().map((f) => ({ ...f, match: typeof f.match === 'string' ? f.match : f.match.source, regex: typeof f.match !== 'string' })) },
    });
    switch (method) {
      case 'GET':
        send(res, list());
        return;
      case 'DELETE':
        faults.clear();
        send(res, { status: 204 });
        return;
      case 'POST': {
        const text = await readBody(req);
        try {
          for (const f of parseFaultRequest(JSON.parse(text ?? '') as unknown)) faults.add(f);
        } catch (e) {
          send(res, { status: 400, body: jiraError([`Invalid fault: ${(e as Error).message}`]) });
          return;
        }
        send(res, list());
        return;
      }
      default:
        send(res, { status: 405, body: jiraError([`${method} is not allowed on /__sandbox/faults.`]) });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counters.requests++;
    const url = new URL(req.url ?? '/', base);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/__sandbox/attachments') {
      if (authenticate(req.headers.authorization ?? '') !== state.internal.account) {
        send(res, { status: 401, body: jiraError(['You are not authenticated. Authentication required to perform this operation.']) });
        return;
      }
      if (method !== 'POST') {
        send(res, { status: 405, body: jiraError([`${method} is not allowed on /__sandbox/attachments.`]) });
        return;
      }
      // base64 in JSON: a third larger than the file.
      const bytes = await readBodyBytes(req, Math.ceil((state.internal.attachmentLimit * 4) / 3) + 4096);
      send(res, bytes === null ? { status: 413, body: jiraError([`The file is larger than this site's attachment size limit of ${state.internal.attachmentLimit} bytes.`]) } : attachAsUser(state, bytes.toString('utf8')));
      return;
    }
    if (url.pathname === '/__sandbox/faults') {
      // The control plane is never faulted or rate limited, and only the bot account (the site admin) may use it.
      if (authenticate(req.headers.authorization ?? '') !== state.internal.account) {
        send(res, { status: 401, body: jiraError(['You are not authenticated. Authentication required to perform this operation.']) });
        return;
      }
      await control(req, res, method);
      return;
    }
    if (url.pathname.startsWith('/browse/')) {
      // The issue view a browser opens from the console's link: read-only HTML, no API token (jira-browse.ts).
      serveBrowsePage(state, res, method, url.pathname);
      return;
    }
    const fault = faults.take(method, url.pathname);
    if (fault && (await applyFault(fault, res, sleep))) return;

    if (options.rateLimit) {
      const now = clock.now().getTime();
      if (now - window.start >= options.rateLimit.windowMs) window = { start: now, used: 0 };
      if (window.used >= options.rateLimit.requests) {
        counters.rateLimited++;
        send(res, tooManyRequests(Math.max(1, Math.ceil((window.start + options.rateLimit.windowMs - now) / 1000))));
        return;
      }
      window.used++;
    }

    const user = authenticate(req.headers.authorization ?? '');
    if (!user) {
      send(res, { status: 401, body: jiraError(['You are not authenticated. Authentication required to perform this operation.']) });
      return;
    }

    const route = matchJiraRoute(method, url.pathname);
    if (!route) {
      send(res, { status: 404, body: jiraError([`No API at ${method} ${url.pathname} in the Jira sandbox.`]) });
      return;
    }
    let body: unknown = undefined;
    let raw: Buffer | undefined;
    if (method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      // An upload: its bytes, up to the attachment limit plus room for the multipart envelope.
      const limit = state.internal.attachmentLimit;
      const bytes = await readBodyBytes(req, limit + (1 << 20));
      if (bytes === null) {
        send(res, { status: 413, body: jiraError([`The upload is larger than this site's attachment size limit of ${limit} bytes.`]) });
        return;
      }
      raw = bytes;
    } else if (method === 'POST' || method === 'PUT') {
      const text = await readBody(req);
      if (text === null) {
        send(res, { status: 413, body: jiraError(['Request body too large.']) });
        return;
      }
      if (text !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          send(res, { status: 400, body: jiraError(['Unexpected character in the request body: it is not JSON.']) });
          return;
        }
      }
    }
    try {
      send(res, route.handler({ state, user, params: route.params, query: url.searchParams, body, ...(raw ? { raw } : {}), headers: req.headers }));
    } catch (e) {
      if (e instanceof JiraHttpError) send(res, e.reply);
      else send(res, { status: 500, body: jiraError([`Sandbox error: ${(e as Error).message}`]) });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: jiraError([`Sandbox error: ${(e as Error).message}`]) });
      else res.destroy();
    });
  });
  const listening = await listen(server, options.port ?? 0, host);
  base = originOf('http', host, listening.port);
  return { url: base, email, apiToken, faults, state, stats: () => ({ ...counters }), close: listening.close };
}
