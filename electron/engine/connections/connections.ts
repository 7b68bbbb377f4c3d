// Connections: the non-secret half lives in SQLite, the credential in the OS
// keychain under an account named after the workspace and connection id.
// Every change writes an audit event in the same transaction.
import type { AddOktaConnectionInput } from '../../../shared/contract.js';
import type { ConnectionSummary, ConnectionTestResult, SyncRunSummary } from '../../../shared/domain.js';
import { appendAudit } from '../audit/audit-log.js';
import { createOktaConnector } from '../connectors/okta/okta-connector.js';
import type { ConnectionRecord, OktaCredential } from '../connectors/types.js';
import { isSyncRunning } from '../sync/sync-runner.js';
import { lastSyncRun } from '../sync/sync-runs.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { connectionAccount } from '../secrets/secret-store.js';

type ConnectionRow = {
  id: number;
  name: string;
  kind: 'okta' | 'entra' | 'jira';
  base_url: string;
  auth_type: 'token' | 'oauth';
  client_id: string | null;
  scopes: string;
  settings: string;
  org_name: string | null;
  live_gen: number;
  created_at: string;
};

function toRecord(r: ConnectionRow): ConnectionRecord {
  const settings = JSON.parse(r.settings) as Partial<ConnectionRecord['settings']>;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    baseUrl: r.base_url,
    authType: r.auth_type,
    clientId: r.client_id,
    scopes: JSON.parse(r.scopes) as string[],
    settings: { budgetShare: settings.budgetShare ?? 0.5 },
    orgName: r.org_name,
    liveGen: r.live_gen,
    createdAt: r.created_at,
  };
}

/** Normalises an org URL to its origin: https://acme.okta.com/ and https://acme.okta.com/admin both mean the org. */
export function normaliseOrgUrl(raw: string): string {
  const u = new URL(raw.trim());
  return u.origin;
}

export function getConnectionRecord(db: Db, ref: number | string): ConnectionRecord {
  const row = (
    typeof ref === 'number'
      ? db.prepare('SELECT * FROM connections WHERE id = ?').get(ref)
      : db.prepare('SELECT * FROM connections WHERE name = ?').get(ref)
  ) as ConnectionRow | undefined;
  if (!row) {
    const known = (db.prepare('SELECT name FROM connections ORDER BY name').all() as { name: string }[]).map((r) => r.name);
    throw new UserError(
      `unknown connection ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`}` +
        (known.length ? ` (known: ${known.join(', ')})` : ' (no connections yet: add one first)'),
      'not-found',
    );
  }
  return toRecord(row);
}

export function listConnectionRecords(db: Db): ConnectionRecord[] {
  return (db.prepare('SELECT * FROM connections ORDER BY name').all() as ConnectionRow[]).map(toRecord);
}

/** The summary the UI and the CLI show; `lastSync` is the newest run of each connection. */
export function listConnections(db: Db): ConnectionSummary[] {
  return listConnectionRecords(db).map((c) => toSummary(c, lastSyncRun(db, c.id)));
}

export function toSummary(c: ConnectionRecord, lastSync: SyncRunSummary | null): ConnectionSummary {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    baseUrl: c.baseUrl,
    authType: c.authType,
    clientId: c.clientId,
    scopes: c.scopes,
    budgetShare: c.settings.budgetShare,
    orgName: c.orgName,
    createdAt: c.createdAt,
    lastSync,
  };
}

function assertWritable(ctx: EngineContext): void {
  if (ctx.readOnly) {
    throw new UserError('this workspace is open read-only (a copied snapshot): connections cannot be changed', 'read-only');
  }
}

export function credentialFromInput(input: AddOktaConnectionInput): OktaCredential {
  return input.auth.type === 'token'
    ? { type: 'token', token: input.auth.token }
    : { type: 'oauth', clientId: input.auth.clientId, privateKeyPem: input.auth.privateKeyPem, scopes: input.auth.scopes };
}

/**
 * Adds a connection. The row is written first (to get its id), then the
 * credential goes to the keychain; if the keychain refuses, the row is
 * removed again so no connection exists without its credential.
 */
export async function addConnection(ctx: EngineContext, input: AddOktaConnectionInput): Promise<ConnectionRecord> {
  assertWritable(ctx);
  const baseUrl = normaliseOrgUrl(input.orgUrl);
  const now = ctx.clock.now().toISOString();
  const exists = ctx.db.prepare('SELECT 1 FROM connections WHERE name = ?').get(input.name);
  if (exists) throw new UserError(`a connection named "${input.name}" already exists`, 'conflict');
  const credential = credentialFromInput(input);
  const insert = ctx.db.transaction(() => {
    const info = ctx.db
      .prepare(
        `INSERT INTO connections (name, kind, base_url, auth_type, client_id, scopes, settings, created_at, updated_at)
         VALUES (?, 'okta', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.name,
        baseUrl,
        credential.type,
        credential.type === 'oauth' ? credential.clientId : null,
        JSON.stringify(credential.type === 'oauth' ? credential.scopes : []),
        JSON.stringify({ budgetShare: input.budgetShare }),
        now,
        now,
      );
    const id = Number(info.lastInsertRowid);
    appendAudit(
      ctx.db,
      {
        actor: ctx.actor,
        action: 'connection.added',
        targetType: 'connection',
        targetId: id,
        details: { name: input.name, kind: 'okta', baseUrl, authType: credential.type, budgetShare: input.budgetShare },
      },
      ctx.clock.now(),
    );
    return id;
  });
  const id = insert.immediate();
  try {
    await ctx.secrets.set(connectionAccount(workspaceId(ctx.db), id), JSON.stringify(credential));
  } catch (e) {
    ctx.db.transaction(() => {
      ctx.db.prepare('DELETE FROM connections WHERE id = ?').run(id);
      appendAudit(
        ctx.db,
        {
          actor: ctx.actor,
          action: 'connection.add_failed',
          targetType: 'connection',
          targetId: id,
          details: { name: input.name, reason: 'keychain refused the credential' },
        },
        ctx.clock.now(),
      );
    })();
    throw e;
  }
  return getConnectionRecord(ctx.db, id);
}

/** The stored credential; a clear error when the keychain has none (e.g. a copied workspace). */
export async function loadCredential(ctx: EngineContext, connection: ConnectionRecord): Promise<OktaCredential> {
  const raw = await ctx.secrets.get(connectionAccount(workspaceId(ctx.db), connection.id));
  if (raw === null) {
    throw new UserError(
      `no credential for connection "${connection.name}" in this machine's keychain; ` +
        'remove and add the connection again, or pass --token-env for one run',
      'unauthorized',
    );
  }
  return JSON.parse(raw) as OktaCredential;
}

/** Records the org name a successful test reported, so lists show it without a call. */
export function rememberOrgName(ctx: EngineContext, connectionId: number, result: ConnectionTestResult): void {
  if (ctx.readOnly || !result.ok || !result.orgName) return;
  ctx.db.prepare('UPDATE connections SET org_name = ?, updated_at = ? WHERE id = ?').run(result.orgName, ctx.clock.now().toISOString(), connectionId);
}

/** Removes a connection, its snapshot rows and its keychain entry. Audit history stays. */
export async function removeConnection(ctx: EngineContext, connectionId: number): Promise<void> {
  assertWritable(ctx);
  const c = getConnectionRecord(ctx.db, connectionId);
  // The sync would otherwise write rows for a connection that no longer exists.
  if (isSyncRunning(c.id)) throw new UserError(`"${c.name}" is syncing right now; remove it when the sync has finished`, 'conflict');
  ctx.db
    .transaction(() => {
      // memberships and app_assignments carry no foreign key (bulk-insert speed), so go explicitly.
      ctx.db.prepare('DELETE FROM memberships WHERE connection_id = ?').run(c.id);
      ctx.db.prepare('DELETE FROM app_assignments WHERE connection_id = ?').run(c.id);
      ctx.db.prepare('DELETE FROM connections WHERE id = ?').run(c.id);
      appendAudit(
        ctx.db,
        { actor: ctx.actor, action: 'connection.removed', targetType: 'connection', targetId: c.id, details: { name: c.name, baseUrl: c.baseUrl } },
        ctx.clock.now(),
      );
    })
    .immediate();
  await ctx.secrets.delete(connectionAccount(workspaceId(ctx.db), c.id));
}

/** Calls the IdP with the stored credential: org name and what the credential can do, or the exact error. */
export async function testConnection(ctx: EngineContext, connectionId: number, credential?: OktaCredential): Promise<ConnectionTestResult> {
  const c = getConnectionRecord(ctx.db, connectionId);
  const connector = createOktaConnector({ orgUrl: c.baseUrl, credential: credential ?? (await loadCredential(ctx, c)), budgetShare: c.settings.budgetShare });
  const result = await connector.testConnection();
  rememberOrgName(ctx, c.id, result);
  return result;
}
