// The review grid's model, pure so it is unit-tested and fast at 100,000 items:
// the reviewer's decisions as drafted here (an overlay on the loaded items,
// applied before the engine answers), filtering, sorting (the orders: review-grid-order.ts),
// grouping by person or by app/role, the selection (x, shift+x range)
// and the keys the grid answers to.
import type { ReasonCode, RecommendationReasonCode, Recommendation, ReviewDecision, ReviewItemRow } from '../../../shared/contract-reviews.js';
import { orderBy, orderReady as ready, warmOrders, type SortColumn } from './review-grid-order.js';

/** A decision as the grid shows it: the engine's, or one drafted here and not answered yet. */
export type GridDecision = {
  decision: ReviewDecision;
  reasonCode: ReasonCode | null;
  comment: string | null;
  keepUntil: string | null;
  state: 'draft' | 'submitted';
  /** Sent, the engine has not answered yet. */
  pending: boolean;
};

export type DecisionFilter = 'any' | 'undecided' | 'keep' | 'revoke' | 'draft' | 'submitted';
export type GridFilter = {
  recommendation: Recommendation | 'any';
  decision: DecisionFilter;
  /** An app or role label (or a group name when the group maps to no role); '' = any. */
  app: string;
  reason: RecommendationReasonCode | 'any';
  search: string;
};
export const NO_FILTER: GridFilter = { recommendation: 'any', decision: 'any', app: '', reason: 'any', search: '' };

export type GridSortKey = 'person' | 'access' | 'recommendation' | 'lastLogin' | 'decision' | 'expiry';
export type GridSort = { key: GridSortKey; dir: 'asc' | 'desc' };
export type GroupBy = 'none' | 'person' | 'access';

export type GroupRow = { kind: 'group'; key: string; label: string; sub: string; itemIds: number[]; decided: number };
export type ItemRow = { kind: 'item'; item: ReviewItemRow };
export type DisplayRow = GroupRow | ItemRow;

/** What the access is called in the grid: the catalog role (its label names the app: "App / Role"), else the app, else the IdP group. */
export function accessLabel(item: ReviewItemRow): string {
  const a = item.access;
  return a.roleLabel ?? a.appLabel ?? a.groupName;
}

/** The label the app filter matches. */
export function appOf(item: ReviewItemRow): string {
  return item.access.appLabel ?? item.access.roleLabel ?? item.access.groupName;
}

export function decisionOf(item: ReviewItemRow, overlay: ReadonlyMap<number, GridDecision>): GridDecision | null {
  const local = overlay.get(item.id);
  if (local) return local;
  const d = item.decision;
  if (!d || d.appliedByDefault) return null;
  return { decision: d.decision, reasonCode: d.reasonCode, comment: d.comment, keepUntil: d.keepUntil, state: d.state, pending: false };
}

/** Why a decision needs a reason code before it is sent (the engine refuses it too), or null. */
export function reasonNeeded(item: ReviewItemRow, decision: ReviewDecision): string | null {
  if (decision === 'keep' && item.recommendation === 'revoke') return 'Keeping access recommended for revoke needs a reason.';
  if (decision === 'revoke' && item.access.risk === 'critical') return 'Revoking critical access needs a reason.';
  return null;
}

const RECOMMENDATION_ORDER: Record<Recommendation, number> = { revoke: 0, look: 1, keep: 2 };

/** What each sort column orders by (lib/review-grid-order.ts: text by the collator, blanks last in both directions). */
const COLUMNS: Record<Exclude<GridSortKey, 'decision'>, SortColumn<ReviewItemRow>> = {
  person: { id: 'person', text: true, value: (item) => item.person.name },
  access: { id: 'access', text: true, value: (item) => accessLabel(item) },
  recommendation: { id: 'recommendation', text: false, value: (item) => RECOMMENDATION_ORDER[item.recommendation] },
  lastLogin: { id: 'lastLogin', text: false, value: (item) => item.person.lastLogin },
  expiry: { id: 'expiry', text: false, value: (item) => item.grant?.expiresAt ?? null },
};

/**
 * The order of `items` for a sort key (indices), ties broken by person then id so the order is
 * stable. Cached per items array and key (and built ahead in idle time: warmGridOrders). The
 * decision column's order changes with decisions and is never cached.
 */
export function orderOf(items: readonly ReviewItemRow[], sort: GridSort, overlay: ReadonlyMap<number, GridDecision>): Int32Array {
  if (sort.key === 'decision') {
    const decision: SortColumn<ReviewItemRow> = {
      id: 'decision',
      text: false,
      value: (item) => {
        const d = decisionOf(item, overlay);
        return d === null ? 0 : d.decision === 'keep' ? 1 : 2;
      },
    };
    return orderBy(items, decision, COLUMNS.person, sort.dir, false);
  }
  return orderBy(items, COLUMNS[sort.key], COLUMNS.person, sort.dir);
}

/** Whether a column's order is built already (a sort then costs a lookup). */
export function orderReady(items: readonly ReviewItemRow[], key: Exclude<GridSortKey, 'decision'>, dir: 'asc' | 'desc'): boolean {
  return ready(items, COLUMNS[key], dir);
}

/**
 * Builds every cacheable order of the queue in idle time (the opening order first), so the first
 * click on a column costs what a second one does. Returns a cancel function.
 */
export function warmGridOrders(items: readonly ReviewItemRow[]): () => void {
  const keys = ['lastLogin', 'recommendation', 'access', 'expiry'] as const;
  const wanted = [
    { column: COLUMNS.person, dir: 'asc' as const },
    ...keys.flatMap((k) => (['asc', 'desc'] as const).map((dir) => ({ column: COLUMNS[k], dir }))),
    { column: COLUMNS.person, dir: 'desc' as const },
  ];
  return warmOrders(items, wanted, COLUMNS.person);
}

function matchesDecision(d: GridDecision | null, f: DecisionFilter): boolean {
  switch (f) {
    case 'any':
      return true;
    case 'undecided':
      return d === null;
    case 'keep':
    case 'revoke':
      return d?.decision === f;
    case 'draft':
      return d !== null && d.state === 'draft';
    case 'submitted':
      return d !== null && d.state === 'submitted' && !d.pending;
  }
}

const NO_ITEMS = new Int32Array(0);
/**
 * The positions in `items` a filter keeps, in sort order. With no filter on, the sort's cached
 * order itself: a sort or going back to "Any" then copies nothing.
 */
export function filterOrder(
  items: readonly ReviewItemRow[],
  overlay: ReadonlyMap<number, GridDecision>,
  filter: GridFilter,
  sort: GridSort,
): Int32Array {
  if (items.length === 0) return NO_ITEMS;
  const order = orderOf(items, sort, overlay);
  const search = filter.search.trim().toLowerCase();
  if (filter.recommendation === 'any' && filter.app === '' && filter.reason === 'any' && filter.decision === 'any' && search === '') return order;
  const out = new Int32Array(order.length);
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const at = order[k] as number;
    const item = items[at] as ReviewItemRow;
    if (filter.recommendation !== 'any' && item.recommendation !== filter.recommendation) continue;
    if (filter.app !== '' && appOf(item) !== filter.app) continue;
    if (filter.reason !== 'any' && !item.reasons.some((r) => r.code === filter.reason)) continue;
    if (filter.decision !== 'any' && !matchesDecision(decisionOf(item, overlay), filter.decision)) continue;
    if (search !== '') {
      const hay = `${item.person.name}\u0000${item.person.email ?? ''}\u0000${accessLabel(item)}\u0000${item.access.groupName}`.toLowerCase();
      if (!hay.includes(search)) continue;
    }
    out[n++] = at;
  }
  return out.subarray(0, n);
}

/** The items at these positions. */
export function itemsAt(items: readonly ReviewItemRow[], order: Int32Array): ReviewItemRow[] {
  const out = new Array<ReviewItemRow>(order.length);
  for (let k = 0; k < order.length; k++) out[k] = items[order[k] as number] as ReviewItemRow;
  return out;
}

/** The items a filter keeps, in sort order. */
export function filterItems(items: readonly ReviewItemRow[], overlay: ReadonlyMap<number, GridDecision>, filter: GridFilter, sort: GridSort): ReviewItemRow[] {
  return itemsAt(items, filterOrder(items, overlay, filter, sort));
}

const itemRowsOf = new WeakMap<readonly ReviewItemRow[], ItemRow[]>();
const rowsOfOrder = new WeakMap<Int32Array, ItemRow[]>();
/**
 * Ungrouped display rows for positions in `items`: one row object per item, made once per items
 * array (a row the grid has rendered stays the same object), and one list per order (a cached
 * sort order gives back the list it gave before).
 */
export function itemRowsAt(items: readonly ReviewItemRow[], order: Int32Array): ItemRow[] {
  const known = rowsOfOrder.get(order);
  if (known) return known;
  let all = itemRowsOf.get(items);
  if (!all) itemRowsOf.set(items, (all = items.map((item) => ({ kind: 'item', item }))));
  const out = new Array<ItemRow>(order.length);
  for (let k = 0; k < order.length; k++) out[k] = all[order[k] as number] as ItemRow;
  rowsOfOrder.set(order, out);
  return out;
}

/**
 * Rows as the grid shows them: the items, or under `groupBy` a header row per
 * person (or per app/role) followed by its items. Groups come in the order
 * their first item has in the sorted list, so a sort still orders the groups.
 */
export function displayRows(items: readonly ReviewItemRow[], groupBy: GroupBy, overlay: ReadonlyMap<number, GridDecision>): DisplayRow[] {
  if (groupBy === 'none') return items.map((item) => ({ kind: 'item', item }));
  const groups = new Map<string, { label: string; sub: string; items: ReviewItemRow[] }>();
  for (const item of items) {
    const key = groupBy === 'person' ? `${item.connectionId}:${item.identityId}` : accessLabel(item);
    let g = groups.get(key);
    if (!g) {
      const label = groupBy === 'person' ? item.person.name : accessLabel(item);
      const sub = groupBy === 'person' ? [item.person.title, item.person.department].filter(Boolean).join(' · ') : item.access.groupName;
      groups.set(key, (g = { label, sub, items: [] }));
    }
    g.items.push(item);
  }
  const out: DisplayRow[] = [];
  for (const [key, g] of groups) {
    let decided = 0;
    for (const it of g.items) if (decisionOf(it, overlay) !== null) decided++;
    out.push({ kind: 'group', key, label: g.label, sub: g.sub, itemIds: g.items.map((i) => i.id), decided });
    for (const item of g.items) out.push({ kind: 'item', item });
  }
  return out;
}

/** The item ids a display row stands for (a group: all of its items). */
export function idsOf(row: DisplayRow | undefined): number[] {
  if (!row) return [];
  return row.kind === 'item' ? [row.item.id] : row.itemIds;
}

/** `x`: toggles the row (a group: all of its items, on if any was off). */
export function toggleSelection(selected: ReadonlySet<number>, row: DisplayRow | undefined): Set<number> {
  const next = new Set(selected);
  const ids = idsOf(row);
  const allOn = ids.length > 0 && ids.every((id) => next.has(id));
  for (const id of ids) {
    if (allOn) next.delete(id);
    else next.add(id);
  }
  return next;
}

/** shift+x: selects every row between the anchor (the last row toggled) and this one, both included. */
export function selectRange(selected: ReadonlySet<number>, rows: readonly DisplayRow[], anchor: number, to: number): Set<number> {
  const next = new Set(selected);
  if (rows.length === 0) return next;
  const clamp = (i: number): number => Math.max(0, Math.min(rows.length - 1, i));
  const [a, b] = [clamp(anchor < 0 ? to : anchor), clamp(to)].sort((x, y) => x - y) as [number, number];
  for (let i = a; i <= b; i++) for (const id of idsOf(rows[i])) next.add(id);
  return next;
}

export type KeyAction = 'down' | 'up' | 'keep' | 'revoke' | 'comment' | 'select' | 'range' | 'help' | 'submit';

/** What a key pressed on the grid does (arrows are the grid's own); null: not ours. */
export function keyAction(key: string, mods: { shift: boolean; ctrl: boolean; alt: boolean; meta: boolean }): KeyAction | null {
  if (mods.ctrl || mods.alt || mods.meta) return null;
  switch (key) {
    case 'j':
      return 'down';
    case 'k':
      return 'up';
    case 'a':
      return 'keep';
    case 'r':
      return 'revoke';
    case 'c':
      return 'comment';
    case 'x':
      return 'select';
    case 'X':
      return mods.shift ? 'range' : 'select';
    case '?':
      return 'help';
    default:
      return null;
  }
}

export const KEY_HELP: readonly [string, string][] = [
  ['j / ↓', 'next row'],
  ['k / ↑', 'previous row'],
  ['a', 'keep'],
  ['r', 'revoke'],
  ['c', 'comment, reason, keep until…'],
  ['x', 'select the row (a group header: its items)'],
  ['shift + x', 'select from the last selected row to here'],
  ['?', 'show these keys'],
];

/** Applies a decision to the overlay for these items (optimistic), returning the new overlay. */
export function withDecision(
  overlay: ReadonlyMap<number, GridDecision>,
  ids: readonly number[],
  d: Omit<GridDecision, 'state' | 'pending'>,
): Map<number, GridDecision> {
  const next = new Map(overlay);
  const entry: GridDecision = { ...d, state: 'draft', pending: true };
  for (const id of ids) next.set(id, entry);
  return next;
}

/** Counts for the Submit button and the toolbar: drafts not yet submitted, decided, total. */
export function countDecisions(items: readonly ReviewItemRow[], overlay: ReadonlyMap<number, GridDecision>): { drafts: number; decided: number; total: number } {
  let drafts = 0;
  let decided = 0;
  for (const item of items) {
    const d = decisionOf(item, overlay);
    if (d === null) continue;
    decided++;
    if (d.state === 'draft') drafts++;
  }
  return { drafts, decided, total: items.length };
}
