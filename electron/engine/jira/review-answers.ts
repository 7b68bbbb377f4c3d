// Reviewers' answers given in Jira, read back by the JSM poll: on each
// reviewer issue of an active campaign's open stage, the JSM approval.
//   - Approved by the reviewer's own account: every item of theirs in the
//     open stage still without a submitted decision is kept (reason
//     still-needed, comment "approved in Jira <key> by <account>"), recorded
//     through recordReviewerDecisions with channel 'jira', by Jira's account
//     id (and e-mail when Jira shows it), evidence the issue key. Items the
//     reviewer already decided elsewhere keep that word: approving "keep all"
//     in Jira never overturns a revoke given in the console.
//   - Declined: nothing is recorded (declining is not "revoke all": a
//     reviewer who wants revocations names them); the issue gets a comment,
//     once, asking them to decide per item in Latchkey or send the workbook.
//   - Answered by someone else than the reviewer: not recorded; said once on
//     the issue.
// Each answer is handled once (the connection's poll state remembers it), so
// items reassigned to the reviewer later are not swept up by an old approval.
// Then the workbooks the reviewer attached to the issue, imported
// (review-attachments.ts).
import type { JiraClient } from '../connectors/jira/jira-client.js';
import { getConnectionRecord } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import { campaignRecord } from '../reviews/campaign-store.js';
import { recordReviewerDecisions } from '../reviews/decisions.js';
import { activeCampaignIds, iterateReviewerItems } from '../reviews/reviewer-items.js';
import { reviewersOf } from '../reviews/reviewer-store.js';
import { addAnchoredComment } from './audit-anchors.js';
import { pollState, savePollState } from './jira-site.js';
import { readWorkbookReplies } from './review-attachments.js';

/** `attachment`: the recorded answer was a workbook attached to the issue (its attachment id). */
export type ReviewAnswers = { recorded: { campaignId: number; reviewer: string; issueKey: string; items: number; attachment?: string }[]; refused: { issueKey: string; why: string }[] };

/** Reads the answers on one connection's reviewer issues (a step of the JSM poll). */
export async function readReviewAnswers(ctx: EngineContext, connectionId: number, client: JiraClient): Promise<ReviewAnswers> {
  const out: ReviewAnswers = { recorded: [], refused: [] };
  const handled = new Set(pollState(getConnectionRecord(ctx.db, connectionId)).handledApprovals);
  const before = handled.size;
  let me: string | null = null;
  const site = { connectionId, client, handled, myAccount: async () => (me ??= (await client.myself()).accountId) };
  for (const campaignId of activeCampaignIds(ctx.db)) {
    const c = campaignRecord(ctx.db, campaignId);
    if (!c) continue;
    for (const r of reviewersOf(ctx.db, c.id, c.stage)) {
      if (r.jira_connection_id !== connectionId || !r.jira_issue_key) continue;
      const key = r.jira_issue_key;
      for (const a of await client.approvals(key)) {
        if (a.finalDecision === 'pending') continue;
        const mark = `review/${key}/${a.id}`;
        if (handled.has(mark)) continue;
        handled.add(mark);
        const answered = a.approvers.find((x) => x.decision === a.finalDecision) ?? a.approvers[0];
        const account = answered?.accountId ?? '';
        const note = async (text: string): Promise<void> => addAnchoredComment(ctx, client, { connectionId, issueKey: key }, text, { key: 'latchkey.approval', value: { approval: a.id, campaign: c.id, reviewer: r.reviewer } });
        if (r.jira_account_id === null || account !== r.jira_account_id) {
          const why = `answered by ${answered?.displayName || account || 'someone'}, not by the reviewer ${r.reviewer}'s Jira account: nothing was recorded`;
          out.refused.push({ issueKey: key, why });
          await note(`Latchkey did not record this answer: it was ${why}. Only the reviewer can answer for their items.`);
          continue;
        }
        if (a.finalDecision === 'declined') {
          out.refused.push({ issueKey: key, why: 'declined: nothing recorded (declining is not a revoke of everything)' });
          await note('Declining does not revoke anything by itself. Decide item by item in Latchkey, or export your reviewer workbook, mark Keep or Revoke per row and send it back.');
          continue;
        }
        const by = answered?.email ? `${account} (${answered.email})` : account;
        const open: number[] = [];
        for (const item of iterateReviewerItems(ctx.db, c.id, r.reviewer, c.stage)) if (item.state !== 'submitted') open.push(item.id);
        if (open.length === 0) continue;
        try {
          recordReviewerDecisions(ctx, {
            campaignId: c.id,
            reviewer: r.reviewer,
            decisions: open.map((itemId) => ({ itemId, decision: 'keep' as const, reasonCode: 'still-needed' as const, comment: `approved in Jira ${key} by ${by}` })),
            channel: 'jira',
            by,
            evidence: `${key} approval ${a.id} by ${account}`,
          });
          out.recorded.push({ campaignId: c.id, reviewer: r.reviewer, issueKey: key, items: open.length });
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          out.refused.push({ issueKey: key, why: e.message });
          await note(`Latchkey could not record this approval: ${e.message}. Nothing was recorded; decide in Latchkey or send the reviewer workbook.`);
        }
      }
      await readWorkbookReplies(ctx, site, c, { ...r, jira_issue_key: key }, out);
    }
  }
  if (handled.size !== before) savePollState(ctx.db, connectionId, { handledApprovals: [...handled] }, ctx.clock.now());
  if (out.recorded.length > 0) ctx.events.emit('governance:changed', { area: 'reviews', ids: [...new Set(out.recorded.map((x) => x.campaignId))] });
  return out;
}
