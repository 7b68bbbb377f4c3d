// The requests' notices, planned on the governance tick (as the reviews'
// reminders are): "approval needed" to the approvers of every open step,
// "decision made" to the requester once a step is decided, and to the
// co-approvers of that step who had been told (someone else acted, they
// need not). Pending "approval needed" notices are cancelled the moment
// their step is decided or the request leaves 'pending'. Routing (channels,
// audience, digest, quiet hours) is notices/routing.ts; the dedup keys make
// every tick's re-planning free.
import { connectionRecordOrNull } from '../connections/connections.js';
import type { EngineContext } from '../context.js';
import { cancelNoticesAbout, noticesAbout, pendingAboutIds } from '../notices/notice-store.js';
import { routeNotice, type NoticeEvent } from '../notices/routing.js';
import { getSettings } from '../settings/settings.js';
import { stepStatus, stepsAwaitingApproval, stepsDecidedSince, type NoticeStepRow } from './request-store.js';

export const REQUEST_ABOUT = 'request';
/** Decisions this recent are told about (a tick that did not run for longer misses nothing the console does not show). */
const DECISION_LOOKBACK_MS = 7 * 86_400_000;

const approversOf = (s: NoticeStepRow): string[] => (JSON.parse(s.approvers) as string[]) ?? [];
const aboutOf = (s: NoticeStepRow) => ({ type: REQUEST_ABOUT, id: `${s.request_id}:${s.step}` });

function common(ctx: EngineContext, s: NoticeStepRow): Pick<NoticeEvent, 'link' | 'jiraUrl' | 'jira' | 'people'> {
  const site = s.jira_connection_id !== null ? connectionRecordOrNull(ctx.db, s.jira_connection_id) : null;
  return {
    link: `requests/${s.request_id}`,
    ...(site && s.jira_issue_key ? { jiraUrl: `${site.baseUrl.replace(/\/$/, '')}/browse/${encodeURIComponent(s.jira_issue_key)}`, jira: { connectionId: site.id, issueKey: s.jira_issue_key } } : {}),
    people: { requester: s.requester, approvers: approversOf(s), beneficiary: s.beneficiary_email },
  };
}

export type RequestNoticeRun = { planned: number; cancelled: number[] };

export function planRequestNotices(ctx: EngineContext): RequestNoticeRun {
  const out: RequestNoticeRun = { planned: 0, cancelled: [] };
  if (ctx.readOnly) return out;
  const now = ctx.clock.now();
  const settings = getSettings(ctx.db).notices;
  ctx.db
    .transaction(() => {
      // First what is no longer wanted: approval requests for steps that were decided, or requests no longer pending.
      for (const about of pendingAboutIds(ctx.db, REQUEST_ABOUT)) {
        const [rid, step] = about.split(':').map(Number);
        const st = rid && step ? stepStatus(ctx.db, rid, step) : null;
        if (!st || st.status !== 'pending' || st.request_status !== 'pending') {
          const why = !st ? 'the request no longer exists' : st.request_status !== 'pending' ? `the request is ${st.request_status}` : `step ${step} was ${st.status}`;
          out.cancelled.push(...cancelNoticesAbout(ctx.db, { type: REQUEST_ABOUT, id: about, kind: 'approval-needed' }, why));
        }
      }
      for (const s of stepsAwaitingApproval(ctx.db)) {
        const role = s.role_label ?? 'a role';
        out.planned += routeNotice(
          ctx,
          {
            type: 'approval-needed',
            key: `approval-needed:${s.request_id}:${s.step}`,
            about: aboutOf(s),
            subject: `Approval needed: ${s.beneficiary_name} — ${role} (request #${s.request_id})`,
            body: `${s.requester} asks for ${role} for ${s.beneficiary_name}. Step ${s.step} waits on you (${approversOf(s).join(', ')}).`,
            ...common(ctx, s),
          },
          settings,
        ).created;
      }
      for (const s of stepsDecidedSince(ctx.db, new Date(now.getTime() - DECISION_LOOKBACK_MS))) {
        const role = s.role_label ?? 'a role';
        const verb = s.status === 'approved' ? 'approved' : 'denied';
        const c = common(ctx, s);
        const at = s.decided_at ? new Date(s.decided_at) : now;
        out.planned += routeNotice(
          ctx,
          { type: 'decision-made', key: `decision-made:${s.request_id}:${s.step}`, about: aboutOf(s), subject: `Request #${s.request_id} ${verb} (step ${s.step}): ${role} for ${s.beneficiary_name}`, body: `${s.decided_by ?? 'someone'} ${verb} step ${s.step} of request #${s.request_id} (${role} for ${s.beneficiary_name}) through the ${s.channel ?? 'console'}.`, at, ...c },
          settings,
        ).created;
        // Co-approvers who were asked (an approval-needed notice was planned for them) learn that someone else acted.
        const asked = new Set(noticesAbout(ctx.db, aboutOf(s)).filter((n) => n.kind === 'approval-needed' && n.channel === 'email').map((n) => n.recipient.toLowerCase()));
        const others = approversOf(s).filter((a) => a.toLowerCase() !== (s.decided_by ?? '').toLowerCase() && asked.has(a.toLowerCase()));
        if (others.length > 0) {
          out.planned += routeNotice(
            ctx,
            { type: 'decision-made', key: `co-approver:${s.request_id}:${s.step}`, about: aboutOf(s), subject: `No action needed: request #${s.request_id} was ${verb} by ${s.decided_by ?? 'someone else'}`, body: `${s.decided_by ?? 'Another approver'} ${verb} step ${s.step} of request #${s.request_id} (${role} for ${s.beneficiary_name}); nothing more is needed from you.`, at, only: others, ...c },
            { ...settings, routes: { ...settings.routes, 'decision-made': { ...(settings.routes['approval-needed'] ?? { channels: [], to: [], fixed: [], digest: false }), to: ['approvers'], digest: false } } },
          ).created;
        }
      }
    })
    .immediate();
  return out;
}
