// The Microsoft Graph v1.0 endpoints the sandbox serves, as
// ../shared/specs/msgraph-v1-subset.yaml describes them and as Graph behaves:
// default property sets (users return 11 properties unless $select asks for
// more), $top 1..999 (default 100), opaque $skiptoken paging through
// @odata.nextLink, delta queries with @odata.deltaLink, members@delta and
// @removed, and Graph's error codes and messages.
//
// The handlers live one module per resource (graph-user-routes.ts,
// graph-group-routes.ts, graph-app-routes.ts, delta queries in
// graph-delta.ts) over what they share (graph-route-kit.ts, graph-filter.ts);
// this module is the route table: path, throttling cost and permissions.
import { getServicePrincipal, listAppRoleAssignedTo, listServicePrincipals, listSignIns } from './graph-app-routes.js';
import { delta } from './graph-delta.js';
import { addMember, getGroup, listGroups, listMembers, removeMember } from './graph-group-routes.js';
import { ACCOUNT_WRITE, APP_READ, AUDIT_READ, GROUP_READ, MEMBER_WRITE, USER_READ, type GraphRoute } from './graph-route-kit.js';
import { getManager, getUser, listUsers, updateUser } from './graph-user-routes.js';

type RouteDef = { method: string; pattern: RegExp; route: GraphRoute };

const DELTA = '(?:delta|delta\\(\\)|microsoft\\.graph\\.delta\\(\\))';
const SEG = '([^/]+)';

// Base costs follow Graph's identity throttling table (approximate): list 2, item 1, delta 5, members list 3, writes 5.
export const GRAPH_ROUTES: readonly RouteDef[] = [
  { method: 'GET', pattern: new RegExp(`^/users/${DELTA}$`), route: { cost: 5, write: false, permissions: USER_READ, handle: (ctx) => delta(ctx, 'user') } },
  { method: 'GET', pattern: /^\/users$/, route: { cost: 2, write: false, permissions: USER_READ, handle: (ctx) => listUsers(ctx) } },
  { method: 'GET', pattern: new RegExp(`^/users/${SEG}/manager$`), route: { cost: 1, write: false, permissions: USER_READ, handle: (ctx, [id = '']) => getManager(ctx, id) } },
  { method: 'GET', pattern: new RegExp(`^/users/${SEG}$`), route: { cost: 1, write: false, permissions: USER_READ, handle: (ctx, [id = '']) => getUser(ctx, id) } },
  { method: 'PATCH', pattern: new RegExp(`^/users/${SEG}$`), route: { cost: 5, write: true, permissions: ACCOUNT_WRITE, handle: (ctx, [id = '']) => updateUser(ctx, id) } },
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
