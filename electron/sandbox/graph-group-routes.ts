// The Graph groups endpoints of the sandbox: list and get (with
// `$expand=owners`), a group's members,
// and adding or removing a member by @odata.id reference (refused on dynamic
// membership groups, as Graph does). Each change is recorded in the
// directory's change log, so delta queries see it.
import type { GraphDirectory } from './graph-directory.js';
import { GraphHttpError, notFound, type GraphReply } from './graph-errors.js';
import { parseFilter } from './graph-filter.js';
import { AUDIT_READ, badRequest, collection, contextUrl, findGroup, GROUP_PROPS, parseSelect, requirePermission, shapeGroup, shapeUser, USER_PROPS, USER_TYPE, type GraphRouteContext } from './graph-route-kit.js';

/** Graph returns at most this many objects of an expanded relationship ($expand "returns up to 20 objects"). */
const EXPAND_LIMIT = 20;

/** `$expand=owners` or `owners($select=a,b)`: the one group navigation the sandbox expands (null: no $expand). */
function groupExpand(ctx: GraphRouteContext): { select: string[] | null } | null {
  const raw = ctx.query.get('$expand');
  if (raw === null || raw.trim() === '') return null;
  const m = /^owners(?:\(\$select=([^)]*)\))?$/.exec(raw.trim());
  if (!m) {
    const name = raw.trim().split(/[(,]/)[0]?.trim() ?? '';
    throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.group'.`);
  }
  if (m[1] === undefined) return { select: null };
  const props = m[1].split(',').map((p) => p.trim()).filter((p) => p !== '');
  const known = USER_PROPS(ctx.dir);
  for (const p of props) if (!known.has(p)) throw badRequest(`Could not find a property named '${p}' on type 'microsoft.graph.directoryObject'.`);
  return { select: props };
}

/** The group with `owners` expanded when asked: always present then (an empty list for none); deleted users are not owners. */
function shapeGroupExpanded(dir: GraphDirectory, g: number, select: readonly string[] | null, expand: { select: string[] | null } | null): Record<string, unknown> {
  const group = shapeGroup(dir, g, select);
  if (!expand) return group;
  const owners = (dir.org.groupOwners.get(g) ?? []).filter((u) => !dir.isDeleted(u)).slice(0, EXPAND_LIMIT);
  group.owners = owners.map((u) => ({ '@odata.type': USER_TYPE, ...shapeUser(dir, u, expand.select) }));
  return group;
}

export function listGroups(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = parseSelect(ctx.query, GROUP_PROPS(dir), 'microsoft.graph.group');
  const expand = groupExpand(ctx);
  const filter = parseFilter(ctx.query.get('$filter'), 'group');
  return collection(ctx, 'groups', select, dir.groups.length, (i) => {
    const g = dir.groups[i] ?? -1;
    if (filter && !filter(dir.group(g))) return null;
    return shapeGroupExpanded(dir, g, select, expand);
  });
}

export function listMembers(ctx: GraphRouteContext, groupId: string): GraphReply {
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

export function addMember(ctx: GraphRouteContext, groupId: string): GraphReply {
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

export function removeMember(ctx: GraphRouteContext, groupId: string, userId: string): GraphReply {
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

export function getGroup(ctx: GraphRouteContext, id: string): GraphReply {
  const g = findGroup(ctx.dir, id);
  const select = parseSelect(ctx.query, GROUP_PROPS(ctx.dir), 'microsoft.graph.group');
  const expand = groupExpand(ctx);
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'groups', select)}/$entity`, ...shapeGroupExpanded(ctx.dir, g, select, expand) } };
}
