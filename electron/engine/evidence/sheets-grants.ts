// The Grants sheet: the access ledger in the period — each grant created,
// provisioned, due to end or ended in it — with how the access was given (the
// provisioning job's attempts against the IdP), how and why it ended, the
// time from when it was due to end to its removal, and the sync run that
// verified the membership gone.
//
// Verification: an access review's revocation records the run that verified
// it (review_remediations.verified_run_id); expiry and revocation record no
// run, so it is derived the same way for every other ended grant, old or
// new: the first successful sync of the grant's connection that started at
// or after the removal (the removal is patched into the live snapshot at
// once, so that sync compares the IdP with a snapshot without it) verifies
// it, unless that run recorded the membership as added again (then it is
// flagged, as drift flags it). Derived from the file alone, so a
// re-export gives the same answer; no migration or new write is needed.
import type { Db } from '../db/database.js';
import { SUPERSEDED_PREFIX } from '../jobs/grant-store.js';
import { connectionNames, hoursBetween, periodOf } from './ledger-kit.js';
import { dateCell } from './snapshot-cells.js';
import type { EvidenceRow, EvidenceSheet } from './sheet-types.js';

/**
 * How long after it is due a removal still counts as on time: the scheduler
 * queues an expiry on its next tick (every minute) and the revocation job
 * retries a throttled or failing IdP with backoff; an hour covers both with
 * room, and anything later is an exception an auditor should see.
 */
export const REMOVAL_TOLERANCE_HOURS = 1;

type GrantDb = {
  id: number;
  request_id: number | null;
  beneficiary_name: string;
  beneficiary_email: string | null;
  connection_id: number;
  group_name: string;
  group_id: string;
  identity_id: string;
  status: string;
  created_at: string;
  provisioned_at: string | null;
  expires_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  provision_status: string | null;
  provision_attempts: number | null;
  provision_log: string | null;
  revoke_requested_at: string | null;
  review_run_id: number | null;
  review_verified_at: string | null;
  readded_run_id: number | null;
};

/** How a grant ended, in one word an auditor can filter on. */
export function endedHow(g: Pick<GrantDb, 'status' | 'end_reason' | 'provisioned_at'>): string | null {
  switch (g.status) {
    case 'expired':
      return g.provisioned_at === null ? 'expiry (never provisioned)' : 'expiry';
    case 'revoked':
      return g.end_reason?.startsWith('review:') ? 'review' : 'revoke';
    case 'cancelled':
      return g.end_reason?.startsWith(SUPERSEDED_PREFIX) ? 'extended' : 'cancelled';
    default:
      return null;
  }
}

/** When the access was due to end: its expiry, or when its revocation (by hand or by a review) was asked for. */
function dueAt(g: GrantDb, how: string | null): string | null {
  if (how === 'revoke' || how === 'review') return g.revoke_requested_at;
  if (how === 'expiry') return g.expires_at;
  if (how === null) return g.status === 'revoking' && g.revoke_requested_at !== null ? g.revoke_requested_at : g.expires_at;
  return null;
}

/** Successful sync runs per connection in start order, to find the first one after a removal. */
function succeededRuns(db: Db): Map<number, { id: number; startedAt: string }[]> {
  const runs = new Map<number, { id: number; startedAt: string }[]>();
  const rows = db.prepare("SELECT id, connection_id, started_at FROM sync_runs WHERE status = 'succeeded' ORDER BY connection_id, started_at, id").all() as {
    id: number;
    connection_id: number;
    started_at: string;
  }[];
  for (const r of rows) {
    const list = runs.get(r.connection_id) ?? [];
    list.push({ id: r.id, startedAt: r.started_at });
    runs.set(r.connection_id, list);
  }
  return runs;
}

/** The first run that started at or after `at` (binary search over runs in start order). */
function firstRunFrom(runs: readonly { id: number; startedAt: string }[] | undefined, at: string): { id: number; startedAt: string } | null {
  if (!runs) return null;
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((runs[mid] as { startedAt: string }).startedAt < at) lo = mid + 1;
    else hi = mid;
  }
  return runs[lo] ?? null;
}

const IN = (col: string): string => `(${col} >= @from AND ${col} <= @to)`;
const REVOKE_REQUESTED = "(SELECT min(j.created_at) FROM jobs j WHERE j.grant_id = g.id AND j.kind = 'revoke')";
const GRANTS_IN_PERIOD = `${IN('g.created_at')} OR ${IN('g.provisioned_at')} OR ${IN('g.ended_at')} OR ${IN('g.expires_at')} OR ${IN(REVOKE_REQUESTED)}`;
const IN_PERIOD_COLUMN = 9;

export const grantsSheet: EvidenceSheet = {
  name: 'Grants',
  query: 'grants-in-period',
  description:
    'The access ledger in the period: every grant created, provisioned, due to end, asked to be revoked or ended in it, in grant order. Granted: when the IdP ' +
    'call succeeded and the provisioning job\'s attempts. Ended: when and how (expiry, review, revoke, cancelled, extended). Verified: the sync run that no longer ' +
    'saw the membership (recorded by an access review; otherwise the first successful sync of the connection that started at or after the removal, unless it ' +
    `saw the membership again). Flagged: removed more than ${REMOVAL_TOLERANCE_HOURS} h after it was due, or not removed by the period's end though due; ` +
    'ended after being provisioned but never verified by a sync.',
  columns: [
    { header: 'Grant', type: 'integer' },
    { header: 'Request', type: 'integer' },
    { header: 'Beneficiary', type: 'text' },
    { header: 'Beneficiary e-mail', type: 'text' },
    { header: 'Connection', type: 'text' },
    { header: 'Group', type: 'text' },
    { header: 'Group ID', type: 'text' },
    { header: 'Account ID', type: 'text' },
    { header: 'Status', type: 'text' },
    { header: 'In the period', type: 'text' },
    { header: 'Created at (UTC)', type: 'date' },
    { header: 'Provisioned at (UTC)', type: 'date' },
    { header: 'Provisioning job', type: 'text' },
    { header: 'Provisioning attempts', type: 'integer' },
    { header: 'Provisioning attempt log', type: 'text', width: 50 },
    { header: 'Expires at (UTC)', type: 'date' },
    { header: 'Revocation requested at (UTC)', type: 'date' },
    { header: 'Ended at (UTC)', type: 'date' },
    { header: 'Ended how', type: 'text' },
    { header: 'End reason', type: 'text', width: 50 },
    { header: 'Due to end at (UTC)', type: 'date' },
    { header: 'Hours from due to removal', type: 'number' },
    { header: 'Verified by sync run', type: 'integer' },
    { header: 'Verified at (UTC)', type: 'date' },
    { header: 'Verification', type: 'text', width: 40 },
  ],
  *rows(input) {
    const period = periodOf(input);
    const runs = succeededRuns(input.db);
    const connection = connectionNames(input.db);
    const stmt = input.db.prepare(
      `SELECT g.id, g.request_id, g.beneficiary_name, g.beneficiary_email, g.connection_id, g.group_name, g.group_id, g.identity_id, g.status,
              g.created_at, g.provisioned_at, g.expires_at, g.ended_at, g.end_reason,
              p.status AS provision_status, p.attempts AS provision_attempts,
              (SELECT group_concat('#' || a.attempt || ' ' || coalesce(a.outcome, 'running') || coalesce(' HTTP ' || a.http_status, '') || ' at ' || a.started_at, '; ' ORDER BY a.attempt)
                 FROM job_attempts a WHERE a.job_id = p.id) AS provision_log,
              ${REVOKE_REQUESTED} AS revoke_requested_at,
              (SELECT max(rr.verified_run_id) FROM review_remediations rr WHERE rr.grant_id = g.id) AS review_run_id,
              (SELECT max(rr.verified_at) FROM review_remediations rr WHERE rr.grant_id = g.id) AS review_verified_at,
              CASE WHEN g.ended_at IS NOT NULL THEN
                (SELECT min(c.run_id) FROM sync_changes c JOIN sync_runs sr ON sr.id = c.run_id
                  WHERE c.connection_id = g.connection_id AND c.subject_type = 'user' AND c.subject_id = g.identity_id AND c.kind = 'membership-add'
                    AND c.object_id = g.group_id AND sr.status = 'succeeded' AND sr.started_at >= g.ended_at) END AS readded_run_id
       FROM grants g
       LEFT JOIN jobs p ON p.id = (SELECT max(j.id) FROM jobs j WHERE j.grant_id = g.id AND j.kind = 'provision')
       WHERE ${GRANTS_IN_PERIOD}
       ORDER BY g.id`,
    );
    for (const g of stmt.iterate(period) as IterableIterator<GrantDb>) {
      const how = endedHow(g);
      const due = dueAt(g, how);
      const flags: string[] = [];
      const inPeriod = (s: string | null): boolean => s !== null && s >= period.from && s <= period.to;
      const events = [
        inPeriod(g.created_at) || inPeriod(g.provisioned_at) ? 'granted' : null,
        inPeriod(due) ? 'due' : null,
        inPeriod(g.ended_at) ? 'ended' : null,
      ].filter((e): e is string => e !== null);
      const late = REMOVAL_TOLERANCE_HOURS * 3_600_000;
      if (due !== null && g.ended_at !== null && Date.parse(g.ended_at) - Date.parse(due) > late) {
        flags.push(`removed ${hoursBetween(due, g.ended_at)} h after it was due (tolerance ${REMOVAL_TOLERANCE_HOURS} h)`);
      }
      if (due !== null && g.ended_at === null && Date.parse(period.to) - Date.parse(due) > late) flags.push(`not removed by the period's end: due at ${due}`);
      // Verification applies to access that was in the IdP and has been removed from it.
      let verifiedRun: number | null = null;
      let verifiedAt: string | null = null;
      let verification: string | null = null;
      if ((g.status === 'expired' || g.status === 'revoked') && g.provisioned_at !== null && g.ended_at !== null) {
        if (g.review_run_id !== null) {
          verifiedRun = g.review_run_id;
          verifiedAt = g.review_verified_at;
          verification = 'recorded by the access review';
        } else {
          const run = firstRunFrom(runs.get(g.connection_id), g.ended_at);
          if (run === null) {
            verification = 'not verified: no successful sync of the connection since the removal';
            flags.push('ended but never verified by a sync');
          } else if (g.readded_run_id === run.id) {
            verification = `not verified: sync run #${run.id} still showed the membership`;
            flags.push(`ended but sync run #${run.id} still showed the membership`);
          } else {
            verifiedRun = run.id;
            verifiedAt = run.startedAt;
            verification = 'first successful sync after the removal no longer saw it';
          }
        }
      } else if (how !== null) {
        verification = g.provisioned_at === null ? 'nothing to verify: never provisioned' : how === 'extended' ? 'nothing to verify: the membership continues under the extension' : null;
      }
      yield {
        cells: [
          g.id,
          g.request_id,
          g.beneficiary_name,
          g.beneficiary_email,
          connection(g.connection_id),
          g.group_name,
          g.group_id,
          g.identity_id,
          g.status,
          events.join(', '),
          dateCell(g.created_at),
          dateCell(g.provisioned_at),
          g.provision_status,
          g.provision_attempts,
          g.provision_log,
          dateCell(g.expires_at),
          dateCell(g.revoke_requested_at),
          dateCell(g.ended_at),
          how,
          g.end_reason,
          dateCell(due),
          hoursBetween(due, g.ended_at),
          verifiedRun,
          dateCell(verifiedAt),
          verification,
        ],
        flags,
      };
    }
  },
  reconcile(input, written) {
    const expected = input.db.prepare(`SELECT count(*) FROM grants g WHERE ${GRANTS_IN_PERIOD}`).pluck().get(periodOf(input)) as number;
    return [{ what: 'grants created, provisioned, due, asked to be revoked or ended in the period', expected, actual: written }];
  },
  sample: { population: 'new grants', accepts: (row: EvidenceRow) => {
      const events = row.cells[IN_PERIOD_COLUMN];
      return typeof events === 'string' && events.includes('granted');
    }, },
};
