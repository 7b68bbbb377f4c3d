// Command-line front end. Parsing and output only: every action is an engine
// function, so the CLI, the bridge and Electron behave the same.
import fs from 'node:fs';
import type { SyncProgress, SyncRunSummary } from '../../shared/domain.js';
import { getConnectionRecord, listConnectionRecords } from '../engine/connections/connections.js';
import type { ConnectionRecord, Credential } from '../engine/connectors/types.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { DatabaseOpenError, isDamagedFileError } from '../engine/db/database.js';
import { keyringSecretStore } from '../engine/secrets/keyring-store.js';
import { KeychainUnavailableError } from '../engine/secrets/secret-store.js';
import { listSyncRuns } from '../engine/sync/sync-runs.js';
import { syncAndReconcile } from '../engine/governance/after-sync.js';
import { createEventBus, defaultWorkspacePath, openWorkspace, type EventBus } from '../engine/workspace/workspace.js';
import { AUDIT_READ_VERBS, AUDIT_USAGE, runAuditCommand } from './audit-commands.js';
import { EVIDENCE_USAGE, runEvidenceCommand, runExportCommand } from './evidence-commands.js';
import { renderProgressLine } from './progress.js';
import { serveWorkspace } from './serve.js';
import { runSandboxCommand } from './sandbox-command.js';
import { runStart } from './start.js';
import { parseCommandArgs as parse, portNumber, positiveInt, tokenFromEnv, UsageError, type CliIo } from './cli-kit.js';
import { onlyLoopbackConnections } from '../engine/demo.js';
import { runChangesCommand, runDiffCommand, runSnapshotCommand } from './history-commands.js';
import { CATALOG_READ_VERBS, CATALOG_USAGE, runCatalogCommand } from './catalog-commands.js';
import { HR_READ_VERBS, HR_USAGE, runHrCommand, runHrSecret, startHrWebhook } from './hr-commands.js';
import { NOTICES_READ_VERBS, NOTICES_USAGE, runNoticesCommand } from './notices-commands.js';
import { POLICY_READ_VERBS, POLICY_USAGE, runPolicyCommand } from './policy-commands.js';
import { PLAN_READ_VERBS, PLAN_USAGE, runPlanCommand } from './plan-commands.js';
import { CONNECTION_READ_VERBS, CONNECTION_USAGE, runConnectionCommand } from './connection-commands.js';
import { JOBS_READ_VERBS, JOBS_USAGE, runJobsCommand } from './jobs-commands.js';
import { callerContext, resolveCaller, type Caller } from '../engine/operator/caller.js';
import { REQUEST_READ_VERBS, REQUEST_USAGE, runRequestCommand, runSettingsCommand, settingsOnlyReads } from './request-commands.js';
import { REVIEW_READ_VERBS, REVIEW_USAGE, runReviewCommand } from './reviews-commands.js';
import { REVIEW_WORKBOOK_USAGE, reviewWorkbookOnlyReads, runReviewWorkbookCommand } from './reviews-workbook-commands.js';
import { REVIEW_DECIDE_READ_VERBS, REVIEW_DECIDE_USAGE, REVIEW_DECIDE_VERBS, runReviewDecideCommand } from './reviews-decide-commands.js';

export const USAGE = `Usage: latchkey [--db FILE] [--read-only] <command> [options]

Commands:
  start                                   open the console (Electron, or the browser via the local bridge);
                                          with no tenant configured, on the embedded sandbox
  sandbox [--users N] [--seed S] [--port P] [--rate-limits off|okta]
                                          run the sandbox tenant; prints one JSON line, serves until killed
${CONNECTION_USAGE}  sync [--connection NAME] [--token-env VAR | --secret-env VAR] [--full] [--json]
                                          sync one connection (or every one): incremental from the
                                          Okta System Log when it can, full with --full
  runs [--connection NAME] [--limit N] [--json]
                                          sync history
  changes [--run N] [--connection NAME] [--kind K,...] [--search TEXT] [--json]
                                          what a sync run changed (default: the newest finished run)
  diff RUN_A RUN_B [--kind K,...] [--search TEXT] [--json]
                                          the net change between two runs of a connection (older first)
  snapshot save OUT [--force]             a consistent copy for offline inspection (safe while the app runs;
                                          no credentials; opens with --read-only, also from read-only media)
${CATALOG_USAGE}${HR_USAGE}${POLICY_USAGE}${PLAN_USAGE}${REQUEST_USAGE}${REVIEW_USAGE}${REVIEW_DECIDE_USAGE}${REVIEW_WORKBOOK_USAGE}${JOBS_USAGE}${NOTICES_USAGE}${AUDIT_USAGE}${EVIDENCE_USAGE}  serve [--port P] [--hr-port P]          serve the console and the contract on 127.0.0.1 (--hr-port: also
                                          the signed HR event receiver, POST /hr/events; off by default)

Global options:
  --db FILE        workspace file (default: ${'<user data>'}/workspace.latchkey)
  --read-only      open the workspace read-only (a copied snapshot): no writes, no credentials
  -h, --help       this text
`;

type Globals = { db: string; readOnly: boolean; help: boolean; rest: string[] };

/** Global options may come before the command; everything after it is the command's. */
function splitGlobals(argv: string[], env: NodeJS.ProcessEnv): Globals {
  let db: string | undefined;
  let readOnly = false;
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--db') {
      db = argv[++i];
      if (!db) throw new UsageError('--db needs a file path');
    } else if (a.startsWith('--db=')) db = a.slice(5);
    else if (a === '--read-only') readOnly = true;
    else if (a === '-h' || a === '--help') help = true;
    else break;
  }
  return { db: db ?? env.LATCHKEY_DB ?? defaultWorkspacePath(env), readOnly, help, rest: argv.slice(i) };
}

export async function runCli(argv: string[], io: CliIo): Promise<number | 'serving'> {
  try {
    const g = splitGlobals(argv, io.env);
    const [command, ...args] = g.rest;
    if (g.help || !command || command === 'help') {
      io.stdout(USAGE);
      return command || g.help ? 0 : 2;
    }
    switch (command) {
      case 'sandbox':
        return await runSandboxCommand(args, io);
      case 'evidence':
        // Checks a workbook against its manifest: no workspace needed (the workspace's keys when its file exists).
        return await runEvidenceCommand(args, io, g.db);
      case 'start':
        return await runStart(args, { ...io, db: g.db, explicitDb: argv.includes('--db') || argv.some((a) => a.startsWith('--db=')) });
      default:
        return await withWorkspace(g, io, command, (ctx, bus) => runWorkspaceCommand(ctx, bus, command, args, io));
    }
  } catch (e) {
    return fail(e, io);
  }
}

function fail(e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.stderr(`latchkey: ${e.message}\nRun 'latchkey --help' for usage.\n`);
    return 2;
  }
  const known = e instanceof UserError || e instanceof DatabaseOpenError || e instanceof KeychainUnavailableError;
  const message = e instanceof Error ? e.message : String(e);
  // Damage the open did not see (a read-write open skips quick_check): named as such, not as our bug.
  if (isDamagedFileError(e)) {
    io.stderr(`latchkey: error: the workspace file is damaged (${message}): restore it from a copy\n`);
    return 1;
  }
  io.stderr(`latchkey: error: ${known ? message : `unexpected failure: ${message}`}\n`);
  return 1;
}

async function withWorkspace(
  g: Globals,
  io: CliIo,
  command: string,
  run: (ctx: EngineContext, bus: EventBus) => Promise<number | 'serving'>,
): Promise<number | 'serving'> {
  const known = ['connection', 'sync', 'runs', 'audit', 'export', 'serve', 'changes', 'diff', 'snapshot', 'catalog', 'hr', 'policy', 'plan', 'request', 'review', 'jobs', 'settings', 'notices'];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (g.readOnly) refuseWritesWhenReadOnly(command, g.rest.slice(1));
  if (g.readOnly && !fs.existsSync(g.db)) throw new UserError(`${g.db} does not exist`, 'not-found');
  const bus = createEventBus();
  const ctx = openWorkspace({
    dbPath: g.db,
    readOnly: g.readOnly,
    secrets: io.secrets ?? keyringSecretStore(),
    transport: 'cli',
    events: bus,
  });
  let keepOpen = false;
  try {
    const r = await run(ctx, bus);
    keepOpen = r === 'serving';
    return r;
  } finally {
    if (!keepOpen) ctx.db.close();
  }
}

/**
 * On --read-only only verbs that read the file (and need no keychain) run:
 * an allowlist, so a verb added later is refused until someone decides it
 * only reads. Refused before the file is opened: it stays byte-identical.
 */
function refuseWritesWhenReadOnly(command: string, args: string[]): void {
  const verb = args.find((a) => !a.startsWith('-'));
  const reads =
    ['runs', 'serve', 'changes', 'diff'].includes(command) ||
    (command === 'audit' && verb !== undefined && AUDIT_READ_VERBS.includes(verb)) ||
    (command === 'export' && verb === 'evidence') ||
    (command === 'connection' && verb !== undefined && CONNECTION_READ_VERBS.includes(verb)) ||
    (command === 'snapshot' && verb === 'save') ||
    (command === 'catalog' && verb !== undefined && CATALOG_READ_VERBS.includes(verb)) ||
    (command === 'hr' && verb !== undefined && HR_READ_VERBS.includes(verb)) ||
    (command === 'policy' && verb !== undefined && POLICY_READ_VERBS.includes(verb)) ||
    (command === 'plan' && verb !== undefined && PLAN_READ_VERBS.includes(verb)) ||
    (command === 'request' && verb !== undefined && REQUEST_READ_VERBS.includes(verb)) ||
    (command === 'review' && verb !== undefined && REVIEW_READ_VERBS.includes(verb)) ||
    (command === 'review' && verb !== undefined && REVIEW_DECIDE_READ_VERBS.includes(verb)) ||
    (command === 'jobs' && verb !== undefined && JOBS_READ_VERBS.includes(verb)) ||
    (command === 'notices' && verb !== undefined && NOTICES_READ_VERBS.includes(verb)) ||
    (command === 'settings' && settingsOnlyReads(args)) ||
    (command === 'review' && args[0] === 'workbook' && reviewWorkbookOnlyReads(args.slice(1)));
  if (reads) return;
  const what = ['connection', 'snapshot', 'catalog', 'hr', 'policy', 'plan', 'request', 'review', 'jobs', 'notices'].includes(command) ? `${command}${verb ? ` ${verb}` : ''}` : command;
  throw new UserError(
    `"${what}" changes the workspace or needs its credentials: refused on a workspace opened with --read-only (nothing was changed)`,
    'read-only',
  );
}

/**
 * The context of a command run at the terminal: its audit events carry
 * channel 'cli' and the OS user, and the operator too when one is signed in
 * (the keychain session the console uses). Not for `serve`, whose calls are
 * the console's and whose ticks are the engine's.
 */
async function cliContext(ctx: EngineContext): Promise<{ ctx: EngineContext; caller: Caller }> {
  let caller: Caller;
  try {
    caller = await resolveCaller(ctx, { channel: 'cli' });
  } catch {
    // No keychain (a headless box, a read-only copy): nobody is signed in.
    caller = { channel: 'cli', operator: null, actingAs: null };
  }
  return { ctx: callerContext(ctx, caller), caller };
}

async function runWorkspaceCommand(base: EngineContext, bus: EventBus, command: string, args: string[], io: CliIo): Promise<number | 'serving'> {
  const { ctx, caller } = command === 'serve' ? { ctx: base, caller: null } : await cliContext(base);
  switch (command) {
    case 'connection':
      return runConnectionCommand(ctx, args, io);
    case 'sync':
      return runSyncCommand(ctx, bus, args, io);
    case 'runs': {
      const { values } = parse(args, { connection: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
      const connectionId = values.connection ? getConnectionRecord(ctx.db, values.connection).id : undefined;
      const runs = listSyncRuns(ctx.db, { connectionId, limit: values.limit ? positiveInt(values.limit, '--limit') : 20 });
      if (values.json) io.stdout(`${JSON.stringify(runs)}\n`);
      else for (const r of runs) io.stdout(`${describeRun(r)}\n`);
      return 0;
    }
    case 'audit':
      return runAuditCommand(ctx, args, io);
    case 'export':
      return runExportCommand(ctx, args, io);
    case 'changes':
      return runChangesCommand(ctx, args, io);
    case 'diff':
      return runDiffCommand(ctx, args, io);
    case 'snapshot':
      return runSnapshotCommand(ctx, args, io);
    case 'catalog':
      return runCatalogCommand(ctx, bus, args, io);
    case 'notices':
      return runNoticesCommand(ctx, args, io);
    case 'hr':
      return args[0] === 'secret' ? runHrSecret(ctx, args.slice(1), io) : runHrCommand(ctx, args, io);
    case 'policy':
      return runPolicyCommand(ctx, args, io, caller?.operator?.email ?? null);
    case 'plan':
      return runPlanCommand(ctx, args, io);
    case 'request':
      return runRequestCommand(ctx, bus, args, io, caller?.operator?.email ?? null);
    case 'review':
      // `review workbook ...` lives in reviews-workbook-commands.ts; the other review verbs in reviews-commands.ts.
      if (args[0] === 'workbook') return runReviewWorkbookCommand(ctx, args.slice(1), io);
      // decide, submit, reassign, close, progress: reviews-decide-commands.ts.
      if (args[0] !== undefined && REVIEW_DECIDE_VERBS.includes(args[0])) return runReviewDecideCommand(ctx, args, io, caller?.operator?.email ?? null);
      return runReviewCommand(ctx, bus, args, io, caller?.operator?.email ?? null);
    case 'jobs':
      return runJobsCommand(ctx, bus, args, io);
    case 'settings':
      return runSettingsCommand(ctx, args, io);
    case 'serve': {
      const { values } = parse(args, { port: { type: 'string' }, 'hr-port': { type: 'string' } });
      const port = values.port ? portNumber(values.port) : 0;
      // The HR webhook receiver is off unless asked for; started first, so a missing secret stops serve before it serves.
      if (values['hr-port'] !== undefined) await startHrWebhook(ctx, portNumber(values['hr-port']), io);
      // Tests (the e2e expiry) need to move time; only ever on a sandbox workspace.
      if (io.env.LATCHKEY_TEST_CLOCK === '1') {
        if (!onlyLoopbackConnections(ctx.db)) throw new UserError('LATCHKEY_TEST_CLOCK=1 is only for workspaces whose connections all point at the loopback sandbox', 'conflict');
        ctx.sandbox = true;
      }
      await serveWorkspace(ctx, bus, { port, io });
      return 'serving';
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function runSyncCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    connection: { type: 'string' },
    'token-env': { type: 'string' },
    'secret-env': { type: 'string' },
    full: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  // Jira connections have no directory: `sync` without --connection syncs the IdPs only.
  const targets = values.connection ? [getConnectionRecord(ctx.db, values.connection)] : listConnectionRecords(ctx.db).filter((c) => c.kind !== 'jira');
  if (targets.length === 0) throw new UserError('no connections to sync: add one with `latchkey connection add okta ...`', 'not-found');
  // A credential for this run only (cron with an external secret manager): used, never stored.
  let override: Credential | undefined;
  for (const [flag, kind] of [['token-env', 'okta'], ['secret-env', 'entra']] as const) {
    const name = values[flag];
    if (name === undefined) continue;
    if (override) throw new UsageError('give either --token-env (Okta) or --secret-env (Entra), not both');
    if (targets.length !== 1) throw new UsageError(`--${flag} needs --connection NAME (one credential, one connection)`);
    const target = targets[0] as ConnectionRecord;
    if (target.kind !== kind) throw new UsageError(`--${flag} is for ${kind === 'okta' ? 'Okta' : 'Entra'} connections; "${target.name}" is ${target.kind}`);
    override = kind === 'okta' ? { type: 'token', token: tokenFromEnv(name, io.env) } : { type: 'secret', clientSecret: tokenFromEnv(name, io.env, '--secret-env') };
  }
  const interactive = !values.json && io.env.CI !== 'true' && process.stderr.isTTY === true;
  let failed = 0;
  const results: SyncRunSummary[] = [];
  for (const c of targets) {
    const unsubscribe = interactive
      ? bus.subscribe((event, payload) => {
          if (event === 'sync:progress') io.stderr(`\r${renderProgressLine(payload as SyncProgress)}`);
        })
      : () => undefined;
    try {
      const started = await syncAndReconcile(ctx, c.id, { ...(override ? { credential: override } : {}), full: values.full ?? false });
      const summary = await started.done;
      results.push(summary);
      if (interactive) io.stderr('\n');
      if (summary.status !== 'succeeded') failed++;
      if (!values.json) io.stdout(`${describeSync(summary)}\n`);
    } finally {
      unsubscribe();
    }
  }
  if (values.json) {
    const out = results.map((r) => ({
      connection: r.connectionName,
      runId: r.id,
      mode: r.mode,
      status: r.status,
      users: r.users,
      groups: r.groups,
      memberships: r.memberships,
      apps: r.apps,
      appAssignments: r.appAssignments,
      requests: r.requests,
      rateLimited: r.rateLimited,
      throttledWaits: r.throttledWaits,
      durationMs: r.durationMs,
      // Per kind (joiner, leaver, membership-add, ...), and why this mode was chosen.
      changes: r.changeCounts,
      changesTotal: r.changes,
      note: r.note,
      error: r.error,
    }));
    io.stdout(`${JSON.stringify(out.length === 1 ? out[0] : out)}\n`);
  }
  if (failed > 0) {
    const firstError = results.find((r) => r.status !== 'succeeded')?.error ?? 'sync failed';
    io.stderr(`latchkey: error: ${firstError}\n`);
    return 1;
  }
  return 0;
}

/** `#4 okta incremental: 12 changes in 0.3 s, 4 requests` or `#5 okta full (why): counts; N requests`. */
function describeSync(r: SyncRunSummary): string {
  if (r.status !== 'succeeded' || r.mode !== 'incremental') {
    const line = describeRun(r);
    return r.note && r.mode === 'full' ? line.replace(` ${r.mode} ${r.status}`, ` full (${r.note}) ${r.status}`) : line;
  }
  const took = r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(1)} s` : 'running';
  return `#${r.id} ${r.connectionName} incremental: ${r.changes} change${r.changes === 1 ? '' : 's'} in ${took}, ${r.requests} request${r.requests === 1 ? '' : 's'}`;
}

function describeRun(r: SyncRunSummary): string {
  const took = r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(1)} s` : 'running';
  const counts = `${r.users} users, ${r.groups} groups, ${r.memberships} memberships, ${r.apps} apps, ${r.appAssignments} app assignments`;
  return `#${r.id} ${r.connectionName} ${r.mode} ${r.status} in ${took}: ${counts}; ${r.requests} requests${r.error ? ` — ${r.error}` : ''}`;
}
