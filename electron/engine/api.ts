// The handler table that implements shared/contract, and the one dispatcher
// both transports (Electron IPC and the local HTTP bridge) go through. The
// transports stay thin: they authenticate the caller, then hand the channel
// name and the raw payload to dispatch(), which validates it with the
// channel's zod schema and turns every outcome into a Result.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  contract,
  describeZodError,
  type Channel,
  type ErrorCode,
  type Result,
} from '../../shared/contract.js';
import { recentAuditEvents, verifyAuditChain } from './audit/audit-log.js';
import {
  addConnection,
  listConnections,
  rememberTestResult,
  removeConnection,
  setConnectionScope,
  testConnection,
  toSummary,
} from './connections/connections.js';
import { accountsOf, correlationIssues } from './directory/people.js';
import { diffRuns, listChanges } from './sync/changes.js';
import { UserError, type EngineContext } from './context.js';
import { schemaVersion } from './db/database.js';
import { getApp, listApps } from './directory/apps.js';
import { dashboardSummary } from './directory/dashboard.js';
import { getGroup, listGroupMembers, listGroups } from './directory/groups.js';
import { createPageCache } from './directory/query-kit.js';
import { getUser, listUsers, userFacets } from './directory/users.js';
import { activeSyncProgress, listSyncRuns } from './sync/sync-runner.js';
import { lastSyncRun } from './sync/sync-runs.js';
import { startSync } from './sync/sync-service.js';
import { CATALOG_WRITE_CHANNELS, catalogApi } from './catalog/catalog-api.js';
import { JIRA_WRITE_CHANNELS, jiraApi } from './jira/jira-api.js';
import { JOBS_WRITE_CHANNELS, jobsApi } from './jobs/jobs-api.js';
import { REQUESTS_WRITE_CHANNELS, requestsApi } from './requests/requests-api.js';
import type { Handlers } from './handler-types.js';

export type { Handlers } from './handler-types.js';

/** Channels that change the workspace or need the keychain; refused on a read-only snapshot. */
export const WRITE_CHANNELS = [
  'connections:add',
  'connections:remove',
  'connections:test',
  'connections:setScope',
  'sync:start',
  ...CATALOG_WRITE_CHANNELS,
  ...REQUESTS_WRITE_CHANNELS,
  ...JOBS_WRITE_CHANNELS,
  ...JIRA_WRITE_CHANNELS,
] as const satisfies readonly Channel[];

export const READ_ONLY_MESSAGE =
  'this snapshot was opened read-only, without credentials: connections cannot be added, changed, removed, tested or synced here';

export type HandlerDeps = {
  /** The app version for app:info; read from package.json when omitted. */
  version?: string;
};

export function createHandlers(ctx: EngineContext, deps: HandlerDeps = {}): Handlers {
  const { db } = ctx;
  // Ordered key lists, counts and facets of recent directory queries, valid
  // until the file changes: scrolling a 100k-row table costs one query per
  // search/sort, not one full scan per page.
  const cache = createPageCache();
  const writable = (): void => {
    if (ctx.readOnly) throw new UserError(READ_ONLY_MESSAGE, 'read-only');
  };
  const helpers = { writable, cache };

  return {
    'app:info': () => ({
      version: deps.version ?? appVersion(),
      dbPath: ctx.dbPath,
      readOnly: ctx.readOnly,
      // The CLI only ever serves the UI through the bridge.
      transport: ctx.transport === 'electron' ? 'electron' : 'bridge',
      sandbox: ctx.sandbox,
      schemaVersion: schemaVersion(db),
    }),
    'dashboard:summary': () =>
      dashboardSummary(db, { clock: ctx.clock, readOnly: ctx.readOnly, recentRuns: (limit) => listSyncRuns(db, { limit }), cache }),
    'connections:list': () => listConnections(db),
    'connections:add': async (input) => {
      writable();
      const record = await addConnection(ctx, input);
      return toSummary(record, lastSyncRun(db, record.id));
    },
    'connections:test': async ({ connectionId }) => {
      writable();
      const result = await testConnection(ctx, connectionId);
      rememberTestResult(ctx, connectionId, result);
      return result;
    },
    'connections:remove': async ({ connectionId }) => {
      writable();
      await removeConnection(ctx, connectionId);
      cache.clear();
      return { removed: true as const };
    },
    'connections:setScope': ({ connectionId, scope }) => {
      writable();
      const record = setConnectionScope(ctx, connectionId, scope);
      cache.clear();
      return toSummary(record, lastSyncRun(db, record.id));
    },
    'sync:start': async ({ connectionId, full }) => {
      writable();
      const started = await startSync(ctx, connectionId, { full });
      // The outcome reaches the renderer as a sync:finished event; a failed
      // run is recorded by the runner, so nothing is left to handle here.
      started.done.catch(() => undefined);
      return { runId: started.runId };
    },
    'sync:runs': (q) => listSyncRuns(db, q),
    'sync:active': () => activeSyncProgress(),
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
    ...catalogApi(ctx, helpers),
    ...requestsApi(ctx, helpers),
    ...jobsApi(ctx, helpers),
    ...jiraApi(ctx, helpers),
  };
}

export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

export type DispatchOptions = {
  /** Literal secrets to scrub from any error message (e.g. the bridge token). */
  secrets?: readonly string[];
  /** Sees unexpected errors (already scrubbed) for logging; never the raw error. */
  onUnexpectedError?: (channel: string, message: string) => void;
};

/**
 * Runs one call: rejects unknown channels, validates the payload with the
 * channel's schema (a missing payload counts as `{}` so defaults apply), and
 * maps every failure to a Result whose message is safe to show.
 */
export async function dispatch(handlers: Handlers, channel: string, rawInput: unknown, options: DispatchOptions = {}): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, code: 'not-found', error: `unknown channel "${truncate(channel, 80)}"` };
  }
  const parsed = contract[channel].input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!parsed.success) {
    return { ok: false, code: 'bad-input', error: scrubSecrets(`invalid input for ${channel}: ${describeZodError(parsed.error)}`, options.secrets) };
  }
  const secrets = [...(options.secrets ?? []), ...secretsIn(parsed.data)];
  const handler = handlers[channel] as (input: unknown) => unknown;
  try {
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    const { code, message } = classify(error);
    const safe = scrubSecrets(message, secrets);
    if (code === 'failed' && !(error instanceof UserError)) options.onUnexpectedError?.(channel, safe);
    return { ok: false, code, error: safe };
  }
}

function classify(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof UserError) return { code: error.code, message: error.message };
  if (error instanceof z.ZodError) return { code: 'failed', message: describeZodError(error) };
  if (error instanceof Error) return { code: 'failed', message: error.message || error.name };
  return { code: 'failed', message: typeof error === 'string' ? error : 'unexpected error' };
}

/** String values of secret-looking fields in a payload (an API token, a private key). */
function secretsIn(input: unknown, depth = 0): string[] {
  if (depth > 4 || input === null || typeof input !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (typeof v === 'string' && /token|secret|password|private|key/i.test(k)) out.push(v);
    else out.push(...secretsIn(v, depth + 1));
  }
  return out;
}

const MAX_MESSAGE = 2000;

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * Removes anything credential-shaped from a message before it leaves the
 * engine: auth headers (SSWS, Bearer, Basic), PEM keys, JWTs, Okta API
 * tokens, `token=...`-style pairs and any literal secret we were told about.
 * Errors from SDKs and HTTP clients sometimes echo request headers; this is
 * the last line before the renderer, a log or a terminal.
 */
export function scrubSecrets(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const s of secrets) {
    // Short strings would blank out ordinary words; a real credential is longer.
  // Patterns below want 12+ characters for the same reason: "auth.token: the
  // API token is empty" must keep naming the field.
    if (s.length >= 8) out = out.split(s).join('[redacted]');
  }
  out = out
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]')
    .replace(/\b(SSWS|Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]{12,}/gi, '$1 [redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted jwt]')
    .replace(
      /\b(api[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|client[_-]?assertion|private[_-]?key(?:pem)?|password|secret|token|authorization)(["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{12,}/gi,
      '$1$2[redacted]',
    )
    // Okta API tokens: "00" followed by 40 URL-safe characters (object ids are 20).
    .replace(/\b00[A-Za-z0-9_-]{40}\b/g, '[redacted]');
  return truncate(out, MAX_MESSAGE);
}

let cachedVersion: string | undefined;

/** The version in Latchkey's package.json, found by walking up from this module (src or dist). */
export function appVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'latchkey' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}
