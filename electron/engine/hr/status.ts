// `hr status`: the last import, which HR records match a person in the
// snapshot, who is left over on either side, and the events still to be
// processed (pending: effective after today; due: effective today or
// earlier). HR records match people by employee id first, then e-mail, with
// the keys correlation uses (directory/account-keys.ts): one HR record
// stands for the Directory person its account belongs to, so someone with an
// Okta and an Entra account is one match, not two.
import type { HrRecordRow, HrStatus, HrUnmatchedAccount } from '../../../shared/contract-hr.js';
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { liveAccountKeys, type AccountKeys } from '../directory/account-keys.js';
import { statusOn } from './hr-values.js';
import { allRecords, importCount, lastImport, recordByKey, unprocessedEvents, type StoredRecord } from './hr-store.js';

export type HrMatch = { record: StoredRecord; personId: string | null; by: 'employee-id' | 'email' | null };

const lower = (s: string | null): string | null => (s ? s.trim().toLowerCase() : null);

/**
 * Each HR record with the person it matches (by employee id, then e-mail),
 * and the accounts by person: of every record, or only of the records named
 * (the plans' evaluation asks for its due events' records, not all of them).
 */
export function matchRecords(db: Db, onlyKeys?: readonly string[]): { matches: HrMatch[]; accounts: AccountKeys[] } {
  const accounts = liveAccountKeys(db);
  const personById = new Map<string, string>();
  const personByEmail = new Map<string, string>();
  for (const a of accounts) {
    if (a.employeeId && !personById.has(a.employeeId)) personById.set(a.employeeId, a.personId);
    if (a.email && !personByEmail.has(a.email)) personByEmail.set(a.email, a.personId);
  }
  const records = onlyKeys ? [...new Set(onlyKeys)].flatMap((k) => recordByKey(db, k) ?? []) : allRecords(db);
  const matches = records.map((record): HrMatch => {
    const id = lower(record.values.employeeId);
    const byId = id ? personById.get(id) : undefined;
    if (byId) return { record, personId: byId, by: 'employee-id' };
    const email = lower(record.values.email);
    const byEmail = email ? personByEmail.get(email) : undefined;
    if (byEmail) return { record, personId: byEmail, by: 'email' };
    return { record, personId: null, by: null };
  });
  return { matches, accounts };
}

export const todayOf = (ctx: Pick<EngineContext, 'clock'>): string => ctx.clock.now().toISOString().slice(0, 10);

const recordRow = (r: StoredRecord, today: string): HrRecordRow => ({
  employeeId: r.values.employeeId,
  email: r.values.email,
  name: r.values.name,
  department: r.values.department,
  title: r.values.title,
  status: statusOn(r.values, today),
  startDate: r.values.startDate,
  endDate: r.values.endDate,
});

export function hrStatus(ctx: Pick<EngineContext, 'db' | 'clock'>, limit = 100): HrStatus {
  const { db } = ctx;
  const today = todayOf(ctx);
  return db.transaction((): HrStatus => {
    const { matches, accounts } = matchRecords(db);
    const matchedPeople = new Set(matches.map((m) => m.personId).filter((p): p is string => p !== null));
    const unmatched = matches.filter((m) => m.personId === null);
    // People (their first listed account) no HR record names; deprovisioned accounts are listed too: HR should know who they were.
    const withoutRecord: HrUnmatchedAccount[] = [];
    let withoutCount = 0;
    for (const a of accounts) {
      if (!a.listed || matchedPeople.has(a.personId)) continue;
      withoutCount++;
      if (withoutRecord.length < limit) {
        withoutRecord.push({ connectionId: a.connectionId, connectionName: a.connectionName, identityId: a.identityId, name: a.name, email: a.email, employeeId: a.employeeId, status: a.status });
      }
    }
    return {
      lastImport: lastImport(db),
      imports: importCount(db),
      records: matches.length,
      matched: matches.length - unmatched.length,
      matchedByEmployeeId: matches.filter((m) => m.by === 'employee-id').length,
      matchedByEmail: matches.filter((m) => m.by === 'email').length,
      listLimit: limit,
      unmatchedRecords: { count: unmatched.length, rows: unmatched.slice(0, limit).map((m) => recordRow(m.record, today)) },
      accountsWithoutRecord: { count: withoutCount, rows: withoutRecord },
      pendingEvents: unprocessedEvents(db, today, 'pending', limit),
      dueEvents: unprocessedEvents(db, today, 'due', limit),
      today,
    };
  })();
}
