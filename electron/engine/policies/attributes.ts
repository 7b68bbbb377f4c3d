// The population policies are evaluated over: every person of the Directory
// (correlation's person: one person across their Okta and Entra accounts)
// with the attributes conditions test. A person with an HR record (matched
// by employee id, then e-mail, as hr/status.ts matches them) is read from it;
// anyone else from their IdP profile (the person's first account, the one
// the people list shows). Each person says which source won, for the
// explanation of every decision.
//
// Speed: one query per source per evaluation (directory/person-attributes.ts,
// hr/hr-store.ts hrAttributeRows), rows as arrays; each value is lower-cased
// once here so compiled predicates compare strings without work per test.
import { POLICY_ATTRIBUTES, type PersonStatus, type PolicyAttribute } from '../../../shared/contract-policies.js';
import type { Db } from '../db/database.js';
import { accountAttributeRows, accountAttributeRowsOf, accountEmails, employeeIdsInUse, type AccountAttributeRow } from '../directory/person-attributes.js';
import { hrAttributeRows, hrAttributeRowsByKeys, type HrAttributeRow } from '../hr/hr-store.js';
import { statusOn } from '../hr/hr-values.js';

export const ATTRIBUTE_INDEX: Readonly<Record<PolicyAttribute, number>> = Object.fromEntries(POLICY_ATTRIBUTES.map((a, i) => [a, i])) as Record<PolicyAttribute, number>;

export type Person = {
  /** The Directory's person id (person_links, or "<connection id>:<identity id>"). */
  id: string;
  name: string;
  email: string | null;
  source: 'hr' | 'idp';
  /** Where the attributes came from, as the explanation says it: "HR record id:e1001", "Okta profile (Acme Okta)". */
  sourceLabel: string;
  /** Values by ATTRIBUTE_INDEX as the source has them (null: not set). */
  raw: (string | null)[];
  /** The same, trimmed and lower-cased (what equals / in / starts_with compare). */
  low: (string | null)[];
};

const norm = (s: string | null | undefined): string | null => {
  const t = s?.trim().toLowerCase();
  return t ? t : null;
};
const clean = (s: string | null | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

/** An IdP account state as a person status (Okta's lifecycle states; Entra's ACTIVE / DISABLED). */
export function idpStatus(status: string): PersonStatus {
  switch (status.toUpperCase()) {
    case 'STAGED':
    case 'PROVISIONED':
      return 'pending';
    case 'SUSPENDED':
    case 'DISABLED':
      return 'suspended';
    case 'DEPROVISIONED':
      return 'terminated';
    default:
      // ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY: the person is employed and can sign in (or will).
      return 'active';
  }
}

function person(id: string, name: string, email: string | null, source: Person['source'], sourceLabel: string, raw: (string | null)[]): Person {
  return { id, name, email, source, sourceLabel, raw, low: raw.map(norm) };
}

function fromHr(id: string, name: string, email: string | null, r: HrAttributeRow, today: string): Person {
  const [key, , , department, title, location, employmentType, managerEmail, startDate, endDate, status] = r;
  const raw = new Array<string | null>(POLICY_ATTRIBUTES.length);
  raw[ATTRIBUTE_INDEX.department] = clean(department);
  raw[ATTRIBUTE_INDEX.title] = clean(title);
  raw[ATTRIBUTE_INDEX.location] = clean(location);
  raw[ATTRIBUTE_INDEX.employment_type] = clean(employmentType);
  raw[ATTRIBUTE_INDEX.status] = statusOn({ status, startDate, endDate }, today);
  raw[ATTRIBUTE_INDEX.manager] = norm(managerEmail);
  raw[ATTRIBUTE_INDEX.start_date] = startDate;
  raw[ATTRIBUTE_INDEX.end_date] = endDate;
  return person(id, name, email, 'hr', `HR record ${key}`, raw);
}

function fromIdp(a: AccountAttributeRow, managerEmail: string | null): Person {
  const [, connectionName, , personId, , name, email, , department, title, location, employeeType, status] = a;
  const raw = new Array<string | null>(POLICY_ATTRIBUTES.length);
  raw[ATTRIBUTE_INDEX.department] = clean(department);
  raw[ATTRIBUTE_INDEX.title] = clean(title);
  raw[ATTRIBUTE_INDEX.location] = clean(location);
  raw[ATTRIBUTE_INDEX.employment_type] = clean(employeeType);
  raw[ATTRIBUTE_INDEX.status] = idpStatus(status);
  raw[ATTRIBUTE_INDEX.manager] = norm(managerEmail);
  raw[ATTRIBUTE_INDEX.start_date] = null;
  raw[ATTRIBUTE_INDEX.end_date] = null;
  return person(personId, name, norm(email), 'idp', `${connectionName} profile`, raw);
}

/**
 * The people to evaluate, each once: everyone, or the people named (unknown
 * ids are left out). `today` (YYYY-MM-DD, the engine's clock) decides an HR
 * status (a hire not started yet is pending; a leaver whose day has not come
 * is still active).
 */
export function loadPopulation(db: Db, today: string, personIds?: readonly string[]): Person[] {
  const subset = personIds !== undefined;
  const accounts = subset ? accountAttributeRowsOf(db, [...new Set(personIds)]) : accountAttributeRows(db);

  // Each person's first listed account (else their first account), and the keys HR records match by (first account wins, as in hr/status.ts).
  const primary = new Map<string, AccountAttributeRow>();
  const personByEmployeeId = new Map<string, string>();
  const personByEmail = new Map<string, string>();
  const emailOf = new Map<string, string | null>();
  for (const a of accounts) {
    const [cid, , iid, pid, listed, , email, employeeId] = a;
    const had = primary.get(pid);
    if (!had || (listed === 1 && had[4] !== 1)) primary.set(pid, a);
    const e = norm(email);
    const i = norm(employeeId);
    if (i && !personByEmployeeId.has(i)) personByEmployeeId.set(i, pid);
    if (e && !personByEmail.has(e)) personByEmail.set(e, pid);
    emailOf.set(`${cid}:${iid}`, email);
  }
  if (subset) {
    // Managers outside the subset: their e-mails in one query.
    const missing = [...primary.values()].filter((a) => a[13] !== null && !emailOf.has(`${a[0]}:${a[13]}`)).map((a) => ({ connectionId: a[0], id: a[13] as string }));
    for (const [k, v] of accountEmails(db, missing)) emailOf.set(k, v);
  }

  const hrRows = subset ? hrAttributeRowsByKeys(db, [...personByEmployeeId.keys()], [...personByEmail.keys()]) : hrAttributeRows(db);
  // A person named by two records takes the first matched by employee id, else the first matched by e-mail.
  const hrById = new Map<string, HrAttributeRow>();
  const hrByEmail = new Map<string, HrAttributeRow>();
  const byEmailOnly: [HrAttributeRow, string, string][] = [];
  for (const r of hrRows) {
    const i = norm(r[1]);
    const byId = i ? personByEmployeeId.get(i) : undefined;
    if (byId) {
      if (!hrById.has(byId)) hrById.set(byId, r);
      continue;
    }
    const e = norm(r[2]);
    const byEmail = e ? personByEmail.get(e) : undefined;
    if (!byEmail) continue;
    if (subset && i) byEmailOnly.push([r, byEmail, i]);
    else if (!hrByEmail.has(byEmail)) hrByEmail.set(byEmail, r);
  }
  if (byEmailOnly.length > 0) {
    // A record whose employee id belongs to an account outside the subset is that person's, not this e-mail's (as over the whole population).
    const elsewhere = employeeIdsInUse(db, byEmailOnly.map(([, , i]) => i));
    for (const [r, pid, i] of byEmailOnly) if (!elsewhere.has(i) && !hrByEmail.has(pid)) hrByEmail.set(pid, r);
  }

  const people: Person[] = [];
  for (const [pid, a] of primary) {
    const hr = hrById.get(pid) ?? hrByEmail.get(pid);
    if (hr) people.push(fromHr(pid, a[5], norm(a[6]), hr, today));
    else people.push(fromIdp(a, a[13] === null ? null : (emailOf.get(`${a[0]}:${a[13]}`) ?? null)));
  }
  return people;
}
