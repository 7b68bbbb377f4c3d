// `latchkey policy ...`: birthright policies from the terminal. Parsing and
// output only; the engine does the work. Who acts (--as) defaults to
// $LATCHKEY_OPERATOR, then the operator signed in through the IdP, then the
// OS user; a second operator's approval is refused when it is the same
// person who asked for the change.
// Exit codes: 0 done, 1 refused or invalid (nothing changed), 2 usage.
import fs from 'node:fs';
import type { PolicyDetail, PolicyRow, PolicyWhatIf, PolicyYamlError } from '../../shared/contract-policies.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { addException, approvePolicy, endException, setApprovalPeople, setPolicyMode } from '../engine/policies/policies.js';
import { exceptionById, exportPolicies, getPolicy, importPolicies, listPolicies, policyRow, whatIfYaml } from '../engine/policies/views.js';
import { parseCommandArgs, positiveInt, printResult, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const POLICY_USAGE = `  policy list [--json]                    birthright policies: mode, version in effect, waiting approvals
  policy show ID [--version N] [--json]   one policy (a version, default the one in effect) as YAML, its versions
                                          and exceptions
  policy export FILE.yaml                 every policy as one YAML file (policies as code)
  policy import FILE.yaml [--as EMAIL] [--json]
                                          create or update policies by name; any invalid policy: nothing is
                                          imported, each problem named by its line, exit 1
  policy whatif FILE.yaml [--limit N] [--json]
                                          who would gain and lose which role if the file were imported, and why
  policy enforce ID [--as EMAIL] [--json] enforce (a change over the approval threshold or touching a critical
                                          role waits for a second operator)
  policy monitor ID [--as EMAIL] [--json] monitor only: evaluated and reported, nothing enforced
  policy approve ID [--as EMAIL] [--json] approve the change waiting on a policy (not the operator who asked)
  policy except ID --person EMAIL --owner EMAIL --reason TEXT --until DATE [--as EMAIL] [--json]
                                          the person does not get the policy's roles until DATE (exactly)
  policy unexcept EXCEPTION_ID [--as EMAIL] [--json]
  policy threshold N                      people a change may affect before enforcing needs a second operator
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const POLICY_READ_VERBS: readonly string[] = ['list', 'show', 'export', 'whatif'];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function policyId(s: string | undefined): number {
  if (s === undefined) throw new UsageError('the policy id is missing (see `latchkey policy list`)');
  return positiveInt(s.replace(/^#/, ''), 'the policy id');
}

function readText(file: string | undefined, verb: string): string {
  if (file === undefined) throw new UsageError(`policy ${verb} needs a FILE.yaml`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'not-found');
  }
}

const describeRow = (p: PolicyRow): string =>
  `#${p.id} ${p.name} · ${p.mode} · v${p.version}${p.state === 'awaiting-approval' ? ' · awaiting approval' : ''} · ${p.roles.map((r) => `${r.label}${r.days === null ? '' : ` (${r.days}d)`}`).join(', ')}` +
  `${p.activeExceptions > 0 ? ` · ${plural(p.activeExceptions, 'exception')}` : ''}`;

function describeDetail(d: PolicyDetail): string {
  const lines = [describeRow(d), `version ${d.shown.version} (${d.shown.state}) saved ${d.shown.createdAt} by ${d.shown.createdBy} via ${d.shown.channel}:`, d.shown.yaml.trimEnd()];
  lines.push(`versions: ${d.versions.map((v) => `v${v.version} ${v.state}`).join(', ')}`);
  if (d.approval) lines.push(`waiting for a second operator: ${d.approval.kind} of v${d.approval.version}, asked by ${d.approval.requestedBy} at ${d.approval.requestedAt} (${d.approval.reasons.join('; ')})`);
  for (const e of d.exceptions) lines.push(`exception #${e.id}: ${e.person} until ${e.endsAt}${e.active ? '' : ' (ended)'} — owner ${e.owner}: ${e.reason}`);
  return `${lines.join('\n')}\n`;
}

function describeWhatIf(w: PolicyWhatIf): string {
  const c = w.counts;
  const head = `${w.name}: ${w.baseVersion === null ? 'new policy' : `against v${w.baseVersion}`} · ${c.population} people · matched ${c.matchedBefore} → ${c.matchedAfter} · ${plural(c.affectedPeople, 'person')} affected (${c.gains} gains, ${c.losses} losses)` +
    `${w.excepted > 0 ? ` · ${w.excepted} excepted` : ''} · ${w.ms} ms`;
  const lines = [head];
  for (const r of w.roles) lines.push(`  ${r.label}${r.risk === 'critical' ? ' (critical)' : ''}: +${r.gains} −${r.losses}`);
  for (const ch of w.changes) lines.push(`    ${ch.change === 'gain' ? '+' : '−'} ${w.roles.find((r) => r.roleId === ch.roleId)?.label ?? ch.roleId} ${ch.name}${ch.email ? ` <${ch.email}>` : ''}: ${ch.because}`);
  if (w.truncated) lines.push(`    … (--limit N for more)`);
  if (w.needsApproval) lines.push(`  enforcing needs a second operator: ${w.approvalReasons.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

const describeErrors = (errors: readonly PolicyYamlError[]): string => errors.map((e) => e.message).join('\n');

export function runPolicyCommand(ctx: EngineContext, args: string[], io: CliIo, signedIn: string | null): number {
  const [verb, ...rest] = args;
  const actor = (explicit: string | undefined): { by: string } => ({ by: explicit?.trim() || io.env.LATCHKEY_OPERATOR?.trim() || signedIn || ctx.actor });
  switch (verb) {
    case 'list': {
      const { values } = parseCommandArgs(rest, { json: { type: 'boolean' } });
      const rows = listPolicies(ctx);
      return printResult(io, values.json, rows, rows.length === 0 ? 'no policies yet: `latchkey policy import FILE.yaml`\n' : `${rows.map(describeRow).join('\n')}\n`);
    }
    case 'show': {
      const { values, positionals } = parseCommandArgs(rest, { version: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const d = getPolicy(ctx, policyId(positionals[0]), values.version ? positiveInt(values.version, '--version') : undefined);
      return printResult(io, values.json, d, describeDetail(d));
    }
    case 'export': {
      const { positionals } = parseCommandArgs(rest, {}, 1);
      const file = positionals[0];
      if (file === undefined) throw new UsageError('policy export needs a FILE.yaml');
      const yaml = exportPolicies(ctx);
      fs.writeFileSync(file, yaml);
      io.stdout(`wrote ${plural(listPolicies(ctx).length, 'policy')} to ${file}\n`);
      return 0;
    }
    case 'import': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const r = importPolicies(ctx, readText(positionals[0], 'import'), actor(values.as));
      if (values.json) io.stdout(`${JSON.stringify(r)}\n`);
      if (!r.ok) {
        if (!values.json) io.stderr(`${describeErrors(r.errors)}\nlatchkey: error: ${plural(r.errors.length, 'problem')} in ${positionals[0] ?? ''}: nothing was imported\n`);
        return 1;
      }
      if (!values.json) for (const p of r.policies) io.stdout(`#${p.id} ${p.name}: ${p.outcome}\n`);
      return 0;
    }
    case 'whatif': {
      const { values, positionals } = parseCommandArgs(rest, { limit: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const r = whatIfYaml(ctx, readText(positionals[0], 'whatif'), { limit: values.limit ? positiveInt(values.limit, '--limit') : 20 });
      if (values.json) io.stdout(`${JSON.stringify(r)}\n`);
      if (!r.ok) {
        if (!values.json) io.stderr(`${describeErrors(r.errors)}\nlatchkey: error: ${plural(r.errors.length, 'problem')} in ${positionals[0] ?? ''}\n`);
        return 1;
      }
      if (!values.json) io.stdout(r.whatifs.map(describeWhatIf).join(''));
      return 0;
    }
    case 'enforce':
    case 'monitor': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const r = setPolicyMode(ctx, policyId(positionals[0]), verb, actor(values.as));
      const row = policyRow(ctx, r.policyId);
      const text =
        r.outcome === 'awaiting-approval'
          ? `${describeRow(row)}\nwaiting for a second operator (${r.approval?.reasons.join('; ') ?? ''}): \`latchkey policy approve ${row.id} --as OTHER\`\n`
          : `${describeRow(row)}${r.outcome === 'unchanged' ? ' (unchanged)' : ''}\n`;
      return printResult(io, values.json, { ok: true, policy: row, outcome: r.outcome, approval: r.approval }, text);
    }
    case 'approve': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const r = approvePolicy(ctx, policyId(positionals[0]), actor(values.as));
      const row = policyRow(ctx, r.policyId);
      return printResult(io, values.json, row, `approved: ${describeRow(row)}\n`);
    }
    case 'except': {
      const { values, positionals } = parseCommandArgs(
        rest,
        { person: { type: 'string' }, owner: { type: 'string' }, reason: { type: 'string' }, until: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } },
        1,
      );
      if (!values.person || !values.owner || !values.reason || !values.until) throw new UsageError('policy except needs --person, --owner, --reason and --until');
      const x = addException(ctx, { policyId: policyId(positionals[0]), person: values.person, owner: values.owner, reason: values.reason, endsAt: values.until }, actor(values.as));
      const e = exceptionById(ctx, x.id);
      return printResult(io, values.json, e, `exception #${e.id}: ${e.person} until ${e.endsAt} (owner ${e.owner})\n`);
    }
    case 'unexcept': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      if (positionals[0] === undefined) throw new UsageError('policy unexcept needs the exception id');
      const x = endException(ctx, positiveInt(positionals[0].replace(/^#/, ''), 'the exception id'), actor(values.as));
      const e = exceptionById(ctx, x.id);
      return printResult(io, values.json, e, `exception #${e.id} of ${e.person} ended\n`);
    }
    case 'threshold': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      if (positionals[0] === undefined || !/^\d+$/.test(positionals[0])) throw new UsageError('policy threshold needs a number of people (0 or more)');
      const r = setApprovalPeople(ctx, Number(positionals[0]));
      return printResult(io, values.json, r, `enforcing a change that affects more than ${r.approvalPeople} people now needs a second operator\n`);
    }
    default:
      throw new UsageError(verb === undefined ? 'policy needs a verb: list, show, export, import, whatif, enforce, monitor, approve' : `unknown policy verb "${verb}"`);
  }
}
