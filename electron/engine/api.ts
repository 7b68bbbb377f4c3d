// The handler table that implements shared/contract, and the one dispatcher
// both transports (Electron IPC and the local HTTP bridge) go through. The
// transports stay thin: they authenticate the caller, then hand the channel
// name and the raw payload to dispatch(), which refuses a `write` channel on
// a read-only workspace (from the contract's declaration, nowhere else),
// validates the payload with the channel's zod schema and turns every outcome
// into a Result. Each area's handlers are in handlers/<area>-handlers.ts.
import { z } from 'zod';
import { contract, describeZodError, isWriteChannel, type Channel, type ErrorCode, type Result } from '../../shared/contract.js';
import type { AuditStatus } from '../../shared/domain.js';
import { UserError, type EngineContext } from './context.js';
import { schemaVersion } from './db/database.js';
import { createPageCache } from './db/query-kit.js';
import { auditHandlers } from './handlers/audit-handlers.js';
import { catalogHandlers } from './handlers/catalog-handlers.js';
import { hrHandlers } from './handlers/hr-handlers.js';
import { noticesHandlers } from './handlers/notices-handlers.js';
import { plansHandlers } from './handlers/plans-handlers.js';
import { connectionsHandlers } from './handlers/connections-handlers.js';
import { directoryHandlers } from './handlers/directory-handlers.js';
import { evidenceHandlers } from './handlers/evidence-handlers.js';
import { appVersion } from './app-version.js';
import { FOR_CALLER, WORKSPACE_MODE, type ApiHelpers, type Handlers } from './handlers/handler-types.js';
import { jiraHandlers } from './handlers/jira-handlers.js';
import { reviewsHandlers } from './handlers/reviews-handlers.js';
import { jobsHandlers } from './handlers/jobs-handlers.js';
import { policiesHandlers } from './handlers/policies-handlers.js';
import { createOperatorState, operatorHandlers } from './handlers/operator-handlers.js';
import { callerContext, checkSignInRequired, resolveCaller, type Caller, type CallerInput } from './operator/caller.js';
import { requestsHandlers } from './handlers/requests-handlers.js';
import { snapshotAuditStatus } from './workspace/snapshot-copy.js';

export type { Handlers } from './handlers/handler-types.js';
export { WRITE_CHANNELS } from '../../shared/contract.js';

/** Why a write channel was refused: the workspace is a copy opened read-only. */
export const readOnlyMessage = (channel: Channel): string =>
  `this snapshot was opened read-only, without credentials: "${channel}" changes the workspace and is refused here (open the workspace itself to make changes)`;

export type HandlerDeps = {
  /** The app version for app:info; read from package.json when omitted. */
  version?: string;
};

export function createHandlers(ctx: EngineContext, deps: HandlerDeps = {}): Handlers {
  // Ordered key lists, counts and facets of recent directory queries, valid
  // until the file changes: scrolling a 100k-row table costs one query per
  // search/sort, not one full scan per page.
  const cache = createPageCache();
  const operatorState = createOperatorState();
  let openedAudit: AuditStatus | undefined;

  // One table per call, over a context that names the caller (actor and
  // channel of every audit event); the state above is shared by all of them.
  const tableFor = (c: EngineContext, caller: Caller): Handlers => {
    const helpers: ApiHelpers = { cache, caller };
    return {
      [WORKSPACE_MODE]: ctx.readOnly ? 'read-only' : 'writable',
      'app:info': () => ({
        version: deps.version ?? appVersion(),
        dbPath: ctx.dbPath,
        readOnly: ctx.readOnly,
        // The CLI only ever serves the UI through the bridge.
        transport: ctx.transport === 'electron' ? 'electron' : 'bridge',
        sandbox: ctx.sandbox,
        schemaVersion: schemaVersion(ctx.db),
        // Verified once, on the first ask: a read-only file does not change under us.
        audit: ctx.readOnly ? (openedAudit ??= snapshotAuditStatus(ctx.db)) : null,
      }),
      ...directoryHandlers(c, helpers),
      ...connectionsHandlers(c, helpers),
      ...catalogHandlers(c, helpers),
      ...requestsHandlers(c, helpers),
      ...jobsHandlers(c, helpers),
      ...reviewsHandlers(c, helpers),
      ...jiraHandlers(c, helpers),
      ...operatorHandlers(c, operatorState, caller),
      ...auditHandlers(c),
      ...evidenceHandlers(c, helpers),
      ...hrHandlers(c),
      ...noticesHandlers(c),
      ...policiesHandlers(c, helpers),
      ...plansHandlers(c),
    };
  };

  const base = tableFor(ctx, { channel: 'console', operator: null, actingAs: null });
  return {
    ...base,
    [FOR_CALLER]: async (input, channel, outer) => {
      const caller = await resolveCaller(ctx, input);
      if (isWriteChannel(channel)) checkSignInRequired(ctx, caller, channel);
      // A table spread from this one with a channel replaced (a test's failing handler) keeps its replacement.
      if (outer && outer[channel] !== base[channel]) return outer;
      return tableFor(callerContext(ctx, caller), caller);
    },
  };
}

export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

export type DispatchOptions = {
  /** Who calls, as the transport knows it (default: the console, nobody acting as anyone). */
  caller?: CallerInput;
  /** Literal secrets to scrub from any error message (e.g. the bridge token). */
  secrets?: readonly string[];
  /** Sees unexpected errors (already scrubbed) for logging; never the raw error. */
  onUnexpectedError?: (channel: string, message: string) => void;
};

/**
 * Runs one call: rejects unknown channels, refuses write channels unless
 * the table was built for a writable workspace, validates the payload with
 * the channel's schema (a missing payload counts as `{}` so defaults apply),
 * and maps every failure to a Result whose message is safe to show.
 */
export async function dispatch(handlers: Handlers, channel: string, rawInput: unknown, options: DispatchOptions = {}): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, code: 'not-found', error: `unknown channel "${truncate(channel, 80)}"` };
  }
  if (isWriteChannel(channel) && handlers[WORKSPACE_MODE] !== 'writable') {
    return { ok: false, code: 'read-only', error: readOnlyMessage(channel) };
  }
  const parsed = contract[channel].input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!parsed.success) {
    return { ok: false, code: 'bad-input', error: scrubSecrets(`invalid input for ${channel}: ${describeZodError(parsed.error)}`, options.secrets) };
  }
  const secrets = [...(options.secrets ?? []), ...secretsIn(parsed.data)];
  try {
    // The table for this caller: the signed-in operator (and, in a sandbox, who the session acts as) names every change.
    const table = handlers[FOR_CALLER] ? await handlers[FOR_CALLER](options.caller ?? { channel: 'console' }, channel, handlers) : handlers;
    const handler = table[channel] as (input: unknown) => unknown;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    const { code, message } = classify(error);
    const safe = scrubSecrets(message, secrets);
    if (code === 'failed' && !(error instanceof UserError)) options.onUnexpectedError?.(channel, safe);
    return { ok: false, code, error: safe };
  }
}

/** What a write refused by SQLite's lock says: another connection (a sync's commit, a campaign launch in its thread) held it past the busy timeout. */
export const BUSY_MESSAGE = 'the workspace is busy: another write (a sync committing its snapshot, or a campaign launch) holds it; nothing was changed, try again when it finishes';

function classify(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof UserError) return { code: error.code, message: error.message };
  if (error instanceof Error && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_BUSY_SNAPSHOT')) return { code: 'conflict', message: BUSY_MESSAGE };
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

export { appVersion } from './app-version.js';
