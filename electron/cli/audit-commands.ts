// `latchkey audit ...`. Parsing and output only; the engine does the work.
//
// `audit verify` checks the chain, every checkpoint's signature against the
// workspace's public key(s), and that the chain still holds every anchored
// head (recorded in the file, given with --anchor, read back from Jira with
// --from-jira). Each problem is printed with its code and, when it is one
// event's fault, that event's seq; the exit code is 1 when there is any.
import type { AuditStatus } from '../../shared/domain.js';
import { keychainKeyId, signCheckpoint } from '../engine/audit/checkpoints.js';
import { parseAnchor, verifyAudit, type AuditVerifyReport, type ExternalAnchor } from '../engine/audit/verify.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { readJiraAnchors, setAnchorIssue } from '../engine/jira/audit-anchors.js';
import { parseCommandArgs, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const AUDIT_USAGE = `  audit verify [--anchor HASH:COUNT[,...]] [--from-jira] [--json]
                                          check the audit log: its hash chain, its signed checkpoints, and
                                          that it still holds each anchored head (exit 1 naming each problem)
  audit checkpoint                        sign a checkpoint of the audit log's head now
  audit anchor-issue CONNECTION (ISSUE | --clear)
                                          the Jira issue that gets the daily audit checkpoint comment
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const AUDIT_READ_VERBS: readonly string[] = ['verify'];

export async function runAuditCommand(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'verify':
      return verify(ctx, rest, io);
    case 'checkpoint': {
      parseCommandArgs(rest, {});
      const r = await signCheckpoint(ctx, 'manual');
      if (!r.signed) throw new UserError(`no checkpoint was signed: ${r.why}`, 'failed');
      const c = r.checkpoint;
      io.stdout(`${r.fresh ? 'signed' : 'already signed'}: checkpoint #${c.id} at ${c.count} events, head ${c.headHash} (key ${c.keyId})\n`);
      return 0;
    }
    case 'anchor-issue': {
      const { values, positionals } = parseCommandArgs(rest, { clear: { type: 'boolean' } }, 2);
      const [connection, issue] = positionals;
      if (!connection) throw new UsageError('audit anchor-issue needs a Jira connection name');
      if (!issue === !values.clear) throw new UsageError('give the anchor issue key (like OPS-12), or --clear');
      setAnchorIssue(ctx, connection, issue ?? null);
      io.stdout(issue ? `the daily audit checkpoint comment of "${connection}" goes to ${issue}\n` : `"${connection}" has no anchor issue any more\n`);
      return 0;
    }
    default:
      throw new UsageError(verb ? `unknown audit verb "${verb}" (verify, checkpoint, anchor-issue)` : 'audit needs a verb: verify, checkpoint or anchor-issue');
  }
}

async function verify(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { anchor: { type: 'string' }, 'from-jira': { type: 'boolean' }, json: { type: 'boolean' } });
  const anchors: ExternalAnchor[] = [];
  for (const a of values.anchor ? values.anchor.split(',') : []) {
    try {
      anchors.push(parseAnchor(a));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  let jira: Awaited<ReturnType<typeof readJiraAnchors>> | null = null;
  if (values['from-jira']) {
    if (ctx.readOnly) throw new UserError('--from-jira reads Jira with the connection\'s credentials: not on a workspace opened --read-only (give its anchors with --anchor)', 'read-only');
    jira = await readJiraAnchors(ctx);
    anchors.push(...jira.anchors);
  }
  const report = verifyAudit(ctx.db, { anchors, keychainKeyId: await keychainKeyId(ctx) });
  // Reading Jira failed entirely: the anchors asked for were not checked, which is not a pass.
  const jiraUnread = jira !== null && jira.issuesRead.length === 0;
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...report, ...(jira ? { jira: { issuesRead: jira.issuesRead, anchorsRead: jira.anchors.length, problems: jira.problems } } : {}) })}\n`);
  } else {
    io.stdout(describe(report));
    if (ctx.readOnly) io.stdout('note: opened read-only: no checkpoint is signed here (no key); the ones above were signed where the file was written\n');
    if (jira) {
      io.stdout(`Jira: ${jira.anchors.length} anchor${jira.anchors.length === 1 ? '' : 's'} read from ${jira.issuesRead.length} issue${jira.issuesRead.length === 1 ? '' : 's'}${jira.issuesRead.length ? ` (${jira.issuesRead.join(', ')})` : ''}\n`);
      for (const p of jira.problems) io.stdout(`  ${p}\n`);
    }
  }
  if (!report.ok) {
    io.stderr(`latchkey: error: the audit log does not verify: ${report.findings.length} problem${report.findings.length === 1 ? '' : 's'} (listed above)\n`);
    return 1;
  }
  if (jiraUnread) {
    io.stderr('latchkey: error: no anchor could be read from Jira (see above): the Jira anchors were not checked\n');
    return 1;
  }
  return 0;
}

function describe(r: AuditVerifyReport): string {
  const lines: string[] = [];
  lines.push(`audit log: ${r.events} event${r.events === 1 ? '' : 's'}, head ${r.head.hash} (seq ${r.head.seq})`);
  lines.push(`keys: ${r.keys.length === 0 ? 'none yet' : r.keys.map((k) => `ed25519 ${k.keyId}`).join(', ')}`);
  const cp = r.checkpoints;
  lines.push(
    `checkpoints: ${cp.total}, ${cp.valid} verified${cp.latest ? `; newest #${cp.latest.id} at ${cp.latest.count} events (${cp.latest.reason}, ${cp.latest.at})` : ''}`,
  );
  lines.push(`anchors: ${r.anchors.checked} checked, ${r.anchors.held} held`);
  for (const f of r.findings) lines.push(`PROBLEM ${f.code}${f.seq !== undefined ? ` (event ${f.seq})` : ''}: ${f.message}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(r.ok ? 'verifies' : 'DOES NOT VERIFY');
  return `${lines.join('\n')}\n`;
}

/** One line on a read-only workspace's audit chain as verified on opening (`serve --read-only`). */
export function describeAuditStatus(a: AuditStatus): string {
  const copy = a.copyOf
    ? `; a copy of workspace ${a.copyOf.workspaceId ?? '?'} saved ${a.copyOf.savedAt ?? '?'}, ${a.copyOf.matchesOrigin ? 'holding the head it was saved with' : 'NOT holding the head it was saved with'}`
    : '';
  const what = `${a.events} events, ${a.checkpoints.valid}/${a.checkpoints.total} checkpoints verify, ${a.anchors.held}/${a.anchors.checked} anchors held${copy}`;
  return a.verified ? `audit chain verified (${what})` : `audit chain DOES NOT VERIFY (${what}): ${a.problems.join('; ')}`;
}
