// How a full sync's rows go into SQLite: each snapshot table's columns and
// conflict rule, the INSERT plans of a run (SQL text, so the writer thread
// can prepare them too), the batches and the sink they are handed to, and
// the inline sink that inserts on the caller's own connection. The writer
// thread's sink is snapshot-writer-thread.ts; snapshot-writer.ts decides
// which one a run uses and what goes into each batch.
import type { Db } from '../db/database.js';

type TableSpec = { table: string; columns: readonly string[]; conflict: 'REPLACE' | 'IGNORE'; sortById?: boolean; grouped?: boolean };

const IDENTITY_COLUMNS = [
  'id', 'login', 'email', 'first_name', 'last_name', 'display_name', 'status', 'department', 'title', 'manager_id',
  'location', 'employee_type', 'employee_number', 'last_login', 'created', 'last_updated', 'profile',
] as const;
const GROUP_COLUMNS = ['id', 'name', 'description', 'type', 'managed_by', 'managed_by_name', 'last_membership_updated', 'last_updated'] as const;
const APP_COLUMNS = ['id', 'name', 'label', 'status', 'sign_on_mode'] as const;

// A repeated object (pagination overlap, a user in both status streams) keeps
// its latest copy; a repeated link is the same fact and is skipped.
// Wide rows (identities carry the profile JSON) are inserted in key order:
// fewer page splits in their WITHOUT ROWID B-tree (measured ~15%); the
// two-column link tables showed no gain from sorting and keep arrival order.
// Memberships are buffered grouped, as [groupId, JSON array of member ids]
// pairs: a million separate id strings per sync cost main-thread heap and
// structured-clone time on the way to the writer thread; one string per
// group page is a plain copy.
const SPECS = {
  identities: { table: 'identities', columns: IDENTITY_COLUMNS, conflict: 'REPLACE', sortById: true },
  groups: { table: 'groups', columns: GROUP_COLUMNS, conflict: 'REPLACE' },
  apps: { table: 'apps', columns: APP_COLUMNS, conflict: 'REPLACE' },
  memberships: { table: 'memberships', columns: ['group_id', 'identity_id'], conflict: 'IGNORE', grouped: true },
  app_assignments: { table: 'app_assignments', columns: ['app_id', 'group_id', 'priority'], conflict: 'IGNORE' },
  group_owners: { table: 'group_owners', columns: ['group_id', 'owner_id', 'owner_type'], conflict: 'IGNORE' },
} as const satisfies Record<string, TableSpec>;
export type TableKey = keyof typeof SPECS;
/** Objects before links, as a reader of a partial generation would expect. */
export const TABLE_ORDER: readonly TableKey[] = ['identities', 'groups', 'apps', 'memberships', 'app_assignments', 'group_owners'];

/** SQLite allows 32766 bound parameters; stay well inside and keep statements short. */
const MAX_PARAMS_PER_STATEMENT = 800;

/** The INSERT statements of one table for this run (SQL text, so a worker thread can prepare them too). */
export type InsertPlan = { many: string; one: string; width: number; perStatement: number; sortById: boolean; grouped: boolean };

export function insertPlans(connectionId: number, gen: number): Record<TableKey, InsertPlan> {
  if (!Number.isInteger(connectionId) || !Number.isInteger(gen)) throw new TypeError('connection id and generation must be integers');
  const plans = {} as Record<TableKey, InsertPlan>;
  for (const key of TABLE_ORDER) {
    const spec: TableSpec = SPECS[key];
    const width = spec.columns.length;
    const perStatement = Math.max(1, Math.min(100, Math.floor(MAX_PARAMS_PER_STATEMENT / width)));
    // connection_id and gen are the same for every row of a run: literals, not parameters.
    const tuple = `(${connectionId},${gen},${spec.columns.map(() => '?').join(',')})`;
    const head = `INSERT OR ${spec.conflict} INTO ${spec.table} (connection_id,gen,${spec.columns.join(',')}) VALUES `;
    plans[key] = {
      many: head + Array.from({ length: perStatement }, () => tuple).join(','),
      one: head + tuple,
      width,
      perStatement,
      sortById: spec.sortById ?? false,
      grouped: spec.grouped ?? false,
    };
  }
  return plans;
}

export type Batch = { table: TableKey; rows: unknown[] };

/** Where flushed batches go: this thread's connection, or a worker thread's. */
export type Sink = {
  readonly threaded: boolean;
  /** One transaction for all the batches. */
  write: (batches: Batch[]) => Promise<void>;
  /** Batches handed over and not yet committed. */
  outstanding: () => number;
  close: () => Promise<void>;
};

type Runnable = { run: (params: unknown[]) => unknown };

/** Inserts a flat row array (`width` values per row) with the multi-row statement, the rest one by one. */
function insertRows(stmts: { many: Runnable; one: Runnable }, plan: InsertPlan, input: readonly unknown[]): void {
  const { width, perStatement } = plan;
  let rows = input;
  if (plan.grouped) {
    const flat: unknown[] = [];
    for (let g = 0; g < input.length; g += 2) {
      for (const id of JSON.parse(input[g + 1] as string) as string[]) flat.push(input[g], id);
    }
    rows = flat;
  }
  const n = rows.length / width;
  let order: number[] | null = null;
  if (plan.sortById) {
    order = Array.from({ length: n }, (_, r) => r);
    order.sort((x, y) => {
      const a = rows[x * width] as string;
      const b = rows[y * width] as string;
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }
  const at = (r: number): number => (order ? order[r]! : r) * width;
  const chunk: unknown[] = new Array(perStatement * width);
  let i = 0;
  for (; i + perStatement <= n; i += perStatement) {
    let k = 0;
    for (let r = i; r < i + perStatement; r++) {
      const base = at(r);
      for (let c = 0; c < width; c++) chunk[k++] = rows[base + c];
    }
    stmts.many.run(chunk);
  }
  for (; i < n; i++) stmts.one.run(rows.slice(at(i), at(i) + width));
}

export function inlineSink(db: Db, plans: Record<TableKey, InsertPlan>): Sink {
  // better-sqlite3 binds an array argument positionally, which is how insertRows calls run().
  const stmts = Object.fromEntries(
    TABLE_ORDER.map((k) => [k, { many: db.prepare(plans[k].many), one: db.prepare(plans[k].one) }]),
  ) as unknown as Record<TableKey, { many: Runnable; one: Runnable }>;
  const tx = db.transaction((batches: Batch[]) => {
    for (const b of batches) insertRows(stmts[b.table], plans[b.table], b.rows);
  });
  return {
    threaded: false,
    write(batches) {
      try {
        tx.immediate(batches);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
    outstanding: () => 0,
    close: () => Promise.resolve(),
  };
}
