// Connections: the non-secret half lives in SQLite, the credential in the OS
// keychain under an account named after the workspace and connection id.
// Every change writes an audit event in the same transaction.
import type { AddConnectionInput, AddEntraConnectionInput, AddJiraConnectionInput, AddOktaConnectionInput } from '../../../shared/contract.js';
import { plainHttpProblem } from '../../../shared/contract.js';
import type { ConnectionSummary, ConnectionTestResult, SyncRunSummary, SyncScope } from '../../../shared/domain.js';
import { appendAudit } from '../audit/audit-log.js';
import type { createEntraConnector } from '../connectors/entra/entra-connector.js';
import { isEntraCredential, isJiraCredential, isOktaCredential, type ConnectionRecord, type ConnectionSettings, type Credential, type EntraCredential, type JiraCredential, type OktaCredential } from '../connectors/types.js';
import { normaliseScope } from './scope.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';
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
  const raw = JSON.parse(r.settings) as Partial<ConnectionSettings>;
  const settings: ConnectionSettings = { budgetShare: raw.budgetShare ?? 0.5, scope: normaliseScope(raw.scope) };
  if (typeof raw.tenantId === 'string') settings.tenantId = raw.tenantId;
  if (typeof raw.authorityHost === 'string') settings.authorityHost = raw.authorityHost;
  if (typeof raw.caPem === 'string') settings.caPem = raw.caPem;
  // What the last test found (the catalog and Jira write-back warn on false).
  if (typeof raw.canWrite === 'boolean') settings.canWrite = raw.canWrite;
  if (raw.suspendLeavers === true) settings.suspendLeavers = true;
  if (raw.jira && typeof raw.jira.projectKey === 'string') settings.jira = raw.jira;
  if (raw.jiraPoll) settings.jiraPoll = raw.jiraPoll;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    baseUrl: r.base_url,
    authType: r.auth_type,
    clientId: r.client_id,
    scopes: JSON.parse(r.scopes) as string[],
    settings,
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

/** A connection by id, or null when there is none (removed since a grant or job named it). */
export function connectionRecordOrNull(db: Db, id: number): ConnectionRecord | null {
  const row = cachedStatement(db, 'SELECT * FROM connections WHERE id = ?').get(id) as ConnectionRow | undefined;
  return row ? toRecord(row) : null;
}

/** The first connection of a kind (by id): the Jira connection requests are recorded in. */
export function firstConnectionOf(db: Db, kind: ConnectionRecord['kind']): ConnectionRecord | null {
  const row = cachedStatement(db, 'SELECT * FROM connections WHERE kind = ? ORDER BY id LIMIT 1').get(kind) as ConnectionRow | undefined;
  return row ? toRecord(row) : null;
}

/** The connection's live snapshot generation (0: never synced), or null when the connection is gone. */
export function liveGeneration(db: Db, id: number): number | null {
  return (db.prepare('SELECT live_gen FROM connections WHERE id = ?').pluck().get(id) as number | undefined) ?? null;
}

/** Makes a new snapshot generation the live one: the sync's flip, inside its transaction. */
export function setLiveGeneration(db: Db, id: number, gen: number, now: Date): void {
  db.prepare('UPDATE connections SET live_gen = ?, updated_at = ? WHERE id = ?').run(gen, now.toISOString(), id);
}

/**
 * Points a connection at a new address (the demo's sandbox listens on a new
 * port at each start), with the client id and settings that go with it.
 * Inside the caller's transaction, which records why.
 */
export function repointConnection(db: Db, id: number, to: { baseUrl: string; clientId?: string | null; settings?: ConnectionSettings }, now: Date): void {
  const c = getConnectionRecord(db, id);
  db.prepare('UPDATE connections SET base_url = ?, client_id = ?, settings = ?, updated_at = ? WHERE id = ?').run(
    to.baseUrl,
    to.clientId === undefined ? c.clientId : to.clientId,
    JSON.stringify(to.settings ?? c.settings),
    now.toISOString(),
    id,
  );
}

/**
 * Changes one part of a connection's stored settings, read and written in one
 * transaction so a concurrent change of another part is not lost. Null when
 * the connection is gone.
 */
export function patchConnectionSettings<T>(db: Db, id: number, change: (settings: Record<string, unknown>) => { settings: Record<string, unknown>; value: T }, now: Date): T | null {
  return db.transaction(() => {
    const raw = db.prepare('SELECT settings FROM connections WHERE id = ?').pluck().get(id) as string | undefined;
    if (raw === undefined) return null;
    const { settings, value } = change(JSON.parse(raw) as Record<string, unknown>);
    db.prepare('UPDATE connections SET settings = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(settings), now.toISOString(), id);
    return value;
  })();
}

export function listConnectionRecords(db: Db): ConnectionRecord[] {
  return (db.prepare('SELECT * FROM connections ORDER BY name').all() as ConnectionRow[]).map(toRecord);
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
    tenantId: c.settings.tenantId ?? null,
    scope: c.settings.scope,
    customCa: typeof c.settings.caPem === 'string',
    jira: c.kind === 'jira' && c.settings.jira ? { projectKey: c.settings.jira.projectKey, serviceDeskId: c.settings.jira.serviceDeskId, requestTypeId: c.settings.jira.requestTypeId } : null,
  };
}

function assertWritable(ctx: EngineContext): void {
  if (ctx.readOnly) {
    throw new UserError('this workspace is open read-only (a copied snapshot): connections cannot be changed', 'read-only');
  }
}

export function credentialFromInput(input: AddOktaConnectionInput): OktaCredential;
export function credentialFromInput(input: AddEntraConnectionInput): EntraCredential;
export function credentialFromInput(input: AddJiraConnectionInput): JiraCredential;
export function credentialFromInput(input: AddConnectionInput): Credential;
export function credentialFromInput(input: AddConnectionInput): Credential {
  // Jira: the e-mail goes with the token (both name the account; neither is stored in SQLite).
  if (input.kind === 'jira') return { type: 'jira-token', email: input.email, apiToken: input.apiToken };
  if (input.kind === 'entra') {
    return input.auth.type === 'secret'
      ? { type: 'secret', clientSecret: input.auth.clientSecret }
      : { type: 'certificate', certificatePem: input.auth.certificatePem };
  }
  return input.auth.type === 'token'
    ? { type: 'token', token: input.auth.token }
    : { type: 'oauth', clientId: input.auth.clientId, privateKeyPem: input.auth.privateKeyPem, scopes: input.auth.scopes };
}

/** The non-secret columns of a new connection. */
function rowFromInput(input: AddConnectionInput): {
  baseUrl: string;
  authType: 'token' | 'oauth';
  clientId: string | null;
  scopes: string[];
  settings: Omit<ConnectionSettings, 'scope'> & { scope?: SyncScope };
} {
  if (input.kind === 'jira') {
    return {
      baseUrl: normaliseOrgUrl(input.siteUrl),
      authType: 'token',
      clientId: null,
      scopes: [],
      settings: { budgetShare: 1, jira: { projectKey: input.projectKey, serviceDeskId: input.serviceDeskId, requestTypeId: input.requestTypeId, fields: input.fields, ...(input.statuses && Object.keys(input.statuses).length > 0 ? { statuses: input.statuses } : {}) } },
    };
  }
  if (input.kind === 'entra') {
    // Client credentials is OAuth; the secret-or-certificate choice lives with the credential.
    return {
      baseUrl: normaliseOrgUrl(input.graphUrl),
      authType: 'oauth',
      clientId: input.clientId,
      scopes: ['https://graph.microsoft.com/.default'],
      settings: {
        budgetShare: input.budgetShare,
        tenantId: input.tenantId,
        authorityHost: normaliseOrgUrl(input.authorityHost),
        ...(input.caPem ? { caPem: input.caPem } : {}),
      },
    };
  }
  const credential = credentialFromInput(input);
  return {
    baseUrl: normaliseOrgUrl(input.orgUrl),
    authType: credential.type,
    clientId: credential.type === 'oauth' ? credential.clientId : null,
    scopes: credential.type === 'oauth' ? credential.scopes : [],
    settings: { budgetShare: input.budgetShare },
  };
}

/**
 * Adds a connection. The row is written first (to get its id), then the
 * credential goes to the keychain; if the keychain refuses, the row is
 * removed again so no connection exists without its credential.
 */
export async function addConnection(ctx: EngineContext, input: AddConnectionInput): Promise<ConnectionRecord> {
  assertWritable(ctx);
  const row = rowFromInput(input);
  const baseUrl = row.baseUrl;
  const now = ctx.clock.now().toISOString();
  const exists = ctx.db.prepare('SELECT 1 FROM connections WHERE name = ?').get(input.name);
  if (exists) throw new UserError(`a connection named "${input.name}" already exists`, 'conflict');
  const credential = credentialFromInput(input);
  const insert = ctx.db.transaction(() => {
    const info = ctx.db
      .prepare(
        `INSERT INTO connections (name, kind, base_url, auth_type, client_id, scopes, settings, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.name, input.kind, baseUrl, row.authType, row.clientId, JSON.stringify(row.scopes), JSON.stringify(row.settings), now, now);
    const id = Number(info.lastInsertRowid);
    appendAudit(
      ctx.db,
      {
        actor: ctx.actor, channel: ctx.channel,
        action: 'connection.added',
        targetType: 'connection',
        targetId: id,
        details: {
          name: input.name,
          kind: input.kind,
          baseUrl,
          authType: credential.type,
          ...(input.kind !== 'jira' ? { budgetShare: input.budgetShare } : { projectKey: input.projectKey, serviceDeskId: input.serviceDeskId, requestTypeId: input.requestTypeId }),
          ...(input.kind === 'entra' ? { tenantId: input.tenantId, clientId: input.clientId, customCa: Boolean(input.caPem) } : {}),
        },
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
          actor: ctx.actor, channel: ctx.channel,
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

/** Changes what a connection syncs; applies from its next sync (the next one is full, so the snapshot matches the scope). */
export function setConnectionScope(ctx: EngineContext, connectionId: number, scope: SyncScope): ConnectionRecord {
  assertWritable(ctx);
  const c = getConnectionRecord(ctx.db, connectionId);
  const next = { ...c.settings, scope: normaliseScope(scope) };
  ctx.db
    .transaction(() => {
      ctx.db.prepare('UPDATE connections SET settings = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(next), ctx.clock.now().toISOString(), c.id);
      appendAudit(
        ctx.db,
        { actor: ctx.actor, channel: ctx.channel, action: 'connection.scope_changed', targetType: 'connection', targetId: c.id, details: { before: c.settings.scope, after: next.scope } },
        ctx.clock.now(),
      );
    })
    .immediate();
  return getConnectionRecord(ctx.db, c.id);
}

/** Whether leavers' accounts of this Okta or Entra connection are suspended too (off by default); audited. */
export function setSuspendLeavers(ctx: EngineContext, connectionId: number, on: boolean): ConnectionRecord {
  assertWritable(ctx);
  const c = getConnectionRecord(ctx.db, connectionId);
  if (c.kind !== 'okta' && c.kind !== 'entra') throw new UserError(`"${c.name}" is a ${c.kind} connection: it has no accounts to suspend`, 'bad-input');
  const next: ConnectionSettings = { ...c.settings };
  if (on) next.suspendLeavers = true;
  else delete next.suspendLeavers;
  ctx.db
    .transaction(() => {
      ctx.db.prepare('UPDATE connections SET settings = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(next), ctx.clock.now().toISOString(), c.id);
      appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel, action: 'connection.suspend_leavers_changed', targetType: 'connection', targetId: c.id, details: { before: c.settings.suspendLeavers === true, after: on } }, ctx.clock.now());
    })
    .immediate();
  return getConnectionRecord(ctx.db, c.id);
}

/** The Okta and Entra connections set to suspend leavers' accounts. */
export function suspendLeaverConnections(db: Db): Set<number> {
  return new Set(listConnectionRecords(db).filter((c) => (c.kind === 'okta' || c.kind === 'entra') && c.settings.suspendLeavers === true).map((c) => c.id));
}

/**
 * Refuses to send a credential over plain http to anything but loopback. New
 * connections are refused at input (shared/contract.ts); this catches one
 * stored before that rule, or written into the file by hand.
 */
export function assertSecureTransport(connection: ConnectionRecord): void {
  const urlWhat = connection.kind === 'jira' ? 'the site URL' : connection.kind === 'entra' ? 'the Graph URL' : 'the org URL';
  const problem =
    plainHttpProblem(connection.baseUrl, urlWhat) ??
    (connection.settings.authorityHost === undefined ? null : plainHttpProblem(connection.settings.authorityHost, 'the authority host'));
  if (problem) throw new UserError(`connection "${connection.name}": ${problem}; remove it and add it again with https://`, 'bad-input');
}

/** The stored credential; a clear error when the keychain has none (e.g. a copied workspace). */
export async function loadCredential(ctx: EngineContext, connection: ConnectionRecord): Promise<Credential> {
  assertSecureTransport(connection);
  const raw = await ctx.secrets.get(connectionAccount(workspaceId(ctx.db), connection.id));
  if (raw === null) {
    throw new UserError(
      `no credential for connection "${connection.name}" in this machine's keychain; ` +
        'remove and add the connection again, or pass --token-env for one run',
      'unauthorized',
    );
  }
  const credential = JSON.parse(raw) as Credential;
  const fits = connection.kind === 'entra' ? isEntraCredential(credential) : connection.kind === 'jira' ? isJiraCredential(credential) : isOktaCredential(credential);
  if (!fits) throw new UserError(`the keychain entry of "${connection.name}" is not a ${connection.kind} credential; add the connection again`, 'unauthorized');
  return credential;
}

/**
 * Records what a successful test found: the org name (lists show it without a
 * call) and whether the credential may change group membership (the catalog
 * flags mappings on a connection that can't, before anyone requests them).
 */
export function rememberTestResult(ctx: EngineContext, connectionId: number, result: ConnectionTestResult): void {
  if (ctx.readOnly || !result.ok) return;
  ctx.db
    .prepare(
      `UPDATE connections SET org_name = coalesce(?, org_name),
         settings = CASE WHEN ? IS NULL THEN settings ELSE json_set(settings, '$.canWrite', json(?)) END,
         updated_at = ? WHERE id = ?`,
    )
    .run(result.orgName, result.canWrite === null ? null : 1, result.canWrite === null ? null : String(result.canWrite), ctx.clock.now().toISOString(), connectionId);
}

/**
 * Deletes a connection's row (its snapshot objects go with it by foreign key)
 * with its audit event, inside the caller's transaction. The whole removal —
 * refused during a sync, the link tables, re-linking people, the keychain
 * entry — is governance/connection-removal.ts.
 */
export function deleteConnectionRecord(ctx: EngineContext, c: ConnectionRecord): void {
  assertWritable(ctx);
  ctx.db.prepare('DELETE FROM connections WHERE id = ?').run(c.id);
  appendAudit(
    ctx.db,
    { actor: ctx.actor, channel: ctx.channel, action: 'connection.removed', targetType: 'connection', targetId: c.id, details: { name: c.name, baseUrl: c.baseUrl } },
    ctx.clock.now(),
  );
}

/** Forgets a connection's credential in this machine's keychain. */
export async function forgetCredential(ctx: EngineContext, c: ConnectionRecord): Promise<void> {
  await ctx.secrets.delete(connectionAccount(workspaceId(ctx.db), c.id));
}

/** The Entra connector's settings for a stored connection. */
export function entraOptions(c: ConnectionRecord, credential: EntraCredential): Parameters<typeof createEntraConnector>[0] {
  return {
    graphUrl: c.baseUrl,
    authorityHost: c.settings.authorityHost ?? 'https://login.microsoftonline.com',
    tenantId: c.settings.tenantId ?? '',
    clientId: c.clientId ?? '',
    credential,
    budgetShare: c.settings.budgetShare,
    ...(c.settings.caPem ? { caPem: c.settings.caPem } : {}),
  };
}
