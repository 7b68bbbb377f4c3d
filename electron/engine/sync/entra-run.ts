// What the full and the delta Entra runs share (entra-sync.ts,
// entra-delta.ts): the delta-link cursor both write (and its age limit), the
// run's counters and runtime (connector, cancellation, progress), the notes
// a run leaves, and how a failure ends.
import type { SyncScope } from '../../../shared/domain.js';
import { normaliseScope } from '../connections/scope.js';
import type { EntraConnector } from '../connectors/entra/entra-connector.js';
import { EntraError, redact } from '../connectors/entra/entra-errors.js';
import type { ConnectionRecord } from '../connectors/types.js';
import { UserError } from '../context.js';
import type { SyncSlot } from './active-syncs.js';
import type { FailedRunEnd, ProgressReporter } from './run-lifecycle.js';
import type { RunTotals } from './run-start.js';

/** Entra keeps directory changes for delta queries 7 days; an older link can only answer 410. */
export const DELTA_LINK_MAX_AGE_MS = 7 * 86_400_000;

/** Where the next delta run resumes, stored as JSON in sync_runs.cursor. */
export type EntraCursor = {
  v: 1;
  kind: 'entra-delta';
  users: string;
  groups: string;
  /** When (our clock) the links were issued. */
  issuedAt: string;
  /** The scope the snapshot was built with; another scope needs a full sync. */
  scope: SyncScope;
  /** Whether sign-in times and apps were readable: a change of permissions needs a full sync. */
  signIns: boolean;
  apps: boolean;
};

export function encodeEntraCursor(c: Omit<EntraCursor, 'v' | 'kind'>): string {
  return JSON.stringify({ v: 1, kind: 'entra-delta', users: c.users, groups: c.groups, issuedAt: c.issuedAt, scope: normaliseScope(c.scope), signIns: c.signIns, apps: c.apps } satisfies EntraCursor);
}

export function decodeEntraCursor(raw: string): EntraCursor | null {
  try {
    const o = JSON.parse(raw) as Partial<EntraCursor>;
    if (o.v !== 1 || o.kind !== 'entra-delta' || typeof o.users !== 'string' || typeof o.groups !== 'string' || typeof o.issuedAt !== 'string') return null;
    if (!Number.isFinite(Date.parse(o.issuedAt))) return null;
    return { v: 1, kind: 'entra-delta', users: o.users, groups: o.groups, issuedAt: o.issuedAt, scope: normaliseScope(o.scope), signIns: o.signIns === true, apps: o.apps === true };
  } catch {
    return null;
  }
}

// ---- run machinery ----

export type Counters = {
  pages: number;
  users: number;
  groups: number;
  memberships: number;
  groupsListed: number;
  groupsWithMembers: number;
  apps: number;
  appAssignments: number;
  appsWithAssignments: number;
  /** Delta run: objects read from the delta rounds. */
  changesRead: number;
};

export type Runtime = {
  /** The run id is filled in once the run is recorded (progress events carry it). */
  ids: { runId: number; connectionId: number };
  /** Released before 'sync:finished' goes out, so a listener sees a consistent picture. */
  slot: SyncSlot;
  connector: EntraConnector;
  internal: AbortController;
  secrets: string[];
  concurrency: number;
  t0: number;
  c: Counters;
  report: ProgressReporter;
  setPhase: ProgressReporter['setPhase'];
  /** A progress event unless one went out less than progressIntervalMs ago. */
  tick: (message?: string) => void;
  check: () => void;
  totals: () => RunTotals;
};

export const fmt = (n: number): string => n.toLocaleString('en-US');

const failureCode = (e: unknown): UserError['code'] =>
  e instanceof EntraError && (e.kind === 'sign-in' || e.kind === 'unauthorized' || e.kind === 'forbidden') ? 'unauthorized' : e instanceof UserError ? e.code : 'failed';

/** How an Entra run's failure ends; `record` stores it (full and delta runs differ). */
export function entraFailure(connection: ConnectionRecord, rt: Runtime, record: FailedRunEnd['record']): FailedRunEnd {
  return {
    connectionName: connection.name,
    slot: rt.slot,
    reporter: rt.report,
    internal: rt.internal,
    redact: (reason) => redact(reason, rt.secrets),
    known: (x) => x instanceof EntraError,
    record,
    code: failureCode,
  };
}

export const joinNotes = (...notes: (string | null)[]): string | null => notes.filter((n): n is string => n !== null && n !== '').join('; ') || null;

export function permissionNotes(signIns: boolean, apps: boolean): (string | null)[] {
  return [
    signIns ? null : 'last sign-in times not synced: the app lacks AuditLog.Read.All',
    apps ? null : 'apps not synced: the app lacks Application.Read.All',
  ];
}
