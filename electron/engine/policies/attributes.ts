// The population policies are evaluated over: every person of the Directory
// (correlation's person: one person across their Okta and Entra accounts)
// with the attributes conditions test. A person with an HR record (matched
// by employee id, then e-mail, as hr/status.ts matches them) is read from it;
// anyone else from their IdP profile (the person's first account, the one
// the people list shows). Each person says which source won, for the
// explanation of every decision.
//
// Speed (100,000 people): one query per source per evaluation
// (directory/person-attributes.ts, hr/hr-store.ts hrAttributeRows), rows as
// arrays, and the attributes held as columns: per attribute, one code per
// person into a dictionary of the distinct values (each trimmed and
// lower-cased once, not once per person). A condition's test then runs once
// per distinct value, and a person's answer is a table lookup
// (conditions.ts); no object per person.
import { POLICY_ATTRIBUTES, type PersonStatus, type PolicyAttribute } from '../../../shared/contract-policies.js';
import type { Db } from '../db/database.js';
import { accountAttributeRows, accountAttributeRowsOf, accountEmails, employeeIdsInUse, idpConnectionNames, type AccountAttributeRow } from '../directory/person-attributes.js';
import { hrAttributeRows, hrAttributeRowsByKeys, type HrAttributeRow } from '../hr/hr-store.js';
import { statusOn } from '../hr/hr-values.js';

export const ATTRIBUTE_INDEX: Readonly<Record<PolicyAttribute, number>> = Object.fromEntries(POLICY_ATTRIBUTES.map((a, i) => [a, i])) as Record<PolicyAttribute, number>;

/** One attribute of everyone: `codes[person]` into `raw` (as the source has it, trimmed) and `low` (lower-cased); code 0 is "not set". */
export type Column = { codes: Int32Array; raw: (string | null)[]; low: (string | null)[] };

export type Population = {
  size: number;
  /** The Directory's person ids (person_links, or "<connection id>:<identity id>"). */
  ids: string[];
  names: string[];
  emails: (string | null)[];
  /** Where each person's attributes came from: "HR record id:e1001", "Acme Okta profile". */
  sources: string[];
  /** 1 where the attributes came from an HR record. */
  fromHr: Uint8Array;
  /** By ATTRIBUTE_INDEX. */
  columns: Column[];
};

/** Person `i`'s value of an attribute as the source has it (trimmed), or null. */
export const valueOf = (pop: Population, attribute: PolicyAttribute, i: number): string | null => {
  const c = pop.columns[ATTRIBUTE_INDEX[attribute]] as Column;
  return c.raw[c.codes[i] as number] ?? null;
};

const norm = (s: string | null | undefined): string | null => {
  const t = s?.trim().toLowerCase();
  return t ? t : null;
};

/** Builds one column: a dictionary of distinct values, keyed by the text as given. */
class ColumnBuilder {
  private readonly index = new Map<string, number>();
  readonly raw: (string | null)[] = [null];
  readonly low: (string | null)[] = [null];
  readonly codes: Int32Array;
  constructor(size: number) {
    this.codes = new Int32Array(size);
  }
  set(i: number, value: string | null | undefined): void {
    if (value === null || value === undefined) return;
    let code = this.index.get(value);
    if (code === undefined) {
      const t = value.trim();
      code = t === '' ? 0 : this.raw.length;
      if (code !== 0) {
        this.raw.push(t);
        this.low.push(t.toLowerCase());
      }
      this.index.set(value, code);
    }
    this.codes[i] = code;
  }
  build(): Column {
    return { codes: this.codes, raw: this.raw, low: this.low };
  }
}

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

/** A person as tests and small callers give one. */
export type PersonInput = { id: string; name: string; email: string | null; source: string; fromHr?: boolean; values: Partial<Record<PolicyAttribute, string | null>> };

/** A population from people given one by one (tests; a handful of people). */
export function populationOf(people: readonly PersonInput[]): Population {
  const cols = POLICY_ATTRIBUTES.map(() => new ColumnBuilder(people.length));
  people.forEach((p, i) => POLICY_ATTRIBUTES.forEach((a, k) => cols[k]?.set(i, p.values[a] ?? null)));
  return {
    size: people.length,
    ids: people.map((p) => p.id),
    names: people.map((p) => p.name),
    emails: people.map((p) => p.email),
    sources: people.map((p) => p.source),
    fromHr: Uint8Array.from(people.map((p) => (p.fromHr ? 1 : 0))),
    columns: cols.map((c) => c.build()),
  };
}

// Account row fields (directory/person-attributes.ts AccountAttributeRow).
const A_CONN = 0, A_ID = 1, A_PERSON = 2, A_LISTED = 3, A_NAME = 4, A_EMAIL = 5, A_EMPLOYEE = 6, A_DEPT = 7, A_TITLE = 8, A_LOCATION = 9, A_TYPE = 10, A_STATUS = 11, A_MANAGER = 12;

/**
 * The people to evaluate, each once: everyone, or the people named (unknown
 * ids are left out). `today` (YYYY-MM-DD, the engine's clock) decides an HR
 * status (a hire not started yet is pending; a leaver whose day has not come
 * is still active).
 */
export function loadPopulation(db: Db, today: string, personIds?: readonly string[]): Population {
  if (personIds === undefined) {
    // Everyone: the last population read on this connection, while nothing has been written since (the console's
    // what-if runs on every pause in typing; a sync, an HR import or any other write reads it again).
    const key = `${today}|${String(db.pragma('data_version', { simple: true }))}|${String(db.prepare('SELECT total_changes()').pluck().get())}`;
    const held = cached.get(db);
    if (held?.key === key) return held.pop;
    const pop = readPopulation(db, today, undefined);
    cached.set(db, { key, pop });
    return pop;
  }
  return readPopulation(db, today, personIds);
}

/** The last whole population per connection and the state of the file it was read at. */
const cached = new WeakMap<Db, { key: string; pop: Population }>();

/** Drops the population held for this connection (the bench's cold runs). */
export function forgetPopulation(db: Db): void {
  cached.delete(db);
}

function readPopulation(db: Db, today: string, personIds: readonly string[] | undefined): Population {
  const subset = personIds !== undefined;
  const accounts = subset ? accountAttributeRowsOf(db, [...new Set(personIds)]) : accountAttributeRows(db);
  const connectionNames = idpConnectionNames(db);

  // Each person's first listed account (else their first account).
  const primary = new Map<string, AccountAttributeRow>();
  for (const a of accounts) {
    const pid = a[A_PERSON];
    const had = primary.get(pid);
    if (!had || (a[A_LISTED] === 1 && had[A_LISTED] !== 1)) primary.set(pid, a);
  }
  // The keys HR records match by, first account wins (as in hr/status.ts); the e-mail index only when a record is not matched by employee id.
  const keyIndex = (field: number): Map<string, string> => {
    const m = new Map<string, string>();
    for (const a of accounts) {
      const k = norm(a[field] as string | null);
      if (k && !m.has(k)) m.set(k, a[A_PERSON]);
    }
    return m;
  };
  const personByEmployeeId = keyIndex(A_EMPLOYEE);
  let byEmailIndex: Map<string, string> | null = null;
  const personByEmail = (): Map<string, string> => (byEmailIndex ??= keyIndex(A_EMAIL));

  const hrRows = subset ? hrAttributeRowsByKeys(db, [...personByEmployeeId.keys()], [...personByEmail().keys()]) : hrAttributeRows(db);
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
    const byEmail = e ? personByEmail().get(e) : undefined;
    if (!byEmail) continue;
    if (subset && i) byEmailOnly.push([r, byEmail, i]);
    else if (!hrByEmail.has(byEmail)) hrByEmail.set(byEmail, r);
  }
  if (byEmailOnly.length > 0) {
    // A record whose employee id belongs to an account outside the subset is that person's, not this e-mail's (as over the whole population).
    const elsewhere = employeeIdsInUse(db, byEmailOnly.map(([, , i]) => i));
    for (const [r, pid, i] of byEmailOnly) if (!elsewhere.has(i) && !hrByEmail.has(pid)) hrByEmail.set(pid, r);
  }

  // Managers' e-mails, for people read from their IdP profile (the manager may be outside a subset: one query for those).
  let emailIndex: Map<number, Map<string, string | null>> | null = null;
  const managerEmail = (connectionId: number, id: string): string | null => {
    if (!emailIndex) {
      const idx = new Map<number, Map<string, string | null>>();
      for (const a of accounts) {
        let ids = idx.get(a[A_CONN]);
        if (!ids) idx.set(a[A_CONN], (ids = new Map<string, string | null>()));
        ids.set(a[A_ID], a[A_EMAIL]);
      }
      if (subset) {
        const missing = [...primary.values()].filter((a) => a[A_MANAGER] !== null && !idx.get(a[A_CONN])?.has(a[A_MANAGER])).map((a) => ({ connectionId: a[A_CONN], id: a[A_MANAGER] as string }));
        for (const [k, v] of accountEmails(db, missing)) {
          const cut = k.indexOf(':');
          idx.get(Number(k.slice(0, cut)))?.set(k.slice(cut + 1), v);
        }
      }
      emailIndex = idx;
    }
    return emailIndex.get(connectionId)?.get(id) ?? null;
  };

  const size = primary.size;
  const ids = new Array<string>(size);
  const names = new Array<string>(size);
  const emails = new Array<string | null>(size);
  const sources = new Array<string>(size);
  const fromHr = new Uint8Array(size);
  const cols = POLICY_ATTRIBUTES.map(() => new ColumnBuilder(size));
  const [dept, title, location, type, status, manager, start, end] = POLICY_ATTRIBUTES.map((a) => cols[ATTRIBUTE_INDEX[a]] as ColumnBuilder) as [ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder];
  const profileOf = new Map([...connectionNames].map(([id, name]) => [id, `${name} profile`]));
  let k = 0;
  for (const [pid, a] of primary) {
    ids[k] = pid;
    names[k] = a[A_NAME];
    emails[k] = norm(a[A_EMAIL]);
    const hr = hrById.get(pid) ?? hrByEmail.get(pid);
    if (hr) {
      fromHr[k] = 1;
      sources[k] = `HR record ${hr[0]}`;
      dept.set(k, hr[3]);
      title.set(k, hr[4]);
      location.set(k, hr[5]);
      type.set(k, hr[6]);
      status.set(k, statusOn({ status: hr[10], startDate: hr[8], endDate: hr[9] }, today));
      manager.set(k, hr[7]);
      start.set(k, hr[8]);
      end.set(k, hr[9]);
    } else {
      sources[k] = profileOf.get(a[A_CONN]) ?? 'IdP profile';
      dept.set(k, a[A_DEPT]);
      title.set(k, a[A_TITLE]);
      location.set(k, a[A_LOCATION]);
      type.set(k, a[A_TYPE]);
      status.set(k, idpStatus(a[A_STATUS]));
      const m = a[A_MANAGER];
      if (m !== null) manager.set(k, managerEmail(a[A_CONN], m));
    }
    k++;
  }
  return { size, ids, names, emails, sources, fromHr, columns: cols.map((c) => c.build()) };
}
