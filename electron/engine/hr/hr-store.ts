// The HR source's tables (migration 11): hr_records, hr_events, hr_imports.
// The only SQL on them; import.ts and status.ts call these functions.
import type { HrEventRow, HrEventType, HrPreset, HrStatus } from '../../../shared/contract-hr.js';
import type { Db } from '../db/database.js';
import type { FoldEvent, HrAttributes, HrStatusValue, HrValues } from './hr-values.js';

type RecordDbRow = {
  id: number;
  record_key: string;
  employee_id: string | null;
  email: string | null;
  name: string | null;
  department: string | null;
  title: string | null;
  location: string | null;
  employment_type: string | null;
  manager_email: string | null;
  manager_employee_id: string | null;
  start_date: string | null;
  end_date: string | null;
  status: HrStatusValue;
  source: string;
  as_of: string;
  base: string | null;
};

export type StoredRecord = { id: number; key: string; values: HrValues; base: HrValues | null; source: string; asOf: string };

const toValues = (r: RecordDbRow): HrValues => ({
  employeeId: r.employee_id,
  email: r.email,
  name: r.name,
  department: r.department,
  title: r.title,
  location: r.location,
  employmentType: r.employment_type,
  managerEmail: r.manager_email,
  managerEmployeeId: r.manager_employee_id,
  startDate: r.start_date,
  endDate: r.end_date,
  status: r.status,
});

const toStored = (r: RecordDbRow): StoredRecord => ({
  id: r.id,
  key: r.record_key,
  values: toValues(r),
  base: r.base === null ? null : (JSON.parse(r.base) as HrValues),
  source: r.source,
  asOf: r.as_of,
});

/** Every HR record (the import resolves keys and managers against them; the status matches them to people). */
export function allRecords(db: Db): StoredRecord[] {
  return (db.prepare('SELECT * FROM hr_records ORDER BY id').all() as RecordDbRow[]).map(toStored);
}

export function recordByKey(db: Db, key: string): StoredRecord | null {
  const r = db.prepare('SELECT * FROM hr_records WHERE record_key = ?').get(key) as RecordDbRow | undefined;
  return r ? toStored(r) : null;
}

export type ImportRow = {
  kind: 'csv' | 'events';
  preset: HrPreset | null;
  fileName: string;
  sha256: string;
  rows: number;
  actor: string;
  channel: string;
  at: string;
};

export function insertImport(db: Db, r: ImportRow): number {
  return Number(
    db
      .prepare('INSERT INTO hr_imports (kind, preset, file_name, sha256, rows, actor, channel, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.kind, r.preset, r.fileName, r.sha256, r.rows, r.actor, r.channel, r.at).lastInsertRowid,
  );
}

export function setImportCounts(db: Db, id: number, c: { created: number; updated: number; unchanged: number; events: number; duplicates: number }): void {
  db.prepare('UPDATE hr_imports SET created = ?, updated = ?, unchanged = ?, events = ?, duplicates = ? WHERE id = ?').run(c.created, c.updated, c.unchanged, c.events, c.duplicates, id);
}

/** Writes a person's record; what changed: 'created', 'updated' or 'unchanged' (then nothing is written). */
export function saveRecord(
  db: Db,
  key: string,
  values: HrValues,
  opts: { base: HrValues | null; source: string; asOf: string; importId: number; now: string },
): 'created' | 'updated' | 'unchanged' {
  const existing = recordByKey(db, key);
  const base = opts.base === null ? null : JSON.stringify(opts.base);
  const cols = [
    values.employeeId, values.email, values.name, values.department, values.title, values.location, values.employmentType,
    values.managerEmail, values.managerEmployeeId, values.startDate, values.endDate, values.status,
  ];
  if (!existing) {
    db.prepare(
      `INSERT INTO hr_records (record_key, employee_id, email, name, department, title, location, employment_type, manager_email, manager_employee_id,
         start_date, end_date, status, source, as_of, base, import_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(key, ...cols, opts.source, opts.asOf, base, opts.importId, opts.now);
    return 'created';
  }
  if (JSON.stringify(existing.values) === JSON.stringify(values) && JSON.stringify(existing.base) === JSON.stringify(opts.base)) return 'unchanged';
  db.prepare(
    `UPDATE hr_records SET employee_id = ?, email = ?, name = ?, department = ?, title = ?, location = ?, employment_type = ?, manager_email = ?,
       manager_employee_id = ?, start_date = ?, end_date = ?, status = ?, source = ?, as_of = ?, base = ?, import_id = ?, updated_at = ? WHERE record_key = ?`,
  ).run(...cols, opts.source, opts.asOf, base, opts.importId, opts.now, key);
  return JSON.stringify(existing.values) === JSON.stringify(values) ? 'unchanged' : 'updated';
}

/** Of these event ids, those already stored. */
export function storedEventIds(db: Db, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  return new Set(db.prepare('SELECT e.event_id FROM json_each(?) j JOIN hr_events e ON e.event_id = j.value').pluck().all(JSON.stringify(ids)) as string[]);
}

export type NewEvent = {
  eventId: string;
  type: HrEventType;
  occurredAt: string;
  effectiveDate: string;
  key: string;
  employeeId: string | null;
  email: string | null;
  attributes: HrAttributes;
  managerEmail: string | null;
  source: string;
};

export function insertEvent(db: Db, e: NewEvent, importId: number, now: string): void {
  db.prepare(
    `INSERT INTO hr_events (event_id, type, occurred_at, effective_date, record_key, employee_id, email, attributes, manager_email, received_at, source, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.eventId, e.type, e.occurredAt, e.effectiveDate, e.key, e.employeeId, e.email, JSON.stringify(e.attributes), e.managerEmail, now, e.source, importId);
}

/** A person's events, in the form foldRecord applies (it sorts them). */
export function eventsOfKey(db: Db, key: string): FoldEvent[] {
  const rows = db.prepare('SELECT event_id, type, occurred_at, effective_date, attributes FROM hr_events WHERE record_key = ?').all(key) as {
    event_id: string;
    type: HrEventType;
    occurred_at: string;
    effective_date: string;
    attributes: string;
  }[];
  return rows.map((r) => ({ eventId: r.event_id, type: r.type, occurredAt: r.occurred_at, effectiveDate: r.effective_date, attributes: JSON.parse(r.attributes) as HrAttributes }));
}

/** Marks a person's events as folded into their record (the first time only). */
export function markApplied(db: Db, key: string, now: string): void {
  db.prepare('UPDATE hr_events SET applied_at = ? WHERE record_key = ? AND applied_at IS NULL').run(now, key);
}

type ImportDbRow = {
  id: number; kind: 'csv' | 'events'; preset: HrPreset | null; file_name: string; sha256: string; imported_at: string; actor: string; channel: string;
  rows: number; created: number; updated: number; unchanged: number; events: number; duplicates: number;
};

export function lastImport(db: Db): HrStatus['lastImport'] {
  const r = db.prepare('SELECT * FROM hr_imports ORDER BY id DESC LIMIT 1').get() as ImportDbRow | undefined;
  if (!r) return null;
  return {
    id: r.id, kind: r.kind, preset: r.preset, fileName: r.file_name, sha256: r.sha256, at: r.imported_at, actor: r.actor, channel: r.channel,
    rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged, events: r.events, duplicates: r.duplicates,
  };
}

export const importCount = (db: Db): number => db.prepare('SELECT count(*) FROM hr_imports').pluck().get() as number;

/**
 * Events not yet processed by a plan, split on `today`: effective after it
 * (pending) or on or before it (due). The plans' selection, "on or after the
 * effective date and not yet processed", is the due half (index hr_events_due).
 */
export function unprocessedEvents(db: Db, today: string, when: 'pending' | 'due', limit: number): { count: number; rows: HrEventRow[] } {
  const cond = when === 'due' ? 'effective_date <= ?' : 'effective_date > ?';
  const count = db.prepare(`SELECT count(*) FROM hr_events WHERE plan_state = 'pending' AND ${cond}`).pluck().get(today) as number;
  const rows = db
    .prepare(
      `SELECT e.event_id, e.type, e.effective_date, coalesce(e.employee_id, r.employee_id) AS employee_id, coalesce(e.email, r.email) AS email, r.name
       FROM hr_events e LEFT JOIN hr_records r ON r.record_key = e.record_key
       WHERE e.plan_state = 'pending' AND e.${cond} ORDER BY e.effective_date, e.occurred_at, e.event_id LIMIT ?`,
    )
    .all(today, limit) as { event_id: string; type: HrEventType; effective_date: string; employee_id: string | null; email: string | null; name: string | null }[];
  return { count, rows: rows.map((r) => ({ eventId: r.event_id, type: r.type, effectiveDate: r.effective_date, employeeId: r.employee_id, email: r.email, name: r.name })) };
}

/** An HR event as the plans read it: who, what, effective when, and the attributes it carried. */
export type DueEvent = {
  id: number;
  eventId: string;
  type: HrEventType;
  effectiveDate: string;
  recordKey: string;
  employeeId: string | null;
  email: string | null;
  managerEmail: string | null;
  attributes: HrAttributes;
};

/**
 * The plans' selection: events "on or after the effective date and not yet
 * processed" (effective on or before `today`, plan_state 'pending'), in
 * effective-date order (index hr_events_due), never an exact date: a
 * backdated event is as due as today's.
 */
export function dueEventsForPlans(db: Db, today: string, limit = 100_000): DueEvent[] {
  const rows = db
    .prepare(
      `SELECT id, event_id, type, effective_date, record_key, employee_id, email, manager_email, attributes FROM hr_events
       WHERE plan_state = 'pending' AND effective_date <= ? ORDER BY effective_date, occurred_at, event_id LIMIT ?`,
    )
    .all(today, limit) as { id: number; event_id: string; type: HrEventType; effective_date: string; record_key: string; employee_id: string | null; email: string | null; manager_email: string | null; attributes: string }[];
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.type,
    effectiveDate: r.effective_date,
    recordKey: r.record_key,
    employeeId: r.employee_id,
    email: r.email,
    managerEmail: r.manager_email,
    attributes: JSON.parse(r.attributes) as HrAttributes,
  }));
}

/** Marks an event planned ('processed') or deliberately not ('skipped'); true when it was still pending. Inside the plan's transaction. */
export function setEventPlanState(db: Db, id: number, state: 'processed' | 'skipped', now: string): boolean {
  return db.prepare("UPDATE hr_events SET plan_state = ?, processed_at = ? WHERE id = ? AND plan_state = 'pending'").run(state, now, id).changes === 1;
}

/** One HR record as policies read it: [recordKey, employeeId, email, department, title, location, employmentType, managerEmail, startDate, endDate, status]. */
export type HrAttributeRow = [
  recordKey: string,
  employeeId: string | null,
  email: string | null,
  department: string | null,
  title: string | null,
  location: string | null,
  employmentType: string | null,
  managerEmail: string | null,
  startDate: string | null,
  endDate: string | null,
  status: HrStatusValue,
];

const HR_ATTRIBUTES = 'SELECT record_key, employee_id, email, department, title, location, employment_type, manager_email, start_date, end_date, status FROM hr_records';

/**
 * Every HR record's policy attributes in one query (rows as arrays), in id
 * order like allRecords: birthright policies read the column once per
 * evaluation instead of a query per person.
 */
export function hrAttributeRows(db: Db): HrAttributeRow[] {
  return db.prepare(`${HR_ATTRIBUTES} ORDER BY id`).raw().all() as HrAttributeRow[];
}

/** The HR records naming any of these employee ids or e-mails (lower-cased), through the indexes on both; id order. */
export function hrAttributeRowsByKeys(db: Db, employeeIds: readonly string[], emails: readonly string[]): HrAttributeRow[] {
  if (employeeIds.length === 0 && emails.length === 0) return [];
  return db
    .prepare(
      `${HR_ATTRIBUTES} WHERE lower(employee_id) IN (SELECT value FROM json_each(?)) OR lower(email) IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .raw()
    .all(JSON.stringify(employeeIds), JSON.stringify(emails)) as HrAttributeRow[];
}
