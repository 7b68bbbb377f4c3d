// Writes one sync run's snapshot as a new generation beside the live one.
//
// Why generations: a sync that fails half-way (401 mid-run, the network
// drops, the app is closed) must leave the previous snapshot exactly as it
// was. Rows go to gen = live_gen + 1, invisible to readers (they use the cur_*
// views); commit() flips connections.live_gen in one short transaction
// together with the run record and its audit event. abort() records the
// failure and removes the partial generation.
//
// Why large batches and a bigger page cache: one transaction for a million
// rows would hold SQLite's write lock for the whole sync (every other writer,
// e.g. a provisioning job, would time out), while each commit rewrites to the
// WAL every page it touched, and membership ids arrive in random order, so a
// batch touches most of the memberships_by_identity index whatever its size.
// Fewer, bigger commits are what pays. Measured (100k users, 1M memberships,
// 2-core VM): 5k objects / 50k links per commit with the default 2 MB cache
// 13.7 s; 25k / 250k with 64 MB cache 7.0 s (each commit then holds the write
// lock ~1-2 s, well inside the 5 s busy timeout). Sorting link batches by
// either key did not help (measured); sorting wide identity rows by id did.
//
// Why a writer thread: in a large sync the main thread is busy with HTTP and
// JSON and SQLite's B-tree work is the other half of the client's CPU; on its
// own connection in a worker thread the two overlap (batches handed over
// whenever the thread is idle, so they size themselves). The flip, the run
// record, the audit event and the purge stay on the caller's connection.
// Where no worker can start (or for ':memory:'), the same inserts run inline.
//
// The parts: run-start.ts opens the run and takes the sync lock;
// snapshot-insert.ts holds the tables' INSERT plans and the inline sink,
// snapshot-writer-thread.ts the worker thread and its sink; snapshot-commit.ts
// the flip and the run's end; snapshot-generations.ts counting and purging
// generations. This module buffers what a sync produces, hands it to a sink
// in batches, resolves managers, and drives commit() and abort().
import type { Db } from '../db/database.js';
import type { AppAssignmentRecord, AppRecord, GroupOwnerRecord, GroupRecord, IdentityRecord, ManagerRef, SnapshotCounts } from '../connectors/snapshot-model.js';
import type { Actor, RunExtra, RunTotals, StartedRun } from './run-start.js';
import { flipLiveGeneration, recordRunEnd } from './snapshot-commit.js';
import { countGeneration, purgeGenerations } from './snapshot-generations.js';
import { inlineSink, insertPlans, TABLE_ORDER, type Batch, type Sink, type TableKey } from './snapshot-insert.js';
import { workerSink } from './snapshot-writer-thread.js';

export type SnapshotWriter = {
  readonly run: StartedRun;
  /** True when a worker thread does the inserts (the default for a workspace file). */
  readonly threaded: boolean;
  addIdentities: (rows: readonly IdentityRecord[]) => void;
  addGroups: (rows: readonly GroupRecord[]) => void;
  addMemberships: (groupId: string, identityIds: readonly string[]) => void;
  addApps: (rows: readonly AppRecord[]) => void;
  addAppAssignments: (rows: readonly AppAssignmentRecord[]) => void;
  /** Group owners (migration 9); a repeated owner of the same group is stored once. */
  addGroupOwners: (rows: readonly GroupOwnerRecord[]) => void;
  /**
   * A promise to await before producing more when the writer thread is
   * behind (two batches queued), else null. Keeps memory bounded when the
   * network outpaces the disk.
   */
  backpressure: () => Promise<void> | null;
  /** Turns manager logins/emails/employee numbers/names into identity ids, once all identities are in. */
  resolveManagers: (refs: readonly ManagerRef[]) => Promise<{ resolved: number; unresolved: number }>;
  /** Writes everything buffered; resolves once it is in the file. */
  flush: () => Promise<void>;
  /** Rows handed to the writer so far (before de-duplication). */
  added: () => SnapshotCounts;
  /**
   * Makes the new generation live, records what changed against the old one,
   * finishes the run (with the position incremental sync resumes from) and
   * audits it; then removes the old generation.
   */
  commit: (totals: RunTotals, extra?: RunExtra) => Promise<SnapshotCounts>;
  /** Records the failure and removes the partial generation; the live snapshot is untouched. */
  abort: (reason: string, totals: RunTotals) => Promise<void>;
};

export type WriterOptions = Actor & {
  /** Membership/assignment rows per transaction (default 250k). */
  batchRows?: number;
  /** Identity/group/app rows per transaction (wider rows; default 25k). */
  batchObjects?: number;
  /** SQLite page cache of the writing connection, in MiB (default 64). */
  cacheMb?: number;
  /**
   * Insert from a worker thread with its own connection (default: yes when
   * the workspace is a file). The sync's main thread is busy with HTTP and
   * JSON; SQLite's B-tree work was the other half of its CPU (measured ~8 s
   * of ~18 s at 1M memberships), so on two or more cores the two overlap.
   */
  threaded?: boolean;
};


/** At most this many batches wait for the writer thread before producers are held. */
const MAX_OUTSTANDING = 2;

export async function openSnapshotWriter(db: Db, run: StartedRun, options: WriterOptions): Promise<SnapshotWriter> {
  const batchRows = options.batchRows ?? 250_000;
  const batchObjects = options.batchObjects ?? 25_000;
  const cacheKiB = Math.round((options.cacheMb ?? 64) * 1024);
  const plans = insertPlans(run.connectionId, run.gen);
  const file = db.name;
  const canThread = !db.memory && !db.readonly && file !== '' && file !== ':memory:';
  let sink: Sink | null = null;
  if ((options.threaded ?? true) && canThread) {
    try {
      sink = await workerSink(file, plans, cacheKiB);
    } catch {
      // No worker threads here (or the thread cannot open the file): the
      // same inserts run on this connection, just without the overlap.
      sink = null;
    }
  }
  sink ??= inlineSink(db, plans);

  // Inline, this connection does the inserts: give it the bigger cache for
  // the run and put the old size back afterwards (cache_size is per connection).
  const previousCache = db.pragma('cache_size', { simple: true }) as number;
  if (!sink.threaded && cacheKiB > 0 && (previousCache >= 0 || -previousCache < cacheKiB)) db.pragma(`cache_size = -${cacheKiB}`);
  const restoreCache = (): void => {
    if (sink.threaded) return;
    try {
      db.pragma(`cache_size = ${previousCache}`);
    } catch {
      // the connection is closing: nothing to restore
    }
  };

  const buffers = Object.fromEntries(TABLE_ORDER.map((k) => [k, [] as unknown[]])) as Record<TableKey, unknown[]>;
  const added: SnapshotCounts = { users: 0, groups: 0, memberships: 0, apps: 0, appAssignments: 0 };
  let linkRows = 0;
  let objectRows = 0;
  let finished = false;
  let failure: Error | null = null;
  const inFlight = new Set<Promise<void>>();
  let waiters: (() => void)[] = [];

  const throwIfFailed = (): void => {
    if (failure) throw failure;
  };
  const assertOpen = (): void => {
    if (finished) throw new Error(`sync run ${run.runId} is already finished`);
    throwIfFailed();
  };
  /** Hands the buffered rows to the sink as one transaction. */
  const dispatch = (): void => {
    if (linkRows === 0 && objectRows === 0) return;
    const batches: Batch[] = [];
    for (const k of TABLE_ORDER) {
      if (buffers[k].length) {
        batches.push({ table: k, rows: buffers[k] });
        buffers[k] = [];
      }
    }
    linkRows = 0;
    objectRows = 0;
    const p = sink.write(batches).then(
      () => undefined,
      (e: unknown) => {
        failure ??= e instanceof Error ? e : new Error(String(e));
      },
    );
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      if (!finished && !failure && idleWriterWants()) {
        try {
          dispatch();
        } catch {
          // recorded in `failure`; the producer sees it at its next call
        }
      }
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    });
    throwIfFailed(); // inline: a failed insert surfaces right here
  };
  // With a writer thread, an idle thread gets whatever has accumulated (above
  // a floor): batches then size themselves to the two threads' relative
  // speeds, the writing overlaps the fetching, and the last batch, written
  // after the last page arrives, stays small. Measured at 20k users this cut
  // ~0.9 s of tail from a 3 s sync.
  const minThreadBatch = Math.min(batchRows, 20_000);
  const idleWriterWants = (): boolean =>
    sink.threaded && sink.outstanding() === 0 && (linkRows >= minThreadBatch || objectRows >= minThreadBatch / 10);
  const afterAdd = (): void => {
    if (linkRows >= batchRows || objectRows >= batchObjects || idleWriterWants()) dispatch();
  };
  const settle = async (): Promise<void> => {
    dispatch();
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    throwIfFailed();
  };

  const countGen = (): SnapshotCounts => countGeneration(db, run.connectionId, run.gen);


  return {
    run,
    threaded: sink.threaded,
    addIdentities(rows) {
      assertOpen();
      const buf = buffers.identities;
      for (const r of rows) {
        buf.push(
          r.id, r.login, r.email, r.firstName, r.lastName, r.displayName, r.status, r.department, r.title, r.managerId,
          r.location, r.employeeType, r.employeeNumber, r.lastLogin, r.created, r.lastUpdated, r.profile,
        );
      }
      added.users += rows.length;
      objectRows += rows.length;
      afterAdd();
    },
    addGroups(rows) {
      assertOpen();
      const buf = buffers.groups;
      for (const r of rows) {
        buf.push(r.id, r.name, r.description, r.type, r.managedBy, r.managedByName, r.lastMembershipUpdated, r.lastUpdated);
      }
      added.groups += rows.length;
      objectRows += rows.length;
      afterAdd();
    },
    addMemberships(groupId, identityIds) {
      assertOpen();
      if (identityIds.length === 0) return;
      buffers.memberships.push(groupId, JSON.stringify(identityIds));
      added.memberships += identityIds.length;
      linkRows += identityIds.length;
      afterAdd();
    },
    addApps(rows) {
      assertOpen();
      const buf = buffers.apps;
      for (const r of rows) buf.push(r.id, r.name, r.label, r.status, r.signOnMode);
      added.apps += rows.length;
      objectRows += rows.length;
      afterAdd();
    },
    addAppAssignments(rows) {
      assertOpen();
      const buf = buffers.app_assignments;
      for (const r of rows) buf.push(r.appId, r.groupId, r.priority);
      added.appAssignments += rows.length;
      linkRows += rows.length;
      afterAdd();
    },
    addGroupOwners(rows) {
      assertOpen();
      const buf = buffers.group_owners;
      for (const r of rows) buf.push(r.groupId, r.ownerId, r.ownerType);
      linkRows += rows.length;
      afterAdd();
    },
    backpressure() {
      throwIfFailed();
      if (sink.outstanding() < MAX_OUTSTANDING) return null;
      return new Promise<void>((resolve) => waiters.push(resolve)).then(throwIfFailed);
    },
    async resolveManagers(refs) {
      assertOpen();
      if (refs.length === 0) return { resolved: 0, unresolved: 0 };
      await settle();
      const byId = new Set<string>();
      const byKey = new Map<string, string | null>();
      const key = (s: string): string => s.trim().toLowerCase();
      // null marks an ambiguous key (two people share it): better no manager than the wrong one.
      const index = (k: string | null, id: string): void => {
        if (!k) return;
        const kk = key(k);
        const prev = byKey.get(kk);
        byKey.set(kk, prev === undefined || prev === id ? id : null);
      };
      const rows = db
        .prepare('SELECT id, login, email, employee_number, display_name FROM identities WHERE connection_id = ? AND gen = ?')
        .iterate(run.connectionId, run.gen) as IterableIterator<{
        id: string;
        login: string;
        email: string | null;
        employee_number: string | null;
        display_name: string;
      }>;
      for (const r of rows) {
        byId.add(r.id);
        index(r.login, r.id);
        index(r.email, r.id);
        index(r.employee_number, r.id);
        index(r.display_name, r.id);
      }
      const update = db.prepare('UPDATE identities SET manager_id = ? WHERE connection_id = ? AND gen = ? AND id = ?');
      let resolved = 0;
      let unresolved = 0;
      db.transaction(() => {
        for (const { identityId, ref } of refs) {
          const id = byId.has(ref) ? ref : byKey.get(key(ref));
          if (id && id !== identityId) {
            update.run(id, run.connectionId, run.gen, identityId);
            resolved++;
          } else {
            unresolved++;
          }
        }
      }).immediate();
      return { resolved, unresolved };
    },
    async flush() {
      assertOpen();
      await settle();
    },
    added: () => ({ ...added }),
    async commit(totals, extra = {}) {
      assertOpen();
      await settle();
      await sink.close();
      restoreCache();
      const counts = countGen();
      flipLiveGeneration(db, run, options, totals, counts, extra);
      finished = true;
      // The old generation is invisible from here on. Purged in batches after
      // the flip rather than inside it: deleting a million rows would hold the
      // write lock for seconds, and an interrupted purge is harmless (the next
      // run's start removes whatever is left).
      await purgeGenerations(db, run.connectionId, { below: run.gen });
      return counts;
    },
    async abort(reason, totals) {
      if (finished) return;
      finished = true;
      for (const k of TABLE_ORDER) buffers[k] = [];
      // Let a batch the thread is writing finish (or fail) before cleaning up after it.
      await Promise.allSettled([...inFlight]);
      await sink.close().catch(() => undefined);
      restoreCache();
      db.transaction(() => recordRunEnd(db, run, options, 'failed', totals, { ...added }, reason)).immediate();
      await purgeGenerations(db, run.connectionId, { only: run.gen });
    },
  };
}
