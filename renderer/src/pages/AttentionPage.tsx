// Needs attention (#/attention): failed jobs, manual tasks, drift and access expiring soon (the jobs
// store), the notice lead time, and the sandbox's "Skip ahead" clock.
import { useEffect, useState, type ReactNode } from 'react';
import type { AttentionCounts } from '../../../shared/contract-jobs.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { InlineError } from '../components/InlineError.js';
import { SkeletonLines } from '../components/Skeleton.js';
import { WriteButton } from '../components/WriteButton.js';
import { useNow } from '../hooks/useNow.js';
import { formatRoute, routes, type AttentionSection } from '../lib/router.js';
import { useJobsStore } from '../stores/jobs-store.js';
import { DriftList } from './attention/DriftList.js';
import { ExpiringSoon } from './attention/ExpiringSoon.js';
import { FailedJobs } from './attention/FailedJobs.js';
import { ManualTasks } from './attention/ManualTasks.js';

const SECTIONS: readonly AttentionSection[] = ['failed', 'tasks', 'drift', 'expiring'];

/**
 * Needs attention: what a person has to act on — failed jobs, manual tasks,
 * drift — and access about to expire. `section` (#/attention/drift, a
 * dashboard card's link) shows that list alone; the tabs lead to the others.
 */
export function AttentionPage({ section }: { section: AttentionSection | null }): ReactNode {
  const { view, status, error, load, loadClock } = useJobsStore();
  useEffect(() => {
    // The store stays subscribed for the sidebar badge (wire-events.ts): load fresh on arrival.
    void load();
    void loadClock();
  }, [load, loadClock]);
  const show = (s: AttentionSection): boolean => section === null || section === s;

  return (
    <div className="page attention-page">
      <header className="page-header">
        <div>
          <h1>Needs attention</h1>
          <p className="page-sub">
            {view
              ? view.counts.total === 0 && view.counts.expiringSoon === 0
                ? 'Nothing needs you right now.'
                : `${view.counts.failed} failed ${view.counts.failed === 1 ? 'job' : 'jobs'} · ${view.counts.manual} manual ${view.counts.manual === 1 ? 'task' : 'tasks'} · ${view.counts.drift} drift · ${view.counts.expiringSoon} expiring within ${view.noticeHours} h`
              : 'Failed jobs, manual tasks and drift'}
          </p>
        </div>
        <SandboxClock />
      </header>
      {status === 'error' && error ? <InlineError title="Could not load" message={error} onRetry={() => void load()} /> : null}
      {status === 'loading' && !view ? <SkeletonLines lines={6} /> : null}
      {view ? (
        <nav className="tabnav" aria-label="Needs attention lists">
          <a className="tabnav-item" href={formatRoute(routes.attention())} aria-current={section === null ? 'page' : undefined}>
            Everything
          </a>
          {SECTIONS.map((s) => (
            <a key={s} className="tabnav-item" href={formatRoute(routes.attention(s))} aria-current={section === s ? 'page' : undefined}>
              {sectionLabel(s, view.noticeHours)} <span className="tab-count">{sectionCount(s, view.counts)}</span>
            </a>
          ))}
        </nav>
      ) : null}
      {view ? (
        <>
          {show('failed') ? (
            <section className="card attention-section" aria-labelledby="att-failed">
              <h2 id="att-failed" className="card-head card-head-plain">
                Failed jobs <span className="count-pill">{view.counts.failed}</span>
              </h2>
              <FailedJobs jobs={view.failedJobs} />
            </section>
          ) : null}
          {show('tasks') ? (
            <section className="card attention-section" aria-labelledby="att-tasks">
              <h2 id="att-tasks" className="card-head card-head-plain">
                Manual tasks <span className="count-pill">{view.counts.manual}</span>
              </h2>
              <ManualTasks tasks={view.tasks} />
            </section>
          ) : null}
          {show('drift') ? (
            <section className="card attention-section" aria-labelledby="att-drift">
              <h2 id="att-drift" className="card-head card-head-plain">
                Drift <span className="count-pill">{view.counts.drift}</span>
              </h2>
              <DriftList drift={view.drift} />
            </section>
          ) : null}
          {show('expiring') ? (
            <section className="card attention-section" aria-labelledby="att-expiring">
              <h2 id="att-expiring" className="card-head card-head-plain">
                Expiring within {view.noticeHours} h <span className="count-pill">{view.counts.expiringSoon}</span>
              </h2>
              <NoticeHours key={view.noticeHours} hours={view.noticeHours} />
              <ExpiringSoon grants={view.expiringSoon} />
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function sectionLabel(s: AttentionSection, noticeHours: number): string {
  return s === 'failed' ? 'Failed jobs' : s === 'tasks' ? 'Manual tasks' : s === 'drift' ? 'Drift' : `Expiring within ${noticeHours} h`;
}

function sectionCount(s: AttentionSection, c: AttentionCounts): number {
  return s === 'failed' ? c.failed : s === 'tasks' ? c.manual : s === 'drift' ? c.drift : c.expiringSoon;
}

/** How long before expiry a notice is recorded (and written to Jira): the workspace setting. Keyed by the saved value, so a change elsewhere resets the field. */
function NoticeHours({ hours }: { hours: number }): ReactNode {
  const { setNoticeHours, busy } = useJobsStore();
  const [value, setValue] = useState(String(hours));
  const n = Number(value);
  const valid = /^\d+$/.test(value) && n <= 720;
  return (
    <form
      className="attention-inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid && n !== hours) void setNoticeHours(n);
      }}
    >
      <label htmlFor="notice-hours">Notice before expiry</label>
      <input id="notice-hours" className="input input-sm notice-hours" inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={!valid} />
      <span className="muted">hours{valid ? '' : ' (a whole number up to 720)'}</span>
      <WriteButton type="submit" className="btn btn-sm" disabled={!valid || n === hours || busy.has('notice')}>
        Save
      </WriteButton>
    </form>
  );
}

/** Sandbox only: move the workspace clock ahead to watch access expire (demo, E2E). */
function SandboxClock(): ReactNode {
  const { clock, advanceClock, busy } = useJobsStore();
  const [minutes, setMinutes] = useState(60);
  // The engine's now, ticking: every relative time on the console counts from it.
  const now = useNow();
  if (!clock?.adjustable) return null;
  return (
    <div className="sandbox-clock" aria-label="Sandbox clock">
      <span className="muted" title="Sandbox workspace: its clock can be moved ahead to let access expire">
        Sandbox time <AbsoluteTime iso={new Date(now).toISOString()} />
        {clock.offsetMs > 0 ? ` (+${Math.round(clock.offsetMs / 60_000)} min)` : ''}
      </span>
      <label className="sr-only" htmlFor="skip-minutes">
        Minutes to skip
      </label>
      <select id="skip-minutes" className="input input-sm" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
        <option value={60}>1 hour</option>
        <option value={360}>6 hours</option>
        <option value={1440}>1 day</option>
        <option value={10080}>7 days</option>
      </select>
      <WriteButton
        className="btn btn-sm"
        disabled={busy.has('clock')}
        onClick={() => void advanceClock(minutes)}
      >
        Skip ahead
      </WriteButton>
    </div>
  );
}
