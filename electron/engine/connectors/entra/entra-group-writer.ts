// Group membership changes in Entra ID for the provisioning and revocation
// jobs, through the connector's Microsoft Graph client (same middleware,
// origin pinning and throttling gate as the sync):
// POST /groups/{id}/members/$ref and DELETE /groups/{id}/members/{userId}/$ref;
// a leaver's account disabled with PATCH /users/{id} {"accountEnabled": false}.
//
// Graph is not idempotent here, so the writer makes it so: adding an existing
// member is a 400 "One or more added object references already exist" and
// removing a non-member a 404 "One or more removed object references do not
// exist" — both mean the membership is already as wanted. Dynamic groups
// refuse manual changes (a manual task); 403 means the app lacks
// GroupMember.ReadWrite.All (a manual task too: never a silent success).
import type { GroupWriteResult, GroupWriter } from '../group-writer.js';
import type { EntraConnector } from './entra-connector.js';
import { EntraError } from './entra-errors.js';

const ALREADY_MEMBER = /added object references already exist/i;
const NOT_A_MEMBER = /removed object references do not exist/i;
const DYNAMIC = /dynamic membership|membership rule/i;

export function createEntraGroupWriter(connector: EntraConnector): GroupWriter {
  const classify = (e: unknown, add: boolean, groupId: string, userId: string): GroupWriteResult => {
    if (!(e instanceof EntraError)) {
      return { kind: 'retry', error: e instanceof Error ? e.message : String(e) };
    }
    const status = e.details.status;
    const withStatus = status !== undefined ? { httpStatus: status } : {};
    if (add && status === 400 && ALREADY_MEMBER.test(e.message)) return { kind: 'done', changed: false, note: 'already a member', ...withStatus };
    if (!add && status === 404 && NOT_A_MEMBER.test(e.message)) return { kind: 'done', changed: false, note: 'already removed', ...withStatus };
    if (status === 400 && DYNAMIC.test(e.message)) {
      return { kind: 'manual', reason: `the group's members are managed by its dynamic membership rule (${e.message})`, ...withStatus };
    }
    switch (e.kind) {
      case 'throttled':
      case 'server':
      case 'timeout':
      case 'unreachable':
      case 'aborted':
        return { kind: 'retry', error: e.message, ...withStatus };
      case 'forbidden':
        return { kind: 'manual', reason: `Microsoft Graph refused the change: ${e.message}`, ...withStatus };
      case 'not-found':
        if (!add) return { kind: 'done', changed: false, note: `already gone in Entra: ${e.message}`, ...withStatus };
        return { kind: 'failed', error: `the group ${groupId} or the user ${userId} no longer exists in Entra (${e.message})`, ...withStatus };
      default:
        return { kind: 'failed', error: e.message, ...withStatus };
    }
  };

  return {
    async addMember(groupId, userId) {
      try {
        await connector.write(
          'POST',
          `/groups/${encodeURIComponent(groupId)}/members/$ref`,
          { '@odata.id': `${connector.graphUrl}/v1.0/directoryObjects/${encodeURIComponent(userId)}` },
          { what: `adding a member to group ${groupId}`, needs: 'GroupMember.ReadWrite.All' },
        );
        return { kind: 'done', changed: true, httpStatus: 204 };
      } catch (e) {
        return classify(e, true, groupId, userId);
      }
    },
    async removeMember(groupId, userId) {
      try {
        await connector.write('DELETE', `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(userId)}/$ref`, null, {
          what: `removing a member from group ${groupId}`,
          needs: 'GroupMember.ReadWrite.All',
        });
        return { kind: 'done', changed: true, httpStatus: 204 };
      } catch (e) {
        return classify(e, false, groupId, userId);
      }
    },
    /**
     * PATCH /users/{id} {"accountEnabled": false}: Graph answers 204 whether or
     * not it was enabled (idempotent as it is); a user already gone is done.
     */
    async suspendAccount(userId) {
      try {
        await connector.write('PATCH', `/users/${encodeURIComponent(userId)}`, { accountEnabled: false }, { what: `disabling the account ${userId}`, needs: 'User.EnableDisableAccount.All' });
        return { kind: 'done', changed: true, httpStatus: 204 };
      } catch (e) {
        if (e instanceof EntraError && e.kind === 'not-found') return { kind: 'done', changed: false, note: `the account ${userId} no longer exists in Entra`, ...(e.details.status !== undefined ? { httpStatus: e.details.status } : {}) };
        const r = classify(e, true, '', userId);
        return r.kind === 'failed' && r.error.startsWith('the group') ? { ...r, error: `the account ${userId} could not be disabled: ${r.error}` } : r;
      }
    },
    close: () => connector.close(),
  };
}
