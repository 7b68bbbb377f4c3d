// The syncs running in this process, whatever the IdP: the conflict check
// (one sync per connection at a time) and the source of 'sync:active' for a
// reloaded window.
import type { SyncProgress } from '../../../shared/domain.js';

export type SyncSlot = { progress: () => SyncProgress };

const active = new Map<number, SyncSlot>();

/** Progress of every sync running in this process. */
export function activeSyncProgress(): SyncProgress[] {
  return [...active.values()].map((a) => a.progress());
}

/** True while a sync of this connection runs in this process. */
export function isSyncRunning(connectionId: number): boolean {
  return active.has(connectionId);
}

/** Takes the connection's slot, or null when a sync of it is already running. Synchronous: call before any await. */
export function reserveSyncSlot(connectionId: number): SyncSlot | null {
  if (active.has(connectionId)) return null;
  const slot: SyncSlot = { progress: () => idleProgress(connectionId) };
  active.set(connectionId, slot);
  return slot;
}

/** Gives the slot back (only if it is still this one). */
export function releaseSyncSlot(connectionId: number, slot: SyncSlot): void {
  if (active.get(connectionId) === slot) active.delete(connectionId);
}

export function idleProgress(connectionId: number): SyncProgress {
  return { runId: 0, connectionId, phase: 'starting', pages: 0, items: 0, expected: null, requests: 0, budget: null, message: null };
}
