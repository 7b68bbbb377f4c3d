// Fault injection: make the next N matching requests fail the way real
// networks and real Okta fail, so the sync's retry, backoff and
// keep-the-last-snapshot paths can be tested end to end. Driven from tests
// directly (sandbox.faults.add(...)) or over HTTP (POST /__sandbox/faults) for
// a sandbox started by `latchkey sandbox` in another process.

import type { IncomingMessage } from 'node:http';

export const FAULT_KINDS = ['429', '500', '502', '503', 'slow', 'drop', 'reset-mid-body'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultSpec = {
  /** A RegExp tested against the request path, or a string the path starts with. */
  match: RegExp | string;
  /** HTTP method (any when absent). */
  method?: string;
  kind: FaultKind;
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** 'slow': how long to hold the response (default 2000 ms). */
  delayMs?: number;
};

export type ActiveFault = { match: RegExp | string; method: string | null; kind: FaultKind; remaining: number; delayMs: number };

export type Faults = {
  add: (fault: FaultSpec) => void;
  clear: () => void;
  /** Faults still armed (for inspection and the HTTP API). */
  list: () => ActiveFault[];
  /** Consumes and returns the first armed fault that matches the request, if any. */
  take: (method: string, path: string) => ActiveFault | null;
};

export function createFaults(): Faults {
  let faults: ActiveFault[] = [];
  return {
    add: (fault) => {
      if (!FAULT_KINDS.includes(fault.kind)) throw new RangeError(`unknown fault kind "${String(fault.kind)}" (one of ${FAULT_KINDS.join(', ')})`);
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
      faults.push({ match: fault.match, method: fault.method?.toUpperCase() ?? null, kind: fault.kind, remaining: times, delayMs: fault.delayMs ?? 2000 });
    },
    clear: () => {
      faults = [];
    },
    list: () => faults.map((f) => ({ ...f })),
    take: (method, path) => {
      const found = faults.find(
        (f) => (f.method === null || f.method === method.toUpperCase()) && (typeof f.match === 'string' ? path.startsWith(f.match) : f.match.test(path)),
      );
      if (!found) return null;
      found.remaining--;
      if (found.remaining <= 0) faults = faults.filter((f) => f !== found);
      return { ...found };
    },
  };
}

export type FaultEffect =
  | { dropped: true }
  /** `errorStatus`: answer with this error in the server's own dialect; null: answer normally (after `slow`), cut mid-body when `resetMidBody`. */
  | { dropped: false; resetMidBody: boolean; errorStatus: 429 | 500 | 502 | 503 | null };

/**
 * The network half of a fault, the same for every sandbox server: drop the
 * socket, hold the response, or mark it to be cut mid-body. Error statuses are
 * left to the server, which renders them as its service does (Okta, Graph, Jira).
 */
export async function applyFault(fault: ActiveFault | null, req: IncomingMessage, sleep: (ms: number) => Promise<void>): Promise<FaultEffect> {
  if (fault === null) return { dropped: false, resetMidBody: false, errorStatus: null };
  switch (fault.kind) {
    case 'drop':
      req.socket.destroy();
      return { dropped: true };
    case 'slow':
      await sleep(fault.delayMs);
      return { dropped: false, resetMidBody: false, errorStatus: null };
    case 'reset-mid-body':
      return { dropped: false, resetMidBody: true, errorStatus: null };
    default:
      return { dropped: false, resetMidBody: false, errorStatus: Number(fault.kind) as 429 | 500 | 502 | 503 };
  }
}

/**
 * Reads the JSON body of POST /__sandbox/faults: one fault or a list, with
 * `match` as a path prefix, or as a regular expression when `regex` is true.
 */
export function parseFaultRequest(body: unknown): FaultSpec[] {
  const items = Array.isArray(body) ? (body as unknown[]) : [body];
  return items.map((item, i) => {
    if (!item || typeof item !== 'object') throw new RangeError(`fault ${i}: expected an object`);
    const o = item as Record<string, unknown>;
    if (typeof o.match !== 'string' || o.match === '') throw new RangeError(`fault ${i}: "match" must be a non-empty string`);
    if (typeof o.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(o.kind)) {
      throw new RangeError(`fault ${i}: "kind" must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (o.method !== undefined && typeof o.method !== 'string') throw new RangeError(`fault ${i}: "method" must be a string`);
    if (o.times !== undefined && (typeof o.times !== 'number' || !Number.isInteger(o.times) || o.times < 1)) {
      throw new RangeError(`fault ${i}: "times" must be a positive integer`);
    }
    if (o.delayMs !== undefined && (typeof o.delayMs !== 'number' || !(o.delayMs >= 0))) throw new RangeError(`fault ${i}: "delayMs" must be a number >= 0`);
    let match: RegExp | string = o.match;
    if (o.regex === true) {
      try {
        match = new RegExp(o.match);
      } catch (e) {
        throw new RangeError(`fault ${i}: invalid regular expression: ${(e as Error).message}`);
      }
    }
    return {
      match,
      kind: o.kind as FaultKind,
      ...(o.method !== undefined ? { method: o.method } : {}),
      ...(o.times !== undefined ? { times: o.times } : {}),
      ...(o.delayMs !== undefined ? { delayMs: o.delayMs } : {}),
    };
  });
}
