// The local bridge over real HTTP on loopback: contract calls, the one-time
// token and the session cookie it is exchanged for, Host/Origin checks (DNS rebinding, CSRF), body limits, static files without
// traversal, security headers and the SSE event stream.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncProgress } from '../../shared/domain.js';
import { createHandlers } from '../../electron/engine/api.js';
import { MAX_BODY_BYTES, startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { createEventBus, openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { seedDirectoryOrg } from '../fixtures/directory-org.js';
import { callChannel, openSession, rawRequest } from '../fixtures/http-client.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let bridge: Bridge;
/** The session cookie the test's own "browser" got from the one-time link. */
let session: string;
let staticDir: string;
const bus = createEventBus();

beforeAll(async () => {
  ws = createTempWorkspace('latchkey-bridge-');
  seedDirectoryOrg(ws.db);
  ws.db.close();
  const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge', events: bus });
  ws.db = ctx.db;

  staticDir = path.join(ws.dir, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("latchkey")');
  fs.writeFileSync(path.join(staticDir, 'assets', 'style.css'), 'body{}');
  fs.writeFileSync(path.join(ws.dir, 'secret.txt'), 'TOP SECRET');
  fs.symlinkSync(path.join(ws.dir, 'secret.txt'), path.join(staticDir, 'assets', 'link.txt'));

  bridge = await startBridge({ handlers: createHandlers(ctx), host: '127.0.0.1', port: 0, staticDir, events: bus });
  session = await openSession(bridge.port, bridge.token);
});

afterAll(async () => {
  await bridge.close();
  ws.cleanup();
});

describe('bridge: contract calls', () => {
  it('prints a loopback URL with the one-time token in the query', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bridge.cookieName).toBe(`latchkey_${bridge.port}`);
  });

  it('answers a valid call', async () => {
    const res = await callChannel(bridge.port, session, 'directory:users', { search: 'turing' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.json()).toMatchObject({ ok: true, value: { total: 1, rows: [{ displayName: 'Alan Turing', managerName: null }] } });
  });

  it('accepts an empty body as {} and the unencoded channel path', async () => {
    const res = await rawRequest(bridge.port, { method: 'POST', path: '/api/dashboard:summary', headers: { Cookie: session } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, value: { users: 7 } });
  });

  it('rejects a malformed payload with bad-input naming the field', async () => {
    const res = await callChannel(bridge.port, session, 'directory:users', { limit: -5 });
    expect(res.status).toBe(200);
    const body = res.json() as { ok: boolean; code: string; error: string };
    expect(body).toMatchObject({ ok: false, code: 'bad-input' });
    expect(body.error).toMatch(/limit/);
  });

  it('answers 400 for malformed JSON and 413 for a body over 1 MB', async () => {
    const broken = await rawRequest(bridge.port, {
      method: 'POST',
      path: '/api/directory%3Ausers',
      headers: { Cookie: session, 'Content-Type': 'application/json' },
      body: '{"search": "ada"',
    });
    expect(broken.status).toBe(400);
    expect(broken.json()).toEqual({ ok: false, code: 'bad-input', error: 'the request body is not valid JSON' });

    const huge = await callChannel(bridge.port, session, 'directory:users', { search: 'x'.repeat(MAX_BODY_BYTES + 10) });
    expect(huge.status).toBe(413);
    expect(huge.json()).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/larger than directory:users accepts: 1 MB/) as unknown });
  });

  it('answers 404 for an unknown channel and 405 for a wrong method', async () => {
    const unknown = await callChannel(bridge.port, session, 'admin:dropEverything', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ ok: false, code: 'not-found' });
    const proto = await callChannel(bridge.port, session, '__proto__', {});
    expect(proto.status).toBe(404);
    const get = await rawRequest(bridge.port, { path: '/api/directory%3Ausers', headers: { Cookie: session } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json()).toMatchObject({ ok: false });
  });
});

describe('bridge: who may call', () => {
  it('answers 401 without a session, with a wrong one, or with the token anywhere but the one-time link', async () => {
    const none = await callChannel(bridge.port, null, 'connections:list', {});
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(/no session/) as unknown });
    const value = session.slice(session.indexOf('=') + 1);
    const wrong = await callChannel(bridge.port, `${bridge.cookieName}=${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`, 'connections:list', {});
    expect(wrong.status).toBe(401);
    const short = await callChannel(bridge.port, `${bridge.cookieName}=abc`, 'connections:list', {});
    expect(short.status).toBe(401);
    // The token itself is no credential: not as a cookie, a bearer header, nor in an /api query.
    expect((await callChannel(bridge.port, `${bridge.cookieName}=${bridge.token}`, 'connections:list', {})).status).toBe(401);
    expect((await callChannel(bridge.port, null, 'connections:list', {}, { Authorization: `Bearer ${bridge.token}` })).status).toBe(401);
    const query = await rawRequest(bridge.port, { method: 'POST', path: `/api/connections%3Alist?token=${bridge.token}` });
    expect(query.status).toBe(401);
    // An unauthenticated caller learns nothing about which channels exist.
    expect((await callChannel(bridge.port, null, 'no:such', {})).status).toBe(401);
  });

  it('answers 403 to a fetch the browser marks as coming from another site or port', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await callChannel(bridge.port, session, 'connections:list', {}, { 'Sec-Fetch-Site': site });
      expect(res.status, site).toBe(403);
    }
    expect((await callChannel(bridge.port, session, 'connections:list', {}, { 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
  });

  it('answers 403 for a Host that is not exactly ours (DNS rebinding)', async () => {
    for (const host of [`evil.example:${bridge.port}`, `localhost.evil.com:${bridge.port}`, '127.0.0.1', `127.0.0.1:${bridge.port + 1}`, `127.0.0.1.nip.io:${bridge.port}`]) {
      const res = await callChannel(bridge.port, session, 'connections:list', {}, { Host: host });
      expect(res.status, host).toBe(403);
      expect(res.json()).toMatchObject({ ok: false, code: 'unauthorized' });
    }
    const page = await rawRequest(bridge.port, { path: '/', headers: { Host: `evil.example:${bridge.port}` } });
    expect(page.status).toBe(403);
    const ok = await callChannel(bridge.port, session, 'connections:list', {}, { Host: `localhost:${bridge.port}` });
    expect(ok.status).toBe(200);
  });

  it('answers 403 for a foreign Origin (CSRF) and accepts our own', async () => {
    for (const origin of ['https://evil.example', `http://127.0.0.1:${bridge.port + 1}`, 'null', `https://127.0.0.1:${bridge.port}`]) {
      const res = await callChannel(bridge.port, session, 'connections:list', {}, { Origin: origin });
      expect(res.status, origin).toBe(403);
    }
    for (const origin of [`http://127.0.0.1:${bridge.port}`, `http://localhost:${bridge.port}`]) {
      const res = await callChannel(bridge.port, session, 'connections:list', {}, { Origin: origin });
      expect(res.status, origin).toBe(200);
    }
  });

  it('never echoes the token or the session in an error', async () => {
    const res = await callChannel(bridge.port, session, 'directory:user', { connectionId: 1, id: bridge.token });
    expect(res.body).not.toContain(bridge.token);
    const bySession = await callChannel(bridge.port, session, 'directory:user', { connectionId: 1, id: session });
    expect(bySession.body).not.toContain(session.slice(session.indexOf('=') + 1));
  });
});

describe('bridge: the one-time link', () => {
  it('is exchanged once for an HttpOnly, SameSite=Strict cookie named for the port, then refused', async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    const b = await startBridge({ handlers: createHandlers(ctx), staticDir });
    try {
      // Before: no session, no API.
      expect((await callChannel(b.port, null, 'app:info', {})).status).toBe(401);
      const first = await rawRequest(b.port, { path: `/?token=${b.token}` });
      expect(first.status).toBe(303);
      // Redirected to a URL without the token (the browser keeps the #route fragment).
      expect(first.headers.location).toBe('/');
      expect(first.headers['cache-control']).toBe('no-store');
      const setCookie = first.headers['set-cookie'] ?? [];
      expect(setCookie).toHaveLength(1);
      const parts = (setCookie[0] ?? '').split(';').map((p) => p.trim());
      expect(parts[0]).toMatch(new RegExp(`^latchkey_${b.port}=[A-Za-z0-9_-]{43}$`));
      expect(parts.slice(1).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
      // The cookie holds a fresh session id, never the token.
      expect(parts[0]).not.toContain(b.token);
      const cookie = parts[0] ?? '';

      // The cookie works for calls and the event stream.
      const info = await callChannel(b.port, cookie, 'app:info', {});
      expect(info.status).toBe(200);
      expect(info.json()).toMatchObject({ ok: true });
      const stream = await openEvents(b.port, cookie);
      expect(stream.res.statusCode).toBe(200);
      stream.close();

      // Second use, at once or from a fresh browser later: refused, no cookie.
      const second = await rawRequest(b.port, { path: `/?token=${b.token}` });
      expect(second.status).toBe(401);
      expect(second.headers['set-cookie']).toBeUndefined();
      expect(second.json()).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(/already used/) as unknown });
      // A wrong token neither opens a session nor uses the link up.
      const wrongToken = await rawRequest(b.port, { path: `/?token=${'x'.repeat(43)}` });
      expect(wrongToken.status).toBe(401);
      expect(wrongToken.headers['set-cookie']).toBeUndefined();
      // The first browser's session still works after the refusals.
      expect((await callChannel(b.port, cookie, 'app:info', {})).status).toBe(200);
      // The page itself (no token) is served to anyone; only /api needs the session.
      expect((await rawRequest(b.port, { path: '/' })).status).toBe(200);
    } finally {
      await b.close();
      ctx.db.close();
    }
  });

  it('a wrong token does not burn the link', async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    const b = await startBridge({ handlers: createHandlers(ctx) });
    try {
      expect((await rawRequest(b.port, { path: `/?token=${b.token.slice(1)}` })).status).toBe(401);
      expect((await rawRequest(b.port, { path: `/?token=${b.token}` })).status).toBe(303);
    } finally {
      await b.close();
      ctx.db.close();
    }
  });

  it("refuses another port's bridge cookie, even with a valid session id there", async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    const other = await startBridge({ handlers: createHandlers(ctx) });
    try {
      const otherCookie = await openSession(other.port, other.token);
      expect(otherCookie.startsWith(`latchkey_${other.port}=`)).toBe(true);
      // That session is valid on its own bridge ...
      expect((await callChannel(other.port, otherCookie, 'app:info', {})).status).toBe(200);
      // ... and not here, under its own name or renamed to ours.
      expect((await callChannel(bridge.port, otherCookie, 'app:info', {})).status).toBe(401);
      const renamed = `${bridge.cookieName}=${otherCookie.slice(otherCookie.indexOf('=') + 1)}`;
      expect((await callChannel(bridge.port, renamed, 'app:info', {})).status).toBe(401);
      // A browser sends every 127.0.0.1 cookie to every port: with both, ours is the one that counts.
      expect((await callChannel(bridge.port, `${otherCookie}; ${session}`, 'app:info', {})).status).toBe(200);
      expect((await callChannel(other.port, `${otherCookie}; ${session}`, 'app:info', {})).status).toBe(200);
      expect((await callChannel(other.port, session, 'app:info', {})).status).toBe(401);
    } finally {
      await other.close();
      ctx.db.close();
    }
  });
});

describe('bridge: static renderer', () => {
  it('serves index.html with no-store, CSP and hardening headers', async () => {
    const res = await rawRequest(bridge.port, { path: '/' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<!doctype html>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets with their content types', async () => {
    const js = await rawRequest(bridge.port, { path: '/assets/app.js' });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await rawRequest(bridge.port, { path: '/assets/style.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await rawRequest(bridge.port, { method: 'HEAD', path: '/index.html' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await rawRequest(bridge.port, { path: '/missing.js' })).status).toBe(404);
    expect((await rawRequest(bridge.port, { method: 'POST', path: '/index.html' })).status).toBe(405);
  });

  it('refuses directory traversal, encoded or not, and symlinks out of the root', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%00.js',
      '/%E0%A4%A',
      '/assets/link.txt',
      '/assets',
    ]) {
      const res = await rawRequest(bridge.port, { path: p });
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain('TOP SECRET');
    }
  });
});

/** Opens the SSE stream and lets a test wait (on data, never on a timer) for text to appear. */
function openEvents(port: number, cookie: string): Promise<{ res: http.IncomingMessage; waitFor: (re: RegExp) => Promise<RegExpMatchArray>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res) => {
      let text = '';
      const waiters: { re: RegExp; done: (m: RegExpMatchArray) => void }[] = [];
      const check = (): void => {
        for (const w of [...waiters]) {
          const m = text.match(w.re);
          if (m) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done(m);
          }
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        check();
      });
      resolve({
        res,
        waitFor: (re) =>
          new Promise((done) => {
            waiters.push({ re, done });
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

describe('bridge: events', () => {
  it('streams an emitted event over SSE', async () => {
    const stream = await openEvents(bridge.port, session);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor(/: connected\n\n/);
    const progress: SyncProgress = {
      runId: 7,
      connectionId: 1,
      phase: 'users',
      pages: 3,
      items: 600,
      expected: 2000,
      requests: 4,
      budget: { bucket: 'users', remaining: 290, limit: 600, resetAt: '2025-06-01T00:01:00.000Z' },
      message: null,
    };
    bus.emit('sync:progress', progress);
    const m = await stream.waitFor(/id: \d+\nevent: sync:progress\ndata: (.*)\n\n/);
    expect(JSON.parse(m[1] ?? '')).toEqual(progress);
    expect(bridge.eventClientCount()).toBe(1);
    stream.close();
    await new Promise<void>((r) => stream.res.once('close', () => r()));
    // The server notices the disconnect and forgets the client.
    await vi.waitFor(() => expect(bridge.eventClientCount()).toBe(0));
    // A gone client must not break the engine's emit.
    expect(() => bus.emit('sync:progress', progress)).not.toThrow();
  });

  it('refuses the event stream without a session or with a foreign Host', async () => {
    expect((await rawRequest(bridge.port, { path: '/api/events' })).status).toBe(401);
    const rebinding = await rawRequest(bridge.port, { path: '/api/events', headers: { Host: `evil.example:${bridge.port}`, Cookie: session } });
    expect(rebinding.status).toBe(403);
    const post = await rawRequest(bridge.port, { method: 'POST', path: '/api/events', headers: { Cookie: session } });
    expect(post.status).toBe(405);
  });
});

describe('bridge: lifecycle', () => {
  it('binds loopback only and closes with open event streams', async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    const other = await startBridge({ handlers: createHandlers(ctx), events: bus });
    expect(other.url.startsWith('http://127.0.0.1:')).toBe(true);
    expect(other.token).not.toBe(bridge.token);
    const stream = await openEvents(other.port, await openSession(other.port, other.token));
    await stream.waitFor(/: connected/);
    const ended = new Promise<void>((r) => stream.res.once('close', () => r()));
    await other.close();
    await ended;
    await expect(rawRequest(other.port, { path: '/' })).rejects.toThrow();
    ctx.db.close();
  });

  it('refuses a caller-supplied token that is too short', async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    await expect(startBridge({ handlers: createHandlers(ctx), token: 'short' })).rejects.toThrow(/at least 32/);
    ctx.db.close();
  });
});
