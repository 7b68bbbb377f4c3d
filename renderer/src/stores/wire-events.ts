// The one place the renderer listens to the engine: every event (api.on) and
// the event stream's state (api.onStatus), and what each refreshes. The stores
// export the actions called here; pages and components never subscribe.
// Wired once, at start-up (App.tsx). After the event stream reconnects (bridge
// restarted, laptop woke up) it re-reads what may have changed while it was down.
import { api } from '../api/client.js';
import { describeRunChanges } from '../lib/change-kinds.js';
import { useAppStore } from './app-store.js';
import { useAuditStore } from './audit-store.js';
import { useCatalogStore } from './catalog-store.js';
import { useConnectionsStore } from './connections-store.js';
import { useDashboardStore } from './dashboard-store.js';
import { useDirectoryStore } from './directory-store.js';
import { useEvidenceStore } from './evidence-store.js';
import { useJobsStore } from './jobs-store.js';
import { useRequestsStore } from './requests-store.js';
import { usePlansStore } from './plans-store.js';
import { useHrStore } from './hr-store.js';
import { useReviewsStore } from './reviews-store.js';
import { toast } from './toast-store.js';

/** How often the engine's clock is read again when nothing moved it (drift, a laptop that slept). */
export const CLOCK_RESYNC_MS = 5 * 60_000;

/** A burst of job outcomes arrives together: what reloads on them waits this long and reloads once. */
export const BURST_MS = 300;

/** Runs `run` once, BURST_MS after the first of a burst of triggers. */
function perBurst(run: () => void): { trigger: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    trigger: () => {
      timer ??= setTimeout(() => {
        timer = null;
        run();
      }, BURST_MS);
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export function wireEvents(): () => void {
  const offs: (() => void)[] = [];

  // At start: Needs attention's counts feed the sidebar badge whatever page is
  // open, and every relative time counts from the engine's clock (hooks/useNow.ts).
  void useJobsStore.getState().load();
  void useJobsStore.getState().loadClock();
  const resync = setInterval(() => void useJobsStore.getState().loadClock(), CLOCK_RESYNC_MS);
  offs.push(() => clearInterval(resync));

  // Needs attention, and the engine's clock after a jobs change: jobs:advanceClock
  // (the sandbox's "Skip ahead") announces itself as one.
  let clockToo = false;
  const attention = perBurst(() => {
    const jobs = useJobsStore.getState();
    void jobs.load();
    // Every change is recorded: the audit log (once opened) shows the new events.
    useAuditStore.getState().changed();
    if (clockToo) void jobs.loadClock();
    clockToo = false;
  });
  // The dashboard's governance counts: only once shown (no reads for a page nobody opened).
  const governanceCounts = perBurst(() => {
    const dashboard = useDashboardStore.getState();
    if (dashboard.governance !== null) void dashboard.loadGovernance();
  });
  // Reviews: a campaign's page, its progress, the list and the reviewer's queue; once per burst
  // (a close queues thousands of revocations, each announced as a jobs change).
  const reviewsChanged = perBurst(() => useReviewsStore.getState().changedElsewhere());
  const reviewsMoved = perBurst(() => useReviewsStore.getState().bump());
  offs.push(attention.cancel, governanceCounts.cancel, reviewsChanged.cancel, reviewsMoved.cancel);

  offs.push(
    api.on('governance:changed', ({ area }) => {
      governanceCounts.trigger();
      // Jira's write-back queue and last poll follow requests and jobs: once a Jira card has read it.
      const connections = useConnectionsStore.getState();
      if (connections.jira !== null || connections.jiraError !== null) void connections.loadJira();
      if (area === 'catalog') {
        // The Catalog page's listing and the views keyed on its version; the roles "New request" offers.
        useCatalogStore.getState().changed();
        const requests = useRequestsStore.getState();
        if (requests.roles !== null || requests.rolesError !== null) void requests.loadRoles();
        return;
      }
      if (area === 'reviews') {
        reviewsChanged.trigger();
        attention.trigger();
        return;
      }
      // Plans: the list and a plan's timeline refetch; their jobs and manual tasks show in Needs attention.
      if (area === 'plans') {
        usePlansStore.getState().changed();
        // Planned HR events are no longer due: the HR feed's status, once a page has read it.
        const hr = useHrStore.getState();
        if (hr.status !== null) void hr.load();
        attention.trigger();
        return;
      }
      // A revocation a review's close queued moves on with jobs: its remediation state shows.
      if (area === 'jobs') reviewsMoved.trigger();
      // Requests or jobs: request lists, a request's detail and the access ledger refetch (they
      // are keyed on the requests store's version); Needs attention once per burst.
      useRequestsStore.getState().bump();
      clockToo ||= area === 'jobs';
      attention.trigger();
    }),
  );

  offs.push(api.on('sync:progress', (p) => useConnectionsStore.getState().onProgress(p)));
  // An evidence export's rows written, sheet done or end: the Evidence page's progress bar and result card.
  offs.push(api.on('evidence:progress', (run) => useEvidenceStore.getState().progress(run)));

  offs.push(
    api.on('sync:finished', (run) => {
      // Connections, their runs and the Directory's tables (snapshotVersion).
      useConnectionsStore.getState().onFinished(run);
      // A sync records its run and, with a signing key, a checkpoint.
      useAuditStore.getState().changed();
      void useDashboardStore.getState().load();
      if (run.status === 'succeeded') {
        void useDirectoryStore.getState().loadFacets();
        // A new snapshot: suggestions, coverage, mapped groups' health and the group pane.
        useCatalogStore.getState().changed();
        // Revocations verified by this run, recommendations refreshed on open campaigns.
        reviewsChanged.trigger();
        // The access ledger shows which removals this run verified (it is keyed on the requests store's version).
        useRequestsStore.getState().bump();
        const size = `${run.users.toLocaleString()} users, ${run.groups.toLocaleString()} groups, ${run.apps.toLocaleString()} apps`;
        toast.success(
          run.baseline ? `First snapshot: ${size}` : `${describeRunChanges(run)} · ${size}`,
          `${run.mode === 'incremental' ? 'Incremental sync' : 'Full sync'} of ${run.connectionName} finished`,
        );
      } else if (run.status === 'failed') {
        toast.error(run.error ?? 'The sync failed without a reason', `Sync of ${run.connectionName} failed`);
      }
    }),
  );

  let wasDown = false;
  offs.push(
    api.onStatus((status) => {
      useAppStore.getState().setEvents(status);
      if (status === 'reconnecting') wasDown = true;
      if (status === 'open' && wasDown) {
        wasDown = false;
        const c = useConnectionsStore.getState();
        void c.loadActive();
        void c.load();
        void c.loadRuns();
        void useDashboardStore.getState().load();
        void useJobsStore.getState().load();
        void useJobsStore.getState().loadClock();
        useReviewsStore.getState().changed();
        // An export may have finished while the stream was down.
        if (useEvidenceStore.getState().status !== 'idle') void useEvidenceStore.getState().load();
      }
    }),
  );

  return () => {
    for (const off of offs) off();
  };
}
