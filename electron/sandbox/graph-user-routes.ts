// The Graph users endpoints of the sandbox: list and get (with `$select`,
// `$filter` and `$expand=manager`), and a user's manager. signInActivity in
// `$select` needs AuditLog.Read.All, as on Graph.
import type { GraphDirectory } from './graph-directory.js';
import { notFound, type GraphReply } from './graph-errors.js';
import { parseFilter } from './graph-filter.js';
import { AUDIT_READ, badRequest, collection, contextUrl, findUser, parseSelect, requirePermission, shapeUser, USER_PROPS, USER_TYPE, type GraphRouteContext } from './graph-route-kit.js';

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

export function listUsers(ctx: GraphRouteContext): GraphReply {
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

export function getUser(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findUser(ctx.dir, id);
  const select = userSelect(ctx);
  const expand = userExpand(ctx);
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'users', select)}/$entity`, ...shapeUserExpanded(ctx.dir, index, select, expand) } };
}

/**
 * PATCH /users/{id} (user_UpdateUser): the sandbox takes `accountEnabled`
 * (what disabling a leaver needs); Graph answers 204 No Content whether or
 * not the value changed. Any other property is refused naming it, never
 * silently ignored.
 */
export function updateUser(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findUser(ctx.dir, id);
  let body: unknown;
  try {
    body = JSON.parse(ctx.body ?? '');
  } catch {
    throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', 'BadRequest');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a user object.');
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'accountEnabled') throw badRequest(`Property '${k}' cannot be updated in the sandbox (it takes accountEnabled).`);
    if (typeof v !== 'boolean') throw badRequest(`Invalid value for property 'accountEnabled': a boolean is expected.`);
  }
  const enabled = (body as { accountEnabled?: boolean }).accountEnabled;
  if (enabled !== undefined && ctx.dir.user(index).accountEnabled !== enabled) ctx.dir.updateUser(index, { accountEnabled: enabled }, ctx.now);
  return { status: 204 };
}

export function getManager(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findUser(ctx.dir, id);
  const managerId = ctx.dir.user(index)['#manager'];
  if (typeof managerId !== 'string') throw notFound('manager');
  const m = ctx.dir.userIndex(managerId);
  if (m < 0 || ctx.dir.isDeleted(m)) throw notFound('manager');
  return { status: 200, json: { '@odata.context': `${ctx.base}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': USER_TYPE, ...shapeUser(ctx.dir, m, null) } };
}
