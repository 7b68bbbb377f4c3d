// The Microsoft Graph v1.0 endpoints the sandbox serves, as
// ../shared/specs/msgraph-v1-subset.yaml describes them and as Graph behaves:
// default property sets (users return 11 properties unless $select asks for
// more), $top 1..999 (default 100), opaque $skiptoken paging through
// @odata.nextLink, delta queries with @odata.deltaLink, members@delta and
// @removed, and Graph's error codes and messages.
import type { GraphDirectory, GraphObjectKind } from './graph-directory.js';
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
const USER_TYPE = '#microsoft.graph.user';

const badRequest = (message: string, code = 'Request_BadRequest'): GraphHttpError => new GraphHttpError(400, code, message);

function parseTop(query: URLSearchParams): number {
  const raw = query.get('$top');
  if (raw === null) return DEFAULT_TOP;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_TOP) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_TOP} inclusive.`, 'Request_UnsupportedQuery');
  return n;
}

/** The $select list validated against the type's properties (null when absent). */
function parseSelect(query: URLSearchParams, known: ReadonlySet<string>, typeName: string, extra: readonly string[] = []): string[] | null {
  const raw = query.get('$select');
  if (raw === null || raw.trim() === '') return null;
  const props = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of props) {
    if (!known.has(p) && !extra.includes(p)) throw badRequest(`Could not find a property named '${p}' on type '${typeName}'.`);
  }
  return props;
}

function project(obj: Record<string, unknown>, props: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) if (p in obj) out[p] = obj[p];
  return out;
}

// Opaque tokens: base64url JSON. Clients must not (and Latchkey does not) look inside.
type PageToken = { o: number };
/** A delta position: change-log sequence `s` (and `from` while paging changes), object offset `o`, member offset `m` within it. */
type DeltaState = { k: GraphObjectKind; s: number; t: number; phase: 'initial' | 'changes'; o: number; m?: number; from?: number };

const encodeToken = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
function decodeToken<T>(raw: string): T | null {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

/** The request's own URL with one paging parameter replaced (Graph's nextLink keeps $select, $filter, $top). */
function linkWith(ctx: GraphRouteContext, name: string, value: string, drop: readonly string[] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of ctx.query) if (k !== '$skiptoken' && k !== '$deltatoken' && k !== '$deltaToken' && !drop.includes(k)) q.append(k, v);
  q.set(name, value);
  // Graph writes `$` and `,` unencoded in its links.
  return `${ctx.base}/v1.0${ctx.path}?${q.toString().replace(/%24/g, '$').replace(/%2C/gi, ',')}`;
}

const contextUrl = (ctx: GraphRouteContext, entitySet: string, select: readonly string[] | null): string =>
  `${ctx.base}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;

// ---- $filter (the basics Latchkey and admins use: eq / ne on scalars, startswith, groupTypes/any, joined by `and`) ----

type Predicate = (obj: Record<string, unknown>) => boolean;

type FilterKind = 'user' | 'group' | 'servicePrincipal' | 'signIn';

const FILTERABLE: Record<FilterKind, ReadonlySet<string>> = {
  signIn: new Set(['id', 'userId', 'userPrincipalName', 'appId', 'appDisplayName', 'userDisplayName']),
  servicePrincipal: new Set(['id', 'appId', 'displayName', 'accountEnabled', 'servicePrincipalType']),
  user: new Set(['id', 'accountEnabled', 'mail', 'userPrincipalName', 'employeeId', 'employeeType', 'department', 'displayName', 'givenName', 'surname', 'jobTitle', 'userType', 'city', 'country']),
  group: new Set(['id', 'displayName', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled']),
};

function literal(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  const m = /^'((?:[^']|'')*)'$/.exec(raw);
  if (m) return (m[1] ?? '').replace(/''/g, "'");
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b);

export function parseFilter(raw: string | null, kind: FilterKind): Predicate | null {
  if (raw === null || raw.trim() === '') return null;
  const resource = { user: 'User', group: 'Group', servicePrincipal: 'ServicePrincipal', signIn: 'SignIn' }[kind];
  const unsupported = (): GraphHttpError => badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const clauses = raw.trim().split(/\s+and\s+/i);
  const predicates = clauses.map((clause): Predicate => {
    let m = /^startswith\(\s*(\w+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(clause.trim());
    if (m) {
      const [, prop = '', lit = ''] = m;
      if (!FILTERABLE[kind].has(prop)) throw badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`, 'Request_UnsupportedQuery');
      const prefix = String(literal(lit)).toLowerCase();
      return (o) => typeof o[prop] === 'string' && o[prop].toLowerCase().startsWith(prefix);
    }
    m = /^(groupTypes|tags)\/any\(\s*(\w+)\s*:\s*\2\s+eq\s+('(?:[^']|'')*')\s*\)$/i.exec(clause.trim());
    if (m && ((kind === 'group' && m[1] === 'groupTypes') || (kind === 'servicePrincipal' && m[1] === 'tags'))) {
      const prop = m[1];
      const value = String(literal(m[3] ?? ''));
      return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((t) => same(t, value));
    }
    m = /^(\w+)\s+(eq|ne)\s+(.+)$/i.exec(clause.trim());
    if (m) {
      const [, prop = '', op = '', lit = ''] = m;
      if (!FILTERABLE[kind].has(prop)) throw badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`, 'Request_UnsupportedQuery');
      const value = literal(lit.trim());
      if (value === undefined) throw badRequest(`Invalid filter clause: syntax error at '${lit.trim()}'.`);
      const negate = op.toLowerCase() === 'ne';
      return (o) => same(o[prop] ?? null, value) !== negate;
    }
    throw unsupported();
  });
  return (o) => predicates.every((p) => p(o));
}

// ---- shaping ----

const USER_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.user(0)).filter((k) => !k.startsWith('#')));
const GROUP_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.group(dir.groups[0] ?? 0)));

function shapeUser(dir: GraphDirectory, index: number, select: readonly string[] | null): Record<string, unknown> {
  // A reference list (members, an expanded manager: `$select=id`) needs no full user: a sandbox of 100k people serves ~1M of them per sync.
  if (select?.length === 1 && select[0] === 'id') return { id: dir.userId(index) };
  return project(dir.user(index), select ?? DEFAULT_USER_PROPERTIES);
}

function shapeGroup(dir: GraphDirectory, index: number, select: readonly string[] | null): Record<string, unknown> {
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

function collection(ctx: GraphRouteContext, entitySet: string, select: readonly string[] | null, count: number, accept: (position: number) => Record<string, unknown> | null): GraphReply {
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

function findUser(dir: GraphDirectory, idOrUpn: string): number {
  let index = dir.userIndex(idOrUpn);
  if (index < 0 && idOrUpn.includes('@')) index = dir.org.users.findIndex((u) => u.email.toLowerCase() === idOrUpn.toLowerCase());
  if (index < 0 || dir.isDeleted(index)) throw notFound(idOrUpn);
  return index;
}

function findGroup(dir: GraphDirectory, id: string): number {
  const index = dir.groupIndex(id);
  if (index < 0) throw notFound(id);
  return index;
}

/** A user's $select, refused (403) for signInActivity without AuditLog.Read.All, as Graph does. */
function userSelect(ctx: GraphRouteContext): string[] | null {
  const select = parseSelect(ctx.query, USER_PROPS(ctx.dir), 'microsoft.graph.user');
  if (select?.includes('signInActivity')) requirePermission(ctx.roles, AUDIT_READ);
  return select;
}

/** `$expand=manager` or `manager($select=a,b)`: the one user navigation the sandbox expands (null: no $expand). */
function userExpand(ctx: GraphRouteContext): { select: string[] | null } | null {
  const raw = ctx.query.get('$expand');
  if (raw === null || raw.trim() === '') return null;
  const m = /^manager(?:\(\$select=([^)]*)\))?$/.exec(raw.trim());
  if (!m) {
    const name = raw.trim().split(/[(,]/)[0]?.trim() ?? '';
    throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
  }
  if (m[1] === undefined) return { select: null };
  const props = m[1].split(',').map((p) => p.trim()).filter((p) => p !== '');
  const known = USER_PROPS(ctx.dir);
  for (const p of props) if (!known.has(p)) throw badRequest(`Could not find a property named '${p}' on type 'microsoft.graph.user'.`);
  return { select: props };
}

/** The user with `manager` expanded when asked: absent when the user has none (or it was deleted), as Graph omits it. */
function shapeUserExpanded(dir: GraphDirectory, index: number, select: readonly string[] | null, expand: { select: string[] | null } | null): Record<string, unknown> {
  const user = shapeUser(dir, index, select);
  if (!expand) return user;
  const m = dir.managerIndexOf(index);
  if (m >= 0 && !dir.isDeleted(m)) user.manager = { '@odata.type': USER_TYPE, ...shapeUser(dir, m, expand.select) };
  return user;
}

function listUsers(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = userSelect(ctx);
  const expand = userExpand(ctx);
  const filter = parseFilter(ctx.query.get('$filter'), 'user');
  return collection(ctx, 'users', select, dir.org.users.length, (i) => {
    if (dir.isDeleted(i)) return null;
    if (filter && !filter(dir.user(i))) return null;
    return shapeUserExpanded(dir, i, select, expand);
  });
}

function listGroups(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = parseSelect(ctx.query, GROUP_PROPS(dir), 'microsoft.graph.group');
  const filter = parseFilter(ctx.query.get('$filter'), 'group');
  return collection(ctx, 'groups', select, dir.groups.length, (i) => {
    const g = dir.groups[i] ?? -1;
    if (filter && !filter(dir.group(g))) return null;
    return shapeGroup(dir, g, select);
  });
}

function listMembers(ctx: GraphRouteContext, groupId: string): GraphReply {
  const { dir } = ctx;
  const g = findGroup(dir, groupId);
  const select = parseSelect(ctx.query, USER_PROPS(dir), 'microsoft.graph.directoryObject');
  if (select?.includes('signInActivity')) requirePermission(ctx.roles, AUDIT_READ);
  const members = dir.memberships.members(g).slice();
  return collection(ctx, 'directoryObjects', select, members.length, (i) => ({ '@odata.type': USER_TYPE, ...shapeUser(dir, members[i] ?? 0, select) }));
}

/** The directory object id at the end of an @odata.id reference (…/directoryObjects/{id} or …/users/{id}). */
function referencedId(body: string | null): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  const ref = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['@odata.id'] : undefined;
  if (typeof ref !== 'string') throw badRequest("The request body is missing the '@odata.id' reference.");
  const m = /\/(?:directoryObjects|users)\/([^/?#]+)$/i.exec(ref);
  if (!m) throw badRequest(`Invalid object identifier '${ref}'.`);
  return decodeURIComponent(m[1] ?? '');
}

function refuseDynamic(dir: GraphDirectory, g: number): void {
  if (dir.isDynamic(g)) {
    // Graph refuses manual membership changes on dynamic membership groups.
    throw badRequest(`Insufficient privileges to complete the operation. Members of the dynamic membership group '${dir.groupId(g)}' are managed by its membership rule.`);
  }
}

function addMember(ctx: GraphRouteContext, groupId: string): GraphReply {
  const { dir } = ctx;
  const g = findGroup(dir, groupId);
  const userId = referencedId(ctx.body);
  const u = dir.userIndex(userId);
  if (u < 0 || dir.isDeleted(u)) throw notFound(userId);
  refuseDynamic(dir, g);
  if (!dir.memberships.add(g, u)) throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
  dir.record({ kind: 'group', index: g, member: { user: u, added: true } }, ctx.now);
  return { status: 204 };
}

function removeMember(ctx: GraphRouteContext, groupId: string, userId: string): GraphReply {
  const { dir } = ctx;
  const g = findGroup(dir, groupId);
  const u = dir.userIndex(userId);
  if (u < 0) throw notFound(userId);
  refuseDynamic(dir, g);
  if (!dir.memberships.remove(g, u)) {
    throw new GraphHttpError(404, 'Request_ResourceNotFound', "One or more removed object references do not exist for the following modified properties: 'members'.");
  }
  dir.record({ kind: 'group', index: g, member: { user: u, added: false } }, ctx.now);
  return { status: 204 };
}

// ---- delta ----

/** One object of a delta round, with its member references (groups) read lazily, as a page needs them. */
type DeltaEntry = {
  id: string;
  object: () => Record<string, unknown>;
  refCount: number;
  ref: (i: number) => Record<string, unknown>;
  /** The initial round lists an empty members@delta for a group without members; a change round omits it. */
  emptyMembers: boolean;
};

/**
 * Fills one delta page from `entries` starting at object `o`, member `m` of
 * it: at most `top` objects and `cap` member references. A group whose
 * members do not fit continues on the next page as `{id, members@delta}`
 * (Graph splits a large group's members@delta across pages, so clients merge
 * them by group id).
 */
function deltaPage(count: number, entryAt: (i: number) => DeltaEntry | null, o: number, m: number, top: number, cap: number, withMembers: boolean): { items: Record<string, unknown>[]; next: { o: number; m: number } | null } {
  const items: Record<string, unknown>[] = [];
  let refs = 0;
  let i = o;
  let mm = m;
  while (i < count && items.length < top) {
    const e = entryAt(i);
    if (!e) {
      i++;
      mm = 0;
      continue;
    }
    if (!withMembers || e.refCount === 0) {
      const obj = e.object();
      if (withMembers && e.emptyMembers) obj['members@delta'] = [];
      items.push(obj);
      i++;
      mm = 0;
      continue;
    }
    const room = cap - refs;
    if (room <= 0) break;
    const take = Math.min(room, e.refCount - mm);
    const obj = mm === 0 ? e.object() : { id: e.id };
    obj['members@delta'] = Array.from({ length: take }, (_, k) => e.ref(mm + k));
    items.push(obj);
    refs += take;
    if (mm + take < e.refCount) {
      mm += take;
      return { items, next: { o: i, m: mm } };
    }
    i++;
    mm = 0;
  }
  // Look past objects that produce nothing, so the last page carries the deltaLink (as scan() does).
  while (i < count && mm === 0 && entryAt(i) === null) i++;
  return { items, next: i < count ? { o: i, m: mm } : null };
}

function delta(ctx: GraphRouteContext, kind: GraphObjectKind): GraphReply {
  const { dir } = ctx;
  const entitySet = kind === 'user' ? 'users' : 'groups';
  // Delta tracks navigation properties through $select (manager, members), not $expand.
  if (ctx.query.has('$expand')) throw badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const select = kind === 'user' ? parseSelect(ctx.query, USER_PROPS(dir), 'microsoft.graph.user', ['manager']) : parseSelect(ctx.query, GROUP_PROPS(dir), 'microsoft.graph.group', ['members']);
  if (kind === 'user' && select?.includes('signInActivity')) requirePermission(ctx.roles, AUDIT_READ);
  const withMembers = kind === 'group' && (select === null || select.includes('members'));
  const withManager = kind === 'user' && select !== null && select.includes('manager');
  // A delta answer always carries each object's id, $select or not (clients merge by it).
  const objectSelect = select ? ['id', ...select.filter((p) => p !== 'members' && p !== 'manager' && p !== 'id')] : null;
  const top = parseTop(ctx.query);
  const deltaToken = ctx.query.get('$deltatoken') ?? ctx.query.get('$deltaToken');
  const skipToken = ctx.query.get('$skiptoken');

  const deltaLink = (s: number): string => linkWith(ctx, '$deltatoken', encodeToken({ k: kind, s, t: ctx.now, phase: 'changes', o: 0 } satisfies DeltaState), ['$top']);
  const reply = (value: unknown[], next: DeltaState | null, s: number): GraphReply => ({
    status: 200,
    json: {
      '@odata.context': contextUrl(ctx, entitySet, select),
      ...(next ? { '@odata.nextLink': linkWith(ctx, '$skiptoken', encodeToken(next)) } : { '@odata.deltaLink': deltaLink(s) }),
      value,
    },
  });

  if (deltaToken !== null && deltaToken.toLowerCase() === 'latest') return reply([], null, dir.seq());

  let state: DeltaState;
  if (deltaToken !== null || skipToken !== null) {
    const raw = (deltaToken ?? skipToken) as string;
    const decoded = decodeToken<DeltaState>(raw);
    if (!decoded || decoded.k !== kind || !Number.isInteger(decoded.s) || !Number.isInteger(decoded.o) || typeof decoded.t !== 'number' || (decoded.m !== undefined && !Number.isInteger(decoded.m))) {
      throw badRequest(`Badly formed token: '${raw.slice(0, 40)}'.`);
    }
    if (ctx.now - decoded.t > ctx.deltaTokenMaxAgeMs) {
      throw new GraphHttpError(410, 'syncStateNotFound', 'The sync state generation is not found. The token has expired: restart the synchronization from the beginning without a token.');
    }
    state = decoded;
  } else {
    state = { k: kind, s: dir.seq(), t: ctx.now, phase: 'initial', o: 0 };
  }

  const memberRef = (user: number, removed: boolean): Record<string, unknown> => ({ '@odata.type': USER_TYPE, id: dir.userId(user), ...(removed ? { '@removed': { reason: 'deleted' } } : {}) });
  const currentManager = (u: number): number | null => {
    const m = dir.managerIndexOf(u);
    return m >= 0 && !dir.isDeleted(m) ? m : null;
  };
  const userObject = (u: number, initial: boolean): Record<string, unknown> => {
    const obj = shapeUser(dir, u, objectSelect);
    if (withManager) {
      const m = currentManager(u);
      const previous = initial ? null : dir.previousManager(u);
      // The current manager, or (in a change round) the removal of the one the user had.
      if (m !== null) obj['manager@delta'] = [memberRef(m, false)];
      else if (previous !== null) obj['manager@delta'] = [memberRef(previous, true)];
    }
    return obj;
  };
  const cap = Math.max(1, ctx.deltaMembersPerPage);
  const m0 = state.m ?? 0;

  if (state.phase === 'initial') {
    const count = kind === 'user' ? dir.org.users.length : dir.groups.length;
    const entryAt = (i: number): DeltaEntry | null => {
      if (kind === 'user') {
        if (dir.isDeleted(i)) return null;
        return { id: dir.userId(i), object: () => userObject(i, true), refCount: 0, ref: () => ({}), emptyMembers: false };
      }
      const g = dir.groups[i] ?? 0;
      const members = dir.memberships.members(g);
      return { id: dir.groupId(g), object: () => shapeGroup(dir, g, objectSelect), refCount: members.length, ref: (k) => memberRef(members[k] ?? 0, false), emptyMembers: true };
    };
    const { items, next } = deltaPage(count, entryAt, state.o, m0, top, cap, withMembers);
    return reply(items, next !== null ? { ...state, o: next.o, m: next.m } : null, state.s);
  }

  // Changes after the token's position, one entry per object (its latest state), in order of last change.
  const from = state.from ?? state.s;
  const upTo = state.from !== undefined ? state.s : dir.seq();
  const touched = new Map<number, Map<number, boolean>>();
  for (const c of dir.changes) {
    if (c.seq <= from || c.seq > upTo || c.kind !== kind) continue;
    const members = touched.get(c.index) ?? new Map<number, boolean>();
    touched.delete(c.index);
    touched.set(c.index, members);
    if (c.kind === 'group' && c.member) {
      members.delete(c.member.user);
      members.set(c.member.user, c.member.added);
    }
  }
  const entries = [...touched.entries()];
  const entryAt = (i: number): DeltaEntry | null => {
    const [index, members] = entries[i] ?? [0, new Map<number, boolean>()];
    if (kind === 'user') {
      const id = dir.userId(index);
      const object = dir.isDeleted(index) ? () => ({ id, '@removed': { reason: 'changed' } }) : () => userObject(index, false);
      return { id, object, refCount: 0, ref: () => ({}), emptyMembers: false };
    }
    const changes = [...members.entries()];
    return { id: dir.groupId(index), object: () => shapeGroup(dir, index, objectSelect), refCount: changes.length, ref: (k) => memberRef(changes[k]?.[0] ?? 0, !(changes[k]?.[1] ?? true)), emptyMembers: false };
  };
  const { items, next } = deltaPage(entries.length, entryAt, state.o, m0, top, cap, withMembers);
  return reply(items, next !== null ? { k: kind, s: upTo, from, t: state.t, phase: 'changes', o: next.o, m: next.m } : null, upTo);
}

// ---- enterprise applications ----

const SP_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.servicePrincipal(0)));

function findServicePrincipal(dir: GraphDirectory, id: string): number {
  const index = dir.servicePrincipalIndex(id);
  if (index < 0) throw notFound(id);
  return index;
}

function listServicePrincipals(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = parseSelect(ctx.query, SP_PROPS(dir), 'microsoft.graph.servicePrincipal');
  const filter = parseFilter(ctx.query.get('$filter'), 'servicePrincipal');
  return collection(ctx, 'servicePrincipals', select, dir.apps.length, (i) => {
    const sp = dir.servicePrincipal(dir.apps[i] ?? 0);
    if (filter && !filter(sp)) return null;
    return select ? project(sp, select) : sp;
  });
}

function getServicePrincipal(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findServicePrincipal(ctx.dir, id);
  const select = parseSelect(ctx.query, SP_PROPS(ctx.dir), 'microsoft.graph.servicePrincipal');
  const sp = ctx.dir.servicePrincipal(index);
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'servicePrincipals', select)}/$entity`, ...(select ? project(sp, select) : sp) } };
}

// The properties of an appRoleAssignment / signIn (known even when the list at hand is empty).
const APP_ROLE_ASSIGNMENT_PROPS: ReadonlySet<string> = new Set(['id', 'deletedDateTime', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId']);
const SIGN_IN_PROPS: ReadonlySet<string> = new Set(['id', 'createdDateTime', 'userDisplayName', 'userPrincipalName', 'userId', 'appId', 'appDisplayName', 'ipAddress', 'clientAppUsed', 'isInteractive', 'resourceDisplayName', 'status', 'location']);

function listAppRoleAssignedTo(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findServicePrincipal(ctx.dir, id);
  const assignments = ctx.dir.appRoleAssignedTo(index);
  const select = parseSelect(ctx.query, APP_ROLE_ASSIGNMENT_PROPS, 'microsoft.graph.appRoleAssignment');
  return collection(ctx, `servicePrincipals('${id}')/appRoleAssignedTo`, select, assignments.length, (i) => {
    const a = assignments[i] ?? {};
    return select ? project(a, select) : a;
  });
}

function listSignIns(ctx: GraphRouteContext): GraphReply {
  const rows = ctx.dir.signIns();
  const select = parseSelect(ctx.query, rows[0] ? new Set(Object.keys(rows[0])) : SIGN_IN_PROPS, 'microsoft.graph.signIn');
  const filter = parseFilter(ctx.query.get('$filter'), 'signIn');
  return collection(ctx, 'auditLogs/signIns', select, rows.length, (i) => {
    const row = rows[i] ?? {};
    if (filter && !filter(row)) return null;
    return select ? project(row, select) : row;
  });
}

// ---- routing ----

function getUser(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findUser(ctx.dir, id);
  const select = userSelect(ctx);
  const expand = userExpand(ctx);
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'users', select)}/$entity`, ...shapeUserExpanded(ctx.dir, index, select, expand) } };
}

function getManager(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findUser(ctx.dir, id);
  const managerId = ctx.dir.user(index)['#manager'];
  if (typeof managerId !== 'string') throw notFound('manager');
  const m = ctx.dir.userIndex(managerId);
  if (m < 0 || ctx.dir.isDeleted(m)) throw notFound('manager');
  return { status: 200, json: { '@odata.context': `${ctx.base}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': USER_TYPE, ...shapeUser(ctx.dir, m, null) } };
}

function getGroup(ctx: GraphRouteContext, id: string): GraphReply {
  const g = findGroup(ctx.dir, id);
  const select = parseSelect(ctx.query, GROUP_PROPS(ctx.dir), 'microsoft.graph.group');
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'groups', select)}/$entity`, ...shapeGroup(ctx.dir, g, select) } };
}

type RouteDef = { method: string; pattern: RegExp; route: GraphRoute };

const DELTA = '(?:delta|delta\\(\\)|microsoft\\.graph\\.delta\\(\\))';
const SEG = '([^/]+)';

// Base costs follow Graph's identity throttling table (approximate): list 2, item 1, delta 5, members list 3, writes 5.
export const GRAPH_ROUTES: readonly RouteDef[] = [
  { method: 'GET', pattern: new RegExp(`^/users/${DELTA}$`), route: { cost: 5, write: false, permissions: USER_READ, handle: (ctx) => delta(ctx, 'user') } },
  { method: 'GET', pattern: /^\/users$/, route: { cost: 2, write: false, permissions: USER_READ, handle: (ctx) => listUsers(ctx) } },
  { method: 'GET', pattern: new RegExp(`^/users/${SEG}/manager$`), route: { cost: 1, write: false, permissions: USER_READ, handle: (ctx, [id = '']) => getManager(ctx, id) } },
  { method: 'GET', pattern: new RegExp(`^/users/${SEG}$`), route: { cost: 1, write: false, permissions: USER_READ, handle: (ctx, [id = '']) => getUser(ctx, id) } },
  { method: 'GET', pattern: new RegExp(`^/groups/${DELTA}$`), route: { cost: 5, write: false, permissions: GROUP_READ, handle: (ctx) => delta(ctx, 'group') } },
  { method: 'GET', pattern: /^\/groups$/, route: { cost: 2, write: false, permissions: GROUP_READ, handle: (ctx) => listGroups(ctx) } },
  { method: 'GET', pattern: new RegExp(`^/groups/${SEG}$`), route: { cost: 1, write: false, permissions: GROUP_READ, handle: (ctx, [id = '']) => getGroup(ctx, id) } },
  { method: 'GET', pattern: new RegExp(`^/groups/${SEG}/members$`), route: { cost: 3, write: false, permissions: GROUP_READ, handle: (ctx, [id = '']) => listMembers(ctx, id) } },
  { method: 'GET', pattern: /^\/auditLogs\/signIns$/, route: { cost: 2, write: false, permissions: AUDIT_READ, handle: (ctx) => listSignIns(ctx) } },
  { method: 'GET', pattern: /^\/servicePrincipals$/, route: { cost: 2, write: false, permissions: APP_READ, handle: (ctx) => listServicePrincipals(ctx) } },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals/${SEG}$`), route: { cost: 1, write: false, permissions: APP_READ, handle: (ctx, [id = '']) => getServicePrincipal(ctx, id) } },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals/${SEG}/appRoleAssignedTo$`), route: { cost: 2, write: false, permissions: APP_READ, handle: (ctx, [id = '']) => listAppRoleAssignedTo(ctx, id) } },
  { method: 'POST', pattern: new RegExp(`^/groups/${SEG}/members/\\$ref$`), route: { cost: 5, write: true, permissions: MEMBER_WRITE, handle: (ctx, [id = '']) => addMember(ctx, id) } },
  { method: 'DELETE', pattern: new RegExp(`^/groups/${SEG}/members/${SEG}/\\$ref$`), route: { cost: 5, write: true, permissions: MEMBER_WRITE, handle: (ctx, [id = '', member = '']) => removeMember(ctx, id, member) } },
];

/** The route for (method, path after /v1.0), `methodNotAllowed` when only the method is wrong, or null. */
export function matchGraphRoute(method: string, path: string): { route: GraphRoute; params: string[] } | { methodNotAllowed: true } | null {
  let pathMatched = false;
  for (const def of GRAPH_ROUTES) {
    const m = def.pattern.exec(path);
    if (!m) continue;
    if (def.method !== method) {
      pathMatched = true;
      continue;
    }
    return { route: def.route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}
