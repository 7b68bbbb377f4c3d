// `latchkey notices list|preview|test CHANNEL`. Parsing and output only; the engine does the work.
import type { NoticeRow } from '../../shared/contract-notices.js';
import type { EngineContext } from '../engine/context.js';
import { listNotices, previewNotices, testNoticeChannel } from '../engine/notices/notice-admin.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const NOTICES_USAGE = `  notices list [--status S] [--limit N] [--json]
                                          the newest notices (S: pending, sent, failed, cancelled, all)
  notices preview [--days N] [--json]     the notices due in the next N days (default 7), as planned now
  notices test CHANNEL [--to ADDR] [--json]
                                          send a test message through slack, teams or email (--to) now
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const NOTICES_READ_VERBS: readonly string[] = ['list', 'preview'];

const STATUSES = ['pending', 'sent', 'failed', 'cancelled', 'all'] as const;

function table(rows: NoticeRow[]): string {
  if (rows.length === 0) return 'no notices\n';
  return `${rows.map((r) => `#${r.id}  ${r.dueAt}  ${r.status.padEnd(9)}  ${r.channel.padEnd(12)}  ${r.kind.padEnd(16)}  ${r.recipient}  ${r.subject}${r.lastError ? `  (${r.lastError})` : ''}${r.cancelledWhy ? `  (${r.cancelledWhy})` : ''}`).join('\n')}\n`;
}

export async function runNoticesCommand(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'list': {
      const { values } = parseCommandArgs(rest, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
      const status = (values.status ?? 'all') as (typeof STATUSES)[number];
      if (!STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not "${values.status ?? ''}"`);
      const rows = listNotices(ctx, { status, limit: values.limit ? positiveInt(values.limit, '--limit') : 50 });
      io.stdout(values.json ? `${JSON.stringify(rows)}\n` : table(rows));
      return 0;
    }
    case 'preview': {
      const { values } = parseCommandArgs(rest, { days: { type: 'string' }, json: { type: 'boolean' } });
      const days = values.days ? positiveInt(values.days, '--days') : 7;
      if (days > 31) throw new UsageError('--days is at most 31');
      const rows = previewNotices(ctx, days);
      io.stdout(values.json ? `${JSON.stringify(rows)}\n` : table(rows));
      return 0;
    }
    case 'test': {
      const { positionals, values } = parseCommandArgs(rest, { to: { type: 'string' }, json: { type: 'boolean' } }, 1);
      const channel = positionals[0];
      if (channel !== 'slack' && channel !== 'teams' && channel !== 'email') throw new UsageError('notices test needs a CHANNEL: slack, teams or email');
      const r = await testNoticeChannel(ctx, { channel, ...(values.to ? { to: values.to } : {}) });
      if (values.json) io.stdout(`${JSON.stringify(r)}\n`);
      else if (r.ok) io.stdout(`test message sent through ${channel} (notice #${r.noticeId}, ${r.reference})\n`);
      else io.stderr(`latchkey: error: the test message through ${channel} failed (notice #${r.noticeId}): ${r.error}\n`);
      return r.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`notices: unknown verb "${verb ?? ''}" (list, preview, test)`);
  }
}
