// What every Graph route module of the sandbox shares: the request context
// and route shape, the application permissions each operation accepts, the
// throttling cost of a request, and the OData plumbing (`$top`, `$select`,
// opaque `$skiptoken` paging through @odata.nextLink, @odata.context, the
// default property sets). graph-routes.ts holds the route table; the handlers
// live in one module per resource, delta queries in graph-delta.ts.
import type { GraphDirectory } from './graph-directory.js';
import { GraphHttpError, notFound, type GraphReply } from './graph-errors.js';

export type GraphRouteContext = {
  dir: GraphDirectory;
  /** Application permissions (app roles) of the caller's token. */
  roles: ReadonlySet<string>;
  /** Most member references one delta page carries; a larger group's members@delta continues on the next page. */
  deltaMembersPerPage: number;
  /** https://127.0.0.1:P (no trailing slash). */
  base: string;
  now: number;
  method: string;
  /** Path after /v1.0, e.g. /users. */
  path: string;
  query: URLSearchParams;
  body: string | null;
  /** Delta tokens issued longer ago than this get 410 syncStateNotFound. */
  deltaTokenMaxAgeMs: number;
};

/**
 * `cost`: resource units a request costs against Graph's identity throttling
 * budget (per app and tenant, per 10 s) before the query adjusts it (see
 * requestCost). `permissions`: the application permissions of which the
 * caller's token needs one (Graph's "least to most privileged" list for the
 * operation), else 403 Authorization_RequestDenied.
 */
export type GraphRoute = { cost: number; write: boolean; permissions: readonly string[]; handle: (ctx: GraphRouteContext, params: string[]) => GraphReply };

// Application permissions accepted per operation, as the Graph reference lists them.
export const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
export const GROUP_READ = ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
export const MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] as const;
/** Enabling or disabling an account (PATCH /users/{id} accountEnabled). */
export const ACCOUNT_WRITE = ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'] as const;
export const APP_READ = ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
export const AUDIT_READ = ['AuditLog.Read.All'] as const;

export const forbidden = (): GraphHttpError => new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

/** Throws 403 unless the token carries one of `permissions`. */
export function requirePermission(roles: ReadonlySet<string>, permissions: readonly string[]): void {
  if (!permissions.some((p) => roles.has(p))) throw forbidden();
}

/**
 * What a request costs in resource units: the operation's base cost, one
 * less with $select, one more with $expand (Graph's identity throttling
 * rules), never below 1.
 */
export function requestCost(base: number, query: URLSearchParams): number {
  let cost = base;
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  return Math.max(1, cost);
}

/** Properties Graph returns for a user when the request has no $select. */
export const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'] as const;

const MAX_TOP = 999;
const DEFAULT_TOP = 100;
export const USER_TYPE = '#microsoft.graph.user';

export const badRequest = (message: string, code = 'Request_BadRequest'): GraphHttpError => new GraphHttpError(400, code, message);

export function parseTop(query: URLSearchParams): number {
  const raw = query.get('$top');
  if (raw === null) return DEFAULT_TOP;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_TOP) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_TOP} inclusive.`, 'Request_UnsupportedQuery');
  return n;
}

/** The $select list validated against the type's properties (null when absent). */
export function parseSelect(query: URLSearchParams, known: ReadonlySet<string>, typeName: string, extra: readonly string[] = []): string[] | null {
  const raw = query.get('$select');
  if (raw === null || raw.trim() === '') return null;
  const props = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of props) {
    if (!known.has(p) && !extra.includes(p)) throw badRequest(`Could not find a property named '${p}' on type '${typeName}'.`);
  }
  return props;
}

export function project(obj: Record<string, unknown>, props: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) if (p in obj) out[p] = obj[p];
  return out;
}

// Opaque tokens: base64url JSON. Clients must not (and Latchkey does not) look inside.
export type PageToken = { o: number };

export const encodeToken = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
export function decodeToken<T>(raw: string): T | null {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

/** The request's own URL with one paging parameter replaced (Graph's nextLink keeps $select, $filter, $top). */
export function linkWith(ctx: GraphRouteContext, name: string, value: string, drop: readonly string[] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of ctx.query) if (k !== '$skiptoken' && k !== '$deltatoken' && k !== '$deltaToken' && !drop.includes(k)) q.append(k, v);
  q.set(name, value);
  // Graph writes `$` and `,` unencoded in its links.
  return `${ctx.base}/v1.0${ctx.path}?${q.toString().replace(/%24/g, '$').replace(/%2C/gi, ',')}`;
}

export const contextUrl = (ctx: GraphRouteContext, entitySet: string, select: readonly string[] | null): string =>
  `${ctx.base}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;

// ---- shaping ----

export const USER_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.user(0)).filter((k) => !k.startsWith('#')));
export const GROUP_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.group(dir.groups[0] ?? 0)));

export function shapeUser(dir: GraphDirectory, index: number, select: readonly string[] | null): Record<string, unknown> {
  // A reference list (members, an expanded manager: `$select=id`) needs no full user: a sandbox of 100k people serves ~1M of them per sync.
  if (select?.length === 1 && select[0] === 'id') return { id: dir.userId(index) };
  return project(dir.user(index), select ?? DEFAULT_USER_PROPERTIES);
}

export function shapeGroup(dir: GraphDirectory, index: number, select: readonly string[] | null): Record<string, unknown> {
  const g = dir.group(index);
  return select ? project(g, select) : g;
}

/** Walks `count` candidate positions from `start`, keeping those `accept` returns an object for, until `top` are found. */
function scan(start: number, count: number, top: number, accept: (position: number) => Record<string, unknown> | null): { items: Record<string, unknown>[]; next: number | null } {
  const items: Record<string, unknown>[] = [];
  let i = start;
  for (; i < count && items.length < top; i++) {
    const item = accept(i);
    if (item) items.push(item);
  }
  // Graph may return a last page that is empty; we look ahead instead so the final page carries no nextLink.
  while (i < count && accept(i) === null) i++;
  return { items, next: i < count ? i : null };
}

function pageStart(ctx: GraphRouteContext): number {
  const raw = ctx.query.get('$skiptoken');
  if (raw === null) return 0;
  const token = decodeToken<PageToken>(raw);
  if (!token || !Number.isInteger(token.o) || token.o < 0) throw badRequest(`Invalid $skiptoken value '${raw}'.`);
  return token.o;
}

export function collection(ctx: GraphRouteContext, entitySet: string, select: readonly string[] | null, count: number, accept: (position: number) => Record<string, unknown> | null): GraphReply {
  const top = parseTop(ctx.query);
  const { items, next } = scan(pageStart(ctx), count, top, accept);
  return {
    status: 200,
    json: {
      '@odata.context': contextUrl(ctx, entitySet, select),
      ...(next !== null ? { '@odata.nextLink': linkWith(ctx, '$skiptoken', encodeToken({ o: next } satisfies PageToken)) } : {}),
      value: items,
    },
  };
}

export function findUser(dir: GraphDirectory, idOrUpn: string): number {
  let index = dir.userIndex(idOrUpn);
  if (index < 0 && idOrUpn.includes('@')) index = dir.org.users.findIndex((u) => u.email.toLowerCase() === idOrUpn.toLowerCase());
  if (index < 0 || dir.isDeleted(index)) throw notFound(idOrUpn);
  return index;
}

export function findGroup(dir: GraphDirectory, id: string): number {
  const index = dir.groupIndex(id);
  if (index < 0) throw notFound(id);
  return index;
}
