// The job runner's time edges at the exact instant, on a FIXED injected
// clock: a job is due when run_after is exactly now (also after a back-off,
// whose run_after is exactly now + the wait), and a claim held by a process
// on another machine is taken back only when it is older than the 15-minute
// stale-lock limit. The integration tests run on real time plus an offset and
// could only look well past these edges (issue 9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobExecutors, JobOutcome } from '../../electron/engine/jobs/job-types.js';
import { enqueueJob } from '../../electron/engine/jobs/job-store.js';
import { resumeInterruptedJobs, runDueJobs } from '../../electron/engine/jobs/runner.js';
import { buildWorld, type RequestsWorld } from './request-fixture.js';

const MS = 1;
const MINUTE = 60_000;
const T = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);
const iso = (ms: number): string => at(ms).toISOString();

let w: RequestsWorld;
let ran: number[];
let outcome: JobOutcome;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(T);
  ran = [];
  outcome = { status: 'succeeded' };
});
afterEach(() => w.ws.cleanup());

const exec = async (job: { id: number }): Promise<JobOutcome> => {
  ran.push(job.id);
  return Promise.resolve(outcome);
};
const executors: JobExecutors = { provision: exec, revoke: exec, jira: exec };
const run = () => runDueJobs(w.ctx, { executors, random: () => 0 });
const job = (runAfter: Date, key: string): number => enqueueJob(w.ctx.db, { kind: 'provision', connectionId: w.okta, runAfter, idempotencyKey: key }, at(-MINUTE));
const statusOf = (id: number): { status: string; run_after: string } => w.ctx.db.prepare('SELECT status, run_after FROM jobs WHERE id = ?').get(id) as { status: string; run_after: string };

describe('when a queued job is due', () => {
  it('runs a job whose run_after is exactly now, not one due 1 ms later; 1 ms on, that one too', async () => {
    const now = job(at(0), 'a');
    const later = job(at(MS), 'b');
    expect(statusOf(now).run_after).toBe(iso(0));
    expect(await run()).toMatchObject({ ran: 1, succeeded: 1 });
    expect(ran).toEqual([now]);
    w.clock.set(at(MS));
    expect(await run()).toMatchObject({ ran: 1, succeeded: 1 });
    expect(ran).toEqual([now, later]);
  });

  it("a retry comes back exactly at now + the back-off (here the server's Retry-After of 30 s), not 1 ms before", async () => {
    const id = job(at(0), 'a');
    outcome = { status: 'retry', error: '429 Too Many Requests', retryAfterMs: 30_000, httpStatus: 429 };
    expect(await run()).toMatchObject({ ran: 1, retried: 1 });
    expect(statusOf(id)).toEqual({ status: 'queued', run_after: iso(30_000) });
    outcome = { status: 'succeeded' };
    w.clock.set(at(30_000 - MS));
    expect((await run()).ran).toBe(0);
    w.clock.set(at(30_000));
    expect(await run()).toMatchObject({ ran: 1, succeeded: 1 });
    expect(statusOf(id).status).toBe('succeeded');
  });
});

describe('a claim left by a process on another machine', () => {
  const heldSince = (lockedAt: Date): number => {
    const id = job(at(-20 * MINUTE), `held:${lockedAt.toISOString()}`);
    w.ctx.db.prepare("UPDATE jobs SET status = 'running', attempts = 1, locked_by = 'build-agent-7.example:4242', locked_at = ? WHERE id = ?").run(lockedAt.toISOString(), id);
    w.ctx.db.prepare('INSERT INTO job_attempts (job_id, attempt, started_at) VALUES (?, 1, ?)').run(id, lockedAt.toISOString());
    return id;
  };

  it('is taken back when older than 15 minutes, not at exactly 15 minutes', () => {
    const id = heldSince(at(-15 * MINUTE));
    expect(resumeInterruptedJobs(w.ctx)).toEqual([]);
    expect(statusOf(id).status).toBe('running');
    w.clock.set(at(MS));
    expect(resumeInterruptedJobs(w.ctx)).toEqual([id]);
    expect(statusOf(id)).toEqual({ status: 'queued', run_after: iso(MS) });
  });
});
