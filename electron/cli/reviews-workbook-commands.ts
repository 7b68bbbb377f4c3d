// `latchkey review workbook export|import`: a reviewer's workbook to a file
// (streamed, never whole in memory) and back. Parsing and output only; the
// engine (reviews/workbook.ts) does the work.
import fs from 'node:fs';
import { UserError, type EngineContext } from '../engine/context.js';
import { exportReviewerWorkbookToFile, importReviewerWorkbook } from '../engine/reviews/workbook.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const REVIEW_WORKBOOK_USAGE = `  review workbook export ID --reviewer EMAIL --out F.xlsx [--force] [--json]
                                          one reviewer's open items as an .xlsx (Decision Keep/Revoke,
                                          Reason, Comment; each row carries a hash of its frozen values)
  review workbook import ID F.xlsx [--reviewer EMAIL] [--json]
                                          record a filled-in workbook: all rows or none (each refused row
                                          named, exit code 1); channel workbook, the file's SHA-256
`;

/** `review workbook export` only reads the workspace (allowed with --read-only). */
export const reviewWorkbookOnlyReads = (args: readonly string[]): boolean => args.find((a) => !a.startsWith('-')) === 'export';

export async function runReviewWorkbookCommand(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'export': {
      const { positionals, values } = parseCommandArgs(rest, { reviewer: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } }, 1);
      const id = positionals[0];
      if (id === undefined) throw new UsageError('review workbook export needs the campaign ID');
      if (!values.reviewer) throw new UsageError('review workbook export needs --reviewer EMAIL');
      if (!values.out) throw new UsageError('review workbook export needs --out F.xlsx');
      if (!values.out.toLowerCase().endsWith('.xlsx')) throw new UsageError(`--out must name an .xlsx file, not "${values.out}"`);
      if (fs.existsSync(values.out) && !values.force) throw new UserError(`${values.out} already exists (add --force to overwrite it)`, 'conflict');
      const campaignId = positiveInt(id, 'the campaign ID');
      const w = await exportReviewerWorkbookToFile(ctx, campaignId, values.reviewer, values.out);
      if (values.json) io.stdout(`${JSON.stringify({ campaignId, reviewer: values.reviewer.trim().toLowerCase(), file: w.path, rows: w.rows, bytes: w.bytes, sha256: w.sha256 })}\n`);
      else io.stdout(`wrote ${w.rows} item${w.rows === 1 ? '' : 's'} of ${values.reviewer} to ${w.path} (sha256 ${w.sha256})\n`);
      return 0;
    }
    case 'import': {
      const { positionals, values } = parseCommandArgs(rest, { reviewer: { type: 'string' }, json: { type: 'boolean' } }, 2);
      const [id, file] = positionals;
      if (id === undefined || file === undefined) throw new UsageError('review workbook import needs the campaign ID and the .xlsx file');
      const campaignId = positiveInt(id, 'the campaign ID');
      if (!fs.existsSync(file)) throw new UserError(`cannot read ${file}: no such file`, 'not-found');
      const r = await importReviewerWorkbook(ctx, campaignId, { path: file }, values.reviewer ? { expectReviewer: values.reviewer } : {});
      if (values.json) io.stdout(`${JSON.stringify(r)}\n`);
      else io.stdout(`recorded ${r.decisions} decision${r.decisions === 1 ? '' : 's'} of ${r.reviewer} (submission #${r.submissionId}, workbook sha256 ${r.sha256})\n`);
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'review workbook needs a verb: export or import' : `unknown review workbook verb "${verb}" (export, import)`);
  }
}
