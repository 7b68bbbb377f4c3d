// Shared set-up for the jobs integration tests: a sandbox tenant, a real
// SQLite workspace with Okta and Entra connections (credentials in an
// in-memory keychain), synced once, and helpers to put grants and jobs in it
// the way the approval flow would.
import { addConnection } from '../../electron/engine/connections/connections.js';
import type { ConnectionRecord } from '../../electron/engine/connectors/types.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { offsetClock, type AdjustableClock } from '../../electron/engine/jobs/clock.js';
import { enqueueJob } from '../../electron/engine/jobs/job-store.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import type { Sandbox } from '../../electron/sandbox/sandbox.js';
import { workspace, type Emitted } from './okta-sync-helpers.js';

export type JobsWorkspace = { ctx: EngineContext; db: Db; events: Emitted[]; clock: AdjustableClock; okta: ConnectionRecord; entra: ConnectionRecord | null };

export async function jobsWorkspace(dir: string, sandbox: Sandbox, opts: { entra?: boolean; sync?: boolean } = {}): Promise<JobsWorkspace> {
  const { ctx, db, events } = workspace(dir);
  const clock = offsetClock();
  ctx.clock = clock;
  const okta = await addConnection(ctx, { kind: 'okta', name: 'Okta', orgUrl: sandbox.okta.url, budgetShare: 0.5, auth: { type: 'token', token: sandbox.okta.token } });
  let entra: ConnectionRecord | null = null;
  if (opts.entra !== false && sandbox.graph) {
    const g = sandbox.graph;
    entra = await addConnection(ctx, {
      kind: 'entra',
      name: 'Entra',
      tenantId: g.tenantId,
      clientId: g.clientId,
      authorityHost: g.url,
      graphUrl: g.url,
      caPem: g.caPem,
      budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: g.clientSecret },
    });
  }
  if (opts.sync !== false) {
    for (const c of [okta, entra]) {
      if (!c) continue;
      const s = await (await syncAndReconcile(ctx, c.id, { full: true })).done;
      if (s.status !== 'succeeded') throw new Error(`sync of ${c.name} failed: ${s.error ?? ''}`);
    }
  }
  return { ctx, db, events, clock, okta, entra };
}

/** A group Latchkey may change (hand-managed) and an active user who is not in it. */
export function pickTarget(db: Db, connectionId: number, opts: { managedBy?: string; type?: string; member?: boolean; skip?: Set<string> } = {}): { groupId: string; groupName: string; userId: string; email: string } {
  const groups = db
    .prepare(`SELECT id, name FROM cur_groups WHERE connection_id = ? AND managed_by = ? ${opts.type ? 'AND type = ?' : ''} ORDER BY id`)
    .all(...[connectionId, opts.managedBy ?? 'direct', ...(opts.type ? [opts.type] : [])]) as { id: string; name: string }[];
  for (const g of groups) {
    const u = db
      .prepare(
        `SELECT i.id, i.email FROM cur_identities i WHERE i.connection_id = ? AND i.status IN ('ACTIVE', 'enabled') AND i.email IS NOT NULL
           AND ${opts.member ? '' : 'NOT'} EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = i.connection_id AND m.group_id = ? AND m.identity_id = i.id)
         ORDER BY i.id`,
      )
      .all(connectionId, g.id) as { id: string; email: string }[];
    const pick = u.find((x) => !opts.skip?.has(`${g.id}:${x.id}`));
    if (pick) {
      opts.skip?.add(`${g.id}:${pick.id}`);
      return { groupId: g.id, groupName: g.name, userId: pick.id, email: pick.email };
    }
  }
  throw new Error(`no target in connection #${connectionId} (${opts.managedBy ?? 'direct'})`);
}

/** A grant (and its provisioning job) as an approval would create it. */
export function insertGrant(
  ctx: EngineContext,
  t: { connectionId: number; groupId: string; groupName: string; userId: string; email: string },
  opts: { expiresAt?: string | null; status?: string; job?: boolean; maxAttempts?: number } = {},
): { grantId: number; jobId: number | null } {
  const at = ctx.clock.now().toISOString();
  const grantId = Number(
    ctx.db
      .prepare(
        `INSERT INTO grants (connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name, status, starts_at, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.connectionId, t.groupId, t.groupName, t.userId, t.email, t.email, opts.status ?? 'pending', at, opts.expiresAt ?? null, at, at).lastInsertRowid,
  );
  const jobId =
    opts.job === false
      ? null
      : enqueueJob(ctx.db, { kind: 'provision', grantId, connectionId: t.connectionId, idempotencyKey: `provision:grant:${grantId}`, ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}) }, ctx.clock.now());
  return { grantId, jobId };
}

export function grantOf(db: Db, grantId: number): Record<string, unknown> & { status: string; end_reason: string | null; provisioned_at: string | null; ended_at: string | null } {
  return db.prepare('SELECT * FROM grants WHERE id = ?').get(grantId) as never;
}

export function jobOf(db: Db, jobId: number): { status: string; attempts: number; last_error: string | null; kind: string } {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as never;
}

export function oktaMember(sandbox: Sandbox, groupId: string, userId: string): boolean {
  const g = sandbox.oktaState.groupIndex(groupId);
  const u = sandbox.oktaState.userIndex(userId);
  if (g === undefined || u === undefined) throw new Error('unknown Okta group or user');
  return sandbox.org.memberships.has(g, u);
}

export function entraMember(sandbox: Sandbox, groupId: string, userId: string): boolean {
  const dir = sandbox.graphServer?.directory;
  if (!dir) throw new Error('no Graph sandbox');
  return dir.memberships.has(dir.groupIndex(groupId), dir.userIndex(userId));
}

export function liveMember(db: Db, connectionId: number, groupId: string, userId: string): boolean {
  return db.prepare('SELECT 1 FROM cur_memberships WHERE connection_id = ? AND group_id = ? AND identity_id = ?').get(connectionId, groupId, userId) !== undefined;
}

/** Connector and back-off settings that keep a test's retries fast (the job's own retries do the work). */
export const FAST = {
  backoff: { baseMs: 5, capMs: 50 },
  waitForDueWithinMs: 120_000,
  idp: { okta: { maxRetries: 0, maxRateLimitRetries: 0, timeoutMs: 1_500 }, entra: { maxRetries: 0, timeoutMs: 1_500 } },
} as const;
