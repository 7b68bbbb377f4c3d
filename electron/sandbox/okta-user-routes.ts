// The Okta users endpoints of the sandbox: list (with `search`, `filter` and
// `q`, each with the attributes and operators Okta allows), get (by id, login
// or `me`), a user's groups and a user's admin roles.
import type { DepartmentDef, LocationDef } from './org-data.js';
import type { OrgGroup, OrgUser } from './org-model.js';
import { renderGroup, renderRole, renderUser, userProfile } from './okta-resources.js';
import { decode, invalidSearch, JSON_TYPE, jsonArray, jsonReply, links, notFound, parseExpression, parseLimit, validation, type Reply, type RouteContext } from './okta-route-kit.js';
import { evaluateFilter, filterTerms, usesNot, type AttributeValue } from './scim-filter.js';

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

export function listUsers(ctx: RouteContext): Reply {
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

export function getUser(ctx: RouteContext): Reply {
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  return jsonReply(renderUser(ctx.state.org, u, ctx.state.base(), true));
}

export function listUserGroups(ctx: RouteContext): Reply {
  const { state } = ctx;
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  const groups = state.org.memberships.groupsOf(u.index);
  const out: unknown[] = [];
  for (const g of groups) out.push(renderGroup(state.org, state.org.groups[g] as OrgGroup, state.base()));
  return jsonReply(out);
}

export function listUserRoles(ctx: RouteContext): Reply {
  const u = resolveUser(ctx, decode(ctx.params[0] ?? ''));
  const role = ctx.state.adminRole(u.index);
  return jsonReply(role ? [renderRole(ctx.state.org, u, role, ctx.state.base())] : []);
}

/**
 * POST /api/v1/users/{id}/lifecycle/suspend (suspendUser): only an ACTIVE
 * user may be suspended (anything else is a 400 E0000001, as Okta answers);
 * the user goes SUSPENDED with a user.lifecycle.suspend System Log event and
 * keeps their groups. 200 with an empty body.
 */
export function suspendUser(ctx: RouteContext): Reply {
  const { state } = ctx;
  const key = decode(ctx.params[0] ?? '');
  const ui = state.userIndex(key);
  if (ui === undefined || state.org.users[ui]?.deleted) throw notFound(key, 'User');
  const u = state.org.users[ui] as OrgUser;
  if (u.status !== 'ACTIVE') throw validation('status', `Cannot suspend a user that is not ACTIVE (the user is ${u.status})`);
  const actor = ctx.principal.kind === 'ssws' ? ({ kind: 'user', user: ctx.principal.user, via: 'api' } as const) : ({ kind: 'client', clientId: ctx.principal.clientId, label: ctx.principal.label } as const);
  ctx.mutations.setUserStatus(u.id, 'SUSPENDED', { actor, requestUri: ctx.path });
  return { status: 200, body: '{}', contentType: JSON_TYPE };
}
