// The Leavers sheet: accounts deactivated, suspended, disabled or deleted in
// the IdP in the period, as the syncs recorded them (sync_changes: a
// 'leaver', or a status change into SUSPENDED), and how fast their access
// went: the grants Latchkey managed for the account, live when the leaver was
// detected, ended; and the account's memberships of catalog-mapped groups
// removed (recorded by later syncs) — each measured from the detecting sync
// run's start, which is when Latchkey could first know. Within the deadline
// means removed at most leaverDeadlineHours after (exactly the deadline is
// within; a millisecond more is late). The runs of the period drive the
// query (CROSS JOIN) and their changes are read by (run, kind): the millions
// of membership changes of other kinds are never scanned.
//
// Then one row per leaver plan effective in the period (an HR termination,
// processed "on or after the effective date"): measured from the effective
// date (midnight UTC) to the plan's last removal, the plan's removal steps
// counted as its grants and memberships; still open steps are access still
// held. A backdated leaver therefore shows the hours HR's delay cost.
import { leaverPlansBetween } from '../plans/plan-store.js';
import { connectionNames, hoursBetween, periodOf } from './ledger-kit.js';
import { dateCell } from './snapshot-cells.js';
import type { EvidenceSheet } from './sheet-types.js';

type LeaverDb = {
  seq: number;
  connection_id: number;
  subject_id: string;
  subject_name: string | null;
  kind: string;
  before: string | null;
  after: string | null;
  run_id: number;
  detected_at: string;
  grants_live: number;
  grants_open: number;
  grants_removed_at: string | null;
  memberships_removed: number;
  memberships_removed_at: string | null;
  memberships_held: number;
};

// A grant the account held or was about to hold when the leaver was detected (not one that ended without ever reaching the IdP).
const LIVE_AT_DETECTION = `FROM grants g WHERE g.connection_id = c.connection_id AND g.identity_id = c.subject_id AND g.created_at <= r.started_at
  AND (g.ended_at IS NULL OR (g.ended_at >= r.started_at AND g.provisioned_at IS NOT NULL))`;
// Memberships of mapped groups the syncs saw removed from the detecting run on.
const MAPPED_REMOVALS = `FROM sync_changes m JOIN sync_runs r2 ON r2.id = m.run_id
  WHERE m.connection_id = c.connection_id AND m.subject_type = 'user' AND m.subject_id = c.subject_id AND m.kind = 'membership-remove'
    AND r2.status = 'succeeded' AND r2.started_at >= r.started_at
    AND EXISTS (SELECT 1 FROM catalog_mappings cm WHERE cm.connection_id = m.connection_id AND cm.group_id = m.object_id)`;
const LEAVERS_IN_PERIOD = `c.subject_type = 'user' AND (c.kind = 'leaver' OR (c.kind = 'status' AND c.after = 'SUSPENDED'))
  AND r.status = 'succeeded' AND r.started_at >= @from AND r.started_at <= @to`;

const eventOf = (l: LeaverDb): string =>
  l.kind === 'status' ? 'suspended' : l.after === null ? 'deleted from the IdP' : l.after === 'DISABLED' ? 'disabled' : 'deactivated';

export const leaversSheet: EvidenceSheet = {
  name: 'Leavers',
  query: 'leavers-in-period',
  description:
    'Every account a sync found deactivated, disabled, suspended or deleted in the IdP during the period (the detecting run started in it), in detection ' +
    'order: when, when the last grant Latchkey managed for it ended and when its last membership of a catalog-mapped group was seen removed, the hours ' +
    'from detection to removal and whether that is within the deadline; then every leaver plan (an HR termination) effective in the period, measured from ' +
    'its effective date to its last removal. Flagged: removed after the deadline; access still held.',
  columns: [
    { header: 'Connection', type: 'text' },
    { header: 'Account ID', type: 'text' },
    { header: 'Name', type: 'text' },
    { header: 'Event', type: 'text' },
    { header: 'Status before', type: 'text' },
    { header: 'Status after', type: 'text' },
    { header: 'Detected by sync run', type: 'integer' },
    { header: 'Detected at (UTC)', type: 'date' },
    { header: 'Latchkey grants live at detection', type: 'integer' },
    { header: 'Last grant ended at (UTC)', type: 'date' },
    { header: 'Grants not ended', type: 'integer' },
    { header: 'Mapped-group memberships removed', type: 'integer' },
    { header: 'Last mapped membership removed at (UTC)', type: 'date' },
    { header: 'Mapped-group memberships still held', type: 'integer' },
    { header: 'Access removed at (UTC)', type: 'date' },
    { header: 'Hours taken', type: 'number' },
    { header: 'Deadline (hours)', type: 'number' },
    { header: 'Within deadline', type: 'boolean' },
  ],
  *rows(input) {
    const deadlineMs = input.leaverDeadlineHours * 3_600_000;
    const connection = connectionNames(input.db);
    const stmt = input.db.prepare(
      `SELECT c.seq, c.connection_id, c.subject_id, c.subject_name, c.kind, c.before, c.after, r.id AS run_id, r.started_at AS detected_at,
              (SELECT count(*) ${LIVE_AT_DETECTION}) AS grants_live,
              (SELECT count(*) ${LIVE_AT_DETECTION} AND g.ended_at IS NULL) AS grants_open,
              (SELECT max(g.ended_at) ${LIVE_AT_DETECTION}) AS grants_removed_at,
              (SELECT count(*) ${MAPPED_REMOVALS}) AS memberships_removed,
              (SELECT max(r2.started_at) ${MAPPED_REMOVALS}) AS memberships_removed_at,
              (SELECT count(*) FROM cur_memberships h WHERE h.connection_id = c.connection_id AND h.identity_id = c.subject_id
                 AND EXISTS (SELECT 1 FROM catalog_mappings cm WHERE cm.connection_id = h.connection_id AND cm.group_id = h.group_id)) AS memberships_held
       FROM sync_runs r CROSS JOIN sync_changes c ON c.run_id = r.id AND c.kind IN ('leaver', 'status')
       WHERE ${LEAVERS_IN_PERIOD}
       ORDER BY r.started_at, c.seq`,
    );
    for (const l of stmt.iterate(periodOf(input)) as IterableIterator<LeaverDb>) {
      const flags: string[] = [];
      const stillHeld = l.grants_open > 0 || l.memberships_held > 0;
      const removals = [l.grants_removed_at, l.memberships_removed_at].filter((s): s is string => s !== null).sort();
      const removedAt = stillHeld ? null : (removals.at(-1) ?? null);
      let within: boolean | null;
      if (stillHeld) {
        within = false;
        flags.push(`access not removed: ${l.grants_open} grant(s) not ended, ${l.memberships_held} mapped-group membership(s) still held`);
      } else if (removedAt === null) {
        within = true; // nothing to remove
      } else {
        within = Date.parse(removedAt) - Date.parse(l.detected_at) <= deadlineMs;
        if (!within) flags.push(`access removed ${hoursBetween(l.detected_at, removedAt)} h after detection, deadline ${input.leaverDeadlineHours} h`);
      }
      yield {
        cells: [
          connection(l.connection_id),
          l.subject_id,
          l.subject_name,
          eventOf(l),
          l.before,
          l.after,
          l.run_id,
          dateCell(l.detected_at),
          l.grants_live,
          dateCell(l.grants_removed_at),
          l.grants_open,
          l.memberships_removed,
          dateCell(l.memberships_removed_at),
          l.memberships_held,
          dateCell(removedAt),
          hoursBetween(l.detected_at, removedAt),
          input.leaverDeadlineHours,
          within,
        ],
        flags,
      };
    }
    const period = periodOf(input);
    for (const p of leaverPlansBetween(input.db, period.from, period.to)) {
      const flags: string[] = [];
      const stillHeld = p.open > 0 || p.status === 'waiting' || p.status === 'running';
      const removedAt = stillHeld ? null : p.last_removal_at;
      let within: boolean | null;
      if (stillHeld) {
        within = false;
        flags.push(`access not removed: leaver plan #${p.id} is ${p.status}, ${p.open} removal(s) not done`);
      } else if (removedAt === null) {
        within = true; // nothing to remove
      } else {
        within = Date.parse(removedAt) - Date.parse(p.effective_at) <= deadlineMs;
        if (!within) flags.push(`access removed ${hoursBetween(p.effective_at, removedAt)} h after the effective date, deadline ${input.leaverDeadlineHours} h`);
      }
      yield {
        cells: [
          'HR',
          p.person_email ?? p.person_id,
          p.person_name,
          `HR leaver (plan #${p.id}, ${p.status})`,
          null,
          'terminated',
          null,
          dateCell(p.effective_at),
          p.removals - p.memberships_removed,
          dateCell(p.last_removal_at),
          p.open,
          p.memberships_removed,
          dateCell(p.last_removal_at),
          p.open,
          dateCell(removedAt),
          hoursBetween(p.effective_at, removedAt),
          input.leaverDeadlineHours,
          within,
        ],
        flags,
      };
    }
  },
  reconcile(input, written) {
    const period = periodOf(input);
    const expected = input.db.prepare(`SELECT count(*) FROM sync_runs r JOIN sync_changes c ON c.run_id = r.id WHERE ${LEAVERS_IN_PERIOD}`).pluck().get(period) as number;
    const plans = leaverPlansBetween(input.db, period.from, period.to).length;
    return [{ what: 'leavers recorded by syncs that started in the period, and leaver plans effective in it', expected: expected + plans, actual: written }];
  },
  sample: { population: 'leavers', accepts: () => true },
};
