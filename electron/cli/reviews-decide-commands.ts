// `latchkey review decide|submit|reassign|close|progress`: a reviewer's
// decisions and a campaign's close from the terminal. Parsing and output
// only; the engine (reviews/decisions.ts, close.ts, progress.ts) does the
// work. --json prints the contract's types (DecideResult, SubmissionView,
// the reassign result, CampaignView, CampaignProgress).
//
// Who decides: --as EMAIL (an operator recording a reviewer's decision: the
// reviewer is decided_by, the operator recorded_by), else the signed-in
// operator or $LATCHKEY_OPERATOR. Exit codes: 0 done, 1 refused (for decide
// and reassign: some items refused, each named), 2 usage.
import { REASON_CODES, decideInput, type DecideResult } from '../../shared/contract-reviews.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { getCampaign } from '../engine/reviews/campaigns.js';
import { closeCampaignNow } from '../engine/reviews/close.js';
import { decideItems, reassignItems, submitDecisions } from '../engine/reviews/decisions.js';
import { campaignProgress } from '../engine/reviews/progress.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo, printResult } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const REVIEW_DECIDE_USAGE = `  review decide ID (ITEM... | --undecided) --keep|--revoke [--reason CODE] [--comment T] [--until DATE] [--as EMAIL] [--json]
                                          draft decisions as the reviewer (--as: record them for that reviewer);
                                          CODE: ${REASON_CODES.join(', ')}; a reason is required to keep what is
                                          recommended for revoke and to revoke critical access; --until: keep, time-bound
  review submit ID [--as EMAIL] [--json]  submit the reviewer's drafts (an audit event per decision)
  review reassign ID --to EMAIL --reason T (ITEM... | --from EMAIL) [--json]
                                          move items (or all of a reviewer's undecided ones) to another reviewer
  review close ID [--json]                close the open stage: defaults applied, revokes queued as revocations
                                          (\`latchkey jobs run\` makes them; the next sync verifies them)
  review progress ID [--json]             decided / total per reviewer and app, overdue, burndown, rubber-stamp warnings
`;

/** The verbs of this file. */
export const REVIEW_DECIDE_VERBS: readonly string[] = ['decide', 'submit', 'reassign', 'close', 'progress'];
/** Of those, the ones that only read (allowed with --read-only). */
export const REVIEW_DECIDE_READ_VERBS: readonly string[] = ['progress'];

function idOf(s: string | undefined, what: string): number {
  if (s === undefined) throw new UsageError(`the ${what} is missing`);
  return positiveInt(s.replace(/^#/, ''), `the ${what}`);
}

/** The reviewer and who records for them. */
function deciding(io: CliIo, signedIn: string | null, as: string | undefined): { reviewer: string; recordedBy: string | null } {
  const operator = signedIn ?? (io.env.LATCHKEY_OPERATOR?.trim() || null);
  const reviewer = as?.trim().toLowerCase() || operator?.toLowerCase();
  if (!reviewer) throw new UserError('who is deciding? Pass --as EMAIL (recording for a reviewer), set LATCHKEY_OPERATOR, or sign in from the console', 'bad-input');
  return { reviewer, recordedBy: as && operator && operator.toLowerCase() !== reviewer ? operator : null };
}

const refusedText = (r: { refused: { itemId: number; why: string }[] }): string => r.refused.map((x) => `  refused: ${x.why}\n`).join('');

export async function runReviewDecideCommand(ctx: EngineContext, args: string[], io: CliIo, signedIn: string | null = null): Promise<number> {
  await Promise.resolve();
  const [verb, ...rest] = args;
  const out = (json: boolean | undefined, value: unknown, text: string, code = 0): number => printResult(io, json, value, text, code);
  switch (verb) {
    case 'decide': {
      const { values, positionals } = parseCommandArgs(
        rest,
        { keep: { type: 'boolean' }, revoke: { type: 'boolean' }, reason: { type: 'string' }, comment: { type: 'string' }, until: { type: 'string' }, as: { type: 'string' }, undecided: { type: 'boolean' }, json: { type: 'boolean' } },
        200_001,
      );
      const [id, ...items] = positionals;
      if (values.keep === values.revoke) throw new UsageError('say --keep or --revoke (one of them)');
      if (items.length === 0 && !values.undecided) throw new UsageError('name the items to decide (ids from `latchkey review items ID`), or --undecided for all of the reviewer’s undecided items');
      if (items.length > 0 && values.undecided) throw new UsageError('items or --undecided: not both');
      if (values.reason && !(REASON_CODES as readonly string[]).includes(values.reason)) throw new UsageError(`--reason takes ${REASON_CODES.join(', ')}`);
      const who = deciding(io, signedIn, values.as);
      const parsed = decideInput.safeParse({
        campaignId: idOf(id, 'campaign id'),
        itemIds: items.map((i) => idOf(i, 'item id')),
        ...(values.undecided ? { filter: { reviewer: 'me', decision: 'undecided' } } : {}),
        decision: values.keep ? 'keep' : 'revoke',
        ...(values.reason ? { reasonCode: values.reason } : {}),
        comment: values.comment ?? '',
        ...(values.until ? { keepUntil: values.until } : {}),
      });
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
      const r: DecideResult = decideItems(ctx, parsed.data, who);
      const text = `drafted ${r.decided} decision${r.decided === 1 ? '' : 's'} as ${who.reviewer}${who.recordedBy ? ` (recorded by ${who.recordedBy})` : ''}; submit with \`latchkey review submit ${parsed.data.campaignId}${values.as ? ` --as ${who.reviewer}` : ''}\`\n${refusedText(r)}`;
      return out(values.json, r, text, r.refused.length > 0 ? 1 : 0);
    }
    case 'submit': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const s = submitDecisions(ctx, idOf(positionals[0], 'campaign id'), deciding(io, signedIn, values.as));
      return out(values.json, s, `submitted ${s.items} decision${s.items === 1 ? '' : 's'} of ${s.reviewer} (submission #${s.id}, by ${s.submittedBy} through ${s.channel} at ${s.at})\n`);
    }
    case 'reassign': {
      const { values, positionals } = parseCommandArgs(rest, { to: { type: 'string' }, reason: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean' } }, 200_001);
      const [id, ...items] = positionals;
      if (!values.to) throw new UsageError('--to EMAIL is required');
      if (!values.reason?.trim()) throw new UsageError('--reason is required');
      if (items.length === 0 && !values.from) throw new UsageError('name the items, or --from EMAIL for all of that reviewer’s undecided items');
      const by = signedIn ?? (io.env.LATCHKEY_OPERATOR?.trim() || ctx.actor);
      const r = reassignItems(ctx, { campaignId: idOf(id, 'campaign id'), itemIds: items.map((i) => idOf(i, 'item id')), fromReviewer: values.from, to: values.to, reason: values.reason }, by);
      return out(values.json, r, `moved ${r.moved} item${r.moved === 1 ? '' : 's'} to ${values.to.trim().toLowerCase()}\n${refusedText(r)}`, r.refused.length > 0 ? 1 : 0);
    }
    case 'close': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const id = idOf(positionals[0], 'campaign id');
      const by = signedIn ?? (io.env.LATCHKEY_OPERATOR?.trim() || ctx.actor);
      const r = await closeCampaignNow(ctx, id, by);
      const v = getCampaign(ctx, id, signedIn);
      const text = r.final
        ? `closed campaign #${id}: ${r.defaults} default${r.defaults === 1 ? '' : 's'} applied, ${r.revocations} revocation${r.revocations === 1 ? '' : 's'} queued, ${r.timeBound} made time-bound; ${v.status}` +
          (r.revocations > 0 ? ' (`latchkey jobs run` makes the revocations; the next sync verifies them)' : '') +
          '\n'
        : `closed stage 1 of campaign #${id}: ${r.defaults} default${r.defaults === 1 ? '' : 's'} applied, ${r.movedToStage2} item${r.movedToStage2 === 1 ? '' : 's'} on to stage 2\n`;
      return out(values.json, v, text);
    }
    case 'progress': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const p = campaignProgress(ctx, idOf(positionals[0], 'campaign id'));
      const lines = [
        `${p.submitted} of ${p.total} submitted (${p.decided} decided), ${p.revokes} revoke${p.revokes === 1 ? '' : 's'}`,
        ...p.byReviewer.map(
          (r) =>
            `  ${r.reviewer} (stage ${r.stage}): ${r.submitted}/${r.total} submitted, ${r.revoked} revoked` +
            (r.approvalRate !== null ? `, ${(r.approvalRate * 100).toFixed(0)}% kept` : '') +
            (r.overdue ? ', OVERDUE' : '') +
            (r.jiraIssueKey ? ` [${r.jiraIssueKey}]` : ''),
        ),
        ...p.warnings.map((w) => `warning: ${w}`),
      ];
      return out(values.json, p, `${lines.join('\n')}\n`);
    }
    default:
      throw new UsageError(`unknown review verb "${verb ?? ''}"`);
  }
}
