// `latchkey diff`, `latchkey changes` and `latchkey snapshot save`: snapshot
// history and offline copies from the command line. Parsing and output only;
// the engine does the work (sync/changes.ts, db/snapshot-copy.ts).
import { changeKinds, type ChangeKind, type SnapshotChange } from '../../shared/domain.js';
import { getConnectionRecord } from '../engine/connections/connections.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { saveSnapshot } from '../engine/workspace/snapshot-copy.js';
import { diffRunsAll, listChanges } from '../engine/sync/changes.js';
import { getSyncRun, lastSucceededRun } from '../engine/sync/sync-runs.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo } from './cli-kit.js';

/** `--kind joiner,leaver` (also repeated or space-separated), each checked against the known kinds. */
function kindsOf(value: string | undefined): ChangeKind[] {
  if (value === undefined) return [];
  const kinds = value.split(/[,\s]+/).filter(Boolean);
  for (const k of kinds) {
    if (!(changeKinds as readonly string[]).includes(k)) throw new UsageError(`unknown change kind "${k}" (kinds: ${changeKinds.join(', ')})`);
  }
  return kinds as ChangeKind[];
}

/** A run id as the `runs` list prints it: 12 or #12. */
function runIdOf(s: string | undefined, what: string): number {
  if (s === undefined) throw new UsageError(`${what} is missing: give two run ids from \`latchkey runs\`, the older first`);
  return positiveInt(s.replace(/^#/, ''), what);
}

const shown = (v: string | null): string => (v === null || v === '' ? '(none)' : v);

/** One line per change: `+` something appeared, `-` went away, `~` changed. */
export function describeChange(c: SnapshotChange): string {
  const name = c.subjectName ?? c.subjectId;
  const object = `group ${c.objectName ?? c.objectId ?? '?'}`;
  switch (c.kind) {
    case 'joiner':
      return `+ ${name} (joiner, ${shown(c.after)})`;
    case 'leaver':
      return c.field ? `~ ${name} ${c.field}: ${shown(c.before)} → ${shown(c.after)} (leaver)` : `- ${name} (leaver, was ${shown(c.before)})`;
    case 'status':
    case 'attribute':
      return `~ ${name} ${c.field ?? c.kind}: ${shown(c.before)} → ${shown(c.after)}`;
    case 'membership-add':
      return `+ ${name} → ${object} (membership-add)`;
    case 'membership-remove':
      return `- ${name} → ${object} (membership-remove)`;
    case 'assignment-add':
      return `+ app ${name} → ${object} (assignment-add)`;
    case 'assignment-remove':
      return `- app ${name} → ${object} (assignment-remove)`;
    case 'group-added':
      return `+ group ${name} (group-added, ${shown(c.after)})`;
    case 'group-removed':
      return `- group ${name} (group-removed, was ${shown(c.before)})`;
    case 'app-added':
      return `+ app ${name} (app-added, ${shown(c.after)})`;
    case 'app-removed':
      return `- app ${name} (app-removed, was ${shown(c.before)})`;
    case 'group-changed':
    case 'app-changed':
      return `~ ${c.kind === 'group-changed' ? 'group' : 'app'} ${name} ${c.field ?? ''}: ${shown(c.before)} → ${shown(c.after)}`;
  }
}

/** Changes grouped by kind (in the order the UI lists kinds), each with its count. */
function printGrouped(rows: Iterable<SnapshotChange>, io: CliIo): void {
  const byKind = new Map<ChangeKind, string[]>();
  for (const r of rows) {
    const list = byKind.get(r.kind) ?? [];
    list.push(describeChange(r));
    byKind.set(r.kind, list);
  }
  for (const kind of changeKinds) {
    const lines = byKind.get(kind);
    if (!lines) continue;
    io.stdout(`${kind} (${lines.length})\n${lines.map((l) => `  ${l}\n`).join('')}`);
  }
}

const plural = (n: number, one: string): string => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

export function runDiffCommand(ctx: EngineContext, args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(args, { kind: { type: 'string' }, search: { type: 'string' }, json: { type: 'boolean' } }, 2);
  const fromRunId = runIdOf(positionals[0], 'RUN_A');
  const toRunId = runIdOf(positionals[1], 'RUN_B');
  const { head, rows } = diffRunsAll(ctx.db, { fromRunId, toRunId, kind: kindsOf(values.kind), search: values.search ?? '' });
  if (values.json) {
    // The RunDiff with every row, streamed: a year of changes need not be one string.
    const open = JSON.stringify(head);
    io.stdout(`${open.slice(0, -1)},"rows":[`);
    let chunk: string[] = [];
    let first = true;
    for (const r of rows()) {
      chunk.push(JSON.stringify(r));
      if (chunk.length === 1000) {
        io.stdout(`${first ? '' : ','}${chunk.join(',')}`);
        first = false;
        chunk = [];
      }
    }
    if (chunk.length > 0) io.stdout(`${first ? '' : ','}${chunk.join(',')}`);
    io.stdout(']}\n');
    return 0;
  }
  const connection = getSyncRun(ctx.db, fromRunId)?.connectionName ?? `#${head.connectionId}`;
  io.stdout(`diff #${fromRunId} → #${toRunId} of "${connection}" (${head.fromAt} → ${head.toAt}): ${head.total === 0 ? 'no changes' : plural(head.total, 'change')}\n`);
  printGrouped(rows(), io);
  return 0;
}

export function runChangesCommand(ctx: EngineContext, args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(args, {
    run: { type: 'string' },
    connection: { type: 'string' },
    kind: { type: 'string' },
    search: { type: 'string' },
    json: { type: 'boolean' },
  });
  const connectionId = values.connection ? getConnectionRecord(ctx.db, values.connection).id : undefined;
  let runId: number;
  if (values.run !== undefined) {
    runId = runIdOf(values.run, '--run');
  } else {
    // The newest run that finished: what "what changed last time?" means.
    const newest = lastSucceededRun(ctx.db, connectionId)?.id ?? null;
    if (newest === null) throw new UserError('no sync has finished yet: there are no changes to list (run `latchkey sync`)', 'not-found');
    runId = newest;
  }
  const run = getSyncRun(ctx.db, runId);
  if (!run) throw new UserError(`no sync run #${runId}`, 'not-found');
  if (connectionId !== undefined && run.connectionId !== connectionId) {
    throw new UserError(`run #${runId} is of "${run.connectionName}", not "${values.connection ?? ''}"`, 'bad-input');
  }
  const kind = kindsOf(values.kind);
  const search = values.search ?? '';
  const rows: SnapshotChange[] = [];
  let page = listChanges(ctx.db, { runId, kind, search, offset: 0, limit: 1000 });
  const { total, counts } = page;
  rows.push(...page.rows);
  while (rows.length < total && page.rows.length > 0) {
    page = listChanges(ctx.db, { runId, kind, search, offset: rows.length, limit: 1000 });
    rows.push(...page.rows);
  }
  if (values.json) {
    io.stdout(`${JSON.stringify({ run, total, counts, rows })}\n`);
    return 0;
  }
  const what = run.baseline
    ? "the connection's first snapshot (a baseline: nothing to compare it with, no changes recorded)"
    : total === 0
      ? run.status === 'succeeded'
        ? 'no changes'
        : `no changes (the run ${run.status})`
      : plural(total, 'change');
  io.stdout(`run #${run.id} of "${run.connectionName}", ${run.mode} ${run.status} ${run.finishedAt ?? run.startedAt}: ${what}\n`);
  printGrouped(rows, io);
  return 0;
}

export async function runSnapshotCommand(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'save') throw new UsageError(verb ? `unknown snapshot verb "${verb}" (save)` : 'snapshot needs a verb: save OUT');
  const { values, positionals } = parseCommandArgs(rest, { force: { type: 'boolean' }, json: { type: 'boolean' } }, 1);
  const out = positionals[0];
  if (!out) throw new UsageError('snapshot save needs the file to write: latchkey snapshot save OUT');
  const saved = await saveSnapshot(ctx.db, out, { force: values.force ?? false, clock: ctx.clock });
  if (values.json) io.stdout(`${JSON.stringify(saved)}\n`);
  else {
    const mb = (saved.bytes / 2 ** 20).toFixed(1);
    io.stdout(
      `saved a consistent copy to ${saved.file} (${mb} MB: ${plural(saved.connections, 'connection')}, ${plural(saved.syncRuns, 'sync run')}, ` +
        `${plural(saved.auditChain.count, 'audit event')}); no credentials are in it. Inspect it with: latchkey --db ${JSON.stringify(saved.file)} --read-only runs\n`,
    );
    const cp = saved.audit.checkpoint;
    io.stdout(`it carries the audit head ${saved.audit.head} at ${plural(saved.audit.count, 'event')}${cp ? ` and signed checkpoint #${cp.id} (${plural(cp.count, 'event')}, key ${cp.keyId})` : ' (no signed checkpoint yet)'}\n`);
  }
  if (!saved.auditChain.valid) {
    io.stderr(
      `latchkey: error: the copy was saved, but its audit chain does not verify (${saved.auditChain.reason} at event ${saved.auditChain.brokenAt}); ` +
        "the workspace's own chain is broken the same way (see `latchkey audit verify`)\n",
    );
    return 1;
  }
  return 0;
}
