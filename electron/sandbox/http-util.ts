// Small pieces every sandbox server (Okta, Graph, Jira) needs the same way.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from './okta-state.js';

export const systemClock: Clock = { now: () => new Date() };
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Request bodies the sandbox reads (tokens, control plane, writes) are small; larger ones are refused. */
export const MAX_BODY = 1 << 20;

/** Reads a request body up to MAX_BODY; null when it is larger (the rest is drained, not kept). */
export async function readBody(req: IncomingMessage): Promise<string | null> {
  return (await readBodyBytes(req, MAX_BODY))?.toString('utf8') ?? null;
}

/** Reads a request body's bytes up to `max` (an upload's own limit); null when it is larger (the rest is drained, not kept). */
export function readBodyBytes(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Compares credentials in constant time (threat: timing the comparison to guess a token). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
