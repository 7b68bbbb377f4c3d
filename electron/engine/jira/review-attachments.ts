// Reviewer workbooks through Jira attachments, both ways:
//   - out: a reviewer with more than ISSUE_TABLE_ROWS items gets their
//     reviewer workbook (reviews/workbook.ts) attached to their issue when
//     it is created (the description names the file). An issue found again
//     after a crash gets it only when Latchkey's account has not attached it
//     yet. A refusal by Jira (too large, no permission, attachments off) is
//     not the job's failure: the issue says so in a comment and the job's
//     result carries the warning; a 429 / 5xx goes back to the job queue.
//   - in (a step of the JSM poll, beside the approvals): an .xlsx attached to
//     the reviewer's issue by anyone but Latchkey's own account is their
//     reply. Added by the reviewer's Jira account (the one found by e-mail at
//     creation, as approvals are matched), it is imported with the workbook
//     import — all rows or none, the same refusals — recorded with channel
//     'jira', by that account, evidence "<key> attachment <id> sha256:<hex>".
//     Refused (altered rows, another reviewer's file, someone else attached
//     it, too large): a comment on the issue naming the rows and reasons,
//     nothing recorded. Each attachment is handled once: the poll state
//     remembers it (a bounded list), and beyond it a submission whose
//     evidence names the attachment means it was imported, a comment of ours
//     naming it means it was refused (so a poll that died before saving its
//     state, or a mark pushed out of the list, never imports twice or says
//     it twice). Latchkey's own upload is skipped without a mark.
import { createHash } from 'node:crypto';
import type { JiraAttachment, JiraClient } from '../connectors/jira/jira-client.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { CampaignRecord } from '../reviews/campaign-store.js';
import { submissionWithEvidence } from '../reviews/decision-store.js';
import type { ReviewerRecord } from '../reviews/reviewer-store.js';
import { importReviewerWorkbook, type reviewerWorkbookFile } from '../reviews/workbook.js';
import { addAnchoredComment } from './audit-anchors.js';
import { savePollState } from './jira-site.js';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The largest reply Latchkey downloads (a 50,000-row reviewer workbook is a few MB). */
export const MAX_REPLY_BYTES = 50 * 1024 * 1024;
/** The comment property on what this module writes (audit-anchors.ts knows it as ours). */
export const ATTACHMENT_PROPERTY = 'latchkey.attachment';

export type WorkbookFile = Awaited<ReturnType<typeof reviewerWorkbookFile>>;

export type AttachOutcome = { attachmentId: string | null; already: boolean; warning: string | null };

/** Attaches the workbook to the issue unless Latchkey's account already did (an earlier try of the job). */
export async function attachReviewerWorkbook(ctx: EngineContext, client: JiraClient, at: { connectionId: number; issueKey: string; campaignId: number; reviewer: string }, file: WorkbookFile): Promise<AttachOutcome> {
  const me = (await client.myself()).accountId;
  const there = (await client.attachments(at.issueKey)).find((a) => a.filename === file.filename && a.author?.accountId === me);
  if (there) return { attachmentId: there.id, already: true, warning: null };
  try {
    const [added] = await client.addAttachment(at.issueKey, { filename: file.filename, content: file.content, mimeType: XLSX_MIME });
    return { attachmentId: added?.id ?? null, already: false, warning: null };
  } catch (e) {
    if (!(e instanceof JiraApiError) || e.transient) throw e;
    const warning = `the reviewer workbook ${file.filename} (${file.content.length} bytes) could not be attached to ${at.issueKey}: ${e.message}`;
    await addAnchoredComment(
      ctx,
      client,
      { connectionId: at.connectionId, issueKey: at.issueKey },
      `Latchkey could not attach the reviewer workbook ${file.filename} to this issue (${e.messages.join('; ') || `HTTP ${e.status ?? '?'}`}). Ask the review's owner for it (latchkey review workbook export ${at.campaignId} --reviewer ${at.reviewer}), fill in Keep or Revoke per row and attach it here.`,
      { key: ATTACHMENT_PROPERTY, value: { campaign: at.campaignId, reviewer: at.reviewer, upload: 'failed' } },
    );
    return { attachmentId: null, already: false, warning };
  }
}

export type WorkbookReplies = { recorded: { campaignId: number; reviewer: string; issueKey: string; items: number; attachment?: string }[]; refused: { issueKey: string; why: string }[] };

const isWorkbook = (a: JiraAttachment): boolean => /\.xlsx$/i.test(a.filename.trim());

/**
 * Reads the workbooks attached to one reviewer's issue (a step of
 * readReviewAnswers). `handled` is the poll state's set, saved after each
 * attachment; `myAccount` is Latchkey's own account id, asked for once.
 */
export async function readWorkbookReplies(
  ctx: EngineContext,
  site: { connectionId: number; client: JiraClient; handled: Set<string>; myAccount: () => Promise<string> },
  c: CampaignRecord,
  r: ReviewerRecord & { jira_issue_key: string },
  out: WorkbookReplies,
): Promise<void> {
  const { client, handled, connectionId } = site;
  const key = r.jira_issue_key;
  const done = (mark: string): void => {
    handled.add(mark);
    savePollState(ctx.db, connectionId, { handledApprovals: [...handled] }, ctx.clock.now());
  };
  for (const a of await client.attachments(key)) {
    if (!isWorkbook(a)) continue;
    const mark = `review/${key}/attachment/${a.id}`;
    if (handled.has(mark)) continue;
    const author = a.author?.accountId ?? '';
    if (author === (await site.myAccount())) continue;
    const evidencePrefix = `${key} attachment ${a.id} `;
    if (submissionWithEvidence(ctx.db, c.id, r.reviewer, evidencePrefix)) {
      done(mark);
      continue;
    }
    const refuse = async (why: string, comment: string): Promise<void> => {
      out.refused.push({ issueKey: key, why });
      const ws = workspaceId(ctx.db);
      const said = (await client.comments(key)).some((cm) =>
        cm.properties.some((p) => p.key === ATTACHMENT_PROPERTY && (p.value as { attachment?: unknown; workspace?: unknown } | null)?.attachment === a.id && (p.value as { workspace?: unknown }).workspace === ws),
      );
      if (!said) await addAnchoredComment(ctx, client, { connectionId, issueKey: key }, comment, { key: ATTACHMENT_PROPERTY, value: { attachment: a.id, campaign: c.id, reviewer: r.reviewer, recorded: false } });
    };
    const who = a.author?.displayName || author || 'someone';
    if (r.jira_account_id === null || author !== r.jira_account_id) {
      const why = `${a.filename} (attachment ${a.id}) was attached by ${who}, not by the reviewer ${r.reviewer}'s Jira account: nothing was recorded`;
      await refuse(why, `Latchkey did not import the workbook ${a.filename}: it was attached by ${who}, not by the reviewer ${r.reviewer}. Only the reviewer can answer for their items; nothing was recorded.`);
    } else if (a.size !== null && a.size > MAX_REPLY_BYTES) {
      const why = `${a.filename} (attachment ${a.id}) is ${a.size} bytes, more than the ${MAX_REPLY_BYTES} Latchkey reads: nothing was recorded`;
      await refuse(why, `Latchkey did not import the workbook ${a.filename}: it is ${a.size} bytes, larger than a reviewer workbook can be (${MAX_REPLY_BYTES}). Attach the workbook Latchkey exported, with Keep or Revoke filled in. Nothing was recorded.`);
    } else {
      const bytes = await client.attachmentContent(a.id, MAX_REPLY_BYTES);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const by = a.author?.email ? `${author} (${a.author.email})` : author;
      try {
        const res = await importReviewerWorkbook(ctx, c.id, bytes, { expectReviewer: r.reviewer, record: { channel: 'jira', by, evidence: (sha) => `${evidencePrefix}sha256:${sha}` } });
        out.recorded.push({ campaignId: c.id, reviewer: r.reviewer, issueKey: key, items: res.decisions, attachment: a.id });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        const why = `${a.filename} (attachment ${a.id}, SHA-256 ${sha256}): ${e.message}`;
        await refuse(why, `Latchkey did not import the workbook ${a.filename} (attachment ${a.id}, SHA-256 ${sha256}): ${e.message}\nFix the rows named (or export a fresh workbook) and attach it again.`);
      }
    }
    done(mark);
  }
}
