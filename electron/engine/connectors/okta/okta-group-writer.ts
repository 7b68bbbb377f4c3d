// Group membership changes in Okta for the provisioning and revocation jobs,
// through the official SDK (groupApi.assignUserToGroup / unassignUserFromGroup:
// PUT / DELETE /api/v1/groups/{groupId}/users/{userId}) on the connector's own
// client, so every write goes through the same request executor and rate
// budget as the sync: the connection's share of the org's limits holds for
// reads and writes together.
//
// Both calls are idempotent in Okta (PUT of an existing member and DELETE of
// a non-member answer 204), which is what lets a job interrupted by a crash
// simply run again. The answer is classified for the runner: transient
// (429 after the executor's own retries, 5xx, time-outs, dropped
// connections) → retry with the bucket's reset as the wait; 403 E0000006 on
// an APP_GROUP / BUILT_IN group or a credential without okta.groups.manage
// → a manual task; 404 → the group or user is gone.
import type { GroupWriteResult, GroupWriter } from '../group-writer.js';
import type { OktaConnector } from './okta-connector.js';
import { OktaError } from './okta-errors.js';

export function createOktaGroupWriter(connector: OktaConnector): GroupWriter {
  const urlOf = (groupId: string, userId: string): string =>
    `${connector.orgUrl}/api/v1/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`;

  /** When the groups bucket resets (ms from now), if the budget knows: the wait a 429 asks for. */
  const resetWait = (): number | undefined => {
    const bucket = connector.stats().budget.find((b) => b.bucket === '/api/v1/groups');
    const at = bucket?.resetAt ? Date.parse(bucket.resetAt) : NaN;
    return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
  };

  const classify = (e: unknown, method: 'PUT' | 'DELETE' | 'POST', groupId: string, userId: string): GroupWriteResult => {
    const err = e instanceof OktaError ? e : connector.describeError(e, method, method === 'POST' ? `${connector.orgUrl}/api/v1/users/${encodeURIComponent(userId)}/lifecycle/suspend` : urlOf(groupId, userId));
    const status = err.details.status;
    const withStatus = status !== undefined ? { httpStatus: status } : {};
    switch (err.kind) {
      case 'rate-limited': {
        const wait = resetWait();
        return { kind: 'retry', error: err.message, ...(wait !== undefined ? { retryAfterMs: wait } : {}), ...withStatus };
      }
      case 'server':
      case 'timeout':
      case 'unreachable':
      case 'aborted':
        return { kind: 'retry', error: err.message, ...withStatus };
      case 'not-found':
        // Removing someone from a group (or a user) that no longer exists leaves no access behind.
        if (method === 'DELETE') return { kind: 'done', changed: false, note: `already gone in Okta: ${err.message}`, ...withStatus };
        return { kind: 'failed', error: `the group ${groupId} or the user ${userId} no longer exists in Okta (${err.message})`, ...withStatus };
      case 'forbidden':
        return {
          kind: 'manual',
          reason:
            err.details.errorCode === 'E0000006' && !err.details.missingScope?.includes('groups.manage')
              ? `Okta does not let Latchkey change this group's membership (${err.message}); APP_GROUP and BUILT_IN groups are managed by their source`
              : `Okta refused the change (${err.message})`,
          ...withStatus,
        };
      default:
        return { kind: 'failed', error: err.message, ...withStatus };
    }
  };

  const run = async (method: 'PUT' | 'DELETE', groupId: string, userId: string): Promise<GroupWriteResult> => {
    try {
      await connector.ready();
      if (method === 'PUT') await connector.sdk.groupApi.assignUserToGroup({ groupId, userId });
      else await connector.sdk.groupApi.unassignUserFromGroup({ groupId, userId });
      // Okta answers 204 whether or not anything changed.
      return { kind: 'done', changed: true, httpStatus: 204 };
    } catch (e) {
      return classify(e, method, groupId, userId);
    }
  };

  /**
   * POST /api/v1/users/{id}/lifecycle/suspend (userApi.suspendUser), which Okta
   * allows only on an ACTIVE user: the user is read first, and one already
   * SUSPENDED, DEPROVISIONED or gone is done without a change (a job resumed
   * after a crash runs this again).
   */
  const suspend = async (userId: string): Promise<GroupWriteResult> => {
    try {
      await connector.ready();
      const user = await connector.sdk.userApi.getUser({ userId });
      const status = String(user.status ?? '');
      if (status === 'SUSPENDED' || status === 'DEPROVISIONED') return { kind: 'done', changed: false, note: `already ${status} in Okta`, httpStatus: 200 };
      await connector.sdk.userApi.suspendUser({ userId });
      return { kind: 'done', changed: true, httpStatus: 200 };
    } catch (e) {
      const r = classify(e, 'POST', '', userId);
      if (r.kind === 'failed' && r.httpStatus === 404) return { kind: 'done', changed: false, note: `the account ${userId} no longer exists in Okta`, httpStatus: 404 };
      return r;
    }
  };

  return {
    addMember: (groupId, userId) => run('PUT', groupId, userId),
    removeMember: (groupId, userId) => run('DELETE', groupId, userId),
    suspendAccount: suspend,
    close: () => undefined,
  };
}
