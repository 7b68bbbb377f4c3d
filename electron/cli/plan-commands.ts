// `latchkey plan list|show ID|retry ID`: joiner / mover / leaver plans.
// Parsing and output only; the engine does the work.
import { PLAN_KINDS, PLAN_STATUSES, type PlanKind, type PlanStatus, type PlanView } from '../../shared/contract-plans.js';
import type { EngineContext } from '../engine/context.js';
import { getPlan, listPlans, retryPlan } from '../engine/plans/views.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const PLAN_USAGE = `  plan list [--status S] [--kind K] [--limit N] [--json]
                                          joiner / mover / leaver plans, newest first (S: open, ${PLAN_STATUSES.join(', ')};
                                          K: ${PLAN_KINDS.join(', ')})
  plan show ID [--json]                   a plan's timeline: its steps by tier, with their errors
  plan retry ID [--json]                  run a failed or partial plan's failed steps again
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const PLAN_READ_VERBS: readonly string[] = ['list', 'show'];

const MARK: Record<string, string> = { done: '✔', skipped: '–', failed: '✘', cancelled: '✘', 'rolled-back': '↶ rolled back', manual: '✋', running: '…', waiting: '·' };

/** The timeline as text: "Tier 2 — base access", then one line per step. */
export function planTimeline(p: PlanView): string {
  const lines = [
    `plan #${p.id} ${p.kind} for ${p.personName}${p.personEmail ? ` <${p.personEmail}>` : ''}: ${p.status}${p.reason ? ` — ${p.reason}` : ''}`,
    `  effective ${p.effectiveDate}${p.hrEventId ? ` (HR event ${p.hrEventId})` : ''}; started ${p.startedAt ?? '-'}; finished ${p.finishedAt ?? '-'}${p.jiraIssueKey ? `; Jira ${p.jiraIssueKey}` : ''}`,
  ];
  if (p.policyVersions.length > 0) lines.push(`  policies: ${p.policyVersions.map((v) => `#${v.policyId} v${v.version}`).join(', ')}`);
  if (p.kind === 'leaver' && p.lastRemovalAt) lines.push(`  last removal ${p.lastRemovalAt} (${p.hoursToRemoval ?? '?'} h after the effective date)`);
  let tier = 0;
  for (const s of p.steps) {
    if (s.tier !== tier) {
      tier = s.tier;
      lines.push(`Tier ${tier} — ${s.tierName}`);
    }
    const when = (s.finishedAt ?? s.startedAt ?? '').slice(11, 19);
    const extra = [s.critical ? 'critical' : null, s.notBefore && s.status === 'waiting' ? `not before ${s.notBefore}` : null, s.assignee ? `for ${s.assignee}` : null].filter(Boolean).join(', ');
    lines.push(`  ${s.label} ${MARK[s.status] ?? s.status} ${when}${extra ? ` (${extra})` : ''}`.trimEnd());
    if (s.error) lines.push(`      error: ${s.error}`);
    else if (s.note && (s.status === 'skipped' || s.status === 'cancelled' || s.status === 'rolled-back')) lines.push(`      ${s.note}`);
  }
  return `${lines.join('\n')}\n`;
}

function idOf(s: string | undefined, verb: string): number {
  if (s === undefined) throw new UsageError(`plan ${verb} needs a plan ID`);
  return positiveInt(s, 'ID');
}

export function runPlanCommand(ctx: EngineContext, args: string[], io: CliIo): number {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'list': {
      const { values } = parseCommandArgs(rest, { status: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
      const status = (values.status ?? 'all') as PlanStatus | 'all' | 'open';
      if (!['all', 'open', ...PLAN_STATUSES].includes(status)) throw new UsageError(`--status must be open, all or one of ${PLAN_STATUSES.join(', ')}`);
      const kind = (values.kind ?? 'all') as PlanKind | 'all';
      if (!['all', ...PLAN_KINDS].includes(kind)) throw new UsageError(`--kind must be one of ${PLAN_KINDS.join(', ')}`);
      const r = listPlans(ctx, { status, kind, limit: values.limit ? positiveInt(values.limit, '--limit') : 50 });
      if (values.json) {
        io.stdout(`${JSON.stringify(r)}\n`);
        return 0;
      }
      if (r.total === 0) io.stdout('no plans\n');
      for (const p of r.rows) {
        io.stdout(`#${p.id} ${p.kind} ${p.status} ${p.personName}${p.personEmail ? ` <${p.personEmail}>` : ''} effective ${p.effectiveDate}: ${p.stepsDone}/${p.stepCount} steps${p.stepsFailed ? `, ${p.stepsFailed} failed` : ''}${p.reason ? ` — ${p.reason}` : ''}\n`);
      }
      if (r.total > r.rows.length) io.stdout(`… and ${r.total - r.rows.length} more\n`);
      return 0;
    }
    case 'show':
    case 'retry': {
      const { positionals, values } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const id = idOf(positionals[0], verb);
      const p = verb === 'show' ? getPlan(ctx, id) : retryPlan(ctx, id);
      io.stdout(values.json ? `${JSON.stringify(p)}\n` : planTimeline(p));
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'plan needs a verb: list, show or retry' : `unknown plan verb "${verb}" (list, show, retry)`);
  }
}
