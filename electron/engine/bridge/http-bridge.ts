// The local bridge behind `latchkey serve`: the contract's handler table over
// HTTP on 127.0.0.1, plus the built renderer as static files. It holds no
// logic; it decides only who may call, then hands the call to dispatch().
//
// Threats handled here:
// - other local users/processes and web pages: every /api call needs this
//   bridge's session cookie, which only the one-time token can mint;
// - a leaked or replayed link (shell history, a browser's history, a second
//   browser opened later): the token in the URL is exchanged ONCE, at
//   `GET /?token=...`, for a random session id in an HttpOnly, SameSite=Strict
//   cookie, and the answer redirects (303) to a token-less URL; from then on
//   the token is refused. It is never accepted as a bearer header or on /api;
// - other bridges on the same host: browsers share cookies across ports, so
//   the cookie's name carries our port (`latchkey_<port>`) and only that name
//   is read; a session of another port's bridge is unknown here anyway. A
//   server on another loopback port that the user's browser visits still
//   receives this cookie (cookies ignore ports): it is why the cookie holds a
//   random session id and never the token, and why the Origin and
//   Sec-Fetch-Site checks below stop pages on other ports from using it;
// - DNS rebinding (evil.example resolving to 127.0.0.1): the Host header must
//   be exactly 127.0.0.1:<port> or localhost:<port>;
// - CSRF from a page in the user's browser: an Origin header, when present,
//   must be our own origin, a Sec-Fetch-Site other than same-origin/none is
//   refused on /api, and no CORS headers are ever sent;
// - path traversal on static files (see static-files.ts);
// - oversized or malformed bodies: 1 MB for ordinary calls; a channel that
//   takes a whole file (catalog and request imports) gets what its schema
//   allows (bodyLimitFor, derived from the contract's zod max), and its body
//   goes to a 0600 temporary file in a private 0700 directory while it
//   arrives, removed after; over the limit: 413 naming it; bad JSON: 400.
//
// Protocol (the renderer's bridge transport implements exactly this):
//   GET  /?token=<token>  once: 303 to / with Set-Cookie latchkey_<port>=<sid>;
//        again (or a wrong token): 401
//   POST /api/<encodeURIComponent(channel)>  Cookie: latchkey_<port>=<sid>
//        body = JSON input; 200 {ok:true,value} | {ok:false,error,code}
//   GET  /api/events  Cookie: latchkey_<port>=<sid> -> text/event-stream
//   transport refusals use the same JSON shape: 400 malformed JSON, 413 body
//   over the channel's limit, 401 no or unknown session (or a used token), 403 bad Host/Origin,
//   404 unknown channel or file, 405 wrong method.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { listen } from '../net/listen.js';
import type { Channel, ErrorCode, EventMap, EventName } from '../../../shared/contract.js';
import { contract, eventNames } from '../../../shared/contract.js';
import { dispatch, isChannel, scrubSecrets, type Handlers } from '../api.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { cacheControlFor, openStaticFile } from './static-files.js';

export type BridgeEventListener = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/**
 * Where engine events come from: a subscribe function, an object with
 * `subscribe` (the engine's EventBus), or an EventEmitter-like with on/off.
 */
export type BridgeEventSource =
  | ((listener: BridgeEventListener) => () => void)
  | { subscribe: (listener: BridgeEventListener) => () => void }
  | {
      on: (event: EventName, listener: (payload: never) => void) => unknown;
      off: (event: EventName, listener: (payload: never) => void) => unknown;
    };

export type BridgeOptions = {
  handlers: Handlers;
  /** Loopback only; there is no option to listen elsewhere. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer); without it only /api is served. */
  staticDir?: string;
  events?: BridgeEventSource;
  /** Normally generated per launch; tests may pass one (at least 32 characters). */
  token?: string;
  /** SSE keep-alive comment interval; 15 s by default. */
  heartbeatMs?: number;
  /** Where large bodies are spooled while they arrive (a private directory per body is made inside); the OS temp dir by default. */
  uploadDir?: string;
  /** Called once, when the one-time token has been exchanged for a session (`latchkey start` then removes its launcher file). */
  onTokenUsed?: () => void;
  /** Unexpected handler errors, already scrubbed of secrets. */
  onError?: (channel: string, message: string) => void;
};

export type Bridge = {
  /** http://127.0.0.1:PORT/?token=TOKEN: good for one browser, once (it is exchanged for a session cookie). */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** The session cookie's name: `latchkey_<port>`. */
  cookieName: string;
  /** Open event streams (for diagnostics and tests). */
  eventClientCount: () => number;
  close: () => Promise<void>;
};

/** The body limit of an ordinary call (a small JSON object). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Room for the JSON around a channel's largest string. */
const JSON_SLACK = 64 * 1024;
/** Past its limit by this much, an oversized body is not even drained: the socket is cut. */
const DRAIN_SLACK = 16 * MAX_BODY_BYTES;

/** The longest string a channel's input object accepts in one field (a whole file), from its zod schema; 0 if none. */
function longestStringField(schema: z.ZodType): number {
  if (!(schema instanceof z.ZodObject)) return 0;
  let longest = 0;
  for (const field of Object.values(schema.shape)) {
    if (field instanceof z.ZodString && field.maxLength !== null) longest = Math.max(longest, field.maxLength);
  }
  return longest;
}

/**
 * The largest body a channel may be sent: 1 MB, or for a channel taking a
 * whole file, what its schema allows. A character takes at most 3 bytes of
 * UTF-8 (JSON escapes of quotes and line breaks take 2), so 3 bytes per
 * allowed character plus the JSON around it. Derived from the contract, so
 * raising a schema's max raises the bridge's limit with it.
 */
export function bodyLimitFor(channel: Channel): number {
  return Math.max(MAX_BODY_BYTES, 3 * longestStringField(contract[channel].input) + JSON_SLACK);
}

const BODY_LIMITS = new Map<Channel, number>((Object.keys(contract) as Channel[]).map((c) => [c, bodyLimitFor(c)]));

const megabytes = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** An SSE client this far behind is dropped (it reconnects and re-reads state). */
const MAX_SSE_BACKLOG = 1024 * 1024;

type JsonError = { ok: false; error: string; code: ErrorCode };

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function subscribe(source: BridgeEventSource, listener: BridgeEventListener): () => void {
  if (typeof source === 'function') return source(listener);
  if ('subscribe' in source) return source.subscribe(listener);
  const bound = eventNames.map((name) => {
    const l = (payload: never): void => listener(name, payload);
    source.on(name, l);
    return [name, l] as const;
  });
  return () => {
    for (const [name, l] of bound) source.off(name, l);
  };
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const host = '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (token.length < 32) throw new Error('the bridge token must be at least 32 characters');
  const tokenHash = sha256(token);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const clients = new Set<http.ServerResponse>();
  let port = 0;
  let eventSeq = 0;

  const headers = (extra: Record<string, string | number> = {}): Record<string, string | number> => ({ ...SECURITY_HEADERS, ...extra });

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(
      status,
      headers({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text), ...extra }),
    );
    res.end(text);
  };
  const refuse = (res: http.ServerResponse, status: number, code: ErrorCode, error: string, extra: Record<string, string> = {}): void =>
    sendJson(res, status, { ok: false, error, code } satisfies JsonError, extra);

  /** Host must name us exactly; Origin, if any, must be our own. Defeats DNS rebinding and cross-site calls. */
  const originProblem = (req: http.IncomingMessage): string | null => {
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.includes(hostHeader)) return `refused: Host must be 127.0.0.1:${port}`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
      return 'refused: cross-origin requests are not allowed';
    }
    return null;
  };

  // The one-time token, exchanged once for a session (see the header); the
  // set holds SHA-256 digests of the session ids handed out.
  let tokenUsed = false;
  const sessions = new Set<string>();
  const cookieName = (): string => `latchkey_${port}`;

  /** The caller's session id, when its cookie names one of ours; null otherwise. */
  const sessionOf = (req: http.IncomingMessage): string | null => {
    const name = cookieName();
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
      const value = part.slice(eq + 1).trim();
      if (/^[A-Za-z0-9_-]{43}$/.test(value) && sessions.has(sha256(value).toString('hex'))) return value;
    }
    return null;
  };

  /** `GET /?token=...`: the first correct use mints a session and redirects to a token-less URL. */
  const exchangeToken = (req: http.IncomingMessage, res: http.ServerResponse, presented: string): void => {
    if (req.method !== 'GET') {
      refuse(res, 405, 'bad-input', 'the sign-in link is opened with GET', { Allow: 'GET' });
      return;
    }
    // Hashing first gives equal lengths, which timingSafeEqual requires, without leaking the length.
    if (!timingSafeEqual(sha256(presented), tokenHash)) {
      refuse(res, 401, 'unauthorized', 'this link does not carry this bridge\'s token: open the URL printed by `latchkey serve`');
      return;
    }
    if (tokenUsed) {
      refuse(res, 401, 'unauthorized', 'this one-time link was already used: open the console in the browser that used it, or restart `latchkey serve` for a new link');
      return;
    }
    tokenUsed = true;
    const session = randomBytes(32).toString('base64url');
    sessions.add(sha256(session).toString('hex'));
    res.writeHead(
      303,
      headers({
        Location: '/',
        'Set-Cookie': `${cookieName()}=${session}; Path=/; HttpOnly; SameSite=Strict`,
        'Cache-Control': 'no-store',
        'Content-Length': 0,
      }),
    );
    res.end();
    options.onTokenUsed?.();
  };

  /** A page on another loopback port is same-site to us: the browser says so, and we refuse it. */
  const crossSiteFetch = (req: http.IncomingMessage): boolean => {
    const site = req.headers['sec-fetch-site'];
    return site !== undefined && site !== 'same-origin' && site !== 'none';
  };

  /**
   * Reads a call's body up to `limit`. With `spool`, the body goes to a 0600
   * file in a fresh 0700 directory while it arrives (a slow or abandoned
   * 60 MB upload holds no memory) and is read back once, when complete; the
   * directory is removed whatever happens. Past the limit the rest is drained
   * and dropped (so the client reads our 413), past limit + 16 MB cut.
   */
  const readBody = (req: http.IncomingMessage, limit: number, spool: boolean): Promise<{ text: string } | { tooLarge: true } | { aborted: true }> =>
    new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > limit + DRAIN_SLACK) {
        resolve({ tooLarge: true });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let spoolDir: string | null = null;
      let out: fs.WriteStream | null = null;
      const dropSpool = (): void => {
        out?.destroy();
        out = null;
        if (spoolDir) fs.rmSync(spoolDir, { recursive: true, force: true });
        spoolDir = null;
      };
      const openSpool = (): fs.WriteStream => {
        spoolDir = fs.mkdtempSync(path.join(options.uploadDir ?? os.tmpdir(), 'latchkey-upload-'));
        fs.chmodSync(spoolDir, 0o700);
        const stream = fs.createWriteStream(path.join(spoolDir, 'body.json'), { mode: 0o600, flags: 'wx' });
        stream.on('error', () => {
          dropSpool();
          req.destroy();
        });
        return stream;
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit + DRAIN_SLACK) {
          dropSpool();
          req.destroy();
          return;
        }
        if (size > limit) {
          // Past the cap, keep draining but keep nothing.
          dropSpool();
          chunks.length = 0;
          return;
        }
        if (!spool) {
          chunks.push(chunk);
          return;
        }
        out ??= openSpool();
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      });
      req.on('end', () => {
        if (size > limit) {
          resolve({ tooLarge: true });
          return;
        }
        const file = out;
        if (!file) {
          resolve({ text: Buffer.concat(chunks).toString('utf8') });
          return;
        }
        file.end(() => {
          fs.promises
            .readFile(file.path, 'utf8')
            .then((text) => resolve({ text }), () => resolve({ aborted: true }))
            .finally(dropSpool);
        });
      });
      req.on('error', () => {
        dropSpool();
        resolve({ aborted: true });
      });
      req.on('close', () => {
        if (req.complete) return;
        dropSpool();
        resolve({ aborted: true });
      });
    });

  const handleCall = async (req: http.IncomingMessage, res: http.ServerResponse, channel: Channel, session: string): Promise<void> => {
    const limit = BODY_LIMITS.get(channel) ?? MAX_BODY_BYTES;
    const body = await readBody(req, limit, limit > MAX_BODY_BYTES);
    if ('aborted' in body) return;
    if ('tooLarge' in body) {
      refuse(res, 413, 'bad-input', `the request body is larger than ${channel} accepts: ${megabytes(limit)} (${limit} bytes) at most`, { Connection: 'close' });
      return;
    }
    let input: unknown = undefined;
    if (body.text.trim() !== '') {
      try {
        input = JSON.parse(body.text) as unknown;
      } catch {
        refuse(res, 400, 'bad-input', 'the request body is not valid JSON');
        return;
      }
    }
    const result = await dispatch(options.handlers, channel, input, {
      // Neither the token nor the caller's session id is ever echoed in an error.
      secrets: [token, session],
      ...(options.onError ? { onUnexpectedError: options.onError } : {}),
    });
    sendJson(res, 200, result);
  };

  const openEvents = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(
      200,
      headers({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' }),
    );
    // A first comment tells the client the stream is open before any event happens.
    res.write(': connected\n\n');
    clients.add(res);
    const drop = (): void => {
      clients.delete(res);
    };
    // The response's 'close' marks the connection going away (tab closed, reload).
    res.on('close', drop);
    res.on('error', drop);
    req.on('error', drop);
  };

  const broadcast: BridgeEventListener = (event, payload) => {
    if (clients.size === 0) return;
    const frame = `id: ${++eventSeq}\nevent: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of clients) {
      if (res.writableLength > MAX_SSE_BACKLOG) {
        clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  };

  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'bad-input', `method ${req.method ?? '?'} not allowed`, { Allow: 'GET, HEAD' });
      return;
    }
    const file = options.staticDir ? await openStaticFile(options.staticDir, rawPath) : null;
    if (!file) {
      refuse(res, 404, 'not-found', 'not found');
      return;
    }
    res.writeHead(
      200,
      headers({ 'Content-Type': file.contentType, 'Content-Length': file.size, 'Cache-Control': cacheControlFor(rawPath, file.file) }),
    );
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(file.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const problem = originProblem(req);
    if (problem) {
      refuse(res, 403, 'unauthorized', problem);
      return;
    }
    const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    if (rawPath !== '/api' && !rawPath.startsWith('/api/')) {
      const presented = rawPath === '/' ? new URL(req.url ?? '/', 'http://bridge').searchParams.get('token') : null;
      if (presented !== null) exchangeToken(req, res, presented);
      else await serveStatic(req, res, rawPath);
      return;
    }
    if (crossSiteFetch(req)) {
      refuse(res, 403, 'unauthorized', 'refused: cross-origin requests are not allowed');
      return;
    }
    const session = sessionOf(req);
    if (session === null) {
      refuse(res, 401, 'unauthorized', 'this browser has no session with the bridge: open the one-time link printed by `latchkey serve`');
      return;
    }
    if (rawPath === '/api/events') {
      if (req.method !== 'GET') {
        refuse(res, 405, 'bad-input', 'the event stream is read with GET', { Allow: 'GET' });
        return;
      }
      openEvents(req, res);
      return;
    }
    if (req.method !== 'POST') {
      refuse(res, 405, 'bad-input', 'contract calls are made with POST', { Allow: 'POST' });
      return;
    }
    let channel: string;
    try {
      channel = decodeURIComponent(rawPath.slice('/api/'.length));
    } catch {
      refuse(res, 404, 'not-found', 'unknown channel');
      return;
    }
    if (!isChannel(channel)) {
      refuse(res, 404, 'not-found', `unknown channel "${scrubSecrets(channel.slice(0, 80))}"`);
      return;
    }
    await handleCall(req, res, channel, session);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const message = scrubSecrets(e instanceof Error ? e.message : String(e), [token]);
      options.onError?.('bridge', message);
      if (!res.headersSent) refuse(res, 500, 'failed', 'the bridge failed to answer this request');
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;

  const listening = await listen(server, options.port ?? 0, host);
  port = listening.port;

  const unsubscribe = options.events ? subscribe(options.events, broadcast) : () => undefined;
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': ping\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  const origin = `http://${host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    cookieName: cookieName(),
    eventClientCount: () => clients.size,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        clearInterval(heartbeat);
        for (const res of clients) res.end();
        clients.clear();
        // Already closed is fine: close() may race with a failed start.
        listening.close().then(resolve, () => resolve());
      })),
  };
}
