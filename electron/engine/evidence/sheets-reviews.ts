// The access-review sheets: "Reviews", one row per decision (an item decided
// at two stages has two rows; an item never decided has one, empty), and
// "Review campaigns", one row per campaign with its scope, population proof,
// counts and remediation totals. A campaign is in the period when it was
// launched at or before its end and was still open at its start (not yet
// complete or cancelled).
//
// A review of a million items streams: the items are read in id order (the
// rowid: no sort), each joined with its decisions by primary key and its
// remediation, in one statement. Bulk is derived from the decision log
// (every draft with its time): this item's draft was written by the same
// action as another item's (see BULK).
import { connectionNames, periodOf, sameAddress } from './ledger-kit.js';
import { dateCell } from './snapshot-cells.js';
import type { EvidenceRow, EvidenceSheet } from './sheet-types.js';

const CAMPAIGNS_IN_PERIOD = `SELECT c.id FROM review_campaigns c WHERE c.launched_at IS NOT NULL AND c.launched_at <= @to
  AND (c.status IN ('active', 'remediating') OR coalesce(c.completed_at, c.closed_at, c.updated_at) >= @from)`;

type DecisionRowDb = {
  item_id: number;
  campaign_id: number;
  campaign: string;
  campaign_status: string;
  scope: string | null;
  population_hash: string | null;
  population_count: number | null;
  connection_id: number;
  person_name: string;
  person_email: string | null;
  identity_id: string;
  group_name: string;
  group_id: string;
  held_via: string;
  grant_id: number | null;
  row_hash: string;
  reviewer: string;
  reviewer_source: string;
  stage: number | null;
  decision: string | null;
  reason_code: string | null;
  comment: string | null;
  state: string | null;
  decided_by: string | null;
  channel: string | null;
  recorded_by: string | null;
  applied_by_default: number | null;
  decided_at: string | null;
  bulk: number | null;
  rem_kind: string | null;
  rem_status: string | null;
  rem_job_id: number | null;
  rem_done_at: string | null;
  verified_run_id: number | null;
  verified_at: string | null;
  rem_note: string | null;
};

// One action on many items writes their drafts to the log in one statement, so as neighbouring rows: the item's last
// draft has a neighbour (id ± 1, a primary-key lookup) for another item, by the same reviewer, at the same stage and
// instant, with the same word. A workbook or Jira import writes each row's own word the same way, so those channels
// are not bulk. (Searching the whole instant instead is quadratic: a 50,000-item bulk decision shares one instant.)
// A workbook or Jira word goes on the log once, submitted (it was never a draft; older workspaces also have it as a
// draft just before): it counts as the item's last draft, so a bulk console draft it replaced is not taken for it.
const BULK = `(SELECT count(*) FROM (SELECT l.id AS lid, l.at AS lat FROM review_decision_log l
      WHERE l.item_id = d.item_id AND l.stage = d.stage AND (l.state = 'draft' OR l.channel IN ('workbook', 'jira')) ORDER BY l.id DESC LIMIT 1) x
    JOIN review_decision_log o ON o.id IN (x.lid - 1, x.lid + 1)
    WHERE o.campaign_id = d.campaign_id AND o.at = x.lat AND o.state = 'draft' AND o.stage = d.stage AND o.decided_by = d.decided_by
      AND o.decision = d.decision AND o.item_id <> d.item_id AND o.channel NOT IN ('workbook', 'jira'))`;

const DECISION_COLUMN = 17;

export const reviewsSheet: EvidenceSheet = {
  name: 'Reviews',
  query: 'review-decisions-of-campaigns-in-period',
  description:
    'Every item of every access-review campaign open during the period (launched by its end, not complete or cancelled before its start), with each decision ' +
    'on it (one row per stage decided), in item order: the campaign, its scope and population hash, the account and access reviewed as frozen at launch, ' +
    'the assigned reviewer and who actually decided (and who recorded it), the decision, reason, channel, whether given in bulk or applied by default at ' +
    'close, and what the revocation became and the sync run that verified it. Flagged: a reviewer deciding on their own access; a revocation not verified.',
  columns: [
    { header: 'Campaign', type: 'integer' },
    { header: 'Campaign name', type: 'text' },
    { header: 'Scope', type: 'text', width: 40 },
    { header: 'Population hash', type: 'text', width: 20 },
    { header: 'Population count', type: 'integer' },
    { header: 'Item', type: 'integer' },
    { header: 'Connection', type: 'text' },
    { header: 'Person', type: 'text' },
    { header: 'Person e-mail', type: 'text' },
    { header: 'Account ID', type: 'text' },
    { header: 'Group', type: 'text' },
    { header: 'Held via', type: 'text' },
    { header: 'Grant', type: 'integer' },
    { header: 'Item hash', type: 'text', width: 20 },
    { header: 'Assigned reviewer', type: 'text' },
    { header: 'Assigned as', type: 'text' },
    { header: 'Stage', type: 'integer' },
    { header: 'Decision', type: 'text' },
    { header: 'Reason', type: 'text' },
    { header: 'Comment', type: 'text', width: 40 },
    { header: 'Decided by', type: 'text' },
    { header: 'Recorded by', type: 'text' },
    { header: 'Channel', type: 'text' },
    { header: 'State', type: 'text' },
    { header: 'Bulk', type: 'boolean' },
    { header: 'Applied by default', type: 'boolean' },
    { header: 'Decided at (UTC)', type: 'date' },
    { header: 'Remediation', type: 'text' },
    { header: 'Remediation status', type: 'text' },
    { header: 'Remediation job', type: 'integer' },
    { header: 'Removed at (UTC)', type: 'date' },
    { header: 'Verified by sync run', type: 'integer' },
    { header: 'Verified at (UTC)', type: 'date' },
    { header: 'Remediation note', type: 'text', width: 40 },
  ],
  *rows(input) {
    const connection = connectionNames(input.db);
    // The items are the outer loop, read in rowid order (CROSS JOIN fixes the order; the unary + keeps SQLite from
    // reading them through a campaign index instead, which would sort a million rows before the first one is written).
    const stmt = input.db.prepare(
      `SELECT i.id AS item_id, i.campaign_id, c.name AS campaign, c.status AS campaign_status, json_extract(c.definition, '$.scope') AS scope,
              c.population_hash, c.population_count, i.connection_id, i.person_name, i.person_email, i.identity_id, i.group_name, i.group_id, i.held_via,
              i.grant_id, i.row_hash, i.reviewer, i.reviewer_source,
              d.stage, d.decision, d.reason_code, d.comment, d.state, d.decided_by, d.channel, d.recorded_by, d.applied_by_default, d.decided_at,
              CASE WHEN d.item_id IS NOT NULL THEN ${BULK} END AS bulk,
              rr.kind AS rem_kind, rr.status AS rem_status, rr.job_id AS rem_job_id, rr.done_at AS rem_done_at, rr.verified_run_id, rr.verified_at, rr.note AS rem_note
       FROM review_items i CROSS JOIN review_campaigns c ON c.id = i.campaign_id
       LEFT JOIN review_decisions d ON d.item_id = i.id
       LEFT JOIN review_remediations rr ON rr.item_id = i.id
       WHERE +i.campaign_id IN (${CAMPAIGNS_IN_PERIOD})
       ORDER BY i.id, d.stage`,
    );
    for (const r of stmt.iterate(periodOf(input)) as IterableIterator<DecisionRowDb>) {
      const flags: string[] = [];
      if (r.decision !== null && sameAddress(r.decided_by, r.person_email)) flags.push('reviewer decided on their own access');
      if (r.decision === 'revoke' && r.rem_kind === 'revoke' && r.rem_status !== 'verified' && r.rem_status !== 'manual-done') {
        flags.push(`revocation not verified (${r.rem_status ?? 'no remediation'})`);
      }
      if (r.decision === null && (r.campaign_status === 'remediating' || r.campaign_status === 'complete')) flags.push('no decision on a closed campaign');
      yield {
        cells: [
          r.campaign_id,
          r.campaign,
          r.scope,
          r.population_hash,
          r.population_count,
          r.item_id,
          connection(r.connection_id),
          r.person_name,
          r.person_email,
          r.identity_id,
          r.group_name,
          r.held_via,
          r.grant_id,
          r.row_hash,
          r.reviewer,
          r.reviewer_source,
          r.stage,
          r.decision,
          r.reason_code,
          r.comment,
          r.decided_by,
          r.recorded_by,
          r.channel,
          r.state,
          r.bulk === null ? null : r.bulk > 0,
          r.applied_by_default === null ? null : r.applied_by_default === 1,
          dateCell(r.decided_at),
          r.rem_kind,
          r.rem_status,
          r.rem_job_id,
          dateCell(r.rem_done_at),
          r.verified_run_id,
          dateCell(r.verified_at),
          r.rem_note,
        ],
        flags,
      };
    }
  },
  reconcile(input, written) {
    const p = periodOf(input);
    const db = input.db;
    const stored = db.prepare(`SELECT coalesce(sum(c.population_count), 0) FROM review_campaigns c WHERE c.id IN (${CAMPAIGNS_IN_PERIOD})`).pluck().get(p) as number;
    const items = db.prepare(`SELECT count(*) FROM review_items i WHERE i.campaign_id IN (${CAMPAIGNS_IN_PERIOD})`).pluck().get(p) as number;
    const decisions = db.prepare(`SELECT count(*) FROM review_decisions d WHERE d.campaign_id IN (${CAMPAIGNS_IN_PERIOD})`).pluck().get(p) as number;
    const decidedItems = db.prepare(`SELECT count(DISTINCT d.item_id) FROM review_decisions d WHERE d.campaign_id IN (${CAMPAIGNS_IN_PERIOD})`).pluck().get(p) as number;
    return [
      { what: "items of the campaigns against their populations counted at launch", expected: stored, actual: items },
      { what: 'rows: one per decision and one per item never decided', expected: decisions + items - decidedItems, actual: written },
    ];
  },
  sample: { population: 'review decisions', accepts: (row: EvidenceRow) => row.cells[DECISION_COLUMN] !== null },
};

type CampaignDb = {
  id: number;
  name: string;
  status: string;
  scope: string | null;
  created_by: string;
  launched_by: string | null;
  launched_channel: string | null;
  launched_at: string | null;
  due_at: string | null;
  stale_override: string | null;
  population_count: number | null;
  population_hash: string | null;
  population_counts: string | null;
  items: number;
  decisions: number;
  kept: number;
  revoked: number;
  by_default: number;
  revocations: number;
  verified: number;
  closed_by: string | null;
  closed_at: string | null;
  completed_at: string | null;
};

type ConnectionCount = { connectionId: number; name?: string; items: number; snapshotTotal: number; syncRunId?: number | null; syncedAt?: string | null };

export const reviewCampaignsSheet: EvidenceSheet = {
  name: 'Review campaigns',
  query: 'review-campaigns-in-period',
  description:
    'One row per access-review campaign open during the period, in campaign order: scope, who launched it and when, the population frozen at launch (count, ' +
    'SHA-256 over its canonical rows, and per connection the items against the snapshot\'s own total and the sync run it came from), the decisions, ' +
    'revocations and how many were verified, and its close. Flagged: items differing from the population counted at launch; a connection whose items ' +
    'differ from the snapshot total; a launch on stale data (with the reason given).',
  columns: [
    { header: 'Campaign', type: 'integer' },
    { header: 'Name', type: 'text' },
    { header: 'Status', type: 'text' },
    { header: 'Scope', type: 'text', width: 40 },
    { header: 'Created by', type: 'text' },
    { header: 'Launched by', type: 'text' },
    { header: 'Launch channel', type: 'text' },
    { header: 'Launched at (UTC)', type: 'date' },
    { header: 'Due at (UTC)', type: 'date' },
    { header: 'Population count', type: 'integer' },
    { header: 'Population hash', type: 'text', width: 20 },
    { header: 'Population by connection', type: 'text', width: 50 },
    { header: 'Items', type: 'integer' },
    { header: 'Decisions', type: 'integer' },
    { header: 'Kept', type: 'integer' },
    { header: 'Revoked', type: 'integer' },
    { header: 'Applied by default', type: 'integer' },
    { header: 'Revocations', type: 'integer' },
    { header: 'Revocations verified', type: 'integer' },
    { header: 'Closed by', type: 'text' },
    { header: 'Closed at (UTC)', type: 'date' },
    { header: 'Completed at (UTC)', type: 'date' },
    { header: 'Stale data override', type: 'text', width: 40 },
  ],
  *rows(input) {
    const connection = connectionNames(input.db);
    const stmt = input.db.prepare(
      `SELECT c.id, c.name, c.status, json_extract(c.definition, '$.scope') AS scope, c.created_by, c.launched_by, c.launched_channel, c.launched_at, c.due_at,
              c.stale_override, c.population_count, c.population_hash, c.population_counts,
              (SELECT count(*) FROM review_items i WHERE i.campaign_id = c.id) AS items,
              (SELECT count(*) FROM review_decisions d WHERE d.campaign_id = c.id AND d.state = 'submitted') AS decisions,
              (SELECT count(*) FROM review_decisions d WHERE d.campaign_id = c.id AND d.state = 'submitted' AND d.decision = 'keep') AS kept,
              (SELECT count(*) FROM review_decisions d WHERE d.campaign_id = c.id AND d.state = 'submitted' AND d.decision = 'revoke') AS revoked,
              (SELECT count(*) FROM review_decisions d WHERE d.campaign_id = c.id AND d.applied_by_default = 1) AS by_default,
              (SELECT count(*) FROM review_remediations rr WHERE rr.campaign_id = c.id AND rr.kind = 'revoke') AS revocations,
              (SELECT count(*) FROM review_remediations rr WHERE rr.campaign_id = c.id AND rr.kind = 'revoke' AND rr.status IN ('verified', 'manual-done')) AS verified,
              c.closed_by, c.closed_at, c.completed_at
       FROM review_campaigns c WHERE c.id IN (${CAMPAIGNS_IN_PERIOD}) ORDER BY c.id`,
    );
    for (const c of stmt.iterate(periodOf(input)) as IterableIterator<CampaignDb>) {
      const flags: string[] = [];
      const counts = c.population_counts ? (JSON.parse(c.population_counts) as ConnectionCount[]) : [];
      if (c.population_count !== null && c.population_count !== c.items) flags.push(`${c.items} items but ${c.population_count} counted at launch`);
      for (const k of counts) {
        if (k.items !== k.snapshotTotal) flags.push(`${k.name ?? connection(k.connectionId)}: ${k.items} items but the snapshot held ${k.snapshotTotal}`);
      }
      if (c.stale_override) flags.push(`launched on stale data: ${c.stale_override}`);
      const byConnection = counts
        .map((k) => `${k.name ?? connection(k.connectionId)}: ${k.items} of ${k.snapshotTotal}${k.syncRunId ? ` (sync run #${k.syncRunId}${k.syncedAt ? `, ${k.syncedAt}` : ''})` : ''}`)
        .join('; ');
      yield {
        cells: [
          c.id,
          c.name,
          c.status,
          c.scope,
          c.created_by,
          c.launched_by,
          c.launched_channel,
          dateCell(c.launched_at),
          dateCell(c.due_at),
          c.population_count,
          c.population_hash,
          byConnection,
          c.items,
          c.decisions,
          c.kept,
          c.revoked,
          c.by_default,
          c.revocations,
          c.verified,
          c.closed_by,
          dateCell(c.closed_at),
          dateCell(c.completed_at),
          c.stale_override,
        ],
        flags,
      };
    }
  },
  reconcile(input, written) {
    const expected = input.db.prepare(`SELECT count(*) FROM (${CAMPAIGNS_IN_PERIOD})`).pluck().get(periodOf(input)) as number;
    return [{ what: 'campaigns open during the period', expected, actual: written }];
  },
};
