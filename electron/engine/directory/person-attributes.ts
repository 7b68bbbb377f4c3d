// Every live Okta and Entra account with the profile attributes birthright
// policies test (department, title, location, employment type, status,
// manager) and the keys HR records are matched by (e-mail, employee id, as
// correlation compares them), in one query: policies evaluate 100,000
// people in well under a second by reading the columns once per evaluation,
// never a query per person. Ordered by connection then id, the order
// directory/account-keys.ts gives (the HR matching's first account wins).
import type { Db } from '../db/database.js';

/** One account: [connectionId, connectionName, id, personId, listed, name, email, employeeId, department, title, location, employeeType, status, managerId]. */
export type AccountAttributeRow = [
  connectionId: number,
  connectionName: string,
  identityId: string,
  personId: string,
  listed: number,
  name: string,
  email: string | null,
  employeeId: string | null,
  department: string | null,
  title: string | null,
  location: string | null,
  employeeType: string | null,
  status: string,
  managerId: string | null,
];

const SELECT = `SELECT i.connection_id, c.name, i.id, coalesce(l.person_id, i.connection_id || ':' || i.id), coalesce(l.matched_by IS NULL, 1),
    i.display_name, i.email, i.employee_number, i.department, i.title, i.location, i.employee_type, i.status, i.manager_id
  FROM cur_identities i
  JOIN connections c ON c.id = i.connection_id AND c.kind IN ('okta', 'entra')
  LEFT JOIN person_links l ON l.connection_id = i.connection_id AND l.identity_id = i.id`;

/** Every live account (rows as arrays: no object per row at 100,000 people). */
export function accountAttributeRows(db: Db): AccountAttributeRow[] {
  return db.prepare(`${SELECT} ORDER BY i.connection_id, i.id`).raw().all() as AccountAttributeRow[];
}

/** The live accounts of these people (the Directory's person ids), same shape and order. */
export function accountAttributeRowsOf(db: Db, personIds: readonly string[]): AccountAttributeRow[] {
  if (personIds.length === 0) return [];
  // Driven by the model's index on person: a lookup per account, not a scan of every identity.
  return db
    .prepare(
      `SELECT i.connection_id, c.name, i.id, coalesce(l.person_id, i.connection_id || ':' || i.id), coalesce(l.matched_by IS NULL, 1),
         i.display_name, i.email, i.employee_number, i.department, i.title, i.location, i.employee_type, i.status, i.manager_id
       FROM directory_accounts d
       JOIN cur_identities i ON i.connection_id = d.connection_id AND i.id = d.id
       JOIN connections c ON c.id = i.connection_id AND c.kind IN ('okta', 'entra')
       LEFT JOIN person_links l ON l.connection_id = i.connection_id AND l.identity_id = i.id
       WHERE d.person_id IN (SELECT value FROM json_each(?))
       ORDER BY i.connection_id, i.id`,
    )
    .raw()
    .all(JSON.stringify(personIds)) as AccountAttributeRow[];
}

/** E-mails of managers by "<connection id>:<identity id>" (for a subset's managers, who may be outside it). */
export function accountEmails(db: Db, keys: readonly { connectionId: number; id: string }[]): Map<string, string | null> {
  if (keys.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT i.connection_id || ':' || i.id, i.email FROM json_each(?) j
       JOIN cur_identities i ON i.connection_id = json_extract(j.value, '$[0]') AND i.id = json_extract(j.value, '$[1]')`,
    )
    .raw()
    .all(JSON.stringify(keys.map((k) => [k.connectionId, k.id]))) as [string, string | null][];
  return new Map(rows);
}

/** Whether any live account carries one of these employee ids (trimmed, lower-cased): which of them do. */
export function employeeIdsInUse(db: Db, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = db
    .prepare(
      `SELECT DISTINCT lower(trim(i.employee_number)) FROM cur_identities i JOIN connections c ON c.id = i.connection_id AND c.kind IN ('okta', 'entra')
       WHERE lower(trim(i.employee_number)) IN (SELECT value FROM json_each(?))`,
    )
    .pluck()
    .all(JSON.stringify(ids)) as string[];
  return new Set(rows);
}

/** A person as an exception names them: their id, name and e-mail (their first account). */
export type PersonRef = { personId: string; name: string; email: string | null };

/**
 * The people an e-mail, login or Directory person id names (one, usually;
 * several when an address is shared across people), through the model's
 * indexes on person, e-mail and login.
 */
export function peopleByRef(db: Db, ref: string): PersonRef[] {
  const r = ref.trim();
  const rows = db
    .prepare(
      `SELECT p.person_id, p.display_name, p.email FROM directory_accounts p
       WHERE p.person_id IN (SELECT person_id FROM directory_accounts WHERE person_id = ?1 OR email = ?1 COLLATE NOCASE OR login = ?1 COLLATE NOCASE)
       ORDER BY p.listed DESC, p.connection_id, p.id`,
    )
    .raw()
    .all(r) as [string, string, string | null][];
  const out = new Map<string, PersonRef>();
  for (const [personId, name, email] of rows) if (!out.has(personId)) out.set(personId, { personId, name, email });
  return [...out.values()];
}
