// `latchkey export evidence ...` and `latchkey evidence verify ...`. Parsing
// and output only; the engine (evidence/) does the work.
//
// The export only reads, so it runs on a workspace opened --read-only (a
// saved copy, no keychain, no network): its manifest is then unsigned and
// says why. `evidence verify` needs no workspace at all; when the workspace
// file (--db, or the default one) exists it is opened read-only to check the
// manifest's key against the workspace's audit keys. Both exit 1 on failure
// (verify: on any difference, each named) and print one JSON line with --json.
import fs from 'node:fs';
import { appVersion } from '../engine/api.js';
import { listAuditKeys } from '../engine/audit/checkpoint-store.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { exportEvidence } from '../engine/evidence/manifest.js';
import { EVIDENCE_SHEETS } from '../engine/evidence/sheets.js';
import { verifyEvidence, type EvidenceVerifyReport } from '../engine/evidence/verify.js';
import { reconciliationText } from '../engine/evidence/writer.js';
import type { EvidenceSheet } from '../engine/evidence/sheet-types.js';
import { openDatabase } from '../engine/db/database.js';
import { parseCommandArgs, positiveInt, printResult, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const EVIDENCE_USAGE = `  export evidence --from DATE --to DATE --out FILE.xlsx [--sample N --seed S] [--leaver-hours H] [--json]
                                          the evidence workbook for auditors (and FILE.manifest.json beside it,
                                          signed with the workspace key when the keychain holds it); reads only:
                                          works on a copy opened --read-only; DATE is YYYY-MM-DD (UTC, whole days)
                                          or an ISO 8601 instant
  evidence verify FILE.xlsx [--manifest F] [--json]
                                          re-read a workbook's cells and check every sheet's content hash and rows
                                          against its manifest and signature (exit 1 naming each difference)
`;

/** A period end as an ISO instant: a bare date is the start (from) or the last millisecond (to) of that UTC day. */
export function periodInstant(text: string, end: boolean, flag: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const d = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) throw new UsageError(`${flag} "${text}" is not a date`);
    return end ? new Date(d.getTime() + 86_400_000 - 1).toISOString() : d.toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) throw new UsageError(`${flag} takes YYYY-MM-DD or an ISO 8601 instant with its zone, not "${text}"`);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} "${text}" is not a valid instant`);
  return d.toISOString();
}

const size = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/** `export evidence ...` (the sheets are the registry's; tests pass their own). */
export async function runExportCommand(ctx: EngineContext, args: string[], io: CliIo, sheets: readonly EvidenceSheet[] = EVIDENCE_SHEETS): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'evidence') throw new UsageError(what ? `unknown export "${what}" (evidence)` : 'export needs what to export: evidence');
  const { values } = parseCommandArgs(rest, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, sample: { type: 'string' }, seed: { type: 'string' }, 'leaver-hours': { type: 'string' }, json: { type: 'boolean' } });
  if (!values.from || !values.to || !values.out) throw new UsageError('export evidence needs --from DATE, --to DATE and --out FILE.xlsx');
  const from = periodInstant(values.from, false, '--from');
  const to = periodInstant(values.to, true, '--to');
  if (from > to) throw new UsageError(`--from (${from}) is after --to (${to})`);
  if (!/\.xlsx$/i.test(values.out)) throw new UsageError('--out must name an .xlsx file');
  if ((values.sample === undefined) !== (values.seed === undefined)) throw new UsageError('--sample N and --seed S go together (the seed makes the sample reproducible)');
  const sample = values.sample !== undefined && values.seed !== undefined ? { n: positiveInt(values.sample, '--sample'), seed: values.seed } : null;
  const leaverDeadlineHours = values['leaver-hours'] !== undefined ? positiveInt(values['leaver-hours'], '--leaver-hours') : 24;
  if (fs.existsSync(values.out)) throw new UserError(`${values.out} already exists: choose another --out (an evidence workbook is never overwritten)`, 'conflict');
  const tty = !values.json && (process.stderr.isTTY ?? false);
  let shown = '';
  const w = await exportEvidence(
    { db: ctx.db, now: ctx.clock.now(), secrets: ctx.secrets, readOnly: ctx.readOnly },
    {
      from,
      to,
      out: values.out,
      version: appVersion(),
      sample,
      leaverDeadlineHours,
      sheets,
      onProgress: (p) => {
        if (tty) io.stderr(`\r${`evidence ${p.sheet}: ${p.rows.toLocaleString('en-US')} rows`.padEnd(60)}`);
        shown = p.sheet;
      },
    },
  );
  if (tty && shown) io.stderr('\n');
  const result = {
    path: w.path,
    bytes: w.bytes,
    sha256: w.sha256,
    manifest: w.manifestPath,
    signed: w.signature !== null,
    keyId: w.signature?.keyId ?? null,
    unsigned: w.unsigned,
    from: w.from,
    to: w.to,
    generatedAt: w.generatedAt,
    exceptions: w.exceptions,
    sheets: w.sheets.map((s) => ({ name: s.name, worksheets: s.worksheets, rows: s.rows, sha256: s.sha256, query: s.query, reconciliations: s.reconciliations.map((r) => ({ ...r, ok: r.expected === r.actual })) })),
  };
  const off = w.sheets.flatMap((s) => s.reconciliations.filter((r) => r.expected !== r.actual).map((r) => `${s.name}: ${reconciliationText(r)}`));
  const lines = [
    `evidence workbook: ${w.path} (${size(w.bytes)}, SHA-256 ${w.sha256})`,
    `period: ${w.from} to ${w.to}; generated ${w.generatedAt}`,
    `manifest: ${w.manifestPath} (${w.signature ? `signed with key ${w.signature.keyId}` : `unsigned: ${w.unsigned ?? ''}`})`,
    ...w.sheets.map((s) => `  ${s.name.padEnd(14)} ${s.rows.toLocaleString('en-US').padStart(11)} rows  ${s.sha256}${s.reconciliations.length ? `  ${s.reconciliations.map(reconciliationText).join('; ')}` : ''}`),
    `exceptions: ${w.exceptions.toLocaleString('en-US')}`,
    ...off.map((o) => `WARNING: a count does not reconcile: ${o}`),
  ];
  return printResult(io, values.json, result, `${lines.join('\n')}\n`);
}

/** The workspace's audit keys when its file exists (opened read-only), else null. */
function workspaceKeys(dbPath: string | null): ReturnType<typeof listAuditKeys> | null {
  if (!dbPath || !fs.existsSync(dbPath)) return null;
  const db = openDatabase(dbPath, { readOnly: true });
  try {
    return listAuditKeys(db);
  } finally {
    db.close();
  }
}

function describe(r: EvidenceVerifyReport): string {
  const lines = [`workbook: ${r.file}`, `manifest: ${r.manifest ?? '(none: the Manifest sheet only)'}`];
  if (r.signature) lines.push(`signature: key ${r.signature.keyId}, ${r.signature.valid ? 'verifies' : 'DOES NOT VERIFY'}${r.signature.workspaceKey === null ? '' : r.signature.workspaceKey ? ', the workspace\'s audit key' : ', NOT a key of the workspace'}`);
  for (const s of r.sheets) lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(14)} ${s.rows.toLocaleString('en-US').padStart(11)} rows  ${s.sha256}`);
  for (const f of r.findings) lines.push(`PROBLEM ${f.code}${f.sheet ? ` (${f.sheet})` : ''}: ${f.message}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(r.ok ? 'verifies' : 'DOES NOT VERIFY');
  return `${lines.join('\n')}\n`;
}

/** `evidence verify FILE.xlsx [--manifest F] [--json]`; `dbPath` is the workspace whose keys to check against, when it exists. */
export async function runEvidenceCommand(args: string[], io: CliIo, dbPath: string | null): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'verify') throw new UsageError(verb ? `unknown evidence verb "${verb}" (verify)` : 'evidence needs a verb: verify');
  const { values, positionals } = parseCommandArgs(rest, { manifest: { type: 'string' }, json: { type: 'boolean' } }, 1);
  const file = positionals[0];
  if (!file) throw new UsageError('evidence verify needs the workbook: evidence verify FILE.xlsx');
  const r = await verifyEvidence(file, { ...(values.manifest ? { manifestPath: values.manifest } : {}), workspaceKeys: workspaceKeys(dbPath) });
  printResult(io, values.json, r, describe(r));
  if (!r.ok) {
    io.stderr(`latchkey: error: the evidence workbook does not verify: ${r.findings.length} problem${r.findings.length === 1 ? '' : 's'} (listed above)\n`);
    return 1;
  }
  return 0;
}
