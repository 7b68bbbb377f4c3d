// The daily digest: notices whose route digests them are planned due at the
// digest hour; when they come due, those of one channel and recipient fold
// into one digest notice listing them (its own dedup key per day), and the
// folded ones are cancelled with the digest's id as why. A digest goes out
// only when something in it needs action (an approval, a review): otherwise
// its notices are cancelled unsent, "nothing needed action" — still on the
// record of what was planned.
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { getSettings } from '../settings/settings.js';
import { consoleLink, targetLinks } from './message.js';
import { cancelNoticeIds, dueNotices, planNotice, type NoticeRecord } from './notice-store.js';
import { needsAction } from './routing.js';

export const DIGEST_KIND = 'digest';

const isDigested = (n: NoticeRecord): boolean => n.target.includes('"digest":true');

export function dueDigestParts(db: Db, now: Date): NoticeRecord[] {
  return dueNotices(db, now, 5000).filter(isDigested);
}

export type DigestRun = { digests: number[]; dropped: number[] };

/** The governance tick's step, before the outbox sends: folds the due digested notices. */
export function foldDigests(ctx: EngineContext): DigestRun {
  const out: DigestRun = { digests: [], dropped: [] };
  if (ctx.readOnly) return out;
  const now = ctx.clock.now();
  const base = getSettings(ctx.db).notices.consoleUrl;
  ctx.db
    .transaction(() => {
      const groups = new Map<string, NoticeRecord[]>();
      for (const n of dueDigestParts(ctx.db, now)) {
        const k = `${n.channel}\u0000${n.recipient}`;
        groups.set(k, [...(groups.get(k) ?? []), n]);
      }
      for (const parts of groups.values()) {
        const first = parts[0];
        if (!first) continue;
        if (!parts.some((p) => needsAction(p.kind))) {
          out.dropped.push(...cancelNoticeIds(ctx.db, parts.map((p) => p.id), 'daily digest: nothing needed action'));
          continue;
        }
        const lines = parts.map((p) => {
          const l = targetLinks(p).link;
          return `• ${p.subject}${l ? ` — ${consoleLink(base, l)}` : ''}`;
        });
        const day = now.toISOString().slice(0, 10);
        const digest = planNotice(
          ctx.db,
          {
            dedupKey: `digest:${first.channel}:${first.recipient}:${day}:${parts.map((p) => p.id).join(',')}`,
            kind: DIGEST_KIND,
            recipient: first.recipient,
            channel: first.channel,
            target: { link: 'dashboard' },
            subject: `Latchkey daily digest: ${parts.length} notice${parts.length === 1 ? '' : 's'}, ${parts.filter((p) => needsAction(p.kind)).length} needing action`,
            body: lines.join('\n'),
            dueAt: now,
            about: { type: 'digest', id: day },
          },
          now,
        ).notice;
        cancelNoticeIds(ctx.db, parts.map((p) => p.id), `folded into the daily digest (notice #${digest.id})`);
        out.digests.push(digest.id);
      }
    })
    .immediate();
  return out;
}
