// One HTTPS request trusting only the CA it is given (a sandbox's per-start
// CA), with the JSON body parsed: for tests that talk to the Graph sandbox
// without an SDK.
import { request } from 'node:https';

export type Json = Record<string, unknown>;
export type HttpsResponse = { status: number; headers: Record<string, string | string[] | undefined>; json: Json };

/** `ca: null` trusts nothing extra (to show the system store does not know the sandbox). */
export function httpsJson(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; ca: string | null },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.ca === null ? {} : { ca: init.ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? (JSON.parse(text) as Json) : {} });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
