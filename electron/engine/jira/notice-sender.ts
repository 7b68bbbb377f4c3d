// The outbox's 'jira-comment' channel: a notice (a review reminder) posted
// as a comment on the issue its target names, ending with the audit chain's
// head like every Latchkey comment. A retry first looks for its own comment
// (the property names the notice), so a crash between posting and marking
// it sent does not post it twice. Jira's transient failures (429, 5xx, no
// answer) come back as TransientNoticeError for the outbox to retry.
import { adfText, COMMENT_PROPERTY } from '../connectors/jira/jira-fields.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { workspaceId, type EngineContext } from '../context.js';
import type { NoticeRecord } from '../notices/notice-store.js';
import { TransientNoticeError, type NoticeSender, type SentReceipt } from '../notices/outbox.js';
import { REMINDER_KIND } from '../reviews/reminders.js';
import { markReminded } from '../reviews/reviewer-store.js';
import { auditHeadLine, recordJiraAnchor } from './audit-anchors.js';
import { openJiraSite, type JiraClientTuning } from './jira-site.js';

type Target = { connectionId: number; issueKey: string; campaignId?: number; stage?: number };

function targetOf(n: NoticeRecord): Target {
  const t = JSON.parse(n.target) as Partial<Target>;
  if (typeof t.connectionId !== 'number' || typeof t.issueKey !== 'string') throw new Error(`notice #${n.id} names no Jira issue to comment on`);
  return t as Target;
}

export const noticeRef = (ws: string, id: number): string => `Latchkey notice ${ws.slice(0, 8)}-${id}`;

export function createJiraNoticeSender(tuning: JiraClientTuning = {}): NoticeSender {
  return async (n: NoticeRecord, ctx: EngineContext): Promise<SentReceipt> => {
    const t = targetOf(n);
    try {
      const site = await openJiraSite(ctx, t.connectionId, tuning);
      const ws = workspaceId(ctx.db);
      const ref = noticeRef(ws, n.id);
      if (n.attempts > 0) {
        const there = (await site.client.comments(t.issueKey)).find((c) => c.properties.some((p) => p.key === COMMENT_PROPERTY && (p.value as { ref?: unknown } | null)?.ref === ref));
        if (there) return { reference: `${t.issueKey}#${there.id}` };
      }
      const head = auditHeadLine(ctx.db);
      const posted = await site.client.addComment(t.issueKey, adfText(`${n.body}\n\n${head.text}\n${ref}`), [{ key: COMMENT_PROPERTY, value: { ref, notice: n.id, kind: n.kind, workspace: ws } }]);
      const now = ctx.clock.now();
      recordJiraAnchor(ctx.db, { kind: 'jira-comment', count: head.count, hash: head.hash, connectionId: t.connectionId, issueKey: t.issueKey, commentId: posted.id }, now);
      if (n.kind === REMINDER_KIND && typeof t.campaignId === 'number' && typeof t.stage === 'number') markReminded(ctx.db, t.campaignId, t.stage, n.recipient, now);
      return { reference: `${t.issueKey}#${posted.id}` };
    } catch (e) {
      if (e instanceof JiraApiError && e.transient) throw new TransientNoticeError(e.message, e.retryAfterMs);
      throw e;
    }
  };
}
