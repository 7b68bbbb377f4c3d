// The sandbox's Slack/Teams-style incoming webhooks: POST JSON to
// /slack/<token> or /teams/<token> (a wrong token gets 404, as Slack's
// "no_service"), recorded in arrival order for tests and the e2e to read at
// GET /__sandbox/messages (DELETE clears). Faults as the sandbox's other
// servers (POST /__sandbox/faults, or `faults.add` in-process), matched on
// the path: '429' answers with Retry-After, 5xx with the status, 'slow'
// holds the answer, 'drop' and 'reset-mid-body' close the connection before
// anything is recorded. The same server reads the sandbox mailbox out
// (GET /__sandbox/mailbox) and switches its faults (path "/smtp").
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, createFaults, parseFaultRequest, type Faults } from './faults.js';
import { readBody, sameSecret } from './http-util.js';
import type { MailboxMessage } from './smtp-mailbox.js';

export type WebhookMessage = { channel: 'slack' | 'teams'; body: unknown; receivedAt: string };

export type WebhookReceiver = {
  url: string;
  /** The incoming-webhook URLs (the token in the path is their secret). */
  slackUrl: string;
  teamsUrl: string;
  messages: WebhookMessage[];
  faults: Faults;
  /** Requests answered with 429, and when each came (to check a sender waited Retry-After). */
  refusals: { at: number; status: number }[];
  /** Every request's arrival (ms since epoch, real clock). */
  arrivals: number[];
  /** Requests that came while a Retry-After this receiver had answered was still running (a sender not honouring the rate). */
  readonly earlyReturns: number;
  close: () => Promise<void>;
};

export type WebhookReceiverOptions = {
  host?: string;
  port?: number;
  /** Seconds a 429 asks to wait (default 1). */
  retryAfterSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where GET /__sandbox/mailbox reads from (the SMTP mailbox). */
  mailbox?: () => MailboxMessage[];
  faults?: Faults;
  /** Slack's "about one message per second" made configurable: at most `requests` per fixed window, 429 with Retry-After (whole seconds to the window's end) beyond. */
  rateLimit?: { requests: number; windowMs: number };
};

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export async function startWebhookReceiver(opts: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const token = { slack: `T${randomBytes(4).toString('hex')}/B${randomBytes(4).toString('hex')}/${randomBytes(12).toString('base64url')}`, teams: randomBytes(18).toString('base64url') };
  const faults = opts.faults ?? createFaults();
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const messages: WebhookMessage[] = [];
  const refusals: { at: number; status: number }[] = [];
  const arrivals: number[] = [];
  let windowStart = 0;
  let windowCount = 0;
  let waitUntil = 0;
  let earlyReturns = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/__sandbox/messages') {
        if (req.method === 'DELETE') messages.length = 0;
        return json(res, 200, messages);
      }
      if (path === '/__sandbox/mailbox') return json(res, 200, opts.mailbox?.() ?? []);
      if (path === '/__sandbox/faults' && req.method === 'POST') {
        try {
          for (const f of parseFaultRequest(JSON.parse((await readBody(req)) ?? 'null'))) faults.add(f);
          return json(res, 200, faults.list().map((f) => ({ ...f, match: String(f.match) })));
        } catch (e) {
          return json(res, 400, { error: (e as Error).message });
        }
      }
      const m = /^\/(slack|teams)\/(.+)$/.exec(path);
      if (!m || req.method !== 'POST') return json(res, 404, { error: 'no_service' });
      const channel = m[1] as 'slack' | 'teams';
      arrivals.push(Date.now());
      const effect = await applyFault(faults.take(req.method, path), req, sleep);
      if (effect.dropped) return;
      if (effect.resetMidBody) {
        req.socket.destroy();
        return;
      }
      if (effect.errorStatus !== null) {
        refusals.push({ at: Date.now(), status: effect.errorStatus });
        if (effect.errorStatus === 429) res.setHeader('retry-after', String(opts.retryAfterSeconds ?? 1));
        res.writeHead(effect.errorStatus, { 'content-type': 'text/plain' });
        return res.end(effect.errorStatus === 429 ? 'rate_limited' : 'internal_error');
      }
      if (opts.rateLimit) {
        const t = Date.now();
        if (t < waitUntil) earlyReturns++;
        if (t - windowStart >= opts.rateLimit.windowMs) {
          windowStart = t;
          windowCount = 0;
        }
        if (++windowCount > opts.rateLimit.requests) {
          const seconds = Math.max(1, Math.ceil((windowStart + opts.rateLimit.windowMs - t) / 1000));
          waitUntil = Math.max(waitUntil, t + seconds * 1000);
          refusals.push({ at: t, status: 429 });
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(seconds) });
          return res.end('rate_limited');
        }
      }
      if (!sameSecret(m[2] ?? '', token[channel])) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('no_service');
      }
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(raw ?? '');
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('invalid_payload');
      }
      messages.push({ channel, body, receivedAt: new Date().toISOString() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(channel === 'slack' ? 'ok' : '1');
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'internal_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    slackUrl: `${url}/slack/${token.slack}`,
    teamsUrl: `${url}/teams/${token.teams}`,
    messages,
    faults,
    refusals,
    arrivals,
    get earlyReturns() {
      return earlyReturns;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
