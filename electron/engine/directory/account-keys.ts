// Every live IdP account with the keys correlation links people by (its
// e-mail and employee id, trimmed and lower-cased the way correlation.ts
// compares them) and the person it belongs to: for areas that match outside
// records to people (the HR source matches HR records by employee id, then
// e-mail), so they use the correlation's keys and persons instead of their own.
import type { Db } from '../db/database.js';

export type AccountKeys = {
  connectionId: number;
  connectionName: string;
  identityId: string;
  /** The Directory's person (person_links, or "<connection id>:<id>" for a person of one account). */
  personId: string;
  /** The person's first account (the row the people list shows). */
  listed: boolean;
  name: string;
  email: string | null;
  employeeId: string | null;
  status: string;
};

const norm = (s: string | null): string | null => {
  const t = s?.trim().toLowerCase();
  return t ? t : null;
};

/** Every live account of the Okta and Entra connections, by connection then id. */
export function liveAccountKeys(db: Db): AccountKeys[] {
  const rows = db
    .prepare(
      `SELECT i.connection_id, c.name AS connection_name, i.id, coalesce(d.person_id, i.connection_id || ':' || i.id) AS person_id,
         coalesce(d.listed, 1) AS listed, i.display_name, i.email, i.employee_number, i.status
       FROM cur_identities i
       JOIN connections c ON c.id = i.connection_id AND c.kind IN ('okta', 'entra')
       LEFT JOIN directory_accounts d ON d.connection_id = i.connection_id AND d.id = i.id
       ORDER BY i.connection_id, i.id`,
    )
    .raw()
    .all() as [number, string, string, string, number, string, string | null, string | null, string][];
  return rows.map(([connectionId, connectionName, identityId, personId, listed, name, email, employeeNumber, status]) => ({
    connectionId,
    connectionName,
    identityId,
    personId,
    listed: listed === 1,
    name,
    email: norm(email),
    employeeId: norm(employeeNumber),
    status,
  }));
}
