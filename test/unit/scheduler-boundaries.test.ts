// The scheduler's JSM poll interval at the exact instant, on a FIXED
// injected clock: a tick polls Jira when exactly `jiraPollMs` has passed since
// the last poll, not 1 ms before. (The interval used to be measured with
// Date.now(), out of reach of the workspace clock; issue 9.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobExecutors } from '../../electron/engine/jobs/job-types.js';
import { startScheduler } from '../../electron/engine/governance/scheduler.js';
import { buildWorld, type RequestsWorld } from './request-fixture.js';

const MS = 1;
const MINUTE = 60_000;
const T = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);

let w: RequestsWorld;
let jira: number;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(T);
  // A JSM connection with no keychain entry: each poll fails at once (no network) and records when it ran.
  jira = Number(
    w.ctx.db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, settings, created_at, updated_at) VALUES ('Jira', 'jira', 'https://acme.atlassian.net', 'token', ?, ?, ?)")
      .run(JSON.stringify({ jira: { projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10' } }), T.toISOString(), T.toISOString()).lastInsertRowid,
  );
});
afterEach(() => w.ws.cleanup());

const lastPoll = (): { lastPollAt: string | null; lastError: string | null } => {
  const s = JSON.parse(w.ctx.db.prepare('SELECT settings FROM connections WHERE id = ?').pluck().get(jira) as string) as { jiraPoll?: { lastPollAt: string; lastError: string } };
  return { lastPollAt: s.jiraPoll?.lastPollAt ?? null, lastError: s.jiraPoll?.lastError ?? null };
};

const none = async (): Promise<never> => Promise.reject(new Error('no job should run'));
const executors: JobExecutors = { provision: none, revoke: none, jira: none };

describe('JSM polling from the scheduler', () => {
  it('polls on the first tick, then again exactly jiraPollMs later, not 1 ms before', async () => {
    const s = startScheduler(w.ctx, { intervalMs: 60 * MINUTE, jiraPollMs: 5 * MINUTE, run: { executors } });
    try {
      await s.ready;
      await s.tick(); // after the first tick, which polled
      expect(lastPoll()).toEqual({ lastPollAt: T.toISOString(), lastError: expect.stringMatching(/no credential for connection "Jira"/) as unknown });

      w.clock.set(at(5 * MINUTE - MS));
      await s.tick();
      expect(lastPoll().lastPollAt).toBe(T.toISOString());

      w.clock.set(at(5 * MINUTE));
      await s.tick();
      expect(lastPoll().lastPollAt).toBe(at(5 * MINUTE).toISOString());
    } finally {
      await s.stop();
    }
  });
});
