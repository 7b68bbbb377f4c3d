// The Okta groups endpoints of the sandbox: list (with `search`, `filter`,
// `q` and `expand`), get, the members of a group (paged by user id), adding
// and removing a member (OKTA_GROUP only, as Okta allows), group rules, and
// a group's owners.
import { lowerBound } from './membership-store.js';
import type { OrgApp, OrgGroup, OrgUser } from './org-model.js';
import { iso, renderGroup, renderRule } from './okta-resources.js';
import { accessDenied, decode, errorReply, invalidSearch, JSON_TYPE, jsonArray, jsonReply, links, notFound, parseExpression, parseLimit, validation, type Reply, type RouteContext } from './okta-route-kit.js';
import { evaluateFilter, filterTerms, usesNot, type AttributeValue } from './scim-filter.js';

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

export function listGroups(ctx: RouteContext): Reply {
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

export function getGroup(ctx: RouteContext): Reply {
  const g = needGroup(ctx, ctx.params[0] ?? '');
  return jsonReply(renderGroupFor(ctx, g, new Set((ctx.query.get('expand') ?? '').split(',').filter(Boolean))));
}

export function listGroupUsers(ctx: RouteContext): Reply {
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

export function changeMembership(ctx: RouteContext, add: boolean): Reply {
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

export function listGroupRules(ctx: RouteContext): Reply {
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

/**
 * A group's owners (Group Owners API: listGroupOwners), paged by owner id
 * with `after`; `search` filters by type (`type eq "USER"` / `"GROUP"`).
 * Deactivated owners stay listed, as Okta keeps them; deleted users go.
 */
export function listGroupOwners(ctx: RouteContext): Reply {
  const { state } = ctx;
  // What an org without Identity Governance answers (the spec's feature-not-enabled 401).
  if (!state.features.groupOwners) return errorReply(401, 'E0000015', 'You do not have permission to access the feature you are requesting');
  const g = needGroup(ctx, ctx.params[0] ?? '');
  const limit = parseLimit(ctx.query.get('limit'), 1000, 1000);
  const search = ctx.query.get('search');
  let wantType: string | null = null;
  if (search !== null) {
    const node = parseExpression(search, invalidSearch);
    if (node.kind !== 'cmp' || node.attr !== 'type' || node.op !== 'eq') throw invalidSearch();
    wantType = String(node.value).toUpperCase();
  }
  const owners = (state.org.groupOwners.get(g.index) ?? []).filter((u) => !state.org.users[u]?.deleted);
  const listed = wantType === null || wantType === 'USER' ? owners : [];
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const at = listed.findIndex((u) => state.org.users[u]?.id === after);
    if (at < 0) throw validation('after', 'The cursor is not valid.');
    start = at + 1;
  }
  const page = listed.slice(start, start + limit);
  const out = page.map((u) => {
    const user = state.org.users[u] as OrgUser;
    return { id: user.id, type: 'USER', resolved: true, originType: 'OKTA_DIRECTORY', displayName: `${user.firstName} ${user.lastName}`, lastUpdated: iso(g.lastUpdated) };
  });
  const more = start + limit < listed.length;
  return jsonReply(out, { Link: links(ctx, limit, more ? (state.org.users[page[page.length - 1] as number] as OrgUser).id : null) });
}
