// The catalog as a spreadsheet (CSV or XLSX): one row per (app, role, mapped
// group) with every role field repeated, so a row read alone is complete and
// a sheet sorted or filtered in Excel still imports. A role without groups
// has one row with empty group columns; an app without roles, one row with
// empty role columns. Groups are named by connection name plus group id (and
// name, for people; the name alone is enough when it is unique).
//
// Import is all-or-nothing: every row is checked first (against the zod
// rules, the engine's role checks and the synced snapshot) and any bad row
// means nothing is written; when all rows are good they are upserted in one
// transaction (apps by name, roles by app + name, mappings added).
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { CatalogImportError, CatalogImportResult } from '../../../shared/contract-catalog.js';
import { approvalPolicyInput, catalogEmail, defaultDurationsFor, MAX_CUSTOM_MINUTES } from '../../../shared/contract-catalog.js';
import { CATALOG_IMPORT_COLUMNS } from '../../../shared/import-columns.js';
import {
  DURATION_OPTIONS,
  RISK_TIERS,
  defaultPolicyFor,
  type ApprovalPolicy,
  type ApprovalStep,
  type DurationOption,
  type RiskTier,
} from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { csvCell, FORMULA_START, parseCsv } from '../csv.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { listConnectionRecords } from '../connections/connections.js';
import { liveGroup, liveGroupIdsByName } from '../directory/snapshot-lookups.js';
import {
  announceCatalogChange,
  appIdByName,
  assertCatalogWritable,
  checkRoleValues,
  listCatalog,
  roleIdByName,
  writeApp,
  writeMapping,
  writeRole,
  type FieldIssue,
  type RoleValues,
} from './catalog.js';

/** The sheet's columns, in order: from the one definition the console's help and template also use. */
export const CATALOG_COLUMNS = CATALOG_IMPORT_COLUMNS.map((c) => c.name);
type Column = (typeof CATALOG_IMPORT_COLUMNS)[number]['name'];
/** Columns the header must have. */
const REQUIRED_COLUMNS = CATALOG_IMPORT_COLUMNS.filter((c) => c.required === true).map((c) => c.name);
type Row = Record<Column, string>;

/** Where an engine field's problem is reported in the sheet. */
const COLUMN_OF_FIELD: Record<string, Column> = {
  name: 'role',
  description: 'role_description',
  owner: 'role_owner',
  risk: 'risk',
  durations: 'durations',
  defaultDuration: 'default_duration',
  maxDurationMinutes: 'max_duration_minutes',
  'policy.steps': 'approval_steps',
  'policy.escalateTo': 'escalate_to',
};
const columnOf = (field: string): string => COLUMN_OF_FIELD[field] ?? (field.startsWith('policy.steps') ? 'approval_steps' : field);

export const MAX_IMPORT_ROWS = 20_000;

// --- export -----------------------------------------------------------------------------------

const list = (xs: readonly string[]): string => xs.join(', ');
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export function formatSteps(steps: readonly ApprovalStep[]): string {
  return steps.map((s) => (s.kind === 'named' ? `named: ${list(s.approvers ?? [])}` : s.kind)).join(' > ');
}

/** The sheet's rows, in catalog order. */
export function catalogRows(db: Db): Row[] {
  const rows: Row[] = [];
  const blankRole = {
    role: '', role_description: '', role_owner: '', risk: '', requestable: '', auto_approve: '', approval_steps: '', require_end_date_for: '',
    pending_timeout_hours: '', on_timeout: '', escalate_to: '', durations: '', default_duration: '', max_duration_minutes: '',
  };
  const blankGroup = { connection: '', group_id: '', group_name: '' };
  for (const app of listCatalog(db).apps) {
    const appCols = { app: app.name, app_description: app.description, app_owner: app.owner ?? '' };
    if (app.roles.length === 0) rows.push({ ...appCols, ...blankRole, ...blankGroup });
    for (const r of app.roles) {
      const roleCols = {
        role: r.name,
        role_description: r.description,
        role_owner: r.owner ?? '',
        risk: r.risk,
        requestable: yesNo(r.requestable),
        auto_approve: yesNo(r.policy.autoApprove),
        approval_steps: formatSteps(r.policy.steps),
        require_end_date_for: list(r.policy.requireEndDateFor),
        pending_timeout_hours: String(r.policy.pendingTimeoutHours),
        on_timeout: r.policy.onTimeout,
        escalate_to: list(r.policy.escalateTo),
        durations: list(r.durations),
        default_duration: r.defaultDuration,
        max_duration_minutes: r.maxDurationMinutes === null ? '' : String(r.maxDurationMinutes),
      };
      if (r.mappings.length === 0) rows.push({ ...appCols, ...roleCols, ...blankGroup });
      for (const m of r.mappings) {
        rows.push({
          ...appCols,
          ...roleCols,
          connection: m.connectionName ?? `#${m.connectionId}`,
          group_id: m.groupId,
          group_name: m.currentName ?? m.groupName,
        });
      }
    }
  }
  return rows;
}

export function toCsv(rows: readonly Row[]): string {
  const lines = [CATALOG_COLUMNS.join(','), ...rows.map((r) => CATALOG_COLUMNS.map((c) => csvCell(r[c])).join(','))];
  // The BOM makes Excel read the file as UTF-8 (names with accents stay intact).
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function toXlsx(rows: readonly Row[], now: Date): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Latchkey';
  wb.created = now;
  const ws = wb.addWorksheet('Catalog', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = CATALOG_COLUMNS.map((c) => ({ header: c, key: c, width: Math.max(12, Math.min(40, c.length + 4)) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  // Strings stay strings: exceljs writes a JS string as text, never as a formula.
  for (const r of rows) ws.addRow(CATALOG_COLUMNS.map((c) => r[c])).commit();
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

export async function exportCatalog(
  db: Db,
  format: 'csv' | 'xlsx',
  now: Date,
): Promise<{ filename: string; format: 'csv' | 'xlsx'; contentBase64: string; rows: number; bytes: Buffer }> {
  const rows = catalogRows(db);
  const bytes = format === 'csv' ? Buffer.from(toCsv(rows), 'utf8') : await toXlsx(rows, now);
  const filename = `latchkey-catalog-${now.toISOString().slice(0, 10)}.${format}`;
  return { filename, format, contentBase64: bytes.toString('base64'), rows: rows.length, bytes };
}

// --- reading ----------------------------------------------------------------------------------

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return v.result === undefined || v.result === null ? '' : cellText(v.result);
    if ('error' in v) return String(v.error);
  }
  return '';
}

export async function parseXlsx(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new UserError(`not a readable XLSX workbook (${e instanceof Error ? e.message : String(e)})`, 'bad-input');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new UserError('the workbook has no worksheet', 'bad-input');
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const values: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) values.push(cellText(row.getCell(c).value));
    rows[n - 1] = values;
  });
  return Array.from(rows, (r) => r ?? []);
}

// --- import -----------------------------------------------------------------------------------

type ParsedRow = {
  row: number;
  app: { name: string; description: string; owner: string | null };
  role: RoleValues | null;
  group: { connectionId: number; groupId: string } | null;
};

const TRUE = new Set(['yes', 'y', 'true', '1', 'x']);
const FALSE = new Set(['no', 'n', 'false', '0', '']);
const splitList = (s: string): string[] => s.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
/** An apostrophe written to stop Excel running a formula is not part of the value. */
const unguard = (s: string): string => (s.startsWith("'") && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s);

function parseSteps(text: string, err: (column: string, message: string) => void): ApprovalStep[] {
  const steps: ApprovalStep[] = [];
  for (const part of text.split('>').map((p) => p.trim()).filter(Boolean)) {
    const [head = '', ...tail] = part.split(':');
    const kind = head.trim().toLowerCase().replace(/[\s_]+/g, '-');
    if (kind === 'manager') steps.push({ kind: 'manager' });
    else if (kind === 'app-owner' || kind === 'owner') steps.push({ kind: 'app-owner' });
    else if (kind === 'named') {
      const approvers: string[] = [];
      for (const e of splitList(tail.join(':'))) {
        const parsed = catalogEmail.safeParse(e);
        if (parsed.success) approvers.push(parsed.data);
        else err('approval_steps', `'${e}' is not an e-mail address`);
      }
      steps.push({ kind: 'named', approvers });
    } else err('approval_steps', `'${part}' is not an approval step (manager, app-owner, or named: a@x.com, b@x.com; steps separated by >)`);
  }
  return steps;
}

/** Reads and checks every row; returns the parsed rows or every problem found. */
export function checkRows(db: Db, table: string[][]): { rows: ParsedRow[]; errors: CatalogImportError[]; count: number } {
  const errors: CatalogImportError[] = [];
  const [header = [], ...body] = table;
  const names = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  for (const required of REQUIRED_COLUMNS) {
    if (!names.includes(required)) {
      errors.push({ row: 1, field: required, message: `row 1: the header has no "${required}" column (expected columns: ${CATALOG_COLUMNS.join(', ')})` });
    }
  }
  const unknown = names.filter((n) => n !== '' && !(CATALOG_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0) errors.push({ row: 1, field: null, message: `row 1: unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `"${u}"`).join(', ')}` });
  if (errors.length > 0) return { rows: [], errors, count: 0 };
  const dataRows = body.filter((r) => r.some((c) => c.trim() !== ''));
  if (dataRows.length > MAX_IMPORT_ROWS) {
    return { rows: [], errors: [{ row: 0, field: null, message: `the file has ${dataRows.length} rows; at most ${MAX_IMPORT_ROWS} can be imported at once` }], count: dataRows.length };
  }

  const connections = listConnectionRecords(db)
    .filter((c) => c.kind === 'okta' || c.kind === 'entra')
    .map((c) => ({ id: c.id, name: c.name, kind: c.kind, live_gen: c.liveGen }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));

  const parsed: ParsedRow[] = [];
  const firstOfApp = new Map<string, { row: number; key: string }>();
  const firstOfRole = new Map<string, { row: number; key: string }>();
  body.forEach((cells, i) => {
    const n = i + 2;
    if (!cells.some((c) => c.trim() !== '')) return;
    const get = (c: Column): string => {
      const k = names.indexOf(c);
      return k < 0 ? '' : unguard((cells[k] ?? '').trim());
    };
    const before = errors.length;
    const err = (column: string | null, message: string): void => {
      errors.push({ row: n, field: column, message: `row ${n}: ${message}` });
    };
    const email = (column: Column): string | null => {
      const v = get(column);
      if (v === '') return null;
      const r = catalogEmail.safeParse(v);
      if (!r.success) {
        err(column, `${column} '${v}' is not an e-mail address`);
        return null;
      }
      return r.data;
    };
    const bool = (column: Column, fallback: boolean): boolean => {
      const v = get(column).toLowerCase();
      if (v === '') return fallback;
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      err(column, `${column} '${get(column)}' is not yes or no`);
      return fallback;
    };
    const int = (column: Column, fallback: number | null, min: number, max: number): number | null => {
      const v = get(column);
      if (v === '') return fallback;
      const x = Number(v);
      if (!Number.isInteger(x) || x < min || x > max) {
        err(column, `${column} '${v}' is not a whole number from ${min} to ${max}`);
        return fallback;
      }
      return x;
    };

    const appName = get('app');
    if (appName === '') err('app', 'app is empty (every row names its app)');
    else if (appName.length > 100) err('app', 'app is longer than 100 characters');
    const app = { name: appName, description: get('app_description'), owner: email('app_owner') };

    let role: RoleValues | null = null;
    const roleName = get('role');
    const roleColumns: Column[] = ['role_description', 'role_owner', 'risk', 'durations', 'default_duration', 'approval_steps', 'connection', 'group_id', 'group_name'];
    if (roleName === '') {
      const stray = roleColumns.filter((c) => get(c) !== '');
      if (stray.length > 0) err('role', `role is empty but ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} filled in (name the role)`);
    } else {
      if (roleName.length > 100) err('role', 'role is longer than 100 characters');
      const riskText = get('risk').toLowerCase();
      let risk: RiskTier = 'medium';
      if (riskText === '') err('risk', `risk is empty (one of ${RISK_TIERS.join(', ')})`);
      else if (!(RISK_TIERS as readonly string[]).includes(riskText)) err('risk', `risk '${get('risk')}' is not one of ${RISK_TIERS.join(', ')}`);
      else risk = riskText as RiskTier;

      const base = defaultPolicyFor(risk);
      const autoApprove = bool('auto_approve', base.autoApprove);
      const stepsText = get('approval_steps');
      const steps = stepsText === '' ? (get('auto_approve') !== '' && autoApprove ? [] : base.steps) : parseSteps(stepsText, err);
      const onTimeoutText = get('on_timeout').toLowerCase();
      if (onTimeoutText !== '' && onTimeoutText !== 'expire' && onTimeoutText !== 'escalate') err('on_timeout', `on_timeout '${get('on_timeout')}' is not expire or escalate`);
      const escalateTo: string[] = [];
      for (const e of splitList(get('escalate_to'))) {
        const r = catalogEmail.safeParse(e);
        if (r.success) escalateTo.push(r.data);
        else err('escalate_to', `escalate_to '${e}' is not an e-mail address`);
      }
      const policy: ApprovalPolicy = {
        autoApprove,
        steps,
        requireEndDateFor: get('require_end_date_for') === '' ? base.requireEndDateFor : splitList(get('require_end_date_for').toLowerCase()),
        pendingTimeoutHours: int('pending_timeout_hours', base.pendingTimeoutHours, 1, 24 * 90) ?? base.pendingTimeoutHours,
        onTimeout: onTimeoutText === 'escalate' ? 'escalate' : onTimeoutText === 'expire' ? 'expire' : base.onTimeout,
        escalateTo,
      };
      const policyCheck = approvalPolicyInput.safeParse(policy);
      if (!policyCheck.success) for (const issue of policyCheck.error.issues) err('approval_steps', `policy ${issue.path.join('.')}: ${issue.message}`);

      const defaults = defaultDurationsFor(risk);
      const durations: DurationOption[] = [];
      for (const d of splitList(get('durations').toLowerCase())) {
        if ((DURATION_OPTIONS as readonly string[]).includes(d)) durations.push(d as DurationOption);
        else err('durations', `durations: '${d}' is not one of ${DURATION_OPTIONS.join(', ')}`);
      }
      const allowed = get('durations') === '' ? defaults.durations : durations;
      const defText = get('default_duration').toLowerCase();
      let defaultDuration: DurationOption = allowed.includes(defaults.defaultDuration) ? defaults.defaultDuration : (allowed[0] ?? 'permanent');
      if (defText !== '') {
        if ((DURATION_OPTIONS as readonly string[]).includes(defText)) defaultDuration = defText as DurationOption;
        else err('default_duration', `default_duration '${get('default_duration')}' is not one of ${DURATION_OPTIONS.join(', ')}`);
      }
      const values: RoleValues = {
        name: roleName,
        description: get('role_description'),
        risk,
        policy,
        durations: allowed,
        defaultDuration,
        maxDurationMinutes: int('max_duration_minutes', null, 1, MAX_CUSTOM_MINUTES),
        owner: email('role_owner'),
        requestable: bool('requestable', true),
      };
      if (errors.length === before) {
        const checked = checkRoleValues(values);
        for (const issue of checked.issues) err(columnOf(issue.field), `${columnOf(issue.field)}: ${issue.message}`);
        role = checked.values;
      }
    }

    let group: ParsedRow['group'] = null;
    const connText = get('connection');
    const gid = get('group_id');
    const gname = get('group_name');
    if (roleName !== '' && (connText !== '' || gid !== '' || gname !== '')) {
      const c = connections.find((x) => x.name.toLowerCase() === connText.toLowerCase() || `#${x.id}` === connText);
      if (connText === '') err('connection', 'connection is empty but a group is named (which IdP connection is the group in?)');
      else if (!c) {
        err('connection', `connection '${connText}' is not in this workspace (known: ${connections.map((x) => x.name).join(', ') || 'none: add and sync one first'})`);
      } else if (c.live_gen === 0) err('connection', `connection '${c.name}' has not been synced yet: sync it, then import`);
      else if (gid !== '') {
        if (liveGroup(db, c.id, gid) === null) err('group_id', `group_id '${gid}' is not in the last sync of ${c.name}`);
        else group = { connectionId: c.id, groupId: gid };
      } else if (gname === '') err('group_id', 'group_id and group_name are both empty');
      else {
        const ids = liveGroupIdsByName(db, c.id, gname);
        if (ids.length === 0) err('group_name', `group_name '${gname}' is not in the last sync of ${c.name}`);
        else if (ids.length > 1) err('group_name', `group_name '${gname}' matches ${ids.length} groups in ${c.name}: give the group_id`);
        else group = { connectionId: c.id, groupId: ids[0] as string };
      }
    }

    if (errors.length > before) return;
    // Every row of an app (and of a role) repeats its fields; they must agree.
    const appKey = appName.toLowerCase();
    const appSig = JSON.stringify(app);
    const firstApp = firstOfApp.get(appKey);
    if (!firstApp) firstOfApp.set(appKey, { row: n, key: appSig });
    else if (firstApp.key !== appSig) err('app_description', `the app fields of "${appName}" differ from row ${firstApp.row} (every row of an app repeats the same description and owner)`);
    if (role) {
      const roleKey = `${appKey}\u0000${role.name.toLowerCase()}`;
      const sig = JSON.stringify(role);
      const first = firstOfRole.get(roleKey);
      if (!first) firstOfRole.set(roleKey, { row: n, key: sig });
      else if (first.key !== sig) err('role', `the fields of "${appName} / ${role.name}" differ from row ${first.row} (every row of a role repeats the same role fields)`);
    }
    if (errors.length === before) parsed.push({ row: n, app, role, group });
  });
  return { rows: parsed, errors, count: dataRows.length };
}

export async function readTable(format: 'csv' | 'xlsx', bytes: Buffer): Promise<string[][]> {
  if (format === 'csv') {
    const text = bytes.toString('utf8');
    if (text.includes('\u0000')) throw new UserError('this is not a CSV text file (it has binary content): pick the .csv, or import it as xlsx', 'bad-input');
    return parseCsv(text);
  }
  return parseXlsx(bytes);
}

/** Checks every row, then (all good) upserts them in one transaction; any bad row: nothing changes. */
export async function importCatalog(ctx: EngineContext, format: 'csv' | 'xlsx', bytes: Buffer): Promise<CatalogImportResult> {
  assertCatalogWritable(ctx);
  const table = await readTable(format, bytes);
  const { db } = ctx;
  return db
    .transaction((): CatalogImportResult => {
      // Checked inside the write transaction: the snapshot can't change between the check and the write.
      const { rows, errors, count } = checkRows(db, table);
      if (errors.length > 0) return { ok: false, rows: count, errors };
      const result = { ok: true as const, rows: count, appsCreated: 0, appsUpdated: 0, rolesCreated: 0, rolesUpdated: 0, mappingsAdded: 0 };
      const appsDone = new Map<string, number>();
      const rolesDone = new Map<string, number>();
      for (const r of rows) {
        const appKey = r.app.name.toLowerCase();
        let appId = appsDone.get(appKey);
        if (appId === undefined) {
          const existing = appIdByName(db, r.app.name);
          appId = writeApp(ctx, { ...(existing === undefined ? {} : { id: existing }), ...r.app }).id;
          if (existing === undefined) result.appsCreated++;
          else result.appsUpdated++;
          appsDone.set(appKey, appId);
        }
        if (!r.role) continue;
        const roleKey = `${appKey}\u0000${r.role.name.toLowerCase()}`;
        let roleId = rolesDone.get(roleKey);
        if (roleId === undefined) {
          const existing = roleIdByName(db, appId, r.role.name);
          roleId = writeRole(ctx, appId, existing, r.role).id;
          if (existing === undefined) result.rolesCreated++;
          else result.rolesUpdated++;
          rolesDone.set(roleKey, roleId);
        }
        if (r.group && writeMapping(ctx, roleId, r.group.connectionId, r.group.groupId) === 'added') result.mappingsAdded++;
      }
      appendAudit(
        db,
        { actor: ctx.actor, channel: ctx.channel, action: 'catalog.imported', targetType: 'catalog', targetId: 'import', details: { format, ...result } },
        ctx.clock.now(),
      );
      return result;
    })
    .immediate();
}

/** Runs importCatalog and tells open views when something changed. */
export async function importCatalogAndAnnounce(ctx: EngineContext, format: 'csv' | 'xlsx', bytes: Buffer): Promise<CatalogImportResult> {
  const result = await importCatalog(ctx, format, bytes);
  if (result.ok) announceCatalogChange(ctx, []);
  return result;
}

/** A row-error list as lines for a terminal. */
export function describeImportErrors(errors: readonly CatalogImportError[]): string {
  return errors.map((e) => e.message).join('\n');
}

export type { FieldIssue };
export const importFormatOf = (file: string): 'csv' | 'xlsx' | null =>
  /\.csv$/i.test(file) ? 'csv' : /\.xlsx$/i.test(file) ? 'xlsx' : null;

/** For the channel: a base64 payload decoded, rejecting what isn't base64. */
export function decodeBase64(content: string): Buffer {
  const clean = content.replace(/[\r\n]/g, '');
  const parsed = z.base64().safeParse(clean);
  if (!parsed.success) throw new UserError('contentBase64: not valid base64', 'bad-input');
  return Buffer.from(clean, 'base64');
}
