// The review grid's sort orders over the whole queue (100,000 items), pure apart from the idle
// scheduler at the end. Order: the column's value (text by the console's collator: accents and
// case folded, numbers inside text by value; dates and numbers by value), blanks last in both
// directions, then the person's name, then the item id (stable). Every order is built in small
// steps (a generator yields between them), so the same work runs either in the browser's idle
// time after the queue arrives (warmOrders: the first click on a column then finds its order
// ready) or at once when a sort needs an order not finished yet (it goes on from where idle time
// left it). Orders are cached per items array and key.
import { collator } from './local-pages.js';

export type SortValue = string | number | null;
export type SortDir = 'asc' | 'desc';
/** Each item's rank among the distinct values, ascending; equal values (for text: equal under the collator) share a rank; blanks rank `distinct`. */
export type Ranked = { rank: Int32Array; distinct: number };
/** Steps of work; a step may yield HEAVY to say the next one is a single longer piece (a 100,000-number sort). */
type Steps<R> = Generator<typeof HEAVY | void, R, void>;
const HEAVY = 'heavy';

const compareText = (a: SortValue, b: SortValue): number => collator.compare(String(a), String(b));
const compareValue = (a: SortValue, b: SortValue): number => ((a as string | number) < (b as string | number) ? -1 : (a as string | number) > (b as string | number) ? 1 : 0);
const isBlank = (v: SortValue): boolean => v === null || v === '';

/** Items (or compares) handled between two yields: well under a millisecond each. */
const SLICE = 4096;
/** Idle time a heavy step waits for. */
const HEAVY_MS = 15;
/** Runs sorted at once before merging (a plain sort of 512 values is ~0.1 ms). */
const RUN = 512;

/** Runs steps to the end. */
function finish<R>(g: Steps<R>): R {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** A bottom-up merge sort that yields every SLICE values merged: 20,000 names under the collator are tens of ms in one go. */
function* mergeSortSteps<V>(xs: V[], cmp: (a: V, b: V) => number): Steps<V[]> {
  const n = xs.length;
  for (let lo = 0; lo < n; lo += RUN) {
    const run = xs.slice(lo, lo + RUN).sort(cmp);
    for (let k = 0; k < run.length; k++) xs[lo + k] = run[k] as V;
    yield;
  }
  let src = xs;
  let dst = new Array<V>(n);
  let work = 0;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        // Stable: on a tie the left run's value goes first.
        if (i < mid && (j >= hi || cmp(src[i] as V, src[j] as V) <= 0)) dst[k] = src[i++] as V;
        else dst[k] = src[j++] as V;
        if (++work === SLICE) {
          work = 0;
          yield;
        }
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** The last ranking of each column's distinct values: a queue read again (after a submit, another channel's decisions) mostly holds the same ones. */
const lastRanking = new Map<string, { rankOf: ReadonlyMap<string | number, number>; distinct: number }>();

/**
 * Ranks `n` values (read through `valueOf`): text by the collator, otherwise by value; blanks last.
 * With `memo` (a column id): when the distinct values are exactly those ranked last time under
 * that id, their ranks are taken over instead of sorted again.
 */
function* rankSteps(valueOf: (i: number) => SortValue, n: number, text: boolean, memo?: string): Steps<Ranked> {
  const values = new Array<SortValue>(n);
  const index = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const v = valueOf(i);
    values[i] = v;
    if (v !== null && v !== '' && !index.has(v)) index.set(v, 0);
    if (i % SLICE === SLICE - 1) yield;
  }
  const last = memo === undefined ? undefined : lastRanking.get(memo);
  let same = last !== undefined && last.rankOf.size === index.size;
  if (same) {
    for (const v of index.keys()) {
      if (!last?.rankOf.has(v)) {
        same = false;
        break;
      }
    }
  }
  let distinct: number;
  if (same && last) {
    for (const v of index.keys()) index.set(v, last.rankOf.get(v) as number);
    distinct = last.distinct;
  } else {
    const cmp = text ? compareText : compareValue;
    const sorted = yield* mergeSortSteps<string | number>([...index.keys()], cmp);
    let r = -1;
    for (let k = 0; k < sorted.length; k++) {
      const v = sorted[k] as string | number;
      if (k === 0 || cmp(sorted[k - 1] as string | number, v) !== 0) r++;
      index.set(v, r);
      if (k % SLICE === SLICE - 1) yield;
    }
    distinct = r + 1;
    if (memo !== undefined) lastRanking.set(memo, { rankOf: new Map(index), distinct });
  }
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] as SortValue;
    rank[i] = v === null || v === '' ? distinct : (index.get(v) as number);
    if (i % SLICE === SLICE - 1) yield;
  }
  return { rank, distinct };
}

const SPAN = 2 ** 17;
/**
 * The order (indices) by key rank (blanks last in both directions), then name rank, then id. Up
 * to 131,071 items in id order: one numeric sort of (key rank, name rank, index) packed in a
 * double (3 × 17 bits), no comparator. Otherwise a comparator sort of the same three.
 */
function* orderSteps(key: Ranked, names: Int32Array, ids: (i: number) => number, n: number, dir: SortDir, strategy: 'auto' | 'comparator' = 'auto'): Steps<Int32Array> {
  const order = new Int32Array(n);
  let idOrdered = strategy === 'auto' && n < SPAN;
  for (let i = 1; idOrdered && i < n; i++) if (ids(i - 1) >= ids(i)) idOrdered = false;
  const { rank, distinct } = key;
  if (idOrdered) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let r = rank[i] as number;
      if (dir === 'desc' && r < distinct) r = distinct - 1 - r;
      packed[i] = (r * SPAN + (names[i] as number)) * SPAN + i;
    }
    yield HEAVY;
    packed.sort();
    yield;
    for (let i = 0; i < n; i++) order[i] = (packed[i] as number) % SPAN;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  const sign = dir === 'desc' ? -1 : 1;
  order.sort((a, b) => {
    const x = rank[a] as number;
    const y = rank[b] as number;
    if (x !== y) return x === distinct ? 1 : y === distinct ? -1 : (x - y) * sign;
    const na = names[a] as number;
    const nb = names[b] as number;
    if (na !== nb) return na - nb;
    return ids(a) - ids(b);
  });
  return order;
}

/**
 * The order of `keys` (one per item; `text`: compared by the collator) with `names` (each item's
 * name rank) and the items' ids breaking ties. `strategy: 'comparator'` forces the comparator sort
 * the packed one must agree with (tests).
 */
export function sortOrder(keys: readonly SortValue[], names: Int32Array, items: readonly { id: number }[], dir: SortDir, opts: { text?: boolean; strategy?: 'auto' | 'comparator' } = {}): Int32Array {
  const ranked = finish(rankSteps((i) => keys[i] ?? null, keys.length, opts.text ?? typeof keys.find((k) => !isBlank(k ?? null)) === 'string'));
  return finish(orderSteps(ranked, names, (i) => (items[i] as { id: number }).id, keys.length, dir, opts.strategy));
}

/** Work that goes on in steps until it has its value; `complete()` finishes it at once. */
class Job<R> {
  private readonly steps: Steps<R>;
  value: R | undefined;
  done = false;
  /** The next step is one longer piece: idle time starts it only with room for it. */
  heavyNext = false;
  constructor(steps: Steps<R>) {
    this.steps = steps;
  }
  /** One step; true once done. */
  step(): boolean {
    if (!this.done) {
      const r = this.steps.next();
      if (r.done) {
        this.value = r.value;
        this.done = true;
      }
      this.heavyNext = !r.done && r.value === HEAVY;
    }
    return this.done;
  }
  complete(): R {
    while (!this.step());
    return this.value as R;
  }
  /** As steps of another job: waits (yielding) until this one is done. */
  *await(): Generator<void, R, void> {
    while (!this.step()) yield;
    return this.value as R;
  }
}

/** What orders the items: the value each item sorts by for one column, and whether it is text. */
export type SortColumn<T> = { id: string; text: boolean; value: (item: T) => SortValue };

type Jobs = { ranks: Map<string, Job<Ranked>>; orders: Map<string, Job<Int32Array>> };
const jobsByItems = new WeakMap<readonly unknown[], Jobs>();

function jobsOf(items: readonly unknown[]): Jobs {
  let jobs = jobsByItems.get(items);
  if (!jobs) jobsByItems.set(items, (jobs = { ranks: new Map(), orders: new Map() }));
  return jobs;
}

function rankJob<T>(items: readonly T[], column: SortColumn<T>): Job<Ranked> {
  const { ranks } = jobsOf(items);
  let job = ranks.get(column.id);
  if (!job) ranks.set(column.id, (job = new Job(rankSteps((i) => column.value(items[i] as T), items.length, column.text, column.id))));
  return job;
}

function orderJob<T extends { id: number }>(items: readonly T[], column: SortColumn<T>, name: SortColumn<T>, dir: SortDir): Job<Int32Array> {
  const { orders } = jobsOf(items);
  const id = `${column.id}:${dir}`;
  let job = orders.get(id);
  if (!job) {
    const key = rankJob(items, column);
    const names = rankJob(items, name);
    orders.set(
      id,
      (job = new Job(
        (function* () {
          const k = yield* key.await();
          const nm = yield* names.await();
          return yield* orderSteps(k, nm.rank, (i) => (items[i] as T).id, items.length, dir);
        })(),
      )),
    );
  }
  return job;
}

/**
 * The order of `items` by `column` (ties: `name`'s rank, then id), cached per items array unless
 * `cache` is false (an order that follows something else, e.g. the decisions). Finishes at once
 * whatever idle time has not.
 */
export function orderBy<T extends { id: number }>(items: readonly T[], column: SortColumn<T>, name: SortColumn<T>, dir: SortDir, cache = true): Int32Array {
  if (cache) return orderJob(items, column, name, dir).complete();
  const names = rankJob(items, name).complete();
  return finish(orderSteps(finish(rankSteps((i) => column.value(items[i] as T), items.length, column.text)), names.rank, (i) => (items[i] as T).id, items.length, dir));
}

/** Whether the order is ready (built already): a sort then costs a lookup. */
export function orderReady<T extends { id: number }>(items: readonly T[], column: SortColumn<T>, dir: SortDir): boolean {
  return jobsByItems.get(items)?.orders.get(`${column.id}:${dir}`)?.done === true;
}

/**
 * Builds these orders in the browser's idle time only (never forced by a timeout: a reviewer
 * pressing keys goes first), in the order given, a step of well under a millisecond at a time; the
 * one longer step of each order (its 100,000-number sort, ~10 ms) waits for an idle period with
 * room for it. A sort asked before then finishes the rest at once. Returns a cancel function.
 * Without requestIdleCallback (tests in Node) it does nothing: orders are then built when asked.
 */
export function warmOrders<T extends { id: number }>(items: readonly T[], wanted: readonly { column: SortColumn<T>; dir: SortDir }[], name: SortColumn<T>): () => void {
  if (typeof requestIdleCallback !== 'function') return () => undefined;
  const jobs = wanted.map((w) => orderJob(items, w.column, name, w.dir));
  let handle = 0;
  let cancelled = false;
  const run = (deadline: IdleDeadline): void => {
    while (!cancelled) {
      const job = jobs.find((j) => !j.done);
      if (!job) return;
      // A sort of 100,000 numbers (~10 ms) waits for an idle period with room for it (a key held down leaves short ones).
      if (deadline.timeRemaining() < (job.heavyNext ? HEAVY_MS : 3)) break;
      job.step();
    }
    if (!cancelled) handle = requestIdleCallback(run);
  };
  handle = requestIdleCallback(run);
  return () => {
    cancelled = true;
    cancelIdleCallback(handle);
  };
}
