// The executors of the IdP jobs: 'provision' adds the grant's account to its
// group, 'revoke' removes it, each through the group writer of the grant's
// connection (okta-group-writer.ts / entra-group-writer.ts), built on that
// connection's connector so writes share its rate budget. Jira jobs go to
// runJiraJob (jira/jira-job.ts); governance/run-jobs.ts puts the set together.
//
// A 'revoke' job with no grant and payload op 'suspend-account' suspends a
// leaver's account instead (Okta lifecycle suspend / Entra accountEnabled
// false), through the same writer and rate budget.
//
// Before calling the IdP, the executor refuses what Latchkey must not do
// itself — a group managed by an Okta group rule / Entra dynamic rule, or by
// its source (APP_GROUP, AD-synced): those become manual tasks with
// instructions, never a silent success.
import { getConnectionRecord, entraOptions, loadCredential } from '../connections/connections.js';
import { createEntraConnector, type EntraConnectorOptions } from '../connectors/entra/entra-connector.js';
import { createEntraGroupWriter } from '../connectors/entra/entra-group-writer.js';
import { createOktaConnector, type OktaConnectorOptions } from '../connectors/okta/okta-connector.js';
import { createOktaGroupWriter } from '../connectors/okta/okta-group-writer.js';
import { isEntraCredential, isOktaCredential, type ConnectionRecord } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';
import type { GroupWriter, GroupWriteResult } from '../connectors/group-writer.js';
import { SUSPEND_OP, type ClaimedJob, type JobExecutor, type JobExecutors, type JobOutcome } from './job-types.js';
import { liveGroup } from '../directory/snapshot-lookups.js';
import { getGrant, type GrantRecord } from './grant-store.js';
import { connectionLabel, who } from './ledger.js';

/** Connector settings for jobs (tests shorten the connectors' own retries; the job's retries take over). */
export type IdpExecutorOptions = {
  okta?: Partial<Pick<OktaConnectorOptions, 'maxRetries' | 'maxRateLimitRetries' | 'timeoutMs' | 'baseBackoffMs' | 'maxBackoffMs'>>;
  entra?: Partial<Pick<EntraConnectorOptions, 'maxRetries' | 'timeoutMs'>>;
  /** Concurrent IdP calls per connection (default 8); the rate budget paces them within the share. */
  concurrency?: number;
};

export type ExecutorSet<K extends keyof JobExecutors = keyof JobExecutors> = { executors: Pick<JobExecutors, K>; close: () => void };

const MEMBER_WRITE_SCOPE = 'okta.groups.manage';

/** Why Latchkey may not change this group's membership itself (null: it may). */
function unmanageable(db: EngineContext['db'], c: ConnectionRecord, groupId: string): string | null {
  const g = liveGroup(db, c.id, groupId);
  if (c.kind === 'okta' && c.authType === 'oauth' && !c.scopes.includes(MEMBER_WRITE_SCOPE)) {
    return `the connection "${c.name}" is read-only: its OAuth app is not granted ${MEMBER_WRITE_SCOPE}`;
  }
  if (!g) return null;
  if (g.managedBy === 'rule') {
    return c.kind === 'entra'
      ? `"${g.name}" is a dynamic group: its members come from its membership rule${g.managedByName ? ` (${g.managedByName})` : ''}`
      : `"${g.name}" is managed by an Okta group rule${g.managedByName ? ` (${g.managedByName})` : ''}: the rule would undo a direct change`;
  }
  if (g.managedBy === 'external') {
    return `"${g.name}" is managed by ${g.managedByName ?? 'its source'} (${g.type}): its members cannot be changed in ${c.kind === 'entra' ? 'Entra' : 'Okta'}`;
  }
  return null;
}

function instructions(db: EngineContext['db'], g: GrantRecord, add: boolean, reason: string): string {
  const where = connectionLabel(db, g.connection_id);
  const verb = add ? `Add ${who(g)} (account ${g.identity_id}) to` : `Remove ${who(g)} (account ${g.identity_id}) from`;
  return (
    `${verb} the group "${g.group_name}" (${g.group_id}) in ${where} — Latchkey cannot do it: ${reason}. ` +
    `Make the change where the group is managed (its rule, its source directory or app, or an admin with the right permission), ` +
    `then mark this task done with the evidence (ticket, change record or screenshot reference).`
  );
}

function toOutcome(r: GroupWriteResult, db: EngineContext['db'], g: GrantRecord, add: boolean): JobOutcome {
  const status = r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {};
  switch (r.kind) {
    case 'done':
      return { status: 'succeeded', result: { changed: r.changed, ...(r.note ? { note: r.note } : {}) }, ...status };
    case 'retry':
      return { status: 'retry', error: r.error, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}), ...status };
    case 'failed':
      return { status: 'failed', error: r.error, ...status };
    case 'manual':
      return { status: 'manual', reason: r.reason, instructions: instructions(db, g, add, r.reason) };
  }
}

export function createIdpExecutors(ctx: EngineContext, opts: IdpExecutorOptions = {}): ExecutorSet<'provision' | 'revoke'> {
  const writers = new Map<number, Promise<GroupWriter>>();
  const built: GroupWriter[] = [];

  const writerFor = (c: ConnectionRecord): Promise<GroupWriter> => {
    let w = writers.get(c.id);
    if (!w) {
      w = (async () => {
        const credential = await loadCredential(ctx, c);
        let writer: GroupWriter;
        if (c.kind === 'okta' && isOktaCredential(credential)) {
          writer = createOktaGroupWriter(
            createOktaConnector({ orgUrl: c.baseUrl, credential, budgetShare: c.settings.budgetShare, clock: ctx.clock, concurrency: opts.concurrency ?? 8, ...opts.okta }),
          );
        } else if (c.kind === 'entra' && isEntraCredential(credential)) {
          writer = createEntraGroupWriter(createEntraConnector({ ...entraOptions(c, credential), concurrency: opts.concurrency ?? 8, ...opts.entra }));
        } else {
          throw new UserError(`"${c.name}" is a ${c.kind} connection: it has no groups Latchkey can change`, 'bad-input');
        }
        built.push(writer);
        return writer;
      })();
      // A failed start (no credential) is not cached: the next job tries again.
      w.catch(() => writers.delete(c.id));
      writers.set(c.id, w);
    }
    return w;
  };

  const membership =
    (add: boolean): JobExecutor =>
    async (job: ClaimedJob) => {
      if (job.grantId === null) return { status: 'failed', error: `job #${job.id} names no grant` };
      const g = getGrant(ctx.db, job.grantId);
      if (!g) return { status: 'failed', error: `grant #${job.grantId} does not exist` };
      if (add && !['pending', 'failed'].includes(g.status)) {
        // Expiry, a revocation or a cancellation got there first: adding now would grant what is no longer wanted.
        return { status: 'succeeded', result: { skipped: `the grant is ${g.status}` } };
      }
      let c: ConnectionRecord;
      try {
        c = getConnectionRecord(ctx.db, g.connection_id);
      } catch {
        return { status: 'failed', error: `the grant's connection #${g.connection_id} no longer exists in this workspace` };
      }
      if (g.identity_id === '') {
        const reason = `${g.beneficiary_name} has no account in ${c.name}`;
        return { status: 'manual', reason, instructions: instructions(ctx.db, g, add, reason) };
      }
      const refused = unmanageable(ctx.db, c, g.group_id);
      if (refused) return { status: 'manual', reason: refused, instructions: instructions(ctx.db, g, add, refused) };
      let writer: GroupWriter;
      try {
        writer = await writerFor(c);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        // No credential in this machine's keychain: someone has to act; retrying blindly would not help.
        return { status: 'failed', error: message };
      }
      const r = add ? await writer.addMember(g.group_id, g.identity_id) : await writer.removeMember(g.group_id, g.identity_id);
      return toOutcome(r, ctx.db, g, add);
    };

  /**
   * A leaver's account suspended (a 'revoke' job without a grant whose payload
   * says op 'suspend-account': the jobs table's kinds stay as they are). Its
   * connection, identity and the writer's idempotent suspend.
   */
  const suspend: JobExecutor = async (job: ClaimedJob) => {
    const identityId = job.payload.identityId;
    if (job.connectionId === null || typeof identityId !== 'string') return { status: 'failed', error: `job #${job.id} names no account to suspend` };
    let c: ConnectionRecord;
    try {
      c = getConnectionRecord(ctx.db, job.connectionId);
    } catch {
      return { status: 'failed', error: `connection #${job.connectionId} no longer exists in this workspace` };
    }
    let writer: GroupWriter;
    try {
      writer = await writerFor(c);
    } catch (e) {
      return { status: 'failed', error: e instanceof Error ? e.message : String(e) };
    }
    const r = await writer.suspendAccount(identityId);
    const status = r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {};
    switch (r.kind) {
      case 'done':
        return { status: 'succeeded', result: { changed: r.changed, suspended: identityId, ...(r.note ? { note: r.note } : {}) }, ...status };
      case 'retry':
        return { status: 'retry', error: r.error, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}), ...status };
      case 'failed':
        return { status: 'failed', error: r.error, ...status };
      case 'manual':
        return { status: 'manual', reason: r.reason, instructions: `Suspend (or disable) the account ${identityId} in ${c.name} — Latchkey cannot: ${r.reason}. Then mark this task done with the evidence.` };
    }
  };
  const revoke = membership(false);

  return {
    executors: { provision: membership(true), revoke: (job, c, signal) => (job.payload.op === SUSPEND_OP ? suspend(job, c, signal) : revoke(job, c, signal)) },
    close: () => {
      for (const w of built) w.close();
      built.length = 0;
      writers.clear();
    },
  };
}
