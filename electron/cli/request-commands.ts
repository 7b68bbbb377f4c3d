// `latchkey request ...`. Parsing and output only; the engine does the work.
// Who acts (--as) defaults to $LATCHKEY_OPERATOR, then the operator signed
// in through the IdP; decisions made here are recorded with channel 'cli'
// and the OS user (cli.ts gives the context).
// Exit codes: 0 done, 1 refused with the reason (nothing changed), 2 usage.
import fs from 'node:fs';
import { requestListQuery } from '../../shared/contract-requests.js';
import { REQUEST_IMPORT_COLUMNS, templateCsv } from '../../shared/import-columns.js';
import { REQUEST_STATES, type RequestDetail, type RequestRow } from '../../shared/governance.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { addressesOf } from '../engine/directory/people-lookup.js';
import { getRequest, listRequests } from '../engine/requests/queries.js';
import { durationInWords } from '../../shared/governance.js';
import { cancelRequest, createRequest, decideRequest, extendRequest } from '../engine/requests/requests.js';
import { parseDuration } from '../engine/requests/duration-text.js';
import { importRequestsCsv } from '../engine/requests/requests-csv.js';
import { settingsView, updateSettings } from '../engine/settings/settings.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo, printResult } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const REQUEST_USAGE = `  request create --for EMAIL --role "App / Role" --duration 24h [--minutes N] [--ends ISO] --why TEXT [--as EMAIL] [--json]
                                          file an access request (routed to its approvers, or auto-approved)
  request approve ID [--comment TEXT] [--as EMAIL] [--json]
  request deny ID --comment TEXT [--as EMAIL] [--json]
                                          decide the current approval step of a request
  request extend ID --duration D [--minutes N] [--ends ISO] --why TEXT [--as EMAIL] [--json]
                                          ask for more time on an approved request's active access
  request cancel ID [--reason TEXT] [--as EMAIL] [--json]
  request template                        print a CSV template for request import (header and an example row)
  request list [--status S,...] [--mine | --open] [--search TEXT] [--limit N] [--json]
                                          --status: ${REQUEST_STATES.slice(0, 4).join(', ')},
                                          ${REQUEST_STATES.slice(4).join(', ')} (as the console shows them)
  request show ID [--json]
  request import FILE.csv [--as EMAIL] [--json]
                                          one request per row, all rows or none; columns:
                                          ${REQUEST_IMPORT_COLUMNS.map((c) => c.name).join(', ')}
                                          --as defaults to $LATCHKEY_OPERATOR, then the signed-in operator
  settings [--notice-hours N] [--leaver-hours N] [--json]
                                          show or set how many hours before expiry a notice goes out (and to Jira)
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const REQUEST_READ_VERBS: readonly string[] = ['list', 'show', 'template'];

function actingAs(signedIn: string | null, io: CliIo, explicit: string | undefined): string {
  const who = explicit?.trim() || io.env.LATCHKEY_OPERATOR?.trim() || signedIn;
  if (!who) throw new UserError('who is acting? Pass --as EMAIL, set LATCHKEY_OPERATOR, or sign in from the console', 'bad-input');
  return who;
}

function requestId(s: string | undefined): number {
  if (s === undefined) throw new UsageError('the request id is missing (see `latchkey request list`)');
  return positiveInt(s.replace(/^#/, ''), 'the request id');
}

/** `--duration 24h` (or 90m, 10d, permanent, custom with --minutes). */
function durationOf(duration: string | undefined, minutes: string | undefined): { duration: RequestRow['duration']; minutes: number | null } {
  if (duration === undefined && minutes === undefined) throw new UsageError('--duration is required (permanent, 1h, 6h, 24h, 7d, 30d, or a length like 90m)');
  if (minutes !== undefined) {
    if (duration !== undefined && duration !== 'custom') throw new UsageError('--minutes goes with --duration custom (or no --duration)');
    return { duration: 'custom', minutes: positiveInt(minutes, '--minutes') };
  }
  if (duration === 'custom') throw new UsageError('--duration custom needs --minutes N');
  return parseDuration(duration ?? '');
}

export function describeRequest(r: RequestRow): string {
  const who = r.beneficiary.email ? `${r.beneficiary.name} <${r.beneficiary.email}>` : r.beneficiary.name;
  const waiting = r.waitingOn ? ` · waiting on step ${r.waitingOn.step} (${r.waitingOn.kind}): ${r.waitingOn.approvers.join(', ')}` : '';
  // Ended access says when it ended; "until" only for access still held or on its way.
  const access = r.accessEndedAt
    ? ` · access ended ${r.accessEndedAt}`
    : r.access
      ? ` · access ${r.access}${r.expiresAt ? ` until ${r.expiresAt}` : r.access === 'active' ? ' (permanent)' : ''}`
      : '';
  return `#${r.id} ${r.status} ${r.roleLabel} for ${who} (${durationInWords(r.duration, r.durationMinutes)})${waiting}${access}`;
}

function describeDetail(d: RequestDetail): string {
  const lines = [
    describeRequest(d),
    `  requested by ${d.requester} via ${d.source} at ${d.createdAt}${d.escalated ? ' · escalated' : ''}${d.jira ? ` · Jira ${d.jira.key}` : ''}`,
    `  justification: ${d.justification}`,
    ...d.approvals.map(
      (a) =>
        `  step ${a.step} ${a.kind} [${a.status}]${a.approvers.length ? ` approvers: ${a.approvers.join(', ')}` : ''}${a.decidedBy ? ` · by ${a.decidedBy} via ${a.channel ?? '?'} at ${a.decidedAt ?? '?'}` : ''}${a.comment ? ` · "${a.comment}"` : ''}`,
    ),
    ...d.grants.map(
      (g) => `  grant #${g.id} ${g.status} ${g.groupName}${g.endedAt ? ` ended ${g.endedAt}` : g.expiresAt ? ` until ${g.expiresAt}` : ' (permanent)'}${g.endReason ? ` · ${g.endReason}` : ''}`,
    ),
    '  timeline:',
    ...d.timeline.map((t) => `    ${t.at} ${t.kind}: ${t.text}${t.detail ? ` (${t.detail})` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `signedIn`: the e-mail of the operator signed in through the IdP (the keychain session), if any. */
export function runRequestCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo, signedIn: string | null = null): Promise<number> {
  void bus;
  // Everything here is synchronous (SQLite); a throw becomes the rejection cli.ts reports.
  return new Promise((resolve) => resolve(requestCommand(ctx, args, io, signedIn)));
}

function requestCommand(ctx: EngineContext, args: string[], io: CliIo, signedIn: string | null): number {
  const [verb, ...rest] = args;
  const out = (json: boolean | undefined, value: unknown, text: string, code = 0): number => printResult(io, json, value, text, code);
  switch (verb) {
    case 'create': {
      const { values } = parseCommandArgs(rest, {
        for: { type: 'string' },
        role: { type: 'string' },
        duration: { type: 'string' },
        minutes: { type: 'string' },
        ends: { type: 'string' },
        why: { type: 'string' },
        as: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (!values.for) throw new UsageError('--for EMAIL is required (who the access is for)');
      if (!values.role) throw new UsageError('--role "App / Role" is required');
      if (values.why === undefined) throw new UsageError('--why TEXT is required (the justification)');
      const d = durationOf(values.duration, values.minutes);
      const row = createRequest(
        ctx,
        { beneficiary: { email: values.for }, role: values.role, duration: d.duration, minutes: d.minutes, endsAt: values.ends ?? null, justification: values.why },
        { source: 'cli', requester: actingAs(signedIn, io, values.as) },
      );
      return out(values.json, row, `${describeRequest(row)}\n`);
    }
    case 'approve':
    case 'deny': {
      const { values, positionals } = parseCommandArgs(rest, { comment: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const id = requestId(positionals[0]);
      if (verb === 'deny' && !values.comment?.trim()) throw new UsageError('request deny needs --comment TEXT (say why)');
      const row = decideRequest(ctx, id, { decision: verb, comment: values.comment ?? '', by: actingAs(signedIn, io, values.as), channel: 'cli' });
      return out(values.json, row, `${describeRequest(row)}\n`);
    }
    case 'extend': {
      const { values, positionals } = parseCommandArgs(
        rest,
        { duration: { type: 'string' }, minutes: { type: 'string' }, ends: { type: 'string' }, why: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } },
        1,
      );
      const id = requestId(positionals[0]);
      if (values.why === undefined) throw new UsageError('--why TEXT is required (the justification)');
      const d = durationOf(values.duration, values.minutes);
      const row = extendRequest(
        ctx,
        { requestId: id, duration: d.duration, minutes: d.minutes, endsAt: values.ends ?? null, justification: values.why },
        { requester: actingAs(signedIn, io, values.as) },
      );
      return out(values.json, row, `${describeRequest(row)}\n`);
    }
    case 'cancel': {
      const { values, positionals } = parseCommandArgs(rest, { reason: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const row = cancelRequest(ctx, requestId(positionals[0]), { by: actingAs(signedIn, io, values.as), reason: values.reason ?? '' });
      return out(values.json, row, `${describeRequest(row)}\n`);
    }
    case 'list': {
      const { values } = parseCommandArgs(rest, {
        status: { type: 'string' },
        mine: { type: 'boolean' },
        open: { type: 'boolean' },
        search: { type: 'string' },
        limit: { type: 'string' },
        as: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.mine && values.open) throw new UsageError('--mine and --open are two different lists: pick one');
      const parsed = requestListQuery.safeParse({
        view: values.mine ? 'mine' : values.open ? 'open' : 'all',
        status: values.status ? values.status.split(/[,\s]+/).filter(Boolean) : [],
        search: values.search ?? '',
        limit: values.limit ? positiveInt(values.limit, '--limit') : 200,
      });
      if (!parsed.success) throw new UsageError(`--status takes ${REQUEST_STATES.join(', ')} (comma-separated)`);
      const mine = values.mine ? [...addressesOf(ctx.db, actingAs(signedIn, io, values.as))] : [];
      const page = listRequests(ctx.db, parsed.data, mine);
      return out(values.json, page, page.rows.map((r) => `${describeRequest(r)}\n`).join('') + (page.total > page.rows.length ? `(${page.rows.length} of ${page.total}; --limit to see more)\n` : ''));
    }
    case 'show': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const detail = getRequest(ctx.db, requestId(positionals[0]));
      return out(values.json, detail, describeDetail(detail));
    }
    case 'import': {
      const { values, positionals } = parseCommandArgs(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const file = positionals[0];
      if (!file) throw new UsageError('request import needs a CSV file');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'not-found');
      }
      // The operator (--as / env / settings) is the requester of rows that name none.
      const explicit = values.as?.trim() || io.env.LATCHKEY_OPERATOR?.trim() || undefined;
      const result = importRequestsCsv(ctx, text, { requester: explicit });
      if (result.errors.length > 0) {
        if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
        io.stderr(
          `latchkey: error: nothing imported; ${result.errors.length} bad row${result.errors.length === 1 ? '' : 's'} (row 1 is the header):\n${result.errors.map((e) => `  row ${e.row}: ${e.message}\n`).join('')}`,
        );
        return 1;
      }
      return out(values.json, result, `imported ${result.created.length} request${result.created.length === 1 ? '' : 's'}: ${result.created.map((id) => `#${id}`).join(', ')}\n`);
    }
    case 'template':
      parseCommandArgs(rest, {});
      // Without the BOM a spreadsheet wants: this goes to a terminal or a pipe.
      io.stdout(templateCsv(REQUEST_IMPORT_COLUMNS).replace(/^\uFEFF/, ''));
      return 0;
    default:
      throw new UsageError(`unknown request verb "${verb ?? ''}" (create, approve, deny, extend, cancel, list, show, import, template)`);
  }
}

/** `latchkey settings`: shows the workspace settings; with flags, changes them (audited). */
export function runSettingsCommand(ctx: EngineContext, args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(args, { 'notice-hours': { type: 'string' }, 'leaver-hours': { type: 'string' }, json: { type: 'boolean' } });
  const hours = values['notice-hours'];
  const leaver = values['leaver-hours'];
  if (hours !== undefined && !/^\d+$/.test(hours)) throw new UsageError(`--notice-hours must be a whole number of hours, not "${hours}"`);
  if (leaver !== undefined && !/^[1-9]\d*$/.test(leaver)) throw new UsageError(`--leaver-hours must be a whole number of hours (at least 1), not "${leaver}"`);
  const view =
    hours !== undefined || leaver !== undefined
      ? updateSettings(ctx, {
          ...(hours !== undefined ? { expiryNoticeHours: Number(hours) } : {}),
          ...(leaver !== undefined ? { leaverDeadlineHours: Number(leaver) } : {}),
        })
      : settingsView(ctx.db);
  if (values.json) io.stdout(`${JSON.stringify(view)}\n`);
  else {
    io.stdout(`expiry notice: ${view.expiryNoticeHours} h before\nleavers' access removed within: ${view.leaverDeadlineHours} h (the evidence workbook flags later removals)\n`);
  }
  return 0;
}

/** `settings` with no flag only reads. */
export const settingsOnlyReads = (args: string[]): boolean => !args.some((a) => a.startsWith('--notice-hours') || a.startsWith('--leaver-hours'));
