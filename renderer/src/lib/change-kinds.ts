// How recorded snapshot changes read in the UI: one label per kind for the
// filter chips, a short one for the per-run summaries, a tone, and the order
// they are listed in (people first, then access, then objects).
import { changeKinds, type ChangeCounts, type ChangeKind, type SnapshotChange, type SyncRunSummary } from '../../../shared/domain.js';
import type { Tone } from './tone.js';
import { formatNumber } from './format.js';

type KindInfo = {
  /** Filter chips and the kind badge, e.g. "Membership adds". */
  label: string;
  /** With a count, in run summaries: "3 joiners", "+12 memberships". */
  short: (n: number) => string;
  tone: Tone;
};

const plural = (n: number, one: string, many: string): string => `${formatNumber(n)} ${n === 1 ? one : many}`;

export const kindInfo: Record<ChangeKind, KindInfo> = {
  joiner: { label: 'Joiners', short: (n) => plural(n, 'joiner', 'joiners'), tone: 'green' },
  leaver: { label: 'Leavers', short: (n) => plural(n, 'leaver', 'leavers'), tone: 'red' },
  status: { label: 'Status changes', short: (n) => plural(n, 'status change', 'status changes'), tone: 'amber' },
  attribute: { label: 'Attribute changes', short: (n) => plural(n, 'attribute change', 'attribute changes'), tone: 'blue' },
  'membership-add': { label: 'Membership adds', short: (n) => `+${plural(n, 'membership', 'memberships')}`, tone: 'green' },
  'membership-remove': { label: 'Membership removes', short: (n) => `−${plural(n, 'membership', 'memberships')}`, tone: 'red' },
  'assignment-add': { label: 'App assignment adds', short: (n) => `+${plural(n, 'app assignment', 'app assignments')}`, tone: 'green' },
  'assignment-remove': { label: 'App assignment removes', short: (n) => `−${plural(n, 'app assignment', 'app assignments')}`, tone: 'red' },
  'group-added': { label: 'Groups added', short: (n) => `+${plural(n, 'group', 'groups')}`, tone: 'violet' },
  'group-removed': { label: 'Groups removed', short: (n) => `−${plural(n, 'group', 'groups')}`, tone: 'violet' },
  'group-changed': { label: 'Groups changed', short: (n) => `${plural(n, 'group', 'groups')} changed`, tone: 'violet' },
  'app-added': { label: 'Apps added', short: (n) => `+${plural(n, 'app', 'apps')}`, tone: 'neutral' },
  'app-removed': { label: 'Apps removed', short: (n) => `−${plural(n, 'app', 'apps')}`, tone: 'neutral' },
  'app-changed': { label: 'Apps changed', short: (n) => `${plural(n, 'app', 'apps')} changed`, tone: 'neutral' },
};

/** The badge in the changes grid: one word or two. */
export const kindBadgeLabel: Record<ChangeKind, string> = {
  joiner: 'Joiner',
  leaver: 'Leaver',
  status: 'Status',
  attribute: 'Attribute',
  'membership-add': 'Membership +',
  'membership-remove': 'Membership −',
  'assignment-add': 'App assignment +',
  'assignment-remove': 'App assignment −',
  'group-added': 'Group added',
  'group-removed': 'Group removed',
  'group-changed': 'Group changed',
  'app-added': 'App added',
  'app-removed': 'App removed',
  'app-changed': 'App changed',
};

export function isChangeKind(value: string): value is ChangeKind {
  return (changeKinds as readonly string[]).includes(value);
}

/** The kinds with a non-zero count, in display order. */
export function countedKinds(counts: ChangeCounts): { kind: ChangeKind; count: number }[] {
  return changeKinds.flatMap((kind) => {
    const count = counts[kind] ?? 0;
    return count > 0 ? [{ kind, count }] : [];
  });
}

export function totalOf(counts: ChangeCounts): number {
  return changeKinds.reduce((sum, k) => sum + (counts[k] ?? 0), 0);
}

/** One line for a run: "3 joiners · 1 leaver · +12 memberships", or why there is none. */
export function describeRunChanges(run: Pick<SyncRunSummary, 'status' | 'baseline' | 'changes' | 'changeCounts'>): string {
  if (run.status === 'running') return 'In progress';
  if (run.status === 'failed') return 'Nothing recorded (the run failed)';
  if (run.baseline) return 'First snapshot: nothing to compare with';
  const parts = countedKinds(run.changeCounts).map(({ kind, count }) => kindInfo[kind].short(count));
  if (parts.length === 0) return run.changes > 0 ? plural(run.changes, 'change', 'changes') : 'No changes';
  return parts.join(' · ');
}

/** The object a change is about, as the Directory shows it. */
export function changeSubjectRoute(c: SnapshotChange): { tab: 'users' | 'groups' | 'apps'; connectionId: number; id: string } {
  const tab = c.subjectType === 'user' ? 'users' : c.subjectType === 'group' ? 'groups' : 'apps';
  return { tab, connectionId: c.connectionId, id: c.subjectId };
}
