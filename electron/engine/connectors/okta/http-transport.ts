// The HTTP transport under our request executor: node:http/https with
// keep-alive, reading each body into one buffer.
//
// Why not node-fetch (what the SDK's base executor uses): node-fetch 2 sends
// `Connection: close` unless given an agent, so every one of a sync's
// thousands of requests paid a new TCP (and, against Okta, TLS) handshake;
// measured against the sandbox, switching to pooled keep-alive sockets cut
// the server's CPU per full sync from ~10 s to ~3 s and the client's too. It
// also avoids node-fetch's per-request WHATWG objects and chunk copying. This
// keeps what we rely on: gzip/deflate/br, AbortSignal (time-outs, cancel),
// the agent the SDK sets for HTTPS_PROXY, and errors with Node's codes
// (ECONNRESET, ENOTFOUND, certificate errors).
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { HeadersLike, Transport, TransportResponse } from './request-executor.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

/** A Content-Length above this is not trusted for one up-front allocation. */
const MAX_PREALLOCATE = 64 * 1024 * 1024;

function headersOf(h: IncomingHttpHeaders): HeadersLike {
  return {
    get: (name) => {
      const v = h[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    forEach: (cb) => {
      for (const [k, v] of Object.entries(h)) if (v !== undefined) cb(Array.isArray(v) ? v.join(', ') : v, k);
    },
  };
}

class PrematureCloseError extends Error {
  readonly code = 'ERR_STREAM_PREMATURE_CLOSE';
  constructor(received: number, expected: number | null) {
    super(`connection closed after ${received}${expected !== null ? ` of ${expected}` : ''} body bytes`);
  }
}

export function createHttpTransport(): Transport {
  // One pool per transport (i.e. per connector): sockets are reused across the
  // thousands of page requests of a sync, and closed with it.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  return (url, init) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const u = new URL(url);
      const lib = u.protocol === 'https:' ? https : http;
      const agent = (init.agent as http.Agent | undefined) ?? agents[u.protocol === 'https:' ? 'https:' : 'http:'];
      const headers: Record<string, string> = { 'Accept-Encoding': 'gzip, deflate, br', ...init.headers };
      const req = lib.request(u, { method: init.method.toUpperCase(), headers, agent, signal: init.signal }, (res) => {
        const expectedHeader = res.headers['content-length'];
        const expected = expectedHeader !== undefined && /^\d+$/.test(expectedHeader) ? Number(expectedHeader) : null;
        // Read at once (no back-pressure stall); one allocation when the length is known.
        const body = new Promise<Buffer>((resolveBody, rejectBody) => {
          const chunks: Buffer[] = [];
          let target: Buffer | null = expected !== null && expected > 0 && expected <= MAX_PREALLOCATE ? Buffer.allocUnsafe(expected) : null;
          let received = 0;
          let done = false;
          res.on('data', (chunk: Buffer) => {
            if (target && received + chunk.length <= target.length) chunk.copy(target, received);
            else {
              if (target) {
                chunks.push(target.subarray(0, received));
                target = null;
              }
              chunks.push(chunk);
            }
            received += chunk.length;
          });
          res.on('end', () => {
            done = true;
            if (expected !== null && received !== expected) return rejectBody(new PrematureCloseError(received, expected));
            const raw = target ? target.subarray(0, received) : Buffer.concat(chunks, received);
            const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
            if (encoding === 'gzip' || encoding === 'x-gzip') gunzip(raw).then(resolveBody, rejectBody);
            else if (encoding === 'deflate') inflate(raw).then(resolveBody, rejectBody);
            else if (encoding === 'br') brotli(raw).then(resolveBody, rejectBody);
            else resolveBody(raw);
          });
          res.on('error', (e) => rejectBody(e));
          res.on('close', () => {
            if (!done) rejectBody(new PrematureCloseError(received, expected));
          });
        });
        // The executor always reads the body; this only keeps an unread failure from being "unhandled".
        body.catch(() => undefined);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          url,
          headers: headersOf(res.headers),
          buffer: () => body,
          arrayBuffer: () => body.then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
        });
      });
      req.on('error', reject);
      const payload = init.body;
      if (typeof payload === 'string' || payload instanceof Uint8Array) req.end(payload);
      else req.end();
    });
}
