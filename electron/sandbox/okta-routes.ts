// The Okta management API endpoints the sandbox serves: one table of routes
// (method, the spec's path template, the OAuth scope the spec requires) and
// their handlers. Handlers are plain functions of the state and the request;
// okta-server.ts does HTTP, authentication, rate limits and faults around them.
//
// Paging follows Okta: `limit` + opaque `after` cursor, and a Link header with
// rel="self" and, when there may be more, rel="next". Cursors are the id of
// the last item returned (as Okta's are for users and groups), resolved to a
// position through the id index, so paging is O(page) however deep it goes.
import { randomBytes } from 'node:crypto';
import { lowerBound } from './membership-store.js';
import type { DepartmentDef, LocationDef } from './org-data.js';
import type { OrgApp, OrgGroup, OrgUser } from './org-model.js';
import { iso, renderApp, renderAppGroupAssignment, renderGroup, renderOrgSettings, renderRole, renderRule, renderUser, userProfile, type AdminRole } from './okta-resources.js';
import type { Clock, OktaMutations, OktaState } from './okta-state.js';
import { evaluateFilter, filterTerms, FilterSyntaxError, parseFilter, usesNot, type AttributeValue, type FilterNode } from './scim-filter.js';
import { decodeLogCursor, renderLogEvent, type LogRecord } from './system-log.js';

export type Principal =
  | { kind: 'ssws'; user: number; role: AdminRole }
  | { kind: 'oauth'; clientId: string; label: string; scopes: ReadonlySet<string> };

export type Reply = { status: number; body?: string | Buffer; contentType?: string; headers?: Record<string, string | string[]> };

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** A JSON array from already-encoded elements. */
function jsonArray(parts: readonly Buffer[]): Buffer {
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
const invalidSearch = (): OktaHttpError => new OktaHttpError(errorReply(400, 'E0000031', 'Invalid search criteria.'));
const validation = (param: string, cause: string): OktaHttpError => new OktaHttpError(errorReply(400, 'E0000001', `Api validation failed: ${param}`, [`${param}: ${cause}`]));
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
  method: 'GET' | 'PUT' | 'DELETE';
  /** The path template exactly as the spec writes it. */
  path: string;
  operationId: string;
  /** OAuth scope the spec's `security` requires; a `.manage` scope also grants `.read`. */
  scope: string;
  write: boolean;
  handle: (ctx: RouteContext) => Reply;
};

const jsonReply = (value: unknown, headers?: Record<string, string | string[]>): Reply => ({ status: 200, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) });

/** Link header values: self (with the effective limit) and next (with the cursor), as Okta sends them. */
function links(ctx: RouteContext, limit: number | null, nextAfter: string | null): string[] {
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

function parseLimit(raw: string | null, def: number, max: number, min = 1): number {
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw validation('limit', 'The value must be an integer.');
  const n = Number(raw);
  if (n < min) throw validation('limit', `The value must be at least ${min}.`);
  // Okta caps an over-large limit at the endpoint's maximum rather than failing.
  return Math.min(n, max);
}

function parseExpression(text: string, onError: () => OktaHttpError): FilterNode {
  try {
    return parseFilter(text);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw onError();
    throw e;
  }
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

// --- users --------------------------------------------------------------------------

/** Base and custom profile attributes a user search may name. */
const PROFILE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'city', 'costCenter', 'countryCode', 'department', 'displayName', 'division', 'email', 'employeeNumber', 'firstName',
  'honorificPrefix', 'honorificSuffix', 'lastName', 'locale', 'login', 'manager', 'managerId', 'middleName', 'mobilePhone',
  'nickName', 'organization', 'postalAddress', 'preferredLanguage', 'primaryPhone', 'profileUrl', 'secondEmail', 'state',
  'streetAddress', 'timezone', 'title', 'userType', 'zipCode', 'sponsorId', 'sponsorEmail',
]);
const USER_SEARCH_TOP_LEVEL: ReadonlySet<string> = new Set(['id', 'status', 'created', 'activated', 'statusChanged', 'lastUpdated', 'type.id']);

function profileValue(ctx: RouteContext, u: OrgUser, name: string): AttributeValue {
  const org = ctx.state.org;
  switch (name) {
    case 'firstName': return u.firstName;
    case 'lastName': return u.lastName;
    case 'login': return u.login;
    case 'email': return u.email;
    case 'displayName': return `${u.firstName} ${u.lastName}`;
    case 'title': return u.title;
    case 'department': return (org.departments[u.department] as DepartmentDef).name;
    case 'city': return (org.locations[u.location] as LocationDef).city;
    case 'userType': return u.employmentType;
    case 'employeeNumber': return u.employeeNumber;
    case 'organization': return u.organization;
    case 'managerId': return u.managerIndex >= 0 ? (org.users[u.managerIndex] as OrgUser).id : undefined;
    case 'sponsorId': return u.sponsorIndex >= 0 ? (org.users[u.sponsorIndex] as OrgUser).id : undefined;
    case 'mobilePhone': return u.mobilePhone;
    default: {
      const v = userProfile(org, u)[name];
      return v === undefined ? undefined : (v as AttributeValue);
    }
  }
}

function userAttribute(ctx: RouteContext, u: OrgUser, attr: string): AttributeValue {
  switch (attr) {
    case 'id': return u.id;
    case 'status': return u.status;
    // Timestamps as instants: compared without formatting each one (scim-filter.ts).
    case 'created': return { instant: u.created };
    case 'activated': return u.activated === null ? null : { instant: u.activated };
    case 'statusChanged': return u.statusChanged === null ? null : { instant: u.statusChanged };
    case 'lastUpdated': return { instant: u.lastUpdated };
    case 'type.id': return ctx.state.org.userTypeId;
    default: return attr.startsWith('profile.') ? profileValue(ctx, u, attr.slice('profile.'.length)) : undefined;
  }
}

const FILTERABLE_USER_ATTRS: ReadonlySet<string> = new Set(['status', 'lastUpdated', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName']);

function userPredicate(ctx: RouteContext): { test: (u: OrgUser) => boolean; paged: boolean; defaultLimit: number } {
  const search = ctx.query.get('search');
  const filter = ctx.query.get('filter');
  const q = ctx.query.get('q');
  // Deleted users are gone from every listing.
  const tests: ((u: OrgUser) => boolean)[] = [(u) => u.deleted !== true];
  if (search !== null) {
    const node = parseExpression(search, invalidSearch);
    for (const t of filterTerms(node)) {
      const ok = USER_SEARCH_TOP_LEVEL.has(t.attr) || (t.attr.startsWith('profile.') && PROFILE_ATTRIBUTES.has(t.attr.slice(8)));
      if (!ok) throw invalidSearch();
    }
    tests.push((u) => evaluateFilter(node, (a) => userAttribute(ctx, u, a), { caseInsensitive: true }));
  }
  if (filter !== null) {
    // `filter` is the restricted form: a few properties, eq only (lastUpdated
    // also gt/ge/lt/le), and/or but no not; values are case-sensitive.
    const node = parseExpression(filter, invalidSearch);
    if (usesNot(node)) throw invalidSearch();
    for (const t of filterTerms(node)) {
      if (!FILTERABLE_USER_ATTRS.has(t.attr)) throw invalidSearch();
      if (t.op !== 'eq' && !(t.attr === 'lastUpdated' && ['gt', 'ge', 'lt', 'le'].includes(t.op))) throw invalidSearch();
    }
    tests.push((u) => evaluateFilter(node, (a) => userAttribute(ctx, u, a), { caseInsensitive: false }));
  }
  if (q !== null) {
    const prefix = q.toLowerCase();
    tests.push((u) => u.status !== 'DEPROVISIONED' && (u.firstName.toLowerCase().startsWith(prefix) || u.lastName.toLowerCase().startsWith(prefix) || u.email.toLowerCase().startsWith(prefix)));
  }
  // Okta: a plain list omits DEPROVISIONED users; search and filter return them.
  if (search === null && filter === null) tests.push((u) => u.status !== 'DEPROVISIONED');
  return {
    test: (u) => tests.every((t) => t(u)),
    // `q` "doesn't support pagination, but you can use limit".
    paged: q === null,
    defaultLimit: q !== null ? 10 : 200,
  };
}

function listUsers(ctx: RouteContext): Reply {
  const { state } = ctx;
  const users = state.org.users;
  const pred = userPredicate(ctx);
  const limit = parseLimit(ctx.query.get('limit'), pred.defaultLimit, 200);
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null && pred.paged) {
    const i = state.userIndex(after);
    if (i === undefined) throw validation('after', 'The cursor is not valid.');
    start = i + 1;
  }
  const parts: Buffer[] = [];
  let last = -1;
  for (let i = start; i < users.length && parts.length < limit; i++) {
    const u = users[i] as OrgUser;
    if (pred.test(u)) {
      parts.push(state.userJson(i));
      last = i;
    }
  }
  const more = pred.paged && parts.length === limit && last < users.length - 1;
  return { status: 200, body: jsonArray(parts), contentType: JSON_TYPE, headers: { Link: links(ctx, limit, more ? (users[last] as OrgUser).id : null) } };
}

function resolveUser(ctx: RouteContext, key: string): OrgUser {
  if (key === 'me') {
    // A service app's token has no user behind it.
    if (ctx.principal.kind !== 'ssws') throw notFound('me', 'User');
    return ctx.state.org.users[ctx.principal.user] as OrgUser;
  }
  const i = ctx.state.findUser(key);
  if (i === undefined) throw notFound(key, 'User');
  return ctx.state.org.users[i] as OrgUser;
}

function getUser(ctx: RouteContext): Reply {
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  return jsonReply(renderUser(ctx.state.org, u, ctx.state.base(), true));
}

function listUserGroups(ctx: RouteContext): Reply {
  const { state } = ctx;
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  const groups = state.org.memberships.groupsOf(u.index);
  const out: unknown[] = [];
  for (const g of groups) out.push(renderGroup(state.org, state.org.groups[g] as OrgGroup, state.base()));
  return jsonReply(out);
}

function listUserRoles(ctx: RouteContext): Reply {
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  const role = ctx.state.adminRole(u.index);
  return jsonReply(role ? [renderRole(ctx.state.org, u, role, ctx.state.base())] : []);
}

// --- groups -------------------------------------------------------------------------

function groupAttribute(ctx: RouteContext, g: OrgGroup, attr: string): AttributeValue {
  switch (attr) {
    case 'id': return g.id;
    case 'type': return g.type;
    case 'created': return iso(g.created);
    case 'lastUpdated': return iso(g.lastUpdated);
    case 'lastMembershipUpdated': return iso(g.lastMembershipUpdated);
    case 'profile.name': return g.name;
    case 'profile.description': return g.description;
    case 'source.id': return g.sourceApp >= 0 ? (ctx.state.org.apps[g.sourceApp] as OrgApp).id : undefined;
    default:
      if (attr.startsWith('profile.') && g.ad) {
        const v = (g.ad as Record<string, string>)[attr.slice(8)];
        return v;
      }
      return undefined;
  }
}

const GROUP_SEARCH_ATTRS: ReadonlySet<string> = new Set([
  'id', 'type', 'created', 'lastUpdated', 'lastMembershipUpdated', 'source.id', 'profile.name', 'profile.description',
  'profile.samAccountName', 'profile.dn', 'profile.windowsDomainQualifiedName', 'profile.externalId', 'profile.objectSid', 'profile.groupType', 'profile.groupScope',
]);
const FILTERABLE_GROUP_ATTRS: ReadonlySet<string> = new Set(['id', 'type', 'lastUpdated', 'lastMembershipUpdated']);

function listGroups(ctx: RouteContext): Reply {
  const { state } = ctx;
  const groups = state.org.groups;
  const search = ctx.query.get('search');
  const filter = ctx.query.get('filter');
  const q = ctx.query.get('q');
  const tests: ((g: OrgGroup) => boolean)[] = [(g) => g.deleted !== true];
  if (search !== null) {
    const node = parseExpression(search, invalidSearch);
    if (filterTerms(node).some((t) => !GROUP_SEARCH_ATTRS.has(t.attr))) throw invalidSearch();
    tests.push((g) => evaluateFilter(node, (a) => groupAttribute(ctx, g, a), { caseInsensitive: true }));
  }
  if (filter !== null) {
    const node = parseExpression(filter, invalidSearch);
    if (usesNot(node)) throw invalidSearch();
    for (const t of filterTerms(node)) {
      if (!FILTERABLE_GROUP_ATTRS.has(t.attr)) throw invalidSearch();
      if ((t.attr === 'id' || t.attr === 'type') && t.op !== 'eq') throw invalidSearch();
    }
    tests.push((g) => evaluateFilter(node, (a) => groupAttribute(ctx, g, a), { caseInsensitive: false }));
  }
  if (q !== null) {
    const prefix = q.toLowerCase();
    tests.push((g) => g.name.toLowerCase().startsWith(prefix));
  }
  // "Paging and searching are currently mutually exclusive. You can't page a query."
  const paged = q === null;
  const limit = parseLimit(ctx.query.get('limit'), q !== null ? 300 : 10000, 10000);
  const expand = new Set((ctx.query.get('expand') ?? '').split(',').filter(Boolean));
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null && paged) {
    const i = state.groupIndex(after);
    if (i === undefined) throw validation('after', 'The cursor is not valid.');
    start = i + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < groups.length && out.length < limit; i++) {
    const g = groups[i] as OrgGroup;
    if (!tests.every((t) => t(g))) continue;
    out.push(renderGroupFor(ctx, g, expand));
    last = i;
  }
  const more = paged && out.length === limit && last < groups.length - 1;
  return jsonReply(out, { Link: links(ctx, limit, more ? (groups[last] as OrgGroup).id : null) });
}

function renderGroupFor(ctx: RouteContext, g: OrgGroup, expand: ReadonlySet<string>): unknown {
  const { state } = ctx;
  return renderGroup(state.org, g, state.base(), {
    ...(expand.has('stats') ? { stats: { usersCount: state.org.memberships.members(g.index).length, appsCount: state.appsOfGroup(g.index) } } : {}),
    ...(expand.has('app') && g.sourceApp >= 0 ? { app: state.org.apps[g.sourceApp] as OrgApp } : {}),
  });
}

function needGroup(ctx: RouteContext, raw: string): OrgGroup {
  const id = decode(raw);
  const i = ctx.state.groupIndex(id);
  const g = i === undefined ? undefined : ctx.state.org.groups[i];
  if (!g || g.deleted) throw notFound(id, 'UserGroup');
  return g;
}

function getGroup(ctx: RouteContext): Reply {
  const g = needGroup(ctx, ctx.params[0] ?? '');
  return jsonReply(renderGroupFor(ctx, g, new Set((ctx.query.get('expand') ?? '').split(',').filter(Boolean))));
}

function listGroupUsers(ctx: RouteContext): Reply {
  const { state } = ctx;
  const g = needGroup(ctx, ctx.params[0] ?? '');
  const members = state.org.memberships.members(g.index);
  // Default 1000 ("a very high number due to historical reasons"); larger
  // values are capped there.
  const limit = parseLimit(ctx.query.get('limit'), 1000, 1000);
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const u = state.userIndex(after);
    if (u === undefined) throw validation('after', 'The cursor is not valid.');
    // Resume after that user even if they have left the group meanwhile.
    start = lowerBound(members, u + 1);
  }
  const end = Math.min(members.length, start + limit);
  const parts: Buffer[] = new Array<Buffer>(end - start);
  for (let i = start; i < end; i++) parts[i - start] = state.userJson(members[i] as number);
  const more = end < members.length;
  const nextAfter = more ? (state.org.users[members[end - 1] as number] as OrgUser).id : null;
  return { status: 200, body: jsonArray(parts), contentType: JSON_TYPE, headers: { Link: links(ctx, limit, nextAfter) } };
}

function changeMembership(ctx: RouteContext, add: boolean): Reply {
  const { state } = ctx;
  const g = needGroup(ctx, ctx.params[0] ?? '');
  const userKey = decode(ctx.params[1] ?? '');
  const ui = state.userIndex(userKey);
  if (ui === undefined || state.org.users[ui]?.deleted) throw notFound(userKey, 'User');
  // "You only can modify memberships for groups of the OKTA_GROUP type":
  // app imports own APP_GROUP memberships, Okta owns Everyone.
  if (g.type !== 'OKTA_GROUP') return accessDenied();
  const u = state.org.users[ui] as OrgUser;
  const options = {
    actor: ctx.principal.kind === 'ssws' ? ({ kind: 'user', user: ctx.principal.user, via: 'api' } as const) : ({ kind: 'client', clientId: ctx.principal.clientId, label: ctx.principal.label } as const),
    requestUri: ctx.path,
  };
  if (add) ctx.mutations.addMembership(g.id, u.id, options);
  else ctx.mutations.removeMembership(g.id, u.id, options);
  return { status: 204 };
}

function listGroupRules(ctx: RouteContext): Reply {
  const { state } = ctx;
  const rules = state.org.rules;
  const limit = parseLimit(ctx.query.get('limit'), 50, 200);
  const search = ctx.query.get('search')?.toLowerCase() ?? null;
  const embedNames = ctx.query.get('expand') === 'groupIdToGroupNameMap';
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const i = state.ruleIndex(after);
    if (i === undefined) throw validation('after', 'The cursor is not valid.');
    start = i + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < rules.length && out.length < limit; i++) {
    const r = rules[i] as (typeof rules)[number];
    if (search !== null && !r.name.toLowerCase().includes(search)) continue;
    const json = renderRule(state.org, r);
    if (embedNames) {
      const g = state.org.groups[r.group] as OrgGroup;
      json._embedded = { groupIdToGroupNameMap: { [g.id]: g.name } };
    }
    out.push(json);
    last = i;
  }
  const more = out.length === limit && last < rules.length - 1;
  return jsonReply(out, { Link: links(ctx, limit, more ? (rules[last] as (typeof rules)[number]).id : null) });
}

// --- apps ---------------------------------------------------------------------------

function appAttribute(app: OrgApp, attr: string): AttributeValue {
  switch (attr) {
    case 'id': return app.id;
    case 'status': return app.status;
    case 'name': return app.name;
    case 'settings.slo.enabled': return false;
    default: return undefined;
  }
}
const FILTERABLE_APP_ATTRS: ReadonlySet<string> = new Set(['id', 'status', 'name', 'settings.slo.enabled', 'credentials.signing.kid']);

function listApplications(ctx: RouteContext): Reply {
  const { state } = ctx;
  const apps = state.org.apps;
  const filter = ctx.query.get('filter');
  const q = ctx.query.get('q');
  const includeNonDeleted = ctx.query.get('includeNonDeleted') === 'true';
  const tests: ((a: OrgApp) => boolean)[] = [];
  let filtersStatus = false;
  if (filter !== null) {
    const node = parseExpression(filter, invalidSearch);
    for (const t of filterTerms(node)) {
      if (!FILTERABLE_APP_ATTRS.has(t.attr)) throw invalidSearch();
      if (t.attr === 'status') filtersStatus = true;
    }
    tests.push((a) => evaluateFilter(node, (attr) => appAttribute(a, attr), { caseInsensitive: false }));
  }
  if (q !== null) {
    const prefix = q.toLowerCase();
    tests.push((a) => a.name.toLowerCase().startsWith(prefix) || a.label.toLowerCase().startsWith(prefix));
  }
  // includeNonDeleted: "whether to include non-active, but not deleted apps".
  if (!includeNonDeleted && !filtersStatus) tests.push((a) => a.status === 'ACTIVE');
  // Default -1: every app in one response.
  const rawLimit = ctx.query.get('limit');
  const limit = rawLimit === '-1' ? -1 : parseLimit(rawLimit, -1, 200);
  const pageSize = limit < 0 ? Number.POSITIVE_INFINITY : limit;
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const i = state.appIndex(after);
    if (i === undefined) throw validation('after', 'The cursor is not valid.');
    start = i + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < apps.length && out.length < pageSize; i++) {
    const a = apps[i] as OrgApp;
    if (!tests.every((t) => t(a))) continue;
    out.push(renderApp(state.org, a, state.base()));
    last = i;
  }
  const more = out.length === pageSize && last < apps.length - 1;
  return jsonReply(out, { Link: links(ctx, limit < 0 ? null : limit, more ? (apps[last] as OrgApp).id : null) });
}

function needApp(ctx: RouteContext): OrgApp {
  const id = decode(ctx.params[0] ?? '');
  const i = ctx.state.appIndex(id);
  if (i === undefined) throw notFound(id, 'AppInstance');
  return ctx.state.org.apps[i] as OrgApp;
}

function getApplication(ctx: RouteContext): Reply {
  return jsonReply(renderApp(ctx.state.org, needApp(ctx), ctx.state.base()));
}

function listApplicationGroupAssignments(ctx: RouteContext): Reply {
  const { state } = ctx;
  const app = needApp(ctx);
  // The spec bounds this limit to 20..200 (default 20).
  const raw = ctx.query.get('limit');
  const limit = Math.max(20, parseLimit(raw, 20, 200));
  const q = ctx.query.get('q')?.toLowerCase() ?? null;
  const embedGroup = (ctx.query.get('expand') ?? '').split(',').includes('group');
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const pos = app.assignments.findIndex((a) => (state.org.groups[a.group] as OrgGroup).id === after);
    if (pos < 0) throw validation('after', 'The cursor is not valid.');
    start = pos + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < app.assignments.length && out.length < limit; i++) {
    const a = app.assignments[i] as (typeof app.assignments)[number];
    const g = state.org.groups[a.group] as OrgGroup;
    if (q !== null && !g.name.toLowerCase().startsWith(q)) continue;
    out.push(renderAppGroupAssignment(state.org, app, a, state.base(), embedGroup));
    last = i;
  }
  const more = out.length === limit && last < app.assignments.length - 1;
  const nextAfter = more ? (state.org.groups[(app.assignments[last] as (typeof app.assignments)[number]).group] as OrgGroup).id : null;
  return jsonReply(out, { Link: links(ctx, limit, nextAfter) });
}

// --- system log ---------------------------------------------------------------------

function logAttribute(r: LogRecord, attr: string): AttributeValue {
  switch (attr) {
    case 'eventType': return r.eventType;
    case 'severity': return r.severity;
    case 'uuid': return r.uuid;
    case 'published': return new Date(r.published).toISOString();
    case 'outcome.result': return r.outcome;
    case 'transaction.id': return r.transactionId;
    case 'actor.id': return r.actor.id;
    case 'actor.type': return r.actor.type;
    case 'actor.alternateId': return r.actor.alternateId;
    case 'actor.displayName': return r.actor.displayName;
    case 'target.id': return r.targets.map((t) => t.id);
    case 'target.type': return r.targets.map((t) => t.type);
    case 'target.alternateId': return r.targets.map((t) => t.alternateId);
    case 'target.displayName': return r.targets.map((t) => t.displayName);
    default: return undefined;
  }
}
const LOG_FILTER_ATTRS: ReadonlySet<string> = new Set([
  'eventType', 'severity', 'uuid', 'published', 'outcome.result', 'transaction.id', 'actor.id', 'actor.type', 'actor.alternateId',
  'actor.displayName', 'target.id', 'target.type', 'target.alternateId', 'target.displayName',
]);

function parseTime(raw: string, param: string): number {
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || !Number.isFinite(t)) throw validation(param, 'The value must be an ISO 8601 timestamp.');
  return t;
}

function listLogEvents(ctx: RouteContext): Reply {
  const { state } = ctx;
  const now = ctx.clock.now().getTime();
  const q = ctx.query;
  const untilRaw = q.get('until');
  const until = untilRaw !== null ? parseTime(untilRaw, 'until') : now + 1;
  const sinceRaw = q.get('since');
  const since = sinceRaw !== null ? parseTime(sinceRaw, 'since') : until - 7 * 86_400_000;
  if (since > until) throw validation('since', 'The value must be before until.');
  const order = q.get('sortOrder') ?? 'ASCENDING';
  if (order !== 'ASCENDING' && order !== 'DESCENDING') throw validation('sortOrder', 'The value must be ASCENDING or DESCENDING.');
  const limit = parseLimit(q.get('limit'), 100, 1000, 0);
  let afterSeq: number | null = null;
  const after = q.get('after');
  if (after !== null) {
    afterSeq = decodeLogCursor(after);
    if (afterSeq === null || afterSeq > state.log.size()) throw validation('after', 'The cursor is not valid.');
  }
  const tests: ((r: LogRecord) => boolean)[] = [];
  const filter = q.get('filter');
  if (filter !== null) {
    const bad = (): OktaHttpError => validation('filter', 'Invalid filter expression.');
    const node = parseExpression(filter, bad);
    if (filterTerms(node).some((t) => !LOG_FILTER_ATTRS.has(t.attr))) throw bad();
    tests.push((r) => evaluateFilter(node, (a) => logAttribute(r, a), { caseInsensitive: false }));
  }
  const keywords = (q.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (keywords.length > 10 || keywords.some((k) => k.length > 40)) throw validation('q', 'At most 10 keywords of at most 40 characters.');
  if (keywords.length > 0) {
    tests.push((r) => {
      const text = [r.eventType, r.actor.alternateId, r.actor.displayName, ...r.targets.flatMap((t) => [t.alternateId, t.displayName])].join(' ').toLowerCase();
      return keywords.every((k) => text.includes(k));
    });
  }
  const descending = order === 'DESCENDING';
  const page = state.log.query({
    since,
    until,
    afterSeq,
    limit,
    descending,
    polling: untilRaw === null && !descending,
    predicate: (r) => tests.every((t) => t(r)),
  });
  const body = page.events.map((r) => renderLogEvent(r, state.geo, r.via === 'browser' ? state.adminIp : state.apiIp));
  return jsonReply(body, { Link: links(ctx, limit, page.next) });
}

// --- org ----------------------------------------------------------------------------

function getOrgSettings(ctx: RouteContext): Reply {
  return jsonReply(renderOrgSettings(ctx.state.org, ctx.state.base()));
}

/**
 * Every endpoint, with the scope its spec operation lists under `oauth2`
 * security. Order matters where templates overlap: /groups/rules before
 * /groups/{groupId}.
 */
export const OKTA_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/v1/users', operationId: 'listUsers', scope: 'okta.users.read', write: false, handle: listUsers },
  { method: 'GET', path: '/api/v1/users/{id}', operationId: 'getUser', scope: 'okta.users.read', write: false, handle: getUser },
  { method: 'GET', path: '/api/v1/users/{id}/groups', operationId: 'listUserGroups', scope: 'okta.users.read', write: false, handle: listUserGroups },
  { method: 'GET', path: '/api/v1/users/{userId}/roles', operationId: 'listAssignedRolesForUser', scope: 'okta.roles.read', write: false, handle: listUserRoles },
  { method: 'GET', path: '/api/v1/groups', operationId: 'listGroups', scope: 'okta.groups.read', write: false, handle: listGroups },
  { method: 'GET', path: '/api/v1/groups/rules', operationId: 'listGroupRules', scope: 'okta.groups.read', write: false, handle: listGroupRules },
  { method: 'GET', path: '/api/v1/groups/{groupId}', operationId: 'getGroup', scope: 'okta.groups.read', write: false, handle: getGroup },
  { method: 'GET', path: '/api/v1/groups/{groupId}/users', operationId: 'listGroupUsers', scope: 'okta.groups.read', write: false, handle: listGroupUsers },
  { method: 'PUT', path: '/api/v1/groups/{groupId}/users/{userId}', operationId: 'assignUserToGroup', scope: 'okta.groups.manage', write: true, handle: (ctx) => changeMembership(ctx, true) },
  { method: 'DELETE', path: '/api/v1/groups/{groupId}/users/{userId}', operationId: 'unassignUserFromGroup', scope: 'okta.groups.manage', write: true, handle: (ctx) => changeMembership(ctx, false) },
  { method: 'GET', path: '/api/v1/apps', operationId: 'listApplications', scope: 'okta.apps.read', write: false, handle: listApplications },
  { method: 'GET', path: '/api/v1/apps/{appId}', operationId: 'getApplication', scope: 'okta.apps.read', write: false, handle: getApplication },
  { method: 'GET', path: '/api/v1/apps/{appId}/groups', operationId: 'listApplicationGroupAssignments', scope: 'okta.apps.read', write: false, handle: listApplicationGroupAssignments },
  { method: 'GET', path: '/api/v1/logs', operationId: 'listLogEvents', scope: 'okta.logs.read', write: false, handle: listLogEvents },
  { method: 'GET', path: '/api/v1/org', operationId: 'getOrgSettings', scope: 'okta.orgs.read', write: false, handle: getOrgSettings },
];

const compiled = OKTA_ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '([^/]+)')}/?$`),
}));

export type RouteMatch = { route: Route; params: string[] } | { methodNotAllowed: true } | null;

export function matchRoute(method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const { route, pattern } of compiled) {
    const m = pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, params: m.slice(1) };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}
