import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../electron/engine/connectors/okta/http-transport.js';

let server: http.Server;
let base = '';
const seenConnections = new Set<unknown>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seenConnections.add(req.socket);
    const body = JSON.stringify([{ id: '00u1', echo: req.headers['x-test'] ?? null }]);
    if (req.url === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', link: ['<a>; rel="self"', '<b>; rel="next"'] });
      res.end(zlib.gzipSync(body));
    } else if (req.url === '/cut') {
      // Promises more bytes than it sends, then drops the connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length + 100) });
      res.write(body);
      setTimeout(() => res.socket?.destroy(), 10);
    } else if (req.url === '/post') {
      let got = '';
      req.on('data', (c: Buffer) => (got += c.toString()));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, got })));
    } else {
      res.end(body);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const init = (extra: Partial<Parameters<ReturnType<typeof createHttpTransport>>[1]> = {}) => ({
  method: 'get',
  headers: { 'x-test': 'yes' },
  signal: new AbortController().signal,
  ...extra,
});

describe('http transport', () => {
  it('reads the whole body, decodes gzip and joins repeated headers', async () => {
    const t = createHttpTransport();
    const res = await t(`${base}/gzip`, init());
    expect(res.status).toBe(200);
    expect(JSON.parse((await res.buffer!()).toString())).toEqual([{ id: '00u1', echo: 'yes' }]);
    expect(res.headers.get('Link')).toBe('<a>; rel="self", <b>; rel="next"');
  });

  it('reuses connections (keep-alive) across requests', async () => {
    const t = createHttpTransport();
    seenConnections.clear();
    for (let i = 0; i < 5; i++) await (await t(`${base}/plain`, init())).buffer!();
    expect(seenConnections.size).toBe(1);
  });

  it('fails the body (not the headers) when the connection drops mid-body', async () => {
    const t = createHttpTransport();
    const res = await t(`${base}/cut`, init());
    expect(res.status).toBe(200);
    await expect(res.buffer!()).rejects.toMatchObject({ code: expect.any(String) as unknown });
  });

  it('sends a request body and honours an abort signal', async () => {
    const t = createHttpTransport();
    const res = await t(`${base}/post`, init({ method: 'POST', body: 'a=1&b=2' }));
    expect(JSON.parse((await res.buffer!()).toString())).toEqual({ method: 'POST', got: 'a=1&b=2' });
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(t(`${base}/plain`, init({ signal: ctrl.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
