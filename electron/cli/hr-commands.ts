// `latchkey hr import|status`. Parsing and output only; the engine does the work.
import fs from 'node:fs';
import path from 'node:path';
import { HR_PRESETS, type HrPreset } from '../../shared/contract-hr.js';
import { UserError, workspaceId, type EngineContext } from '../engine/context.js';
import { importHrAndPlan } from '../engine/governance/hr-import.js';
import { describeHrErrors } from '../engine/hr/import.js';
import { parseMapOption } from '../engine/hr/presets.js';
import { hrSecretAccount, startHrReceiver } from '../engine/hr/receiver.js';
import { hrStatus } from '../engine/hr/status.js';
import { parseCommandArgs, positiveInt, tokenFromEnv, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const HR_USAGE = `  hr import FILE [--preset P] [--map COL=FIELD,...] [--json]
                                          import an HR export (.csv; presets: ${HR_PRESETS.join(', ')}) or HR
                                          events (.jsonl/.ndjson); any bad row: nothing is imported, exit 1
  hr status [--limit N] [--json]          last HR import, matched and unmatched people, pending and due events
  hr secret --from-env VAR                store the HR webhook's shared secret (from $VAR) in the OS keychain;
                                          \`serve --hr-port P\` then accepts events signed with it
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const HR_READ_VERBS: readonly string[] = ['status'];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function runHrCommand(ctx: EngineContext, args: string[], io: CliIo): number {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'import': {
      const { positionals, values } = parseCommandArgs(rest, { preset: { type: 'string' }, map: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const file = positionals[0];
      if (file === undefined) throw new UsageError('hr import needs a FILE (.csv, or .jsonl/.ndjson for HR events)');
      const preset = (values.preset ?? 'generic') as HrPreset;
      if (!HR_PRESETS.includes(preset)) throw new UsageError(`--preset must be one of ${HR_PRESETS.join(', ')}, not "${values.preset ?? ''}"`);
      let map;
      try {
        map = parseMapOption(values.map ? [values.map] : []);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'not-found');
      }
      const result = importHrAndPlan(ctx, { fileName: path.basename(file), bytes, preset, map });
      if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
      if (!result.ok) {
        if (!values.json) io.stderr(`${describeHrErrors(result.errors)}\nlatchkey: error: ${plural(result.errors.length, 'problem')} in ${file}: nothing was imported\n`);
        return 1;
      }
      if (!values.json) {
        const what = result.kind === 'csv' ? `${plural(result.rows, 'row')} (${result.preset ?? 'generic'})` : `${plural(result.rows, 'event line')}`;
        io.stdout(
          `imported ${what} from ${result.fileName} (sha256 ${result.sha256.slice(0, 12)}…): HR records ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged` +
            `${result.kind === 'events' ? `; ${plural(result.events, 'event')} stored, ${plural(result.duplicates, 'duplicate')} ignored` : ''}\n`,
        );
      }
      return 0;
    }
    case 'status': {
      const { values } = parseCommandArgs(rest, { json: { type: 'boolean' }, limit: { type: 'string' } });
      const s = hrStatus(ctx, values.limit ? positiveInt(values.limit, '--limit') : 20);
      if (values.json) {
        io.stdout(`${JSON.stringify(s)}\n`);
        return 0;
      }
      const last = s.lastImport;
      io.stdout(
        last
          ? `last import: ${last.fileName} (${last.kind}${last.preset ? `, ${last.preset}` : ''}) at ${last.at} by ${last.actor} via ${last.channel}, sha256 ${last.sha256}\n` +
              `  ${plural(last.rows, 'row')}: ${last.created} created, ${last.updated} updated, ${last.unchanged} unchanged${last.kind === 'events' ? `, ${plural(last.events, 'event')}, ${plural(last.duplicates, 'duplicate')}` : ''}\n`
          : 'no HR import yet: `latchkey hr import FILE`\n',
      );
      io.stdout(`HR records: ${s.records}; matched ${s.matched} (${s.matchedByEmployeeId} by employee id, ${s.matchedByEmail} by e-mail)\n`);
      const more = (shown: number, count: number): string => (count > shown ? `  … and ${count - shown} more\n` : '');
      io.stdout(`unmatched HR records: ${s.unmatchedRecords.count}\n`);
      for (const r of s.unmatchedRecords.rows) io.stdout(`  ${r.employeeId ?? '-'} ${r.email ?? '-'} ${r.name ?? ''} (${r.status})\n`);
      io.stdout(more(s.unmatchedRecords.rows.length, s.unmatchedRecords.count));
      io.stdout(`people without an HR record: ${s.accountsWithoutRecord.count}\n`);
      for (const a of s.accountsWithoutRecord.rows) io.stdout(`  ${a.connectionName}: ${a.name} ${a.email ?? a.identityId} (${a.status})\n`);
      io.stdout(more(s.accountsWithoutRecord.rows.length, s.accountsWithoutRecord.count));
      for (const [label, list] of [[`events pending (effective after ${s.today})`, s.pendingEvents], [`events due, not yet processed (effective on or before ${s.today})`, s.dueEvents]] as const) {
        io.stdout(`${label}: ${list.count}\n`);
        for (const e of list.rows) io.stdout(`  ${e.effectiveDate} ${e.type} ${e.name ?? ''} ${e.email ?? e.employeeId ?? ''} (${e.eventId})\n`);
        io.stdout(more(list.rows.length, list.count));
      }
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'hr needs a verb: import, status or secret' : `unknown hr verb "${verb}" (import, status, secret)`);
  }
}

/** `hr secret --from-env VAR`: the webhook's shared secret into the keychain (never the workspace, never printed). */
export async function runHrSecret(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { 'from-env': { type: 'string' } });
  if (!values['from-env']) throw new UsageError('hr secret needs --from-env VAR (the variable holding the shared secret)');
  const secret = tokenFromEnv(values['from-env'], io.env, '--from-env');
  if (secret.length < 32) throw new UserError('the HR webhook secret must be at least 32 characters (e.g. `openssl rand -hex 32`)', 'bad-input');
  await ctx.secrets.set(hrSecretAccount(workspaceId(ctx.db)), secret);
  io.stdout('stored the HR webhook secret in the OS keychain\n');
  return 0;
}

/** Starts the signed HR event receiver for `serve --hr-port P`, with the secret from the keychain. */
export async function startHrWebhook(ctx: EngineContext, port: number, io: CliIo): Promise<void> {
  if (ctx.readOnly) throw new UserError('the HR event receiver writes the workspace: not on a read-only one', 'read-only');
  const secret = await ctx.secrets.get(hrSecretAccount(workspaceId(ctx.db)));
  if (!secret) throw new UserError('no HR webhook secret in the keychain: set one with `latchkey hr secret --from-env VAR` first', 'not-found');
  const r = await startHrReceiver(ctx, { port, secret, onError: (e) => io.stderr(`latchkey: hr receiver: ${e instanceof Error ? e.message : String(e)}\n`) });
  io.stdout(`HR event receiver: POST ${r.url} (signed with HMAC-SHA256 in ${'X-Latchkey-Signature'}; events older than 5 minutes and replays refused)\n`);
}
