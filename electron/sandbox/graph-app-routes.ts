// The Graph enterprise-application endpoints of the sandbox: service
// principals, who is assigned to each (appRoleAssignedTo), and the sign-in
// log that shows who used them.
import type { GraphDirectory } from './graph-directory.js';
import { notFound, type GraphReply } from './graph-errors.js';
import { parseFilter } from './graph-filter.js';
import { collection, contextUrl, parseSelect, project, type GraphRouteContext } from './graph-route-kit.js';

const SP_PROPS = (dir: GraphDirectory): ReadonlySet<string> => new Set(Object.keys(dir.servicePrincipal(0)));

function findServicePrincipal(dir: GraphDirectory, id: string): number {
  const index = dir.servicePrincipalIndex(id);
  if (index < 0) throw notFound(id);
  return index;
}

export function listServicePrincipals(ctx: GraphRouteContext): GraphReply {
  const { dir } = ctx;
  const select = parseSelect(ctx.query, SP_PROPS(dir), 'microsoft.graph.servicePrincipal');
  const filter = parseFilter(ctx.query.get('$filter'), 'servicePrincipal');
  return collection(ctx, 'servicePrincipals', select, dir.apps.length, (i) => {
    const sp = dir.servicePrincipal(dir.apps[i] ?? 0);
    if (filter && !filter(sp)) return null;
    return select ? project(sp, select) : sp;
  });
}

export function getServicePrincipal(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findServicePrincipal(ctx.dir, id);
  const select = parseSelect(ctx.query, SP_PROPS(ctx.dir), 'microsoft.graph.servicePrincipal');
  const sp = ctx.dir.servicePrincipal(index);
  return { status: 200, json: { '@odata.context': `${contextUrl(ctx, 'servicePrincipals', select)}/$entity`, ...(select ? project(sp, select) : sp) } };
}

// The properties of an appRoleAssignment / signIn (known even when the list at hand is empty).
const APP_ROLE_ASSIGNMENT_PROPS: ReadonlySet<string> = new Set(['id', 'deletedDateTime', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId']);
const SIGN_IN_PROPS: ReadonlySet<string> = new Set(['id', 'createdDateTime', 'userDisplayName', 'userPrincipalName', 'userId', 'appId', 'appDisplayName', 'ipAddress', 'clientAppUsed', 'isInteractive', 'resourceDisplayName', 'status', 'location']);

export function listAppRoleAssignedTo(ctx: GraphRouteContext, id: string): GraphReply {
  const index = findServicePrincipal(ctx.dir, id);
  const assignments = ctx.dir.appRoleAssignedTo(index);
  const select = parseSelect(ctx.query, APP_ROLE_ASSIGNMENT_PROPS, 'microsoft.graph.appRoleAssignment');
  return collection(ctx, `servicePrincipals('${id}')/appRoleAssignedTo`, select, assignments.length, (i) => {
    const a = assignments[i] ?? {};
    return select ? project(a, select) : a;
  });
}

export function listSignIns(ctx: GraphRouteContext): GraphReply {
  const rows = ctx.dir.signIns();
  const select = parseSelect(ctx.query, rows[0] ? new Set(Object.keys(rows[0])) : SIGN_IN_PROPS, 'microsoft.graph.signIn');
  const filter = parseFilter(ctx.query.get('$filter'), 'signIn');
  return collection(ctx, 'auditLogs/signIns', select, rows.length, (i) => {
    const row = rows[i] ?? {};
    if (filter && !filter(row)) return null;
    return select ? project(row, select) : row;
  });
}
