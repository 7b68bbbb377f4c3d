import { describe, expect, it } from 'vitest';
import { ApiError } from '../../renderer/src/api/api-error.js';
import { createBridgeTransport } from '../../renderer/src/api/bridge-transport.js';
import type { EventStreamStatus } from '../../renderer/src/api/transport.js';

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function sse(chunks: string[]): Response {
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

function fakeFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const call = { url, init: init ?? {} };
    calls.push(call);
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    return answer(call);
  }) as typeof fetch;
  return { fn, calls };
}

const origin = 'http://127.0.0.1:4317';
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('bridge transport', () => {
  it('POSTs the input to /api/<channel> with the session cookie (never a token) and returns the value', async () => {
    const f = fakeFetch(() => json(200, { ok: true, value: { total: 0, offset: 0, rows: [] } }));
    const t = createBridgeTransport({ origin, fetch: f.fn });
    const value = await t.call('directory:users', { search: 'ann', offset: 200, limit: 200 });
    expect(value).toEqual({ total: 0, offset: 0, rows: [] });
    const [call] = f.calls;
    expect(call?.url).toBe(`${origin}/api/directory%3Ausers`);
    expect(call?.init.method).toBe('POST');
    expect(call?.init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(call?.init.body as string)).toEqual({ search: 'ann', offset: 200, limit: 200 });
    // The browser attaches the HttpOnly session cookie to same-origin calls only.
    expect(call?.init.credentials).toBe('same-origin');
  });

  it("throws an ApiError carrying the server's message and code", async () => {
    const f = fakeFetch(() => json(200, { ok: false, error: 'orgUrl: not a URL', code: 'bad-input' }));
    const t = createBridgeTransport({ origin, fetch: f.fn });
    const error = await t.call('connections:test', { connectionId: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('orgUrl: not a URL');
    expect((error as ApiError).code).toBe('bad-input');
  });

  it('reports transport refusals (401) with their message', async () => {
    const f = fakeFetch(() => json(401, { ok: false, error: 'no session', code: 'unauthorized' }));
    const t = createBridgeTransport({ origin, fetch: f.fn });
    await expect(t.call('app:info', {})).rejects.toMatchObject({ message: 'no session', code: 'unauthorized' });
  });

  it('says the bridge is unreachable, and that a body was not JSON', async () => {
    const down = createBridgeTransport({
      origin,
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    const e1 = (await down.call('app:info', {}).catch((e: unknown) => e)) as ApiError;
    expect(e1.code).toBe('network');
    expect(e1.message).toContain('127.0.0.1:4317');
    const html = createBridgeTransport({ origin, fetch: fakeFetch(() => new Response('<html>', { status: 502 })).fn });
    const e2 = (await html.call('app:info', {}).catch((e: unknown) => e)) as ApiError;
    expect(e2.code).toBe('transport');
    expect(e2.message).toContain('502');
  });

  it('turns an aborted call into an "aborted" error', async () => {
    const f = fakeFetch(() => json(200, { ok: true, value: {} }));
    const t = createBridgeTransport({ origin, fetch: f.fn });
    const c = new AbortController();
    c.abort();
    await expect(t.call('app:info', {}, { signal: c.signal })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('streams events over GET /api/events and reconnects with backoff when the stream ends', async () => {
    let connects = 0;
    const f = fakeFetch((call) => {
      expect(call.url).toBe(`${origin}/api/events`);
      expect(call.init.headers).toEqual({ Accept: 'text/event-stream' });
      expect(call.init.credentials).toBe('same-origin');
      connects += 1;
      return sse([
        'event: sync:progress\ndata: {"runId":1,"connectionId":2,"phase":"users","pages":1,"items":200,"expected":2000,"requests":1,"budget":null,"message":null}\n\n',
        'event: sync:finished\nda',
        'ta: {"id":1}\n\n',
        'event: unknown\ndata: {}\n\n',
        'event: sync:progress\ndata: not json\n\n',
      ]);
    });
    const timers: { fn: () => void; ms: number }[] = [];
    const t = createBridgeTransport({
      origin,
      fetch: f.fn,
      backoffMs: [100, 200],
      setTimeout: (fn, ms) => timers.push({ fn, ms }),
      clearTimeout: () => undefined,
    });
    const statuses: EventStreamStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    const progress: unknown[] = [];
    const finished: unknown[] = [];
    t.on('sync:progress', (p) => progress.push(p));
    t.on('sync:finished', (r) => finished.push(r));
    for (let i = 0; i < 10; i++) await tick();
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({ runId: 1, phase: 'users', items: 200 });
    expect(finished).toEqual([{ id: 1 }]);
    expect(connects).toBe(1);
    expect(statuses).toEqual(['idle', 'connecting', 'open', 'reconnecting']);
    expect(timers.map((x) => x.ms)).toEqual([100]);
    timers[0]?.fn();
    for (let i = 0; i < 10; i++) await tick();
    expect(connects).toBe(2);
    expect(progress).toHaveLength(2);
    t.close();
  });

  it('stops retrying the event stream when the session is refused', async () => {
    const f = fakeFetch(() => json(401, { ok: false, error: 'no session', code: 'unauthorized' }));
    const timers: unknown[] = [];
    const t = createBridgeTransport({ origin, fetch: f.fn, setTimeout: (fn) => timers.push(fn), clearTimeout: () => undefined });
    const statuses: EventStreamStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    t.on('sync:progress', () => undefined);
    for (let i = 0; i < 10; i++) await tick();
    expect(statuses.at(-1)).toBe('unauthorized');
    expect(timers).toHaveLength(0);
  });
});
