// Reminders to reviewers who still have undecided items in the open stage of
// an active campaign: at 7, 3 and 1 days before the stage's due date, and
// daily from the due date on — at most one a day, none once the reviewer has
// decided (submitted) everything, none after the stage or campaign closed.
//
// Planned as notices in the outbox (notices/), one per reviewer and slot:
// the slot is the latest of due−7d, due−3d, due−1d, due, due+1d, ... that
// has come, and its UTC date is in the dedup key, so a tick every 30 s
// plans it once; slots are at least a day apart, so a reviewer gets at most
// one a day, and slots missed while nothing ran are not sent late in a burst
// (only the latest counts). A reminder goes where the reviewer is reached:
// a comment on their Jira issue (a reviewer without one yet gets none there
// until it exists), and Slack, Teams or e-mail as the workspace's
// review-reminder route says. Pending reminders are cancelled, with why, when the
// reviewer finishes or the stage closes.
import type { EngineContext } from '../context.js';
import { cancelNoticesAbout, pendingAboutIds, planNotice } from '../notices/notice-store.js';
import { routeNotice } from '../notices/routing.js';
import { getSettings } from '../settings/settings.js';
import { campaignRecord, type CampaignRecord } from './campaign-store.js';
import { activeCampaignIds, reviewerLoads } from './reviewer-items.js';
import { reviewerRecord } from './reviewer-store.js';

const DAY = 86_400_000;
/** Days before the due date a reminder goes out; from the due date on, daily. */
export const REMINDER_DAYS_BEFORE = [7, 3, 1] as const;
export const REMINDER_KIND = 'review-reminder';
/** Notices about one stage of one campaign: about_id `<campaign>:<stage>`. */
export const REVIEW_STAGE_ABOUT = 'review-stage';

export const reminderKey = (campaignId: number, stage: number, reviewer: string, slot: Date): string => `review-reminder:${campaignId}:${stage}:${reviewer}:${slot.toISOString().slice(0, 10)}`;

/** The stage's due instant (the stage's own, else the campaign's). */
export function stageDue(c: Pick<CampaignRecord, 'stage_due_at' | 'due_at'>): Date | null {
  const s = c.stage_due_at ?? c.due_at;
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

/** The latest reminder slot that has come at `now` (null before the first, 7 days ahead of the due date). */
export function reminderSlot(due: Date, now: Date): Date | null {
  const d = due.getTime();
  const t = now.getTime();
  if (t >= d) return new Date(d + Math.floor((t - d) / DAY) * DAY);
  let slot: Date | null = null;
  for (const days of REMINDER_DAYS_BEFORE) if (t >= d - days * DAY) slot = new Date(d - days * DAY);
  return slot;
}

function inWords(due: Date, slot: Date): string {
  const days = Math.round((due.getTime() - slot.getTime()) / DAY);
  if (days > 0) return `due in ${days} day${days === 1 ? '' : 's'} (${due.toISOString().slice(0, 10)})`;
  if (days === 0) return `due now (${due.toISOString()})`;
  return `overdue by ${-days} day${days === -1 ? '' : 's'} (was due ${due.toISOString().slice(0, 10)})`;
}

export type ReminderPlan = { planned: string[]; cancelled: number[] };

/** The governance tick's step: plans today's reminders and cancels those no longer wanted. */
export function planReviewReminders(ctx: EngineContext): ReminderPlan {
  const out: ReminderPlan = { planned: [], cancelled: [] };
  if (ctx.readOnly) return out;
  const now = ctx.clock.now();
  const notices = getSettings(ctx.db).notices;
  const route = notices.routes[REMINDER_KIND] ?? { channels: [], to: ['reviewer'], fixed: [], digest: false };
  ctx.db
    .transaction(() => {
      // Closed campaigns and finished stages first: nothing of theirs goes out any more.
      for (const about of pendingAboutIds(ctx.db, REVIEW_STAGE_ABOUT)) {
        const [cid, stage] = about.split(':').map(Number);
        const c = cid ? campaignRecord(ctx.db, cid) : null;
        if (!c || c.status !== 'active' || c.stage !== stage) {
          const why = !c ? 'the campaign no longer exists' : c.status !== 'active' ? `the campaign is ${c.status}` : `stage ${stage} closed`;
          out.cancelled.push(...cancelNoticesAbout(ctx.db, { type: REVIEW_STAGE_ABOUT, id: about }, why));
        }
      }
      for (const campaignId of activeCampaignIds(ctx.db)) {
        const c = campaignRecord(ctx.db, campaignId);
        if (!c) continue;
        const due = stageDue(c);
        const about = { type: REVIEW_STAGE_ABOUT, id: `${c.id}:${c.stage}` };
        for (const load of reviewerLoads(ctx.db, c.id, c.stage)) {
          if (load.undecided === 0) {
            out.cancelled.push(...cancelNoticesAbout(ctx.db, { ...about, recipient: load.reviewer, kind: REMINDER_KIND }, 'the reviewer has decided every item'));
            continue;
          }
          const slot = due ? reminderSlot(due, now) : null;
          if (!due || !slot) continue;
          // Slack, Teams, e-mail as the review-reminder route says (its Jira comment is the one below, planned whatever the route).
          const routed = routeNotice(
            ctx,
            {
              type: REMINDER_KIND,
              key: `${reminderKey(c.id, c.stage, load.reviewer, slot)}:routed`,
              about,
              people: { reviewer: load.reviewer },
              subject: `Access review "${c.name}": ${load.undecided} item${load.undecided === 1 ? '' : 's'} to decide, ${inWords(due, slot)}`,
              body: `${load.undecided} of your ${load.total} items in the access review "${c.name}" (stage ${c.stage}) are still undecided; the review is ${inWords(due, slot)}.`,
              link: `reviews/mine/${c.id}`,
              at: slot,
            },
            { ...notices, routes: { ...notices.routes, [REMINDER_KIND]: { ...route, channels: route.channels.filter((ch) => ch !== 'jira-comment') } } },
          );
          out.planned.push(...routed.createdKeys);
          const r = reviewerRecord(ctx.db, c.id, c.stage, load.reviewer);
          if (!r?.jira_issue_key || r.jira_connection_id === null) continue;
          const plan = planNotice(
            ctx.db,
            {
              dedupKey: reminderKey(c.id, c.stage, load.reviewer, slot),
              kind: REMINDER_KIND,
              recipient: load.reviewer,
              channel: 'jira-comment',
              target: { connectionId: r.jira_connection_id, issueKey: r.jira_issue_key, campaignId: c.id, stage: c.stage },
              subject: `Access review "${c.name}": ${load.undecided} item${load.undecided === 1 ? '' : 's'} to decide, ${inWords(due, slot)}`,
              body: [
                `Reminder: ${load.undecided} of your ${load.total} items in the access review "${c.name}" (stage ${c.stage}) are still undecided; the review is ${inWords(due, slot)}.`,
                'Decide them in Latchkey, approve this request to keep all of them, or reply with the reviewer workbook attached.',
              ].join('\n'),
              dueAt: slot,
              about,
            },
            now,
          );
          if (plan.created) out.planned.push(plan.notice.dedup_key);
        }
      }
    })
    .immediate();
  return out;
}
