// The handlers of the read-only views of the snapshot: the dashboard, the
// directory (people, groups, apps), recorded changes and the audit log.
import type { Channel } from '../../../shared/contract.js';
import { recentAuditEvents, verifyAuditChain } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { getApp, listApps } from '../directory/apps.js';
import { dashboardSummary } from '../directory/dashboard.js';
import { getGroup, listGroupMembers, listGroups } from '../directory/groups.js';
import { accountsOf, correlationIssues } from '../directory/people.js';
import { getUser, listUsers, userFacets } from '../directory/users.js';
import { diffRuns, listChanges } from '../sync/changes.js';
import { listSyncRuns } from '../sync/sync-runs.js';
import type { ApiHelpers, Handlers } from './handler-types.js';

type DirectoryChannels = Extract<Channel, 'dashboard:summary' | `directory:${string}` | `changes:${string}` | 'audit:recent'>;

export function directoryHandlers(ctx: EngineContext, { cache }: ApiHelpers): Pick<Handlers, DirectoryChannels> {
  const { db } = ctx;
  return {
    'dashboard:summary': () =>
      dashboardSummary(db, { clock: ctx.clock, readOnly: ctx.readOnly, recentRuns: (limit) => listSyncRuns(db, { limit }), cache }),
    'directory:users': (q) => listUsers(db, q, cache),
    'directory:userFacets': (q) => userFacets(db, q, cache),
    'directory:user': ({ connectionId, id }) => getUser(db, connectionId, id),
    'directory:groups': (q) => listGroups(db, q, cache),
    'directory:group': ({ connectionId, id }) => getGroup(db, connectionId, id),
    'directory:groupMembers': (q) => listGroupMembers(db, q, cache),
    'directory:apps': (q) => listApps(db, q, cache),
    'directory:app': ({ connectionId, id }) => getApp(db, connectionId, id),
    'directory:correlationIssues': () => correlationIssues(db),
    'directory:accounts': ({ connectionId, id }) => accountsOf(db, connectionId, id),
    'changes:list': (q) => listChanges(db, q),
    'changes:diff': (q) => diffRuns(db, q),
    'audit:recent': ({ limit }) => ({ events: recentAuditEvents(db, limit), chainValid: verifyAuditChain(db).valid }),
  };
}
