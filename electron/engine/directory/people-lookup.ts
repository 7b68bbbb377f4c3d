// People as the requests area needs them: the beneficiary's account (from an
// account ref or an e-mail/login), every address a person is known by across
// IdPs (self-approval must hold whichever account someone signs in with),
// their manager's address, and the people search of the "New request" form.
import type { BeneficiaryAccount, BeneficiaryOption, BeneficiaryRef } from '../../../shared/contract-requests.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { accountsForKeys } from './people.js';
import { accountMatch } from './model.js';
import { keyOf } from '../db/query-kit.js';

export const normEmail = (s: string | null | undefined): string | null => {
  const t = s?.trim().toLowerCase();
  return t ? t : null;
};

/** An account a request can be for. */
export type Beneficiary = {
  connectionId: number;
  identityId: string;
  email: string | null;
  login: string;
  name: string;
  status: string;
  employeeType: string | null;
  managerId: string | null;
};

type IdentityDbRow = {
  connection_id: number;
  id: string;
  email: string | null;
  login: string;
  display_name: string;
  status: string;
  employee_type: string | null;
  manager_id: string | null;
};

const IDENTITY_SELECT = `SELECT i.connection_id, i.id, i.email, i.login, i.display_name, i.status, i.employee_type, i.manager_id FROM cur_identities i`;

/** Accounts that cannot receive access: gone from the IdP (Okta) or switched off (Entra). */
const INACTIVE_STATUSES = new Set(['DEPROVISIONED', 'DISABLED']);

const toBeneficiary = (r: IdentityDbRow): Beneficiary => ({
  connectionId: r.connection_id,
  identityId: r.id,
  email: normEmail(r.email),
  login: r.login,
  name: r.display_name,
  status: r.status,
  employeeType: r.employee_type,
  managerId: r.manager_id,
});

export function identityByKey(db: Db, connectionId: number, id: string): Beneficiary | null {
  const row = db.prepare(`${IDENTITY_SELECT} WHERE i.connection_id = ? AND i.id = ?`).get(connectionId, id) as IdentityDbRow | undefined;
  return row ? toBeneficiary(row) : null;
}

/**
 * Accounts by e-mail or login, case-insensitively. One scan of the live
 * identities per call: callers resolving many addresses (a CSV import) use
 * `addressIndex` instead.
 */
export function identitiesByAddress(db: Db, address: string): Beneficiary[] {
  const a = address.trim().toLowerCase();
  const rows = db
    .prepare(`${IDENTITY_SELECT} WHERE lower(i.email) = ? OR lower(i.login) = ? ORDER BY i.connection_id, i.id`)
    .all(a, a) as IdentityDbRow[];
  return rows.map(toBeneficiary);
}

export type AddressIndex = (address: string) => Beneficiary[];

/** Every live account by lower-cased e-mail and login, loaded once (for imports of many rows). */
export function addressIndex(db: Db): AddressIndex {
  const map = new Map<string, Beneficiary[]>();
  for (const row of db.prepare(`${IDENTITY_SELECT} ORDER BY i.connection_id, i.id`).iterate() as IterableIterator<IdentityDbRow>) {
    const b = toBeneficiary(row);
    for (const k of new Set([b.email, b.login.trim().toLowerCase()])) {
      if (!k) continue;
      const list = map.get(k) ?? [];
      list.push(b);
      map.set(k, list);
    }
  }
  return (address) => map.get(address.trim().toLowerCase()) ?? [];
}

/**
 * The account a request is for. By address, a person with accounts in
 * several IdPs is one match: the account in a connection the role maps
 * groups in is preferred (provisioning finds the others through
 * correlation). Two different people with the address in one IdP cannot be
 * told apart: an error asks for the account itself.
 */
export function resolveBeneficiary(
  db: Db,
  ref: BeneficiaryRef,
  opts: { preferConnections?: readonly number[]; lookup?: AddressIndex } = {},
): Beneficiary {
  let found: Beneficiary;
  if ('connectionId' in ref) {
    const b = identityByKey(db, ref.connectionId, ref.identityId);
    if (!b) throw new UserError(`beneficiary not in the snapshot: no user "${ref.identityId}" in connection #${ref.connectionId} (sync it, or check the id)`, 'not-found');
    found = b;
  } else {
    const all = (opts.lookup ?? ((a: string) => identitiesByAddress(db, a)))(ref.email);
    if (all.length === 0) throw new UserError(`beneficiary not in the snapshot: nobody with the e-mail or login "${ref.email.trim()}" (sync first, or check the spelling)`, 'not-found');
    const usable = all.filter((b) => !INACTIVE_STATUSES.has(b.status.toUpperCase()));
    const pool = usable.length > 0 ? usable : all;
    const perConnection = new Map<number, number>();
    for (const b of pool) perConnection.set(b.connectionId, (perConnection.get(b.connectionId) ?? 0) + 1);
    if ([...perConnection.values()].some((n) => n > 1)) {
      throw new UserError(`"${ref.email.trim()}" matches several accounts in one identity provider: pick the person from the list instead`, 'bad-input');
    }
    const prefer = opts.preferConnections ?? [];
    found = pool.find((b) => prefer.includes(b.connectionId)) ?? (pool[0] as Beneficiary);
  }
  if (INACTIVE_STATUSES.has(found.status.toUpperCase())) {
    throw new UserError(`${found.name} (${found.email ?? found.login}) is ${found.status.toLowerCase()} in the identity provider: access cannot be requested for them`, 'bad-input');
  }
  return found;
}

/** Every account of the person (theirs first); the account alone when it left the snapshot. */
export function personAccounts(db: Db, connectionId: number, id: string): Beneficiary[] {
  const accounts = accountsForKeys(db, [[connectionId, id]]).get(keyOf(connectionId, id)) ?? [];
  const out: Beneficiary[] = [];
  for (const a of accounts) {
    const b = identityByKey(db, a.connectionId, a.id);
    if (b) out.push(b);
  }
  return out;
}

/** Every address (e-mails, and logins that look like one) of the person, lower-cased, plus `extra`. */
export function addressesOfPerson(db: Db, connectionId: number, id: string, extra: (string | null)[] = []): Set<string> {
  const out = new Set<string>();
  for (const b of personAccounts(db, connectionId, id)) {
    if (b.email) out.add(b.email);
    if (b.login.includes('@')) out.add(b.login.trim().toLowerCase());
  }
  for (const e of extra) {
    const n = normEmail(e);
    if (n) out.add(n);
  }
  return out;
}

/** Every address of whoever signs in as `address` (the address itself when they are not in the snapshot). */
export function addressesOf(db: Db, address: string): Set<string> {
  const self = normEmail(address);
  const out = new Set<string>(self ? [self] : []);
  if (!self) return out;
  for (const b of identitiesByAddress(db, self)) for (const a of addressesOfPerson(db, b.connectionId, b.identityId)) out.add(a);
  return out;
}

export type ManagerLookup = { email: string; name: string } | { email: null; why: string };

/**
 * The beneficiary's manager's address: the manager of their account, else of
 * another of their accounts (Okta may lack what Entra has). A manager who has
 * left, or has no address, counts as none, with the reason.
 */
export function managerOf(db: Db, b: Beneficiary): ManagerLookup {
  const accounts = [b, ...personAccounts(db, b.connectionId, b.identityId).filter((a) => a.connectionId !== b.connectionId || a.identityId !== b.identityId)];
  let why = `${b.name} has no manager on record`;
  for (const a of accounts) {
    if (!a.managerId) continue;
    const m = identityByKey(db, a.connectionId, a.managerId);
    if (!m) {
      why = `${b.name}'s manager (id ${a.managerId}) is not in the snapshot`;
      continue;
    }
    if (INACTIVE_STATUSES.has(m.status.toUpperCase())) {
      why = `${b.name}'s manager ${m.name} is ${m.status.toLowerCase()}`;
      continue;
    }
    const email = m.email ?? (m.login.includes('@') ? m.login.toLowerCase() : null);
    if (!email) {
      why = `${b.name}'s manager ${m.name} has no e-mail address`;
      continue;
    }
    return { email, name: m.name };
  }
  return { email: null, why };
}

/** A person's name in the snapshot by address (for "Acting as"), or null. */
export function nameOfAddress(db: Db, address: string | null): string | null {
  if (!address) return null;
  const live = identitiesByAddress(db, address).filter((b) => !INACTIVE_STATUSES.has(b.status.toUpperCase()));
  return live[0]?.name ?? null;
}

/**
 * The people search of the "New request" form and of "Acting as": one option
 * per PERSON (accounts linked across IdPs by the correlation, or an account
 * of its own), by name, every term matching the name, e-mail or login of one
 * of their accounts (the Directory's search, through its trigram index).
 * Accounts that cannot receive access (deprovisioned, disabled) neither
 * match nor stand for anyone. Each option describes the person's first usable
 * account (the lowest connection): the account a request names, as before
 * (provisioning finds their account in each IdP the role maps groups in).
 */
export function searchBeneficiaries(db: Db, search: string, limit: number): BeneficiaryOption[] {
  return db.transaction(() => {
    const usable = `d.status NOT IN ('DEPROVISIONED', 'DISABLED')`;
    const match = accountMatch(search, 'd', { columns: (a) => [`${a}.display_name`, `${a}.email`, `${a}.login`] });
    // A person has at most one account per IdP, so `limit` people are among the first limit x IdPs matches.
    const idps = Math.max(1, db.prepare("SELECT count(*) FROM connections WHERE kind IN ('okta', 'entra')").pluck().get() as number);
    const matched = db
      .prepare(
        `SELECT d.person_id FROM directory_accounts d WHERE ${usable}${match ? ` AND ${match.sql}` : ''}
         ORDER BY d.display_name COLLATE NOCASE, d.connection_id, d.id LIMIT ?`,
      )
      .pluck()
      .all(...(match?.params ?? []), limit * idps) as string[];
    const persons = [...new Set(matched)].slice(0, limit);
    if (persons.length === 0) return [];
    const accounts = db
      .prepare(
        `SELECT d.person_id, d.connection_id, c.name AS connection_name, c.kind, d.id, d.login, d.email, d.status, ${usable} AS usable
         FROM json_each(?) j JOIN directory_accounts d ON d.person_id = j.value JOIN connections c ON c.id = d.connection_id
         ORDER BY d.connection_id, d.id`,
      )
      .all(JSON.stringify(persons)) as {
      person_id: string;
      connection_id: number;
      connection_name: string;
      kind: BeneficiaryAccount['kind'];
      id: string;
      login: string;
      email: string | null;
      status: string;
      usable: number;
    }[];
    const detail = db.prepare(
      `SELECT i.display_name, i.email, i.login, i.status, i.employee_type, i.department, i.title, d.manager_name
       FROM cur_identities i JOIN directory_accounts d ON d.connection_id = i.connection_id AND d.id = i.id
       WHERE i.connection_id = ? AND i.id = ?`,
    );
    const out: BeneficiaryOption[] = [];
    for (const person of persons) {
      const mine = accounts.filter((a) => a.person_id === person);
      const standing = mine.find((a) => a.usable === 1);
      if (!standing) continue;
      const r = detail.get(standing.connection_id, standing.id) as
        | { display_name: string; email: string | null; login: string; status: string; employee_type: string | null; department: string | null; title: string | null; manager_name: string | null }
        | undefined;
      if (!r) continue;
      out.push({
        connectionId: standing.connection_id,
        connectionName: standing.connection_name,
        identityId: standing.id,
        name: r.display_name,
        email: r.email,
        login: r.login,
        status: r.status,
        employeeType: r.employee_type,
        department: r.department,
        title: r.title,
        managerName: r.manager_name,
        accounts: mine.map((a) => ({
          connectionId: a.connection_id,
          connectionName: a.connection_name,
          kind: a.kind,
          identityId: a.id,
          login: a.login,
          email: a.email,
          status: a.status,
        })),
      });
    }
    return out;
  })();
}
