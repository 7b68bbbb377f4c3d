// The Graph groups endpoints of the sandbox: list and get, a group's members,
// and adding or removing a member by @odata.id reference (refused on dynamic
// membership groups, as Graph does). Each change is recorded in the
// directory's change log, so delta queries see it.
import type { GraphDirectory } from './graph-directory.js';
import { GraphHttpError, notFound, type GraphReply } from './graph-errors.js';
import { parseFilter } from './graph-filter.js';
import { AUDIT_READ, badRequest, collection, contextUrl, findGroup, GROUP_PROPS, parseSelect, requirePermission, shapeGroup, shapeUser, USER_PROPS, USER_TYPE, type GraphRouteContext } from './graph-route-kit.js';

export function listGroups(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = parseSelect(ctx.query, GROUP_PROPS(dir), 'microsoft.graph.group');
  const filter = parseFilter(ctx.query.get('$filter'), 'group');
  return collection(ctx, 'groups', select, dir.groups.length, (i) => {
    const g = dir.groups[i] ?? -1;
    if (filter && !filter(dir.group(g))) return null;
    return shapeGroup(dir, g, select);
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
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'groups', select)}/$entity`, ...shapeGroup(ctx.dir, g, select) } };
}
