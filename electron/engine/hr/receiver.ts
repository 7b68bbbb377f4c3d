// The signed HR event receiver: the same events `hr import` reads, one per
// HTTP POST to /hr/events, for an HR system's webhooks. Off unless `latchkey
// serve --hr-port P` turns it on; it listens on loopback only (put a reverse
// proxy with TLS in front to take deliveries from outside).
//
// Threats handled, in the order they are checked (nothing unauthenticated is
// parsed):
// - a forged or tampered delivery: the `X-Latchkey-Signature: sha256=<hex>`
//   header must be the HMAC-SHA256 of the exact body under the shared secret
//   (kept in the OS keychain, never in the workspace), compared in constant
//   time; unsigned or wrongly signed: 401;
// - a captured delivery sent again later: the event's timestamp must be
//   within 5 minutes of now (either way, for clock skew), else 401; and an
//   event id already stored is refused as a replay (409), not re-applied.
// Accepted events go through importHr (all-or-none, audited with actor
// `hr-webhook`), so an unknown manager is refused as it is for a file (422).
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { EngineContext } from '../context.js';
import { listen } from '../net/listen.js';
import { readEventLines, type EventLine } from './event-lines.js';
import { storedEventIds } from './hr-store.js';
import { importHr } from './import.js';

export const HR_SIGNATURE_HEADER = 'x-latchkey-signature';
/** How far an event's timestamp may be from now, either way. */
export const HR_MAX_AGE_MS = 5 * 60_000;
const MAX_BODY = 256 * 1024;

/** The keychain account of a workspace's HR webhook secret. */
export const hrSecretAccount = (workspaceId: string): string => `workspace-${workspaceId}/hr-webhook-secret`;

export type Delivery = { ok: true; event: EventLine } | { ok: false; status: 400 | 401 | 409; reason: string };

export const signBody = (secret: string, body: Buffer | string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Checks one delivery: signature, then the event, its age, and whether its id was seen. */
export function checkDelivery(o: { body: Buffer; signature: string | undefined; secret: string; now: Date; seen: (eventId: string) => boolean }): Delivery {
  if (!o.signature) return { ok: false, status: 401, reason: `unsigned: the ${HR_SIGNATURE_HEADER} header is missing` };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(o.signature.trim());
  const want = createHmac('sha256', o.secret).update(o.body).digest();
  if (!m?.[1] || !timingSafeEqual(Buffer.from(m[1], 'hex'), want)) return { ok: false, status: 401, reason: 'wrong signature: not the HMAC-SHA256 of this body under the shared secret' };
  const parsed = readEventLines(o.body.toString('utf8'));
  if (parsed.errors.length > 0) return { ok: false, status: 400, reason: parsed.errors.map((e) => e.message).join('; ') };
  const event = parsed.events[0];
  if (!event || parsed.count !== 1) return { ok: false, status: 400, reason: 'one event per delivery' };
  const skew = o.now.getTime() - Date.parse(event.occurredAt);
  if (skew > HR_MAX_AGE_MS) return { ok: false, status: 401, reason: `too old: the event's timestamp ${event.occurredAt} is more than 5 minutes ago` };
  if (-skew > HR_MAX_AGE_MS) return { ok: false, status: 401, reason: `from the future: the event's timestamp ${event.occurredAt} is more than 5 minutes ahead` };
  if (o.seen(event.eventId)) return { ok: false, status: 409, reason: `replay: event ${event.eventId} was already received` };
  return { ok: true, event };
}

const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
};

/** Starts the receiver on loopback; `secret` comes from the keychain (the caller reads it). */
export async function startHrReceiver(ctx: EngineContext, o: { port: number; secret: string; host?: string; onError?: (e: unknown) => void }): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const webhookCtx: EngineContext = { ...ctx, actor: 'hr-webhook', channel: 'system' };
  const server = http.createServer((req, res) => {
    if (req.url !== '/hr/events') return reply(res, 404, { error: 'not found: POST /hr/events' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reply(res, 413, { error: `one event per delivery, at most ${MAX_BODY} bytes` });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      try {
        const body = Buffer.concat(chunks);
        const header = req.headers[HR_SIGNATURE_HEADER];
        const verdict = checkDelivery({
          body,
          signature: Array.isArray(header) ? header[0] : header,
          secret: o.secret,
          now: ctx.clock.now(),
          seen: (id) => storedEventIds(ctx.db, [id]).size > 0,
        });
        if (!verdict.ok) return reply(res, verdict.status, { error: verdict.reason });
        const result = importHr(webhookCtx, { fileName: 'webhook.json', bytes: body });
        if (!result.ok) return reply(res, 422, { error: result.errors.map((e) => e.message).join('; ') });
        return reply(res, 202, { accepted: verdict.event.eventId, importId: result.importId, duplicate: result.duplicates > 0 });
      } catch (e) {
        o.onError?.(e);
        return reply(res, 500, { error: 'the event could not be stored' });
      }
    });
  });
  const host = o.host ?? '127.0.0.1';
  const l = await listen(server, o.port, host);
  return { url: `http://${host}:${l.port}/hr/events`, port: l.port, close: l.close };
}
