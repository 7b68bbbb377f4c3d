// Internal errors are never retried as if the network had failed (issue 10):
// on a FIXED clock, an executor that throws a real SQLite constraint failure
// or a TypeError fails its job at the first attempt, with a message naming it
// as internal, and `jobs run --once` (waitForDueWithinMs) returns at once
// instead of backing off 8 times; a reset connection, a fetch failure caused
// by one, a 429 and a 503 are retried at exactly now + the back-off.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JiraApiError } from '../../electron/engine/connectors/jira/jira-errors.js';
import { classifyError } from '../../electron/engine/jobs/error-class.js';
import { enqueueJob, jobAttempts } from '../../electron/engine/jobs/job-store.js';
import type { JobExecutors } from '../../electron/engine/jobs/job-types.js';
import { runDueJobs } from '../../electron/engine/jobs/runner.js';
import { UserError } from '../../electron/engine/context.js';
import { buildWorld, type RequestsWorld } from './request-fixture.js';

const T = new Date('2026-03-10T12:00:00.000Z');
let w: RequestsWorld;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(T);
});
afterEach(() => w.ws.cleanup());

/** A real better-sqlite3 UNIQUE failure, as linking an issue twice raised it. */
function uniqueFailure(): Error {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE requests (jira_connection_id INTEGER, jira_issue_key TEXT, UNIQUE (jira_connection_id, jira_issue_key))');
  db.prepare('INSERT INTO requests VALUES (1, ?)').run('ACC-1');
  try {
    db.prepare('INSERT INTO requests VALUES (1, ?)').run('ACC-1');
  } catch (e) {
    return e as Error;
  } finally {
    db.close();
  }
  throw new Error('expected a constraint failure');
}

function resetError(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
}

const jobRow = (id: number) => w.ctx.db.prepare('SELECT status, attempts, run_after, last_error FROM jobs WHERE id = ?').get(id) as { status: string; attempts: number; run_after: string; last_error: string | null };

async function runThrowing(thrown: () => Error): Promise<{ id: number; calls: number; summary: Awaited<ReturnType<typeof runDueJobs>> }> {
  let calls = 0;
  const exec = async (): Promise<never> => {
    calls++;
    await Promise.resolve();
    throw thrown();
  };
  const executors: JobExecutors = { provision: exec, revoke: exec, jira: exec };
  const id = enqueueJob(w.ctx.db, { kind: 'jira', connectionId: w.okta, maxAttempts: 8 }, T);
  // As `jobs run --once` does: keep going while a job becomes due within a minute.
  const summary = await runDueJobs(w.ctx, { executors, random: () => 0, waitForDueWithinMs: 60_000, backoff: { baseMs: 2_000, capMs: 60_000 } });
  return { id, calls, summary };
}

describe('a job whose executor throws', () => {
  it('a SQLite UNIQUE constraint failure is final at the first attempt, named as internal', async () => {
    const { id, calls, summary } = await runThrowing(uniqueFailure);
    expect(calls).toBe(1);
    expect(summary).toMatchObject({ ran: 1, failed: 1, retried: 0 });
    const row = jobRow(id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe('internal error (SqliteError SQLITE_CONSTRAINT_UNIQUE), not retried: UNIQUE constraint failed: requests.jira_connection_id, requests.jira_issue_key');
    const audit = w.ctx.db.prepare("SELECT action FROM audit_events WHERE target_type = 'job' AND target_id = ? ORDER BY seq").all(String(id)) as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(['job.failed']);
  });

  it('a TypeError (a bug) is final at once too', async () => {
    const { id, calls } = await runThrowing(() => new TypeError("Cannot read properties of undefined (reading 'key')"));
    expect(calls).toBe(1);
    expect(jobRow(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: "internal error (TypeError), not retried: Cannot read properties of undefined (reading 'key')" });
  });

  it('a reset connection is retried, due again at exactly now + the back-off (random 0: now), until max attempts', async () => {
    const { id, calls, summary } = await runThrowing(resetError);
    // Every retry is due at once on the fixed clock, so --once keeps going until the 8 attempts are spent.
    expect(calls).toBe(8);
    expect(summary).toMatchObject({ ran: 8, retried: 7, failed: 1 });
    expect(jobRow(id)).toMatchObject({ status: 'failed', attempts: 8, last_error: 'gave up after 8 attempts: read ECONNRESET' });
    // Each attempt records what the executor said (a retry); the eighth exhausts the job.
    expect(jobAttempts(w.ctx.db, id).map((a) => a.outcome)).toEqual(Array<string>(8).fill('retry'));
  });

  it('the first retry of a transient failure waits exactly the Retry-After the service gave', async () => {
    let calls = 0;
    const exec = (): Promise<never> => {
      calls++;
      return Promise.reject(new JiraApiError('Jira could not comment: HTTP 429', 'rate-limited', 429, [], 30_000));
    };
    const id = enqueueJob(w.ctx.db, { kind: 'jira', connectionId: w.okta }, T);
    expect(await runDueJobs(w.ctx, { executors: { provision: exec, revoke: exec, jira: exec }, random: () => 0 })).toMatchObject({ ran: 1, retried: 1 });
    expect(jobRow(id)).toMatchObject({ status: 'queued', run_after: new Date(T.getTime() + 30_000).toISOString() });
    expect(calls).toBe(1);
  });
});

describe('classifyError', () => {
  it('network and HTTP-transient failures retry; everything else is final', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: resetError() });
    expect(classifyError(fetchFailed)).toMatchObject({ transient: true, message: 'fetch failed' });
    expect(classifyError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).transient).toBe(true);
    expect(classifyError(Object.assign(new Error('x'), { name: 'TimeoutError' })).transient).toBe(true);
    expect(classifyError(Object.assign(new Error('Service Unavailable'), { status: 503 }))).toMatchObject({ transient: true, httpStatus: 503 });
    expect(classifyError(Object.assign(new Error('Too many'), { statusCode: 429 }))).toMatchObject({ transient: true, httpStatus: 429 });
    expect(classifyError(new JiraApiError('down', 'unavailable', 502, [], null))).toMatchObject({ transient: true, httpStatus: 502 });
    // Not transient: 4xx of a service, a user's error, a plain bug, a TypeError without a network cause.
    expect(classifyError(new JiraApiError('HTTP 403', 'forbidden', 403, [], null))).toEqual({ transient: false, message: 'HTTP 403', httpStatus: 403 });
    expect(classifyError(Object.assign(new Error('Bad request'), { status: 400 })).transient).toBe(false);
    expect(classifyError(new UserError('no Jira connection'))).toEqual({ transient: false, message: 'no Jira connection' });
    expect(classifyError(new RangeError('Invalid time value'))).toEqual({ transient: false, message: 'internal error (RangeError), not retried: Invalid time value' });
    expect(classifyError(new TypeError('fetch failed'))).toMatchObject({ transient: false });
    expect(classifyError('a string')).toEqual({ transient: false, message: 'internal error (Error), not retried: a string' });
  });
});
