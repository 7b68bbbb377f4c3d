// What every Okta route module shares: the request context and route shape,
// replies and Okta error bodies (E0000xxx), and the paging, limit, filter and
// path-segment parsing every listing uses. okta-routes.ts holds the route
// table; the handlers live in one module per resource (users, groups and
// rules, apps, the System Log).
//
// Paging follows Okta: `limit` + opaque `after` cursor, and a Link header with
// rel="self" and, when there may be more, rel="next". Cursors are the id of
// the last item returned (as Okta's are for users and groups), resolved to a
// position through the id index, so paging is O(page) however deep it goes.
import { randomBytes } from 'node:crypto';
import type { AdminRole } from './okta-resources.js';
import type { OktaMutations } from './okta-mutations.js';
import type { Clock, OktaState } from './okta-state.js';
import { FilterSyntaxError, parseFilter, type FilterNode } from './scim-filter.js';

export type Principal =
  | { kind: 'ssws'; user: number; role: AdminRole }
  | { kind: 'oauth'; clientId: string; label: string; scopes: ReadonlySet<string> };

export type Reply = { status: number; body?: string | Buffer; contentType?: string; headers?: Record<string, string | string[]> };

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** A JSON array from already-encoded elements. */
export function jsonArray(parts: readonly Buffer[]): Buffer {
  const chunks: Buffer[] = [OPEN];
  let length = 2;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) chunks.push(COMMA);
    const part = parts[i] as Buffer;
    chunks.push(part);
    length += part.length + (i > 0 ? 1 : 0);
  }
  chunks.push(CLOSE);
  return Buffer.concat(chunks, length);
}

/** An Okta error response, thrown from deep inside a handler. */
export class OktaHttpError extends Error {
  override readonly name = 'OktaHttpError';
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export const JSON_TYPE = 'application/json;charset=UTF-8';
/** Okta's error responses carry the bare media type (see the recorded HARs). */
export const ERROR_JSON_TYPE = 'application/json';

export function errorReply(status: number, errorCode: string, errorSummary: string, causes: string[] = [], headers?: Record<string, string>): Reply {
  const body = {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(16).toString('base64url').slice(0, 22)}`,
    errorCauses: causes.map((c) => ({ errorSummary: c })),
  };
  return { status, body: JSON.stringify(body), contentType: ERROR_JSON_TYPE, ...(headers ? { headers } : {}) };
}

export const notFound = (what: string, type: string): OktaHttpError => new OktaHttpError(errorReply(404, 'E0000007', `Not found: Resource not found: ${what} (${type})`));
export const invalidSearch = (): OktaHttpError => new OktaHttpError(errorReply(400, 'E0000031', 'Invalid search criteria.'));
export const validation = (param: string, cause: string): OktaHttpError => new OktaHttpError(errorReply(400, 'E0000001', `Api validation failed: ${param}`, [`${param}: ${cause}`]));
export const accessDenied = (headers?: Record<string, string>): Reply => errorReply(403, 'E0000006', 'You do not have permission to perform the requested action', [], headers);

export type RouteContext = {
  state: OktaState;
  mutations: OktaMutations;
  clock: Clock;
  method: string;
  /** Path as requested (still percent-encoded). */
  path: string;
  query: URLSearchParams;
  params: string[];
  principal: Principal;
};

export type Route = {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The path template exactly as the spec writes it. */
  path: string;
  operationId: string;
  /** OAuth scope the spec's `security` requires; a `.manage` scope also grants `.read`. */
  scope: string;
  write: boolean;
  handle: (ctx: RouteContext) => Reply;
};

export const jsonReply = (value: unknown, headers?: Record<string, string | string[]>): Reply => ({ status: 200, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) });

/** Link header values: self (with the effective limit) and next (with the cursor), as Okta sends them. */
export function links(ctx: RouteContext, limit: number | null, nextAfter: string | null): string[] {
  const base = `${ctx.state.base()}${ctx.path}`;
  const encode = (p: URLSearchParams): string => {
    const s = p.toString().replace(/\+/g, '%20');
    return s ? `?${s}` : '';
  };
  const self = new URLSearchParams(ctx.query);
  if (limit !== null) self.set('limit', String(limit));
  const out = [`<${base}${encode(self)}>; rel="self"`];
  if (nextAfter !== null) {
    const next = new URLSearchParams(ctx.query);
    next.delete('after');
    next.delete('limit');
    next.set('after', nextAfter);
    if (limit !== null) next.set('limit', String(limit));
    out.push(`<${base}${encode(next)}>; rel="next"`);
  }
  return out;
}

export function parseLimit(raw: string | null, def: number, max: number, min = 1): number {
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw validation('limit', 'The value must be an integer.');
  const n = Number(raw);
  if (n < min) throw validation('limit', `The value must be at least ${min}.`);
  // Okta caps an over-large limit at the endpoint's maximum rather than failing.
  return Math.min(n, max);
}

export function parseExpression(text: string, onError: () => OktaHttpError): FilterNode {
  try {
    return parseFilter(text);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw onError();
    throw e;
  }
}

export const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};
