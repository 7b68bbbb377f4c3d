// Reviewer workbooks through Jira attachments, over real HTTP to the sandbox:
// a reviewer with 60 items gets their workbook attached to their issue (read
// back by an independent reader, python3 + openpyxl) and named in the
// description; they reply by attaching it filled in (uploaded with their own
// Jira account through jira.js) and the JSM poll imports it — channel jira,
// recorded by their account id, the file's SHA-256 in the evidence, once
// however often it is polled; a tampered reply is refused with a comment
// naming the row, once, and nothing is recorded; a workbook attached by
// someone else is not theirs to give; a workbook Jira refuses (too large)
// is said on the issue and the issue is linked all the same.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Version3Client } from 'jira.js';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { adfToText } from '../../electron/engine/connectors/jira/jira-fields.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { savePollState } from '../../electron/engine/jira/jira-site.js';
import { pollJiraRequests } from '../../electron/engine/jira/jsm-import.js';
import { queueReviewerIssues } from '../../electron/engine/jira/review-issues.js';
import type { ClaimedJob } from '../../electron/engine/jobs/job-types.js';
import { reviewerRecord } from '../../electron/engine/reviews/reviewer-store.js';
import { startJiraServer, type JiraAccount, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { insertCampaign, insertItems } from '../helpers/review-items-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { jiraWorkspace, recordingSleep, type JiraWorkspace } from './jira-helpers.js';

const PY = '/usr/bin/python3';
const BEA = 'bea@example.com';
const DUE = '2026-12-01T12:00:00.000Z';
const tuning = { sleep: recordingSleep().sleep };
const dir = tempDir('latchkey-review-attach-');

let jira: JiraServer;
let bea: JiraAccount;
let carl: JiraAccount;
const servers: JiraServer[] = [];
beforeEach(async () => {
  jira = await startJiraServer({ clock: { now: () => new Date('2026-11-22T09:00:00.000Z') } });
  servers.push(jira);
  bea = jira.state.addUser({ email: BEA, displayName: 'Bea Reviewer' });
  carl = jira.state.addUser({ email: 'carl@example.com', displayName: 'Carl Colleague' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Runs a python snippet with openpyxl; returns its JSON output. */
function py<T>(script: string, ...args: string[]): T {
  const r = spawnSync(PY, ['-c', `import sys, json, openpyxl\n${script}`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Fills in the Review sheet with openpyxl: every row Keep (still-needed) but the listed ones; `alter` changes a population cell. */
function fillIn(src: string, dst: string, opts: { revokeRows?: number[]; alter?: [number, string, string] } = {}): void {
  py(
    `wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Review']
head = [c.value for c in ws[1]]
opts = json.loads(sys.argv[3])
revoke = set(opts.get('revokeRows', []))
for r in range(2, ws.max_row + 1):
    ws.cell(row=r, column=head.index('Decision') + 1, value='Revoke' if r in revoke else 'Keep')
    ws.cell(row=r, column=head.index('Reason') + 1, value='left-team' if r in revoke else 'still-needed')
if opts.get('alter'):
    r, h, v = opts['alter']
    ws.cell(row=r, column=head.index(h) + 1, value=v)
wb.save(sys.argv[2])
print('{}')`,
    src,
    dst,
    JSON.stringify(opts),
  );
}

type JobRow = { id: number; kind: 'jira'; request_id: number | null; grant_id: number | null; connection_id: number | null; payload: string; max_attempts: number };
const claimed = (w: JiraWorkspace, id: number, attempt = 1): ClaimedJob => {
  const r = w.ctx.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;
  return { id: r.id, kind: r.kind, grantId: r.grant_id, requestId: r.request_id, connectionId: r.connection_id, payload: JSON.parse(r.payload) as Record<string, unknown>, attempt, maxAttempts: r.max_attempts };
};
const run = (w: JiraWorkspace, id: number, attempt = 1) => createJiraJobExecutor(tuning)(claimed(w, id, attempt), w.ctx, new AbortController().signal);

/** A campaign where Bea reviews 60 items, her issue created (with the workbook attached); the workbook's bytes saved to a file. */
async function world(name: string) {
  const w = await jiraWorkspace(jira);
  const campaign = insertCampaign(w.ctx.db, { name: 'Q4 Figma', dueAt: DUE });
  const items = insertItems(w.ctx.db, campaign, w.oktaId, Array.from({ length: 60 }, () => ({ reviewer: BEA })));
  const [job] = queueReviewerIssues(w.ctx);
  const result = await run(w, job as number);
  const key = reviewerRecord(w.ctx.db, campaign, 1, BEA)?.jira_issue_key ?? '';
  const [ours] = jira.state.issue(key)?.attachments ?? [];
  const file = path.join(dir, `${name}-exported.xlsx`);
  fs.writeFileSync(file, ours?.content ?? Buffer.alloc(0));
  return { w, campaign, items, key, job: job as number, result, ours, file };
}

/** Bea (or another account) attaches a file to the issue through jira.js with her own API token. */
async function attachAs(who: JiraAccount, key: string, file: string): Promise<{ id: string; bytes: Buffer }> {
  const client = new Version3Client({ host: jira.url, authentication: { basic: { email: who.email, apiToken: who.apiToken } } });
  const bytes = fs.readFileSync(file);
  const [a] = await client.issueAttachments.addAttachment({ issueIdOrKey: key, attachment: { filename: path.basename(file), file: bytes } });
  return { id: String(a?.id), bytes };
}

const decisions = (w: JiraWorkspace): number => w.ctx.db.prepare('SELECT count(*) FROM review_decisions').pluck().get() as number;

describe('reviewer workbooks attached to Jira issues', () => {
  it('attaches the workbook of a reviewer with 60 items, names it in the description, and attaches it once when the issue is found again', async () => {
    const { w, campaign, key, job, result, ours, file } = await world('attach');
    expect(ours).toMatchObject({ authorId: jira.state.internal.account.accountId, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(ours?.filename).toMatch(/^latchkey-review-\d+-Q4-Figma-bea_example\.com\.xlsx$/);
    expect(result).toMatchObject({ status: 'succeeded', result: { items: 60, workbook: { filename: ours?.filename, rows: 60, attachmentId: ours?.id } } });
    const description = adfToText(jira.state.issue(key)?.description);
    expect(description).toContain(`The first 50 of 60 items are listed; the full list is in the attached workbook ${ours?.filename}.`);
    expect(description).toContain('attach it back to this issue');
    // An independent reader: openpyxl sees 60 item rows, the Keep/Revoke list and whose workbook it is.
    const read = py<{ rows: number; head: string; reviewer: string; lists: string[] }>(
      `wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Review']
info = {r[0]: r[1] for r in wb['Instructions'].iter_rows(values_only=True)}
print(json.dumps({'rows': ws.max_row - 1, 'head': ws.cell(row=1, column=1).value, 'reviewer': info.get('Reviewer'), 'lists': [dv.formula1 for dv in ws.data_validations.dataValidation]}))`,
      file,
    );
    expect(read).toMatchObject({ rows: 60, head: 'item_id', reviewer: BEA });
    expect(read.lists).toContain('"Keep,Revoke"');
    const audit = w.ctx.db.prepare("SELECT details FROM audit_events WHERE action = 'review.jira-issue-linked'").pluck().get() as string;
    expect(JSON.parse(audit)).toMatchObject({ workbook: { filename: ours?.filename, attachmentId: ours?.id, sha256: createHash('sha256').update(ours?.content ?? '').digest('hex') } });

    // A try that died before storing the key finds the issue and its workbook: no second upload.
    w.ctx.db.prepare('UPDATE review_reviewers SET jira_issue_key = NULL, jira_issue_id = NULL WHERE reviewer = ?').run(BEA);
    expect(await run(w, job, 2)).toMatchObject({ status: 'succeeded', result: { issueCreated: false, workbook: { attachmentId: ours?.id } } });
    expect(jira.state.issue(key)?.attachments).toHaveLength(1);
    expect(reviewerRecord(w.ctx.db, campaign, 1, BEA)?.jira_issue_key).toBe(key);
  });

  it('says so on the issue when Jira refuses the workbook (over the site limit); the issue is linked all the same', async () => {
    jira = await startJiraServer({ attachmentLimit: 1000, clock: { now: () => new Date('2026-11-22T09:00:00.000Z') } });
    servers.push(jira);
    bea = jira.state.addUser({ email: BEA, displayName: 'Bea Reviewer' });
    const { w, campaign, key, result } = await world('too-big');
    expect(result).toMatchObject({ status: 'succeeded', result: { issueCreated: true, workbook: { rows: 60, attachmentId: null } } });
    const warnings = (result as { result?: { warnings?: string[] } }).result?.warnings ?? [];
    expect(warnings.join('\n')).toMatch(new RegExp(`could not be attached to ${key}: .*larger than this site's attachment size limit of 1000 bytes`));
    expect(jira.state.issue(key)?.attachments).toEqual([]);
    const comments = jira.state.comments(key);
    expect(comments).toHaveLength(1);
    expect(adfToText(comments[0]?.body)).toContain(`Latchkey could not attach the reviewer workbook latchkey-review-${campaign}-Q4-Figma-bea_example.com.xlsx to this issue`);
    expect(adfToText(comments[0]?.body)).toContain(`latchkey review workbook export ${campaign} --reviewer ${BEA}`);
    expect(reviewerRecord(w.ctx.db, campaign, 1, BEA)?.jira_issue_key).toBe(key);
  });

  it("imports the reviewer's filled-in workbook through channel jira, by their account id, with its SHA-256; once however often it is polled", async () => {
    const { w, campaign, items, key, file } = await world('reply');
    const reply = path.join(dir, 'reply-decided.xlsx');
    fillIn(file, reply, { revokeRows: [2, 3] });
    const sent = await attachAs(bea, key, reply);
    const sha = createHash('sha256').update(sent.bytes).digest('hex');

    const polled = await pollJiraRequests(w.ctx, tuning);
    expect(polled.errors).toEqual([]);
    expect(polled.reviews?.refused).toEqual([]);
    expect(polled.reviews?.recorded).toEqual([{ campaignId: campaign, reviewer: BEA, issueKey: key, items: 60, attachment: sent.id }]);
    const rows = w.ctx.db.prepare('SELECT item_id, decision, reason_code, channel, decided_by, recorded_by, state FROM review_decisions ORDER BY item_id').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(60);
    expect(rows[0]).toEqual({ item_id: items[0], decision: 'revoke', reason_code: 'left-team', channel: 'jira', decided_by: BEA, recorded_by: `${bea.accountId} (${BEA})`, state: 'submitted' });
    expect(rows.filter((r) => r.decision === 'keep' && r.channel === 'jira')).toHaveLength(58);
    expect(w.ctx.db.prepare('SELECT channel, submitted_by, items, evidence FROM review_submissions').all()).toEqual([
      { channel: 'jira', submitted_by: `${bea.accountId} (${BEA})`, items: 60, evidence: `${key} attachment ${sent.id} sha256:${sha}` },
    ]);

    // Polled again: nothing new. With the poll state lost too (a poll that died before saving it): the submission's evidence says it was imported.
    expect((await pollJiraRequests(w.ctx, tuning)).reviews?.recorded).toEqual([]);
    savePollState(w.ctx.db, w.jiraConnectionId, { handledApprovals: [] }, new Date());
    const again = await pollJiraRequests(w.ctx, tuning);
    expect(again.reviews).toEqual({ recorded: [], refused: [] });
    expect(w.ctx.db.prepare('SELECT count(*) FROM review_submissions').pluck().get()).toBe(1);
    // Latchkey's own upload is never taken for a reply, and nothing was said on the issue.
    expect(jira.state.comments(key)).toEqual([]);
  });

  it('refuses a tampered reply with one comment naming the row, records nothing; a workbook attached by someone else is not the reviewer\'s answer', async () => {
    const { w, key, file } = await world('tampered');
    const tampered = path.join(dir, 'reply-tampered.xlsx');
    fillIn(file, tampered, { alter: [5, 'person_name', 'Somebody Else'] });
    const sent = await attachAs(bea, key, tampered);
    const polled = await pollJiraRequests(w.ctx, tuning);
    expect(polled.errors).toEqual([]);
    expect(polled.reviews?.recorded).toEqual([]);
    expect(polled.reviews?.refused).toHaveLength(1);
    expect(polled.reviews?.refused[0]?.why).toMatch(/row 5: item #\d+'s population columns were altered \(person_name "Person 000004" → "Somebody Else"\)/);
    expect(decisions(w)).toBe(0);
    const comments = jira.state.comments(key);
    expect(comments).toHaveLength(1);
    const said = adfToText(comments[0]?.body);
    expect(said).toContain(`Latchkey did not import the workbook reply-tampered.xlsx (attachment ${sent.id}, SHA-256 ${createHash('sha256').update(sent.bytes).digest('hex')})`);
    expect(said).toContain('row 5:');
    expect(said).toContain('nothing was recorded');
    // Polled again: not said twice — nor with the poll state lost (our comment names the attachment).
    await pollJiraRequests(w.ctx, tuning);
    expect(jira.state.comments(key)).toHaveLength(1);
    savePollState(w.ctx.db, w.jiraConnectionId, { handledApprovals: [] }, new Date());
    await pollJiraRequests(w.ctx, tuning);
    expect(jira.state.comments(key)).toHaveLength(1);
    expect(decisions(w)).toBe(0);

    // A correct workbook attached by Carl: not recorded, said once.
    const decided = path.join(dir, 'carl-decided.xlsx');
    fillIn(file, decided);
    await attachAs(carl, key, decided);
    const byCarl = await pollJiraRequests(w.ctx, tuning);
    expect(byCarl.reviews?.refused[0]?.why).toContain(`was attached by Carl Colleague, not by the reviewer ${BEA}'s Jira account`);
    expect(decisions(w)).toBe(0);
    expect(jira.state.comments(key)).toHaveLength(2);
    await pollJiraRequests(w.ctx, tuning);
    expect(jira.state.comments(key)).toHaveLength(2);

    // Then Bea attaches the fixed workbook: recorded.
    const fixed = path.join(dir, 'reply-fixed.xlsx');
    fillIn(file, fixed);
    await attachAs(bea, key, fixed);
    expect((await pollJiraRequests(w.ctx, tuning)).reviews?.recorded).toMatchObject([{ reviewer: BEA, items: 60 }]);
    expect(decisions(w)).toBe(60);
  });
});
