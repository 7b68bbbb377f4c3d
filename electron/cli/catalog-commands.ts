// `latchkey catalog ...`. Parsing and output only; the engine does the work.
import fs from 'node:fs';
import path from 'node:path';
import { listCatalog } from '../engine/catalog/catalog.js';
import { describeImportErrors, exportCatalog, importCatalogAndAnnounce, importFormatOf } from '../engine/catalog/catalog-io.js';
import { UserError, type EngineContext } from '../engine/context.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { parseCommandArgs, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const CATALOG_USAGE = `  catalog list [--json]                   apps, roles (risk, durations, requestable) and mapped groups,
                                          with broken mappings flagged
  catalog export FILE                     the catalog as .csv or .xlsx (one row per app, role and group)
  catalog import FILE [--json]            upsert a .csv/.xlsx catalog; any bad row: nothing is imported,
                                          the row errors are printed and the exit code is 1
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const CATALOG_READ_VERBS: readonly string[] = ['list', 'export'];

function formatOf(file: string | undefined, verb: string): { file: string; format: 'csv' | 'xlsx' } {
  if (file === undefined) throw new UsageError(`catalog ${verb} needs a FILE (.csv or .xlsx)`);
  const format = importFormatOf(file);
  if (format === null) throw new UsageError(`catalog ${verb}: "${path.basename(file)}" must end in .csv or .xlsx`);
  return { file, format };
}

export async function runCatalogCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo): Promise<number> {
  void bus;
  const [verb, ...rest] = args;
  switch (verb) {
    case 'list': {
      const { values } = parseCommandArgs(rest, { json: { type: 'boolean' }, search: { type: 'string' } });
      const listing = listCatalog(ctx.db, values.search ?? '');
      if (values.json) {
        io.stdout(`${JSON.stringify(listing)}\n`);
        return 0;
      }
      if (listing.apps.length === 0) {
        io.stdout(
          listing.hasSnapshot
            ? 'The catalog is empty: accept suggestions in the console (Catalog > Suggestions) or `latchkey catalog import FILE`.\n'
            : 'The catalog is empty, and no identity provider has been synced yet: add a connection and sync it first.\n',
        );
        return 0;
      }
      for (const app of listing.apps) {
        io.stdout(`${app.name}${app.owner ? ` (owner ${app.owner})` : ''}\n`);
        if (app.roles.length === 0) io.stdout('  (no roles)\n');
        for (const r of app.roles) {
          const durations = r.durations.map((d) => (d === 'custom' && r.maxDurationMinutes ? `custom≤${r.maxDurationMinutes}m` : d)).join(',');
          io.stdout(
            `  ${r.name} [${r.risk}] ${r.requestable ? '' : '(not requestable) '}durations ${durations} (default ${r.defaultDuration})` +
              `${r.policy.autoApprove ? ', auto-approved' : `, approval: ${r.policy.steps.map((s) => s.kind).join(' > ')}`}\n`,
          );
          if (r.mappings.length === 0) io.stdout('    (no groups mapped)\n');
          for (const m of r.mappings) {
            io.stdout(`    ${m.problems.length > 0 ? '!' : '-'} ${m.connectionName ?? `connection #${m.connectionId}`}: ${m.currentName ?? m.groupName} (${m.groupId})\n`);
            for (const p of m.problems) io.stdout(`        ${p.kind}: ${p.message}\n`);
          }
        }
      }
      if (listing.problemCount > 0) io.stdout(`${listing.problemCount} mapping${listing.problemCount === 1 ? ' has' : 's have'} problems (marked !)\n`);
      return 0;
    }
    case 'export': {
      const { positionals, values } = parseCommandArgs(rest, { force: { type: 'boolean' } }, 1);
      const { file, format } = formatOf(positionals[0], 'export');
      if (fs.existsSync(file) && !values.force) throw new UserError(`${file} already exists (add --force to overwrite it)`, 'conflict');
      const out = await exportCatalog(ctx.db, format, ctx.clock.now());
      fs.writeFileSync(file, out.bytes);
      io.stdout(`wrote ${out.rows} row${out.rows === 1 ? '' : 's'} to ${file}\n`);
      return 0;
    }
    case 'import': {
      const { positionals, values } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const { file, format } = formatOf(positionals[0], 'import');
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'not-found');
      }
      const result = await importCatalogAndAnnounce(ctx, format, bytes);
      if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
      if (!result.ok) {
        if (!values.json) io.stderr(`${describeImportErrors(result.errors)}\nlatchkey: error: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} in ${file}: nothing was imported\n`);
        return 1;
      }
      if (!values.json) {
        io.stdout(
          `imported ${result.rows} row${result.rows === 1 ? '' : 's'}: apps ${result.appsCreated} created, ${result.appsUpdated} updated; ` +
            `roles ${result.rolesCreated} created, ${result.rolesUpdated} updated; ${result.mappingsAdded} group mapping${result.mappingsAdded === 1 ? '' : 's'} added\n`,
        );
      }
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'catalog needs a verb: list, export or import' : `unknown catalog verb "${verb}" (list, export, import)`);
  }
}
