// `hr import`: an HR system's CSV export or a file of HR events (JSON
// lines), all rows or none. Every row is read and checked first (columns,
// dates, statuses, e-mails; then, inside the write transaction so the
// workspace cannot change in between, that each manager named is someone
// known: a row of the same file, an HR record already stored, or an account
// in the snapshot); one bad row and nothing is stored, every error named by
// its row. Otherwise, in one transaction: the import itself (file name,
// SHA-256, counts), the records and events, and the audit event naming who
// imported it and through which channel.
//
// Events are stored once per event id (a repeat, in the file or from an
// earlier import, is ignored and counted), and each person's record is
// recomputed from their last CSV row with all their events applied in
// effective-date order (hr-values.ts foldRecord), so the result does not
// depend on the order events arrive in.
import { createHash } from 'node:crypto';
import type { HrField, HrImportError, HrImportResult, HrPreset } from '../../../shared/contract-hr.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { liveAccountKeys } from '../directory/account-keys.js';
import { readHrCsv, type CsvRecordRow } from './csv-rows.js';
import { isEventFile, readEventLines, type EventLine } from './event-lines.js';
import { eventOrder, foldRecord, recordKeyOf } from './hr-values.js';
import { allRecords, eventsOfKey, insertEvent, insertImport, markApplied, recordByKey, saveRecord, setImportCounts, storedEventIds, type StoredRecord } from './hr-store.js';

export type HrImportRequest = {
  fileName: string;
  bytes: Buffer;
  preset?: HrPreset;
  map?: Readonly<Record<string, HrField | '-'>>;
};

const lower = (s: string | null | undefined): string | null => (s ? s.trim().toLowerCase() : null);

/** Who a manager reference may name: people of the file, stored HR records, accounts in the snapshot. */
function knownPeople(db: Db, records: readonly StoredRecord[], batch: readonly { employeeId: string | null; email: string | null }[]): { emails: Set<string>; ids: Set<string> } {
  const emails = new Set<string>();
  const ids = new Set<string>();
  const add = (id: string | null, email: string | null): void => {
    const i = lower(id);
    const e = lower(email);
    if (i) ids.add(i);
    if (e) emails.add(e);
  };
  for (const r of records) add(r.values.employeeId, r.values.email);
  for (const b of batch) add(b.employeeId, b.email);
  for (const a of liveAccountKeys(db)) add(a.employeeId, a.email);
  return { emails, ids };
}

/**
 * The key a person is filed under: an existing record with their employee
 * id, else one with their e-mail (and no other employee id), else a new key
 * from what the row gives. New keys are remembered, so later rows of the
 * same person find them.
 */
function keyResolver(records: readonly StoredRecord[]): (employeeId: string | null, email: string | null) => string | null {
  const byId = new Map<string, { key: string }>();
  const byEmail = new Map<string, { key: string; employeeId: string | null }>();
  const remember = (key: string, employeeId: string | null, email: string | null): void => {
    const i = lower(employeeId);
    const e = lower(email);
    if (i && !byId.has(i)) byId.set(i, { key });
    if (e && !byEmail.has(e)) byEmail.set(e, { key, employeeId: i });
  };
  for (const r of records) remember(r.key, r.values.employeeId, r.values.email);
  return (employeeId, email) => {
    const i = lower(employeeId);
    const e = lower(email);
    const hit = (i ? byId.get(i) : undefined) ?? (e ? byEmail.get(e) : undefined);
    if (hit && (!('employeeId' in hit) || hit.employeeId === null || i === null || hit.employeeId === i)) {
      remember(hit.key, employeeId, email);
      return hit.key;
    }
    const key = recordKeyOf(employeeId, email);
    if (key) remember(key, employeeId, email);
    return key;
  };
}

function managerErrors(
  known: { emails: Set<string>; ids: Set<string> },
  items: readonly { row: number; managerEmail: string | null; managerEmployeeId: string | null; columns: { email: string; id: string }; prefix: string }[],
): HrImportError[] {
  const errors: HrImportError[] = [];
  for (const it of items) {
    const e = lower(it.managerEmail);
    const i = lower(it.managerEmployeeId);
    if (e && !known.emails.has(e)) {
      errors.push({ row: it.row, column: it.columns.email, message: `${it.prefix}, "${it.columns.email}": unknown manager ${it.managerEmail ?? ''}: not in this file, not an HR record, not in the snapshot` });
    }
    if (i && !known.ids.has(i)) {
      errors.push({ row: it.row, column: it.columns.id, message: `${it.prefix}, "${it.columns.id}": unknown manager employee id ${it.managerEmployeeId ?? ''}: not in this file, not an HR record, not in the snapshot` });
    }
  }
  return errors;
}

export function importHr(ctx: EngineContext, req: HrImportRequest): HrImportResult {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only: HR imports are refused', 'read-only');
  const text = req.bytes.toString('utf8');
  if (text.includes('\uFFFD')) throw new UserError(`${req.fileName} is not UTF-8 text (save the export as CSV UTF-8)`, 'bad-input');
  const sha256 = createHash('sha256').update(req.bytes).digest('hex');
  const events = isEventFile(req.fileName, text);
  const preset = events ? null : (req.preset ?? 'generic');
  const csv = events ? null : readHrCsv(text, preset ?? 'generic', req.map ?? {});
  const lines = events ? readEventLines(text) : null;
  const rows = csv?.count ?? lines?.count ?? 0;
  const parseErrors = csv?.errors ?? lines?.errors ?? [];
  if (parseErrors.length > 0) return { ok: false, rows, errors: parseErrors };
  if (rows === 0) throw new UserError(`${req.fileName} has no ${events ? 'events' : 'data rows'}`, 'bad-input');

  const { db } = ctx;
  return db
    .transaction((): HrImportResult => {
      const now = ctx.clock.now();
      const at = now.toISOString();
      const records = allRecords(db);
      const channel = ctx.channel ?? 'system';
      if (csv) {
        const known = knownPeople(db, records, csv.rows.map((r) => r.values));
        const errors = managerErrors(
          known,
          csv.rows.map((r) => ({ row: r.row, managerEmail: r.values.managerEmail, managerEmployeeId: r.values.managerEmployeeId, columns: { email: 'manager_email', id: 'manager_employee_id' }, prefix: `row ${r.row}` })),
        );
        if (errors.length > 0) return { ok: false, rows, errors: errors.sort((a, b) => a.row - b.row) };
        const importId = insertImport(db, { kind: 'csv', preset, fileName: req.fileName, sha256, rows, actor: ctx.actor, channel, at });
        const counts = writeCsvRows(db, csv.rows, keyResolver(records), { source: `csv:${preset ?? 'generic'}`, importId, at });
        return finish(ctx, { importId, sha256, fileName: req.fileName, kind: 'csv', preset, rows, ...counts, events: 0, duplicates: 0 }, now);
      }
      const parsed = lines as NonNullable<typeof lines>;
      const known = knownPeople(db, records, parsed.events);
      const errors = managerErrors(
        known,
        parsed.events.map((e) => ({ row: e.line, managerEmail: e.managerEmail, managerEmployeeId: e.attributes.managerEmployeeId ?? null, columns: { email: 'manager_email', id: 'employee.manager_employee_id' }, prefix: `line ${e.line}` })),
      );
      if (errors.length > 0) return { ok: false, rows, errors };
      const importId = insertImport(db, { kind: 'events', preset: null, fileName: req.fileName, sha256, rows, actor: ctx.actor, channel, at });
      const counts = writeEvents(db, parsed.events, keyResolver(records), { importId, at });
      return finish(ctx, { importId, sha256, fileName: req.fileName, kind: 'events', preset: null, rows, ...counts, duplicates: counts.duplicates + parsed.duplicatesInFile }, now);
    })
    .immediate();
}

type RecordCounts = { created: number; updated: number; unchanged: number };

function writeCsvRows(db: Db, rows: readonly CsvRecordRow[], resolve: ReturnType<typeof keyResolver>, o: { source: string; importId: number; at: string }): RecordCounts {
  const c: RecordCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const r of rows) {
    const key = resolve(r.values.employeeId, r.values.email) ?? r.key;
    const values = foldRecord(r.values, eventsOfKey(db, key));
    c[saveRecord(db, key, values, { base: r.values, source: o.source, asOf: o.at, importId: o.importId, now: o.at })]++;
    markApplied(db, key, o.at);
  }
  return c;
}

function writeEvents(db: Db, events: readonly EventLine[], resolve: ReturnType<typeof keyResolver>, o: { importId: number; at: string }): RecordCounts & { events: number; duplicates: number } {
  const stored = storedEventIds(db, events.map((e) => e.eventId));
  const fresh = events.filter((e) => !stored.has(e.eventId));
  // Keys are resolved for events with an employee id first, each group in event order: the same file gives the same keys whatever its line order.
  const ordered = [...fresh.filter((e) => e.employeeId !== null), ...fresh.filter((e) => e.employeeId === null)];
  const byGroup = (a: EventLine, b: EventLine): number => Number(a.employeeId === null) - Number(b.employeeId === null) || eventOrder(a, b);
  ordered.sort(byGroup);
  const touched = new Set<string>();
  for (const e of ordered) {
    const key = resolve(e.employeeId, e.email) ?? e.key;
    insertEvent(db, { ...e, key, source: 'events' }, o.importId, o.at);
    touched.add(key);
  }
  const c: RecordCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const key of [...touched].sort()) {
    const rec = recordByKey(db, key);
    const values = foldRecord(rec?.base ?? null, eventsOfKey(db, key));
    const source = rec?.base ? rec.source : 'events';
    c[saveRecord(db, key, values, { base: rec?.base ?? null, source, asOf: o.at, importId: o.importId, now: o.at })]++;
    markApplied(db, key, o.at);
  }
  return { ...c, events: fresh.length, duplicates: events.length - fresh.length };
}

function finish(ctx: EngineContext, r: Extract<HrImportResult, { ok: true }> extends infer T ? Omit<T, 'ok'> : never, now: Date): HrImportResult {
  const { importId, ...details } = r;
  setImportCounts(ctx.db, importId, r);
  appendAudit(
    ctx.db,
    { actor: ctx.actor, channel: ctx.channel ?? 'system', action: 'hr.imported', targetType: 'hr-import', targetId: importId, details },
    now,
  );
  return { ok: true, importId, ...details };
}

/** A row-error list as lines for a terminal. */
export const describeHrErrors = (errors: readonly HrImportError[]): string => errors.map((e) => e.message).join('\n');
