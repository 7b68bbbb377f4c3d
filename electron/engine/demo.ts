// The demo workspace: with no real tenant configured, the console runs on the
// embedded sandbox tenant, a "hybrid" organisation whose people exist in both
// its Okta org and its Entra tenant, so a newcomer sees them correlated. The
// sandbox listens on new ports with new credentials (token, client id and
// secret, TLS CA) every launch, so both connections are re-pointed (and
// audited) each time.
import { appendAudit } from './audit/audit-log.js';
import type { Db } from './db/database.js';
import { addConnection, getConnectionRecord, listConnectionRecords, normaliseOrgUrl, repointConnection } from './connections/connections.js';
import type { ConnectionRecord } from './connectors/types.js';
import { workspaceId, type EngineContext } from './context.js';
import { connectionAccount } from './secrets/secret-store.js';
import { syncAndReconcile } from './governance/after-sync.js';
import { getSettings, updateSignInSettings } from './settings/settings.js';
import type { StartedSync } from './sync/sync-service.js';
import { lastSucceededRun } from './sync/sync-runs.js';

export const SANDBOX_CONNECTION_NAME = 'Sandbox Okta';
export const SANDBOX_ENTRA_CONNECTION_NAME = 'Sandbox Entra';
export const SANDBOX_JIRA_CONNECTION_NAME = 'Sandbox Jira';

function isLoopback(url: string | undefined): boolean {
  if (url === undefined) return false;
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * True when every connection of the workspace talks to loopback only (URL and,
 * for Entra, the authority): a workspace on a sandbox tenant, where tests may
 * move the clock (LATCHKEY_TEST_CLOCK) without touching anyone's real access.
 */
export function onlyLoopbackConnections(db: Db): boolean {
  return listConnectionRecords(db).every((c) => isLoopback(c.baseUrl) && (c.settings.authorityHost === undefined || isLoopback(c.settings.authorityHost)));
}

/** One of the demo's own connections (by name and kind), still pointed at loopback. */
function isSandboxConnection(c: ConnectionRecord): boolean {
  if (c.name === SANDBOX_CONNECTION_NAME) return c.kind === 'okta' && isLoopback(c.baseUrl);
  // Both Entra endpoints: a connection that signs in at a real authority is not the sandbox's.
  if (c.name === SANDBOX_ENTRA_CONNECTION_NAME) return c.kind === 'entra' && isLoopback(c.baseUrl) && isLoopback(c.settings.authorityHost);
  if (c.name === SANDBOX_JIRA_CONNECTION_NAME) return c.kind === 'jira' && isLoopback(c.baseUrl);
  return false;
}

/** True when the workspace has no connection to a real tenant, so the demo sandbox should run. */
export function wantsSandbox(ctx: EngineContext): boolean {
  return listConnectionRecords(ctx.db).every(isSandboxConnection);
}

/** The demo signs operators in through the sandbox Okta (unless the workspace chose another connection). */
function pointSignInAtSandbox(ctx: EngineContext, okta: ConnectionRecord, clientId: string): void {
  const current = getSettings(ctx.db).signIn;
  if (current.connectionId !== null && current.connectionId !== okta.id) return;
  if (current.connectionId === okta.id && current.clientId === clientId) return;
  updateSignInSettings(ctx, { connectionId: okta.id, clientId });
}

function recordRepoint(ctx: EngineContext, c: ConnectionRecord, details: Record<string, unknown>): void {
  appendAudit(
    ctx.db,
    {
      actor: ctx.actor, channel: ctx.channel,
      action: 'connection.repointed',
      targetType: 'connection',
      targetId: c.id,
      details: { name: c.name, from: c.baseUrl, ...details, reason: 'sandbox restarted' },
    },
    ctx.clock.now(),
  );
}

/** Creates or re-points the sandbox's Okta connection at a running sandbox. */
export async function attachSandboxOkta(ctx: EngineContext, okta: { url: string; token: string }): Promise<ConnectionRecord> {
  const existing = listConnectionRecords(ctx.db).find((c) => c.name === SANDBOX_CONNECTION_NAME);
  if (!existing) {
    return addConnection(ctx, {
      kind: 'okta',
      name: SANDBOX_CONNECTION_NAME,
      orgUrl: okta.url,
      budgetShare: 0.5,
      auth: { type: 'token', token: okta.token },
    });
  }
  await ctx.secrets.set(connectionAccount(workspaceId(ctx.db), existing.id), JSON.stringify({ type: 'token', token: okta.token }));
  if (existing.baseUrl !== okta.url) {
    // The System Log position is a time on the org's clock, not a URL: it carries over as is.
    ctx.db
      .transaction(() => {
        repointConnection(ctx.db, existing.id, { baseUrl: okta.url }, ctx.clock.now());
        recordRepoint(ctx, existing, { to: okta.url });
      })
      .immediate();
  }
  return getConnectionRecord(ctx.db, existing.id);
}

/** What the demo needs of the sandbox's Graph tenant and its app registration. */
export type DemoSandboxGraph = { url: string; tenantId: string; clientId: string; clientSecret: string; caPem: string };

/**
 * Creates or re-points the sandbox's Entra connection at a running sandbox:
 * Graph URL and authority host (same server), client id, CA and, if the seed
 * changed, tenant id; the client secret goes to the keychain. The stored
 * delta links still name the previous sandbox, so the next sync is a full one
 * and says why (entra-sync: links of another endpoint are never followed).
 */
export async function attachSandboxEntra(ctx: EngineContext, graph: DemoSandboxGraph): Promise<ConnectionRecord> {
  const url = normaliseOrgUrl(graph.url);
  const existing = listConnectionRecords(ctx.db).find((c) => c.name === SANDBOX_ENTRA_CONNECTION_NAME);
  if (!existing) {
    return addConnection(ctx, {
      kind: 'entra',
      name: SANDBOX_ENTRA_CONNECTION_NAME,
      tenantId: graph.tenantId,
      clientId: graph.clientId,
      authorityHost: url,
      graphUrl: url,
      caPem: graph.caPem,
      budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: graph.clientSecret },
    });
  }
  await ctx.secrets.set(connectionAccount(workspaceId(ctx.db), existing.id), JSON.stringify({ type: 'secret', clientSecret: graph.clientSecret }));
  const s = existing.settings;
  const changed = [
    existing.baseUrl !== url ? 'Graph URL' : null,
    s.authorityHost !== url ? 'authority host' : null,
    existing.clientId !== graph.clientId ? 'client id' : null,
    s.tenantId !== graph.tenantId ? 'tenant id' : null,
    s.caPem !== graph.caPem ? 'CA certificate' : null,
  ].filter((x): x is string => x !== null);
  if (changed.length === 0) return existing;
  ctx.db
    .transaction(() => {
      const settings = { ...s, authorityHost: url, tenantId: graph.tenantId, caPem: graph.caPem };
      repointConnection(ctx.db, existing.id, { baseUrl: url, clientId: graph.clientId, settings }, ctx.clock.now());
      recordRepoint(ctx, existing, {
        to: url,
        changed,
        ...(s.tenantId !== graph.tenantId ? { tenantId: { from: s.tenantId ?? null, to: graph.tenantId } } : {}),
        clientId: graph.clientId,
      });
    })
    .immediate();
  return getConnectionRecord(ctx.db, existing.id);
}

/** Whether the connection has ever completed a sync (the demo syncs once on first launch). */
export function hasSucceededSync(ctx: EngineContext, connectionId: number): boolean {
  return lastSucceededRun(ctx.db, connectionId) !== null;
}

/** What the demo needs of the sandbox's Jira site: the bot account and where requests go. */
export type DemoSandboxJira = { url: string; email: string; apiToken: string; projectKey: string; serviceDeskId: string; requestTypeId: string };

/**
 * Creates or re-points the sandbox's Jira connection ("Sandbox Jira"): the
 * demo's requests are recorded in its ACC project and its JSM portal requests
 * imported. The API token is random per start, so the keychain entry is
 * rewritten every launch.
 */
export async function attachSandboxJira(ctx: EngineContext, jira: DemoSandboxJira): Promise<ConnectionRecord> {
  const url = normaliseOrgUrl(jira.url);
  const existing = listConnectionRecords(ctx.db).find((c) => c.name === SANDBOX_JIRA_CONNECTION_NAME);
  if (!existing) {
    return addConnection(ctx, {
      kind: 'jira',
      name: SANDBOX_JIRA_CONNECTION_NAME,
      siteUrl: url,
      email: jira.email,
      apiToken: jira.apiToken,
      projectKey: jira.projectKey,
      // The sandbox numbers its fields as Latchkey's defaults.
      fields: {},
      serviceDeskId: jira.serviceDeskId,
      requestTypeId: jira.requestTypeId,
    });
  }
  await ctx.secrets.set(connectionAccount(workspaceId(ctx.db), existing.id), JSON.stringify({ type: 'jira-token', email: jira.email, apiToken: jira.apiToken }));
  if (existing.baseUrl !== url) {
    ctx.db
      .transaction(() => {
        repointConnection(ctx.db, existing.id, { baseUrl: url }, ctx.clock.now());
        recordRepoint(ctx, existing, { to: url });
      })
      .immediate();
  }
  return getConnectionRecord(ctx.db, existing.id);
}

export type DemoSandbox = { okta: { url: string; token: string; signInClientId?: string }; graph: DemoSandboxGraph | null; jira?: DemoSandboxJira | null; close: () => Promise<void> };
/** A demo connection and its first sync (null when it has synced before). */
export type DemoConnection = { connection: ConnectionRecord; firstSync: StartedSync | null };
/** `connection` / `firstSync` are the Okta one's; `entra` is null when the sandbox runs without Graph. */
export type Demo = DemoConnection & { sandbox: DemoSandbox; entra: DemoConnection | null };

/**
 * What the demo keeps of a started sandbox (structurally, so the engine does
 * not import the sandbox code): not its read-only token, OAuth key or
 * certificate credential.
 */
export function demoSandboxOf(s: {
  okta: { url: string; token: string; signIn?: { clientId: string } };
  graph?: DemoSandboxGraph | undefined;
  jira?: DemoSandboxJira | undefined;
  close: () => Promise<void>;
}): DemoSandbox {
  const g = s.graph;
  const j = s.jira;
  return {
    okta: { url: s.okta.url, token: s.okta.token, ...(s.okta.signIn ? { signInClientId: s.okta.signIn.clientId } : {}) },
    graph: g ? { url: g.url, tenantId: g.tenantId, clientId: g.clientId, clientSecret: g.clientSecret, caPem: g.caPem } : null,
    jira: j ? { url: j.url, email: j.email, apiToken: j.apiToken, projectKey: j.projectKey, serviceDeskId: j.serviceDeskId, requestTypeId: j.requestTypeId } : null,
    close: () => s.close(),
  };
}

/**
 * With no real tenant configured (and LATCHKEY_NO_SANDBOX unset), starts the
 * sandbox through the given starter, points the demo connections at it and,
 * the first time each is seen, starts its sync (both run at once; the console
 * shows their progress). A later launch only re-points: "Sync now" is the
 * user's. The starter is injected so the engine does not depend on the
 * sandbox code.
 */
export async function startDemo(
  ctx: EngineContext,
  deps: { startSandbox: () => Promise<DemoSandbox>; env?: NodeJS.ProcessEnv },
): Promise<Demo | null> {
  if (ctx.readOnly || (deps.env ?? process.env).LATCHKEY_NO_SANDBOX === '1' || !wantsSandbox(ctx)) return null;
  const sandbox = await deps.startSandbox();
  try {
    ctx.sandbox = true;
    // Both attached before either sync starts: a failure here leaves no sync running against a closing sandbox.
    const okta = await attachSandboxOkta(ctx, sandbox.okta);
    const entra = sandbox.graph ? await attachSandboxEntra(ctx, sandbox.graph) : null;
    // Requests of the demo are recorded in the sandbox's Jira (nothing to sync there).
    if (sandbox.jira) await attachSandboxJira(ctx, sandbox.jira);
    const first = async (c: ConnectionRecord): Promise<DemoConnection> => ({
      connection: c,
      firstSync: hasSucceededSync(ctx, c.id) ? null : await syncAndReconcile(ctx, c.id),
    });
    const oktaDemo = await first(okta);
    // Operators sign in through the sandbox Okta's OIDC app, whose client id is new every start.
    if (sandbox.okta.signInClientId) pointSignInAtSandbox(ctx, okta, sandbox.okta.signInClientId);
    const entraDemo = entra ? await first(entra) : null;
    return { sandbox, ...oktaDemo, entra: entraDemo };
  } catch (e) {
    await sandbox.close();
    throw e;
  }
}
