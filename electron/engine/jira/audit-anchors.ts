// The audit chain's anchors in the Jira record: where the workspace file's
// owner cannot reach them alone. Two kinds, both recorded in audit_anchors
// when written so `audit verify` can check them offline, and both read back
// with `audit verify --from-jira`:
// - on every request issue comment Latchkey writes, a short line with the
//   chain's head at that moment (auditHeadLine; jira-job.ts adds it);
// - at most once a day per Jira connection, a checkpoint comment on the
//   connection's anchor issue (settings.jira.anchorIssueKey): a 'jira' job
//   without a request, queued by the governance tick (queueAnchorComments)
//   and run by the Jira executor like every other write-back.
// A line is only believed when its comment carries Latchkey's comment
// property for this workspace: anyone can type a hash into a Jira comment.
import { auditHead } from '../audit/audit-log.js';
import { insertAnchor, latestAnchor, listAnchors, latestCheckpoint } from '../audit/checkpoint-store.js';
import type { ExternalAnchor } from '../audit/verify.js';
import { appendAudit } from '../audit/audit-log.js';
import type { JiraClient, JiraComment } from '../connectors/jira/jira-client.js';
import { adfText, adfToText, COMMENT_PROPERTY, commentRef } from '../connectors/jira/jira-fields.js';
import { getConnectionRecord, listConnectionRecords, patchConnectionSettings } from '../connections/connections.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { ClaimedJob, JobOutcome } from '../jobs/job-types.js';
import { openJiraSite, type JiraClientTuning, type JiraSite } from './jira-site.js';

/** The payload event of the daily anchor comment job. */
export const AUDIT_ANCHOR_EVENT = 'audit-anchor';
/** At most one anchor comment per connection in this long. */
export const ANCHOR_COMMENT_EVERY_MS = 24 * 3600_000;

const LINE = /Audit chain: (\d+) events?, head ([0-9a-f]{64})/;

/** The line every Latchkey comment ends with: the chain's head as it is now. */
export function auditHeadLine(db: Db): { text: string; count: number; hash: string } {
  const head = auditHead(db);
  return { text: `Audit chain: ${head.count} event${head.count === 1 ? '' : 's'}, head ${head.hash}`, count: head.count, hash: head.hash };
}

/** Records that a head went into a Jira comment (the comment is written; this is our note of it). */
export function recordJiraAnchor(db: Db, a: { kind: 'jira-comment' | 'jira-checkpoint'; count: number; hash: string; connectionId: number; issueKey: string; commentId: string }, now: Date): void {
  insertAnchor(db, { kind: a.kind, count: a.count, headHash: a.hash, at: now.toISOString(), connectionId: a.connectionId, issueKey: a.issueKey, commentId: a.commentId, target: null });
}

/** Sets (or clears, with null) the issue that gets a Jira connection's daily audit checkpoint comment. Audited. */
export function setAnchorIssue(ctx: EngineContext, connectionName: string, issueKey: string | null): void {
  const c = getConnectionRecord(ctx.db, connectionName);
  if (c.kind !== 'jira' || !c.settings.jira) throw new UserError(`"${c.name}" is not a Jira connection: the anchor issue is a Jira issue`, 'bad-input');
  if (issueKey !== null && !/^[A-Z][A-Z0-9_]*-\d+$/.test(issueKey)) throw new UserError(`"${issueKey}" is not a Jira issue key (like OPS-12)`, 'bad-input');
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      patchConnectionSettings(ctx.db, c.id, (s) => ({ settings: { ...s, jira: { ...(s.jira as object), anchorIssueKey: issueKey } }, value: null }), now);
      appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.transport === 'cli' ? 'cli' : 'console', action: 'connection.anchor-issue-set', targetType: 'connection', targetId: c.id, details: { issueKey } }, now);
    })
    .immediate();
}

/** The governance tick's step: queues the daily anchor comment of each Jira connection that has an anchor issue and none in the last day. */
export function queueAnchorComments(ctx: EngineContext): number[] {
  if (ctx.readOnly) return [];
  const now = ctx.clock.now();
  const queued: number[] = [];
  for (const c of listConnectionRecords(ctx.db)) {
    const issueKey = c.kind === 'jira' ? c.settings.jira?.anchorIssueKey : null;
    if (!issueKey) continue;
    const last = latestAnchor(ctx.db, 'jira-checkpoint', c.id);
    if (last && now.getTime() - Date.parse(last.at) < ANCHOR_COMMENT_EVERY_MS) continue;
    const day = now.toISOString().slice(0, 10);
    queued.push(enqueueJob(ctx.db, { kind: 'jira', connectionId: c.id, payload: { event: AUDIT_ANCHOR_EVENT, issueKey }, idempotencyKey: `jira:audit-anchor:${c.id}:${day}` }, now));
  }
  return queued;
}

/** The comment properties Latchkey puts on what it writes: request updates, refused portal requests, unrecorded JSM approvals, refused or failed workbook attachments. */
const OUR_PROPERTIES: readonly string[] = [COMMENT_PROPERTY, 'latchkey.import', 'latchkey.approval', 'latchkey.attachment'];

/**
 * Posts a comment ending with the audit-head line, and records that anchor.
 * For the comments written outside the write-back job (the JSM import's).
 */
export async function addAnchoredComment(
  ctx: EngineContext,
  client: JiraClient,
  at: { connectionId: number; issueKey: string },
  text: string,
  property: { key: string; value: Record<string, unknown> },
): Promise<void> {
  const head = auditHeadLine(ctx.db);
  const posted = await client.addComment(at.issueKey, adfText(`${text}\n\n${head.text}`), [{ key: property.key, value: { ...property.value, workspace: workspaceId(ctx.db) } }]);
  recordJiraAnchor(ctx.db, { kind: 'jira-comment', count: head.count, hash: head.hash, connectionId: at.connectionId, issueKey: at.issueKey, commentId: posted.id }, ctx.clock.now());
}

const ours = (c: JiraComment, wsId: string): Record<string, unknown> | null => {
  for (const p of c.properties) {
    if (!OUR_PROPERTIES.includes(p.key) || !p.value || typeof p.value !== 'object') continue;
    const v = p.value as Record<string, unknown>;
    if (v.workspace === wsId) return v;
  }
  return null;
};

/** Runs the anchor comment job on an opened site: the head, the newest signed checkpoint, posted once. */
export async function runAnchorJob(ctx: EngineContext, job: ClaimedJob, site: JiraSite): Promise<JobOutcome> {
  const issueKey = site.settings.anchorIssueKey;
  if (!issueKey) return { status: 'failed', error: `"${site.connection.name}" has no anchor issue any more (latchkey audit anchor-issue ${site.connection.name} KEY)` };
  const wsId = workspaceId(ctx.db);
  const ref = commentRef(wsId, job.id);
  if (job.attempt > 1) {
    const there = (await site.client.comments(issueKey)).find((c) => ours(c, wsId)?.ref === ref);
    if (there) return { status: 'succeeded', result: { issueKey, comment: 'already', commentId: there.id } };
  }
  const head = auditHeadLine(ctx.db);
  const cp = latestCheckpoint(ctx.db);
  const signed = cp
    ? `Newest signed checkpoint: #${cp.id} at ${cp.at}, ${cp.count} events, head ${cp.headHash}, key ${cp.keyId}.`
    : 'No signed checkpoint yet.';
  const text = [
    `Latchkey audit checkpoint of workspace ${wsId}.`,
    head.text,
    signed,
    'This comment anchors the audit log outside its file: `latchkey audit verify --from-jira` checks that the log still holds this head.',
    '',
    ref,
  ].join('\n');
  const posted = await site.client.addComment(issueKey, adfText(text), [
    { key: COMMENT_PROPERTY, value: { ref, job: job.id, event: AUDIT_ANCHOR_EVENT, workspace: wsId, count: head.count, head: head.hash, keyId: cp?.keyId ?? null } },
  ]);
  recordJiraAnchor(ctx.db, { kind: 'jira-checkpoint', count: head.count, hash: head.hash, connectionId: site.connection.id, issueKey, commentId: posted.id }, ctx.clock.now());
  return { status: 'succeeded', result: { issueKey, comment: 'posted', commentId: posted.id, count: head.count } };
}

/** The anchors one issue's comments hold for this workspace (only comments carrying Latchkey's property for it). */
export async function anchorsOnIssue(client: JiraClient, issueKey: string, wsId: string): Promise<ExternalAnchor[]> {
  const out: ExternalAnchor[] = [];
  for (const c of await client.comments(issueKey)) {
    if (!ours(c, wsId)) continue;
    const m = LINE.exec(adfToText(c.body));
    if (m) out.push({ count: Number(m[1]), hash: m[2] as string, source: `Jira ${issueKey} comment ${c.id}` });
  }
  return out;
}

/** Issues to read back per connection: its anchor issue, and the request issues anchors were recorded on (newest first, bounded). */
export function anchorIssuesOf(db: Db, connectionId: number, anchorIssueKey: string | null | undefined, limit = 50): string[] {
  const keys = new Set<string>();
  if (anchorIssueKey) keys.add(anchorIssueKey);
  for (const a of listAnchors(db).reverse()) {
    if (keys.size >= limit) break;
    if (a.connectionId === connectionId && a.issueKey) keys.add(a.issueKey);
  }
  return [...keys];
}

export type JiraAnchorRead = { anchors: ExternalAnchor[]; issuesRead: string[]; problems: string[] };

/** `audit verify --from-jira`: the anchors of this workspace read back from every Jira connection, over the network. */
export async function readJiraAnchors(ctx: EngineContext, tuning: JiraClientTuning = {}): Promise<JiraAnchorRead> {
  const wsId = workspaceId(ctx.db);
  const out: JiraAnchorRead = { anchors: [], issuesRead: [], problems: [] };
  const jiras = listConnectionRecords(ctx.db).filter((c) => c.kind === 'jira');
  if (jiras.length === 0) out.problems.push('no Jira connection is configured: there is nothing to read anchors from');
  for (const c of jiras) {
    const keys = anchorIssuesOf(ctx.db, c.id, c.settings.jira?.anchorIssueKey);
    if (keys.length === 0) {
      out.problems.push(`"${c.name}" has no anchor issue and no anchored comment yet (latchkey audit anchor-issue ${c.name} KEY)`);
      continue;
    }
    let site: JiraSite;
    try {
      site = await openJiraSite(ctx, c.id, tuning);
    } catch (e) {
      out.problems.push(`"${c.name}": ${(e as Error).message}`);
      continue;
    }
    for (const key of keys) {
      try {
        out.anchors.push(...(await anchorsOnIssue(site.client, key, wsId)));
        out.issuesRead.push(key);
      } catch (e) {
        out.problems.push(`"${c.name}" ${key}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}
