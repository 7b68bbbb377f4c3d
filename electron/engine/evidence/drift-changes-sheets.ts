// The Drift sheet (access outside the process the drift check found, jobs/
// drift.ts: when first seen, whether it was still open at the period's end,
// how, when and by whom it was resolved) and the Changes sheet (what the
// syncs that finished in the period recorded: counts per kind, then the
// rows, capped).
import type { Db } from '../db/database.js';
import { IDP_KINDS_SQL, periodParams } from './period-end.js';
import { dateCell, jiraCell, text } from './snapshot-cells.js';
import type { EvidenceColumn, EvidenceInput, EvidenceRow, EvidenceSheet, Reconciliation } from './sheet-types.js';

// ---------------------------------------------------------------------------------------------
// Drift

/** Drift findings that were open at some instant of the period: detected by its end, not resolved before its start. */
const DRIFT_SCOPE = 'd.detected_at <= @to AND (d.resolved_at IS NULL OR d.resolved_at >= @from)';

const DRIFT_SQL = `
SELECT d.id, d.kind, c.name AS connection_name, d.group_id, coalesce(g.group_name, (SELECT x.name FROM cur_groups x WHERE x.connection_id = d.connection_id AND x.id = d.group_id)) AS group_name,
  d.identity_id, coalesce(g.beneficiary_name, (SELECT x.display_name FROM cur_identities x WHERE x.connection_id = d.connection_id AND x.id = d.identity_id)) AS person_name,
  d.grant_id, g.request_id, rq.jira_issue_key AS jira_key, jc.base_url AS jira_site, d.detected_at,
  CASE WHEN d.resolved_at <= @to THEN d.resolved_at END AS resolved_at,
  CASE WHEN d.resolved_at <= @to THEN d.resolution END AS resolution,
  CASE WHEN d.resolved_at <= @to THEN (SELECT json_array(ae.actor, ae.channel) FROM audit_events ae
    WHERE ae.target_type = 'drift' AND ae.target_id = CAST(d.id AS TEXT) AND ae.action = 'drift.resolved' ORDER BY ae.seq LIMIT 1) END AS resolved_by
FROM drift d
JOIN connections c ON c.id = d.connection_id
LEFT JOIN grants g ON g.id = d.grant_id
LEFT JOIN requests rq ON rq.id = g.request_id
LEFT JOIN connections jc ON jc.id = rq.jira_connection_id
WHERE ${DRIFT_SCOPE}
ORDER BY d.id`;

type DriftRow = {
  id: number;
  kind: string;
  connection_name: string;
  group_id: string;
  group_name: string | null;
  identity_id: string;
  person_name: string | null;
  grant_id: number | null;
  request_id: number | null;
  jira_key: string | null;
  jira_site: string | null;
  detected_at: string;
  resolved_at: string | null;
  resolution: string | null;
  resolved_by: string | null;
};

const KIND_TEXT: Readonly<Record<string, string>> = {
  reappeared: 'reappeared: a membership Latchkey removed is back',
  missing: "missing: an active grant's membership is gone from the IdP",
  'expired-still-member': 'expired, still a member: the revocation has not gone through',
};

const DRIFT_COLUMNS: readonly EvidenceColumn[] = [
  { header: 'Drift', type: 'integer' },
  { header: 'Kind', type: 'text', width: 40 },
  { header: 'Connection', type: 'text' },
  { header: 'Group id', type: 'text' },
  { header: 'Group', type: 'text', width: 28 },
  { header: 'Account id', type: 'text' },
  { header: 'Person', type: 'text', width: 24 },
  { header: 'Grant', type: 'integer' },
  { header: 'Request', type: 'integer' },
  { header: 'Jira', type: 'link' },
  { header: 'First seen (UTC)', type: 'date' },
  { header: 'Open at period end', type: 'boolean' },
  { header: 'Resolved at (UTC)', type: 'date' },
  { header: 'Resolved how', type: 'text', width: 40 },
  { header: 'Resolved by', type: 'text', width: 24 },
  { header: 'Channel', type: 'text' },
];

function driftRow(r: DriftRow): EvidenceRow {
  const by = r.resolved_by ? (JSON.parse(r.resolved_by) as [string, string]) : null;
  const open = r.resolved_at === null;
  const flags: string[] = [];
  if (open) flags.push(`drift #${r.id} (${r.kind}) still open at period end`);
  if (!open && r.resolution?.startsWith('accepted')) flags.push(`drift #${r.id} (${r.kind}) accepted rather than fixed: ${r.resolution}`);
  const cells = [
    r.id,
    KIND_TEXT[r.kind] ?? r.kind,
    r.connection_name,
    r.group_id,
    text(r.group_name),
    r.identity_id,
    text(r.person_name),
    r.grant_id,
    r.request_id,
    jiraCell(r.jira_key, r.jira_site),
    dateCell(r.detected_at),
    open,
    dateCell(r.resolved_at),
    text(r.resolution),
    by ? by[0] : null,
    by ? by[1] : null,
  ];
  return flags.length > 0 ? { cells, flags } : { cells };
}

export const driftSheet: EvidenceSheet = {
  name: 'Drift',
  query: 'drift-in-period',
  description:
    "Every drift finding open at some time in the period (first seen by the period's end, not resolved before its start): where the IdP and the grant ledger disagreed after a sync, i.e. access held outside the process (a membership Latchkey removed that came back; an expired grant still a member) or a grant whose membership was removed outside Latchkey. Resolution columns show what happened by the period's end: when, how (no longer found by a later sync, fixed, or accepted, with the note) and by whom through which channel (from the audit log). Flagged: findings still open at the period's end, and findings accepted rather than fixed. Order: drift id.",
  columns: DRIFT_COLUMNS,
  *rows(input: EvidenceInput) {
    for (const r of input.db.prepare(DRIFT_SQL).iterate(periodParams(input)) as IterableIterator<DriftRow>) yield driftRow(r);
  },
  reconcile(input: EvidenceInput, written: number): Reconciliation[] {
    const p = periodParams(input);
    // Counted from the table's other side: every finding, less those first seen after the period and those resolved before it.
    const expected = input.db
      .prepare('SELECT (SELECT count(*) FROM drift) - (SELECT count(*) FROM drift WHERE detected_at > @to) - (SELECT count(*) FROM drift WHERE detected_at <= @to AND resolved_at < @from)')
      .pluck()
      .get(p) as number;
    return [{ what: 'drift findings open in the period', expected, actual: written }];
  },
};

// ---------------------------------------------------------------------------------------------
// Changes

/** Change rows listed at most (the summary counts always cover every change of the period). */
export const CHANGES_CAP = 200_000;

/** The runs of the period: IdP syncs that finished within it (their changes became the snapshot then). */
const RUNS_IN_PERIOD = `SELECT r.id FROM sync_runs r JOIN connections c ON c.id = r.connection_id
  WHERE c.kind IN ${IDP_KINDS_SQL} AND r.finished_at >= @from AND r.finished_at <= @to`;

// Order: run, kind, seq — the run index (run_id, kind) read in order, no sort.
const CHANGES_SQL = `
SELECT s.run_id, r.finished_at, c.name AS connection_name, s.kind, s.subject_type, s.subject_id, s.subject_name, s.object_id, s.object_name, s.field, s.before, s.after
FROM sync_changes s JOIN sync_runs r ON r.id = s.run_id JOIN connections c ON c.id = s.connection_id
WHERE s.run_id IN (${RUNS_IN_PERIOD})
ORDER BY s.run_id, s.kind, s.seq
LIMIT @cap`;

const COUNTS_SQL = `SELECT kind, count(*) AS n FROM sync_changes WHERE run_id IN (${RUNS_IN_PERIOD}) GROUP BY kind ORDER BY kind`;

type ChangeRow = {
  run_id: number;
  finished_at: string;
  connection_name: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_name: string | null;
  object_id: string | null;
  object_name: string | null;
  field: string | null;
  before: string | null;
  after: string | null;
};

const CHANGE_COLUMNS: readonly EvidenceColumn[] = [
  { header: 'Section', type: 'text' },
  { header: 'Sync run', type: 'integer' },
  { header: 'Run finished (UTC)', type: 'date' },
  { header: 'Connection', type: 'text' },
  { header: 'Kind', type: 'text' },
  { header: 'Subject type', type: 'text' },
  { header: 'Subject id', type: 'text' },
  { header: 'Subject', type: 'text', width: 24 },
  { header: 'Object id', type: 'text' },
  { header: 'Object', type: 'text', width: 24 },
  { header: 'Field', type: 'text' },
  { header: 'Before', type: 'text', width: 20 },
  { header: 'After', type: 'text', width: 20 },
  { header: 'Count', type: 'integer' },
];

const blank = (n: number): null[] => Array.from({ length: n }, () => null);

/** The Changes sheet listing at most `cap` change rows (CHANGES_CAP in the workbook; smaller in tests). */
export function changesSheetCapped(cap: number): EvidenceSheet {
  const counts = (db: Db, p: { from: string; to: string }): { kind: string; n: number }[] => db.prepare(COUNTS_SQL).all(p) as { kind: string; n: number }[];
  return {
    name: 'Changes',
    query: 'sync-changes-in-period',
    description: `What the syncs that finished in the period recorded (joiners, leavers, status and attribute changes, memberships and app assignments added and removed, groups and apps added, removed and changed). First a summary: one row per kind with its count over every change of the period (Section "summary"); then the changes themselves (Section "change") ordered by sync run, kind and recording order, at most ${cap.toLocaleString('en-US')} of them: when there are more, a last row (Section "note") says how many were left out, and the summary still counts them all. Changes Latchkey itself made between syncs (provisioning, revocation) are in the Grants sheet, not here.`,
    columns: CHANGE_COLUMNS,
    *rows(input: EvidenceInput) {
      const p = periodParams(input);
      const summary = counts(input.db, p);
      const total = summary.reduce((n, s) => n + s.n, 0);
      for (const s of summary) yield { cells: ['summary', null, null, null, s.kind, ...blank(8), s.n] };
      for (const r of input.db.prepare(CHANGES_SQL).iterate({ ...p, cap }) as IterableIterator<ChangeRow>) {
        yield {
          cells: ['change', r.run_id, dateCell(r.finished_at), r.connection_name, r.kind, r.subject_type, r.subject_id, text(r.subject_name), text(r.object_id), text(r.object_name), text(r.field), text(r.before), text(r.after), null],
        };
      }
      if (total > cap) {
        yield { cells: ['note', null, null, null, `${(total - cap).toLocaleString('en-US')} more changes not listed (capped at ${cap.toLocaleString('en-US')} rows; the summary counts all ${total.toLocaleString('en-US')})`, ...blank(8), total - cap] };
      }
    },
    reconcile(input: EvidenceInput, written: number): Reconciliation[] {
      const p = periodParams(input);
      const summary = counts(input.db, p);
      const summed = summary.reduce((n, s) => n + s.n, 0);
      // An independent count of the period's changes (no grouping), against the summary and against the rows listed.
      const total = input.db.prepare(`SELECT count(*) FROM sync_changes WHERE run_id IN (${RUNS_IN_PERIOD})`).pluck().get(p) as number;
      const listed = written - summary.length - (total > cap ? 1 : 0);
      return [
        { what: 'changes recorded in the period (summary counts)', expected: total, actual: summed },
        { what: `change rows listed (at most ${cap.toLocaleString('en-US')})`, expected: Math.min(total, cap), actual: listed },
      ];
    },
  };
}

export const changesSheet: EvidenceSheet = changesSheetCapped(CHANGES_CAP);
