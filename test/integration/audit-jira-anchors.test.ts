// The audit chain's anchors in the Jira record, against the sandbox Jira over
// real HTTP (jira.js): every request comment carries the chain's head; the
// daily checkpoint comment on the connection's anchor issue is queued by the
// governance tick's step and written through the Jira outbox; `audit verify
// --from-jira` reads them back and names a chain rewritten inside the file.
import { tamperer } from '../fixtures/crafted-workspace.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { auditHead, auditRowHash, type AuditRow } from '../../electron/engine/audit/audit-log.js';
import type { AuditVerifyReport } from '../../electron/engine/audit/verify.js';
import { createJiraClient } from '../../electron/engine/connectors/jira/jira-client.js';
import { adfToText } from '../../electron/engine/connectors/jira/jira-fields.js';
import { workspaceId } from '../../electron/engine/context.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { startScheduler } from '../../electron/engine/governance/scheduler.js';
import { ANCHOR_COMMENT_EVERY_MS, queueAnchorComments } from '../../electron/engine/jira/audit-anchors.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { enqueueJiraUpdate } from '../../electron/engine/jobs/jira-outbox.js';
import type { JobExecutor } from '../../electron/engine/jobs/job-types.js';
import { createRequest } from '../../electron/engine/requests/requests.js';
import { startJiraServer, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { jiraWorkspace, recordingSleep, type JiraWorkspace } from './jira-helpers.js';

let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterAll(async () => {
  await jira.close();
});

const noop: JobExecutor = () => Promise.resolve({ status: 'succeeded' });
const run = (w: JiraWorkspace) => runJobs(w.ctx, { executors: { provision: noop, revoke: noop, jira: createJiraJobExecutor({ sleep: recordingSleep().sleep }) }, random: () => 0.5 });

async function latchkey(w: JiraWorkspace, ...args: string[]): Promise<{ code: number | 'serving'; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--db', w.file, ...args], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets: w.secrets });
  return { code, stdout, stderr };
}

type AnchorDb = { kind: string; count: number; head_hash: string; issue_key: string; comment_id: string; connection_id: number };
const anchors = (w: JiraWorkspace, kind: string): AnchorDb[] => w.ctx.db.prepare('SELECT * FROM audit_anchors WHERE kind = ? ORDER BY id').all(kind) as AnchorDb[];

function fileRequest(w: JiraWorkspace): number {
  return createRequest(w.ctx, { beneficiary: { email: 'ada@example.com' }, role: w.roleId, duration: '7d', justification: 'Design review' }, { source: 'console', requester: 'cy@example.com' }).id;
}

describe('audit anchors in Jira', () => {
  it('every request comment Latchkey writes ends with the audit head, and the anchor is recorded with its comment', async () => {
    const w = await jiraWorkspace(jira, { importRequests: false });
    const id = fileRequest(w);
    await run(w);
    const key = w.ctx.db.prepare('SELECT jira_issue_key FROM requests WHERE id = ?').pluck().get(id) as string;
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'Expires soon.', discriminator: 'n' }, w.ctx.clock.now());
    const head = auditHead(w.ctx.db);
    await run(w);
    const comment = jira.state.comments(key).at(-1);
    const text = adfToText(comment?.body);
    expect(text).toContain(`Expires soon.\n\nAudit chain: ${head.count} events, head ${head.hash}\nLatchkey ref`);
    expect(comment?.properties[0]?.value).toMatchObject({ workspace: workspaceId(w.ctx.db), event: 'notice' });
    expect(anchors(w, 'jira-comment').at(-1)).toMatchObject({ count: head.count, head_hash: head.hash, issue_key: key, comment_id: comment?.id, connection_id: w.jiraConnectionId });
    w.ctx.db.close();
  });

  it('the daily checkpoint comment: queued at most daily, written through the outbox, read back by verify --from-jira, which names a rewritten chain', async () => {
    const w = await jiraWorkspace(jira, { importRequests: false });
    // The anchor issue: any issue of the site (created here over the API, as an admin would in Jira).
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
    const project = await client.project('ACC');
    const anchorIssue = (await client.createIssue({ project: { key: 'ACC' }, issuetype: { id: project.issueTypes[0]?.id }, summary: 'Latchkey audit anchors' })).key;

    // No anchor issue: nothing is queued.
    expect(queueAnchorComments(w.ctx)).toEqual([]);
    const bad = await latchkey(w, 'audit', 'anchor-issue', 'Jira', 'not a key');
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/"not a key" is not a Jira issue key/) as unknown });
    const set = await latchkey(w, 'audit', 'anchor-issue', 'Jira', anchorIssue);
    expect(set, set.stderr).toMatchObject({ code: 0 });
    expect(w.ctx.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'connection.anchor-issue-set'").pluck().get()).toBe(1);

    const [jobId] = queueAnchorComments(w.ctx);
    expect(jobId).toBeTypeOf('number');
    // Asked again before it ran: the same job, not a second one.
    expect(queueAnchorComments(w.ctx)).toEqual([jobId]);
    await run(w);
    const first = anchors(w, 'jira-checkpoint');
    expect(first).toHaveLength(1);
    const posted = jira.state.comments(anchorIssue);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.id).toBe(first[0]?.comment_id);
    expect(adfToText(posted[0]?.body)).toContain(`Audit chain: ${first[0]?.count} events, head ${first[0]?.head_hash}`);

    // Within a day: nothing more; a day later (to the millisecond): the next one.
    const at = w.ctx.clock.now().getTime();
    w.setNow(new Date(at + ANCHOR_COMMENT_EVERY_MS - 1));
    expect(queueAnchorComments(w.ctx)).toEqual([]);
    // A day later the governance tick queues it and runs it (the scheduler, with its job run).
    w.setNow(new Date(at + ANCHOR_COMMENT_EVERY_MS + 60_000));
    const scheduler = startScheduler(w.ctx, { intervalMs: 3_600_000, run: { executors: { provision: noop, revoke: noop, jira: createJiraJobExecutor({ sleep: recordingSleep().sleep }) }, random: () => 0.5 } });
    await scheduler.ready;
    await scheduler.tick();
    await scheduler.stop();
    expect(jira.state.comments(anchorIssue)).toHaveLength(2);
    expect(queueAnchorComments(w.ctx)).toEqual([]);
    // Each job-runner run ended with a signed checkpoint of the head it left.
    const cps = w.ctx.db.prepare('SELECT reason, count FROM audit_checkpoints ORDER BY id').all() as { reason: string; count: number }[];
    expect(cps.length).toBeGreaterThan(0);
    expect(new Set(cps.map((c) => c.reason))).toEqual(new Set(['jobs']));
    expect(cps.at(-1)?.count).toBe(auditHead(w.ctx.db).count);

    // Read back over HTTP: every anchor holds.
    const ok = await latchkey(w, 'audit', 'verify', '--from-jira', '--json');
    expect(ok, ok.stderr).toMatchObject({ code: 0 });
    const okReport = JSON.parse(ok.stdout) as AuditVerifyReport & { jira: { issuesRead: string[]; anchorsRead: number } };
    expect(okReport.jira).toMatchObject({ issuesRead: [anchorIssue], anchorsRead: 2 });
    expect(okReport.anchors).toEqual({ checked: 4, held: 4 }); // the two recorded in the file, and the same two read from Jira
    w.ctx.db.close();

    // Someone with the file edits an early event, recomputes every hash after it, and removes the checkpoints and the recorded anchors.
    const raw = tamperer(w.file); // the append-only triggers dropped, and put back on close
    raw.prepare("UPDATE audit_events SET actor = 'console:mallory' WHERE seq = 2").run();
    let prev = raw.prepare('SELECT hash FROM audit_events WHERE seq = 1').pluck().get() as string;
    for (const r of raw.prepare('SELECT * FROM audit_events WHERE seq >= 2 ORDER BY seq').all() as AuditRow[]) {
      const hash = auditRowHash({ ...r, prev_hash: prev });
      raw.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    raw.exec('DELETE FROM audit_checkpoints; DELETE FROM audit_anchors;');
    raw.close();
    const inside = JSON.parse((await latchkey(w, 'audit', 'verify', '--json')).stdout) as AuditVerifyReport;
    expect(inside.ok).toBe(true); // nothing left in the file can tell
    const r = await latchkey(w, 'audit', 'verify', '--from-jira');
    expect(r.code).toBe(1);
    const named = r.stdout.split('\n').filter((l) => l.startsWith('PROBLEM'));
    // Each anchor comment read from Jira, named by its issue and comment.
    const ids = jira.state.comments(anchorIssue).map((c) => c.id);
    expect(named).toEqual(ids.map((id) => expect.stringMatching(new RegExp(`^PROBLEM chain-rewritten: event number \\d+ is not the one the anchor from Jira ${anchorIssue} comment ${id} records .*: the chain was rewritten up to there$`)) as unknown));
  });
});
