// Connects engine events to the stores once, at start-up. After the event
// stream reconnects (bridge restarted, laptop woke up) it re-reads what may
// have changed while it was down.
import { api } from '../api/client.js';
import { describeRunChanges } from '../lib/change-kinds.js';
import { useAppStore } from './app-store.js';
import { useConnectionsStore } from './connections-store.js';
import { subscribeDashboardGovernance, useDashboardStore } from './dashboard-store.js';
import { useDirectoryStore } from './directory-store.js';
import { subscribeJobs, useJobsStore } from './jobs-store.js';
import { toast } from './toast-store.js';

export function wireEvents(): () => void {
  const offs: (() => void)[] = [];
  // Needs attention's counts feed the sidebar badge, whatever page is open.
  void useJobsStore.getState().load();
  offs.push(subscribeJobs());
  offs.push(subscribeDashboardGovernance());
  offs.push(api.on('sync:progress', (p) => useConnectionsStore.getState().onProgress(p)));
  offs.push(
    api.on('sync:finished', (run) => {
      useConnectionsStore.getState().onFinished(run);
      void useDashboardStore.getState().load();
      if (run.status === 'succeeded') {
        void useDirectoryStore.getState().loadFacets();
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
      }
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
