// The People sheet: every IdP account at the period's end (period-end.ts)
// with its status and HR attributes as of then, its manager, when it was
// created and last signed in, and the person the Directory's correlation
// matched it to. One streamed statement per connection, in account-id order.
import type { Db } from '../db/database.js';
import { ANCHOR_CTES, anchoredConnections, periodParams, USER_CTES, userAt } from './period-end.js';
import { dateCell, text } from './snapshot-cells.js';
import type { EvidenceColumn, EvidenceInput, EvidenceRow, EvidenceSheet, Reconciliation } from './sheet-types.js';

/** The accounts of connection @c at @to: live ones that existed then, and ones deleted from the IdP since. */
const ROWS_SQL = `WITH ${ANCHOR_CTES}, ${USER_CTES},
keys AS (
  SELECT i.id FROM identities i LEFT JOIN u_at ua ON ua.connection_id = i.connection_id AND ua.id = i.id
  WHERE i.connection_id = @c AND i.gen = @gen AND coalesce(ua.joined_after, 0) = 0
  UNION ALL
  SELECT ua.id FROM u_at ua WHERE ua.connection_id = @c AND ua.removed_after = 1
    AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.connection_id = @c AND i.gen = @gen AND i.id = ua.id)
)
SELECT k.id, i.id IS NULL AS deleted, i.login, coalesce(i.display_name, ua.name) AS name,
  ${userAt('email')} AS email, ${userAt('status')} AS status, ${userAt('employee_type')} AS employee_type,
  ${userAt('department')} AS department, ${userAt('title')} AS title, ${userAt('manager_id')} AS manager_id,
  mg.display_name AS manager_name, i.created, i.last_login,
  coalesce(l.person_id, CAST(@c AS INTEGER) || ':' || k.id) AS person_id, l.matched_by
FROM keys k
LEFT JOIN identities i ON i.connection_id = @c AND i.gen = @gen AND i.id = k.id
LEFT JOIN u_at ua ON ua.connection_id = @c AND ua.id = k.id
LEFT JOIN identities mg ON mg.connection_id = @c AND mg.gen = @gen AND mg.id = ${userAt('manager_id')}
LEFT JOIN person_links l ON l.connection_id = @c AND l.identity_id = k.id
ORDER BY k.id`;

type Row = {
  id: string;
  deleted: number;
  login: string | null;
  name: string | null;
  email: string | null;
  status: string | null;
  employee_type: string | null;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  manager_name: string | null;
  created: string | null;
  last_login: string | null;
  person_id: string;
  matched_by: string | null;
};

const COLUMNS: readonly EvidenceColumn[] = [
  { header: 'Connection', type: 'text' },
  { header: 'Account id', type: 'text' },
  { header: 'Login', type: 'text', width: 30 },
  { header: 'Name', type: 'text', width: 24 },
  { header: 'E-mail', type: 'text', width: 30 },
  { header: 'Status at period end', type: 'text' },
  { header: 'Employment type', type: 'text' },
  { header: 'Department', type: 'text' },
  { header: 'Title', type: 'text' },
  { header: 'Manager account id', type: 'text' },
  { header: 'Manager', type: 'text', width: 24 },
  { header: 'Created (UTC)', type: 'date' },
  { header: 'Last sign-in, latest sync (UTC)', type: 'date' },
  { header: 'Person (correlation)', type: 'text' },
  { header: 'Matched by', type: 'text' },
  { header: 'Note', type: 'text', width: 30 },
];

function toRow(connection: string, r: Row): EvidenceRow {
  return {
    cells: [
      connection,
      r.id,
      text(r.login),
      text(r.name),
      text(r.email),
      text(r.status),
      text(r.employee_type),
      text(r.department),
      text(r.title),
      text(r.manager_id),
      text(r.manager_name),
      dateCell(r.created),
      dateCell(r.last_login),
      r.person_id,
      text(r.matched_by),
      r.deleted ? 'deleted from the IdP after the period end: only the name and the recorded fields are known' : null,
    ],
  };
}

function* streamRows(db: Db, input: EvidenceInput): Iterable<EvidenceRow> {
  const { to } = periodParams(input);
  const stmt = db.prepare(ROWS_SQL);
  for (const a of anchoredConnections(db, to)) {
    for (const r of stmt.iterate({ to, c: a.connectionId, gen: a.liveGen }) as IterableIterator<Row>) yield toRow(a.name, r);
  }
}

/** The accounts written against the totals each connection's period-end sync run recorded when it finished. */
function reconcile(db: Db, input: EvidenceInput, written: number): Reconciliation[] {
  const anchors = anchoredConnections(db, periodParams(input).to);
  return [{ what: "accounts at period end vs the users counted by each connection's period-end sync run", expected: anchors.reduce((n, a) => n + a.runUsers, 0), actual: written }];
}

export const peopleSheet: EvidenceSheet = {
  name: 'People',
  query: 'people-at-period-end',
  description:
    "Every account in the connected IdPs (Okta, Entra) at the period's end: the snapshot of each connection's last successful sync finished by then, i.e. the live snapshot with the changes later syncs recorded undone (accounts that joined since left out, accounts deleted since put back with what was recorded of them). Status, e-mail, employment type, department, title and manager are as of the period's end; login, name, created, last sign-in and the person the account is matched to across IdPs (the Directory's correlation by e-mail or employee id; an unmatched account is its own person, \"<connection>:<account>\") are as the live snapshot holds them now. Connections with no sync finished by the period's end, and connections since removed from the workspace, are not included. Reconciled with the user totals each connection's period-end sync run recorded. Order: connection, account id.",
  columns: COLUMNS,
  rows: (input) => streamRows(input.db, input),
  reconcile: (input, written) => reconcile(input.db, input, written),
};
