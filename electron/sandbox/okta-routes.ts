// The Okta management API endpoints the sandbox serves: one table of routes
// (method, the spec's path template, the OAuth scope the spec requires) and
// their handlers. Handlers are plain functions of the state and the request,
// one module per resource (okta-user-routes.ts, okta-group-routes.ts,
// okta-app-routes.ts, okta-log-routes.ts) over what they share
// (okta-route-kit.ts: context, replies, errors, paging); okta-server.ts does
// HTTP, authentication, rate limits and faults around them.
import { renderOrgSettings } from './okta-resources.js';
import { getApplication, listApplicationGroupAssignments, listApplications } from './okta-app-routes.js';
import { changeMembership, getGroup, listGroupOwners, listGroupRules, listGroups, listGroupUsers } from './okta-group-routes.js';
import { listLogEvents } from './okta-log-routes.js';
import { jsonReply, type Reply, type Route, type RouteContext } from './okta-route-kit.js';
import { getUser, listUserGroups, listUserRoles, listUsers, suspendUser } from './okta-user-routes.js';

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
  { method: 'POST', path: '/api/v1/users/{id}/lifecycle/suspend', operationId: 'suspendUser', scope: 'okta.users.manage', write: true, handle: suspendUser },
  { method: 'GET', path: '/api/v1/groups', operationId: 'listGroups', scope: 'okta.groups.read', write: false, handle: listGroups },
  { method: 'GET', path: '/api/v1/groups/rules', operationId: 'listGroupRules', scope: 'okta.groups.read', write: false, handle: listGroupRules },
  { method: 'GET', path: '/api/v1/groups/{groupId}', operationId: 'getGroup', scope: 'okta.groups.read', write: false, handle: getGroup },
  { method: 'GET', path: '/api/v1/groups/{groupId}/users', operationId: 'listGroupUsers', scope: 'okta.groups.read', write: false, handle: listGroupUsers },
  { method: 'GET', path: '/api/v1/groups/{groupId}/owners', operationId: 'listGroupOwners', scope: 'okta.groups.read', write: false, handle: listGroupOwners },
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
