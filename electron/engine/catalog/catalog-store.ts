// The catalog's tables — catalog_apps, catalog_roles, catalog_mappings — and
// the one decoding of their rows. Every statement that writes them is here,
// and every other area reads them through these functions (requests route
// by a role's policy, grants follow its mappings, Jira and the ledger show
// its label). The catalog's operations (catalog.ts: validation, audit,
// events) call the writes inside their own transactions.
//
// A mapping is shown with the live state of its group, so the mapping reads
// join the snapshot (connections, groups, memberships at the live
// generation) — a read, declared in db/table-owners.ts.
import type { GroupManagedBy } from '../../../shared/domain.js';
import { DURATION_OPTIONS, type CatalogRole, type DurationOption, type RiskTier, type RoleMapping } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';
import { mappingProblems } from './mapping-health.js';
import { parseDurations, parsePolicy } from './stored-role.js';

/** A role's fields as stored, decoded (policy and durations read defensively): a catalog role without its ids and mappings. */
export type RoleValues = Omit<CatalogRole, 'id' | 'appId' | 'appName' | 'mappings'>;

/** A role as request routing and the ledger need it: its values with its app's name and owner, the owners lower-cased. */
export type RoleInfo = Omit<RoleValues, 'owner'> & {
  id: number;
  appId: number;
  appName: string;
  /** "App / Role". */
  label: string;
  /** Lower-cased, or null. */
  roleOwner: string | null;
  appOwner: string | null;
};

export type AppRecord = {
  id: number;
  name: string;
  description: string;
  owner: string | null;
  source: { connectionId: number; appId: string } | null;
};

type AppRow = {
  id: number;
  name: string;
  description: string;
  owner_email: string | null;
  source_connection_id: number | null;
  source_app_id: string | null;
};

type RoleRow = {
  id: number;
  app_id: number;
  app_name: string;
  app_owner: string | null;
  name: string;
  description: string;
  risk: RiskTier;
  approval_policy: string;
  durations: string;
  default_duration: string;
  max_duration_minutes: number | null;
  owner_email: string | null;
  requestable: number;
};

type MappingRow = {
  role_id: number;
  connection_id: number;
  group_id: string;
  group_name: string;
  connection_name: string | null;
  connection_kind: string | null;
  can_write: number | null;
  current_name: string | null;
  type: string | null;
  managed_by: GroupManagedBy | null;
  managed_by_name: string | null;
  member_count: number | null;
};

const ROLE_SELECT = `SELECT r.*, a.name AS app_name, a.owner_email AS app_owner FROM catalog_roles r JOIN catalog_apps a ON a.id = r.app_id`;

// Base tables at the connection's live generation (what cur_* views mean), so
// the lookups use the primary keys.
const MAPPING_SELECT = `
  SELECT m.role_id, m.connection_id, m.group_id, m.group_name,
         c.name AS connection_name, c.kind AS connection_kind, c.settings ->> '$.canWrite' AS can_write,
         g.name AS current_name, g.type, g.managed_by, g.managed_by_name,
         CASE WHEN g.id IS NULL THEN NULL ELSE
           (SELECT count(*) FROM memberships x WHERE x.connection_id = m.connection_id AND x.gen = c.live_gen AND x.group_id = m.group_id)
         END AS member_count
  FROM catalog_mappings m
  LEFT JOIN connections c ON c.id = m.connection_id
  LEFT JOIN groups g ON g.connection_id = m.connection_id AND g.gen = c.live_gen AND g.id = m.group_id`;

const lower = (s: string | null | undefined): string | null => {
  const t = s?.trim().toLowerCase();
  return t ? t : null;
};

// --- decoding -----------------------------------------------------------------------------------

function toApp(a: AppRow): AppRecord {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    owner: a.owner_email,
    source: a.source_connection_id !== null && a.source_app_id !== null ? { connectionId: a.source_connection_id, appId: a.source_app_id } : null,
  };
}

/** The one reading of a stored role: a default that is no longer allowed falls back to the first allowed duration. */
function valuesOf(r: RoleRow): RoleValues {
  const durations = parseDurations(r.durations);
  return {
    name: r.name,
    description: r.description,
    risk: r.risk,
    policy: parsePolicy(r.approval_policy, r.risk),
    durations,
    defaultDuration: (DURATION_OPTIONS as readonly string[]).includes(r.default_duration) ? (r.default_duration as DurationOption) : (durations[0] ?? 'permanent'),
    maxDurationMinutes: r.max_duration_minutes,
    owner: r.owner_email,
    requestable: r.requestable === 1,
  };
}

function infoOf(r: RoleRow): RoleInfo {
  const v = valuesOf(r);
  return {
    id: r.id,
    appId: r.app_id,
    appName: r.app_name,
    name: v.name,
    label: `${r.app_name} / ${r.name}`,
    description: v.description,
    risk: v.risk,
    policy: v.policy,
    durations: v.durations,
    defaultDuration: v.defaultDuration,
    maxDurationMinutes: v.maxDurationMinutes,
    roleOwner: lower(r.owner_email),
    appOwner: lower(r.app_owner),
    requestable: v.requestable,
  };
}

function toMapping(r: MappingRow): RoleMapping {
  const connection = r.connection_name === null ? null : { name: r.connection_name, kind: r.connection_kind ?? '', canWrite: r.can_write === null ? null : r.can_write === 1 };
  const group =
    r.current_name === null || r.managed_by === null
      ? null
      : { name: r.current_name, type: r.type ?? '', managedBy: r.managed_by, managedByName: r.managed_by_name };
  return {
    connectionId: r.connection_id,
    connectionName: r.connection_name,
    groupId: r.group_id,
    groupName: r.group_name,
    currentName: r.current_name,
    memberCount: r.member_count,
    problems: mappingProblems({ connectionId: r.connection_id, groupId: r.group_id, groupName: r.group_name }, connection, group),
  };
}

/** A role with its mappings, as the catalog pages show it. */
export function catalogRoleOf(info: RoleInfo, values: RoleValues, mappings: RoleMapping[]): CatalogRole {
  return { id: info.id, appId: info.appId, appName: info.appName, ...values, mappings };
}

// --- apps ---------------------------------------------------------------------------------------

export function listAppRecords(db: Db): AppRecord[] {
  return (db.prepare('SELECT * FROM catalog_apps ORDER BY name COLLATE NOCASE').all() as AppRow[]).map(toApp);
}

export function appRecord(db: Db, id: number): AppRecord | null {
  const a = db.prepare('SELECT * FROM catalog_apps WHERE id = ?').get(id) as AppRow | undefined;
  return a ? toApp(a) : null;
}

export function appRecordByName(db: Db, name: string): AppRecord | null {
  const a = db.prepare('SELECT * FROM catalog_apps WHERE name = ? COLLATE NOCASE').get(name) as AppRow | undefined;
  return a ? toApp(a) : null;
}

export type AppValues = { name: string; description: string; owner: string | null };

export function insertApp(db: Db, v: AppValues & { source?: { connectionId: number; appId: string } | null }, at: Date): number {
  const iso = at.toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO catalog_apps (name, description, owner_email, source_connection_id, source_app_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(v.name, v.description, v.owner, v.source?.connectionId ?? null, v.source?.appId ?? null, iso, iso).lastInsertRowid,
  );
}

export function updateApp(db: Db, id: number, v: AppValues, at: Date): void {
  db.prepare('UPDATE catalog_apps SET name = ?, description = ?, owner_email = ?, updated_at = ? WHERE id = ?').run(v.name, v.description, v.owner, at.toISOString(), id);
}

/**
 * Deletes an app with its roles and their mappings. False when a request or
 * grant still names one of its roles: they keep the audit trail, and the
 * database's foreign keys refuse the delete.
 */
export function deleteAppRow(db: Db, id: number): boolean {
  return refusedByReferences(() => db.prepare('DELETE FROM catalog_apps WHERE id = ?').run(id));
}

// --- roles --------------------------------------------------------------------------------------

export function roleInfo(db: Db, id: number): RoleInfo | null {
  const r = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(id) as RoleRow | undefined;
  return r ? infoOf(r) : null;
}

export function roleValues(db: Db, id: number): RoleValues | null {
  const r = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(id) as RoleRow | undefined;
  return r ? valuesOf(r) : null;
}

/** A role by its app's and its own name (case-insensitive). */
export function roleInfoByNames(db: Db, appName: string, roleName: string): RoleInfo | null {
  const r = db.prepare(`${ROLE_SELECT} WHERE a.name = ? AND r.name = ?`).get(appName, roleName) as RoleRow | undefined;
  return r ? infoOf(r) : null;
}

export function roleIdByName(db: Db, appId: number, name: string): number | undefined {
  return db.prepare('SELECT id FROM catalog_roles WHERE app_id = ? AND name = ? COLLATE NOCASE').pluck().get(appId, name) as number | undefined;
}

/** Roles with their values, ordered by app then name; of one app, or only the requestable ones. */
export function listRoles(db: Db, filter: { appId?: number; requestable?: boolean } = {}): { info: RoleInfo; values: RoleValues }[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.appId !== undefined) {
    where.push('r.app_id = ?');
    params.push(filter.appId);
  }
  if (filter.requestable !== undefined) {
    where.push('r.requestable = ?');
    params.push(filter.requestable ? 1 : 0);
  }
  const rows = db
    .prepare(`${ROLE_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.name COLLATE NOCASE, r.name COLLATE NOCASE`)
    .all(...params) as RoleRow[];
  return rows.map((r) => ({ info: infoOf(r), values: valuesOf(r) }));
}

/** "App / Role" of each id (ids of deleted roles are left out). */
export function roleLabels(db: Db, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = db
    .prepare(`SELECT r.id, a.name || ' / ' || r.name AS label FROM catalog_roles r JOIN catalog_apps a ON a.id = r.app_id WHERE r.id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify([...new Set(ids)])) as { id: number; label: string }[];
  return new Map(rows.map((r) => [r.id, r.label]));
}

/** Ids of the roles whose "App / Role" label contains the text (case-insensitive), for searches in other areas' lists. */
export function roleIdsMatching(db: Db, text: string): number[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return [];
  return db
    .prepare(`SELECT r.id FROM catalog_roles r JOIN catalog_apps a ON a.id = r.app_id WHERE instr(lower(a.name || ' / ' || r.name), ?) > 0`)
    .pluck()
    .all(needle) as number[];
}

/**
 * SQL for "App / Role" of the role whose id is `roleId` (an SQL expression,
 * e.g. 'r.role_id'), NULL for a deleted role: for other areas' list queries
 * that show and search a role's label without a join of their own.
 */
export function roleLabelSql(roleId: string): string {
  return `(SELECT ca.name || ' / ' || cr.name FROM catalog_roles cr JOIN catalog_apps ca ON ca.id = cr.app_id WHERE cr.id = ${roleId})`;
}

/** SQL for the risk tier of the role whose id is `roleId`, NULL for a deleted role. */
export function roleRiskSql(roleId: string): string {
  return `(SELECT cr.risk FROM catalog_roles cr WHERE cr.id = ${roleId})`;
}

/** The role columns as written; the policy and durations as JSON. */
export type RoleColumns = RoleValues & { appId: number };

function roleParams(v: RoleColumns, at: Date): Record<string, unknown> {
  return {
    app_id: v.appId,
    name: v.name,
    description: v.description,
    risk: v.risk,
    approval_policy: JSON.stringify(v.policy),
    durations: JSON.stringify(v.durations),
    default_duration: v.defaultDuration,
    max_duration_minutes: v.maxDurationMinutes,
    owner_email: v.owner,
    requestable: v.requestable ? 1 : 0,
    at: at.toISOString(),
  };
}

export function insertRole(db: Db, v: RoleColumns, at: Date): number {
  return Number(
    db
      .prepare(
        `INSERT INTO catalog_roles (app_id, name, description, risk, approval_policy, durations, default_duration, max_duration_minutes,
                                    owner_email, requestable, created_at, updated_at)
         VALUES (@app_id, @name, @description, @risk, @approval_policy, @durations, @default_duration, @max_duration_minutes,
                 @owner_email, @requestable, @at, @at)`,
      )
      .run(roleParams(v, at)).lastInsertRowid,
  );
}

export function updateRole(db: Db, id: number, v: RoleColumns, at: Date): void {
  db.prepare(
    `UPDATE catalog_roles SET name = @name, description = @description, risk = @risk, approval_policy = @approval_policy,
       durations = @durations, default_duration = @default_duration, max_duration_minutes = @max_duration_minutes,
       owner_email = @owner_email, requestable = @requestable, updated_at = @at WHERE id = @id`,
  ).run({ ...roleParams(v, at), id });
}

/** Deletes a role and its mappings; false when a request or grant names it (see deleteAppRow). */
export function deleteRoleRow(db: Db, id: number): boolean {
  return refusedByReferences(() => db.prepare('DELETE FROM catalog_roles WHERE id = ?').run(id));
}

/** Runs a delete; false when a foreign key of another table refuses it (SQLite rolls the statement back). */
function refusedByReferences(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false;
    throw e;
  }
}

// --- mappings -----------------------------------------------------------------------------------

/** Mappings with their groups' live state, by role (of one role, or all). */
export function mappingsByRole(db: Db, roleId?: number): Map<number, RoleMapping[]> {
  const rows = (
    roleId === undefined
      ? db.prepare(`${MAPPING_SELECT} ORDER BY m.role_id, m.group_name COLLATE NOCASE`).all()
      : db.prepare(`${MAPPING_SELECT} WHERE m.role_id = ? ORDER BY m.group_name COLLATE NOCASE`).all(roleId)
  ) as MappingRow[];
  const out = new Map<number, RoleMapping[]>();
  for (const r of rows) {
    const list = out.get(r.role_id) ?? [];
    list.push(toMapping(r));
    out.set(r.role_id, list);
  }
  return out;
}

/** A role's mapped groups as stored (the name remembered when mapped), in a stable order. */
export function roleGroups(db: Db, roleId: number): { connectionId: number; groupId: string; groupName: string }[] {
  return (
    db.prepare('SELECT connection_id, group_id, group_name FROM catalog_mappings WHERE role_id = ? ORDER BY connection_id, group_id').all(roleId) as {
      connection_id: number;
      group_id: string;
      group_name: string;
    }[]
  ).map((m) => ({ connectionId: m.connection_id, groupId: m.group_id, groupName: m.group_name }));
}

/** How many groups each role maps to. */
export function mappedGroupCounts(db: Db): Map<number, number> {
  const rows = db.prepare('SELECT role_id, count(*) AS n FROM catalog_mappings GROUP BY role_id').all() as { role_id: number; n: number }[];
  return new Map(rows.map((r) => [r.role_id, r.n]));
}

/** Ids of a connection's groups mapped to any role (a full Okta sync reads their owners in a large org). */
export function mappedGroupIds(db: Db, connectionId: number): string[] {
  return db.prepare('SELECT DISTINCT group_id FROM catalog_mappings WHERE connection_id = ?').pluck().all(connectionId) as string[];
}

/** The roles each mapped group serves, keyed `connectionId \0 groupId`, labels sorted. */
export function rolesByGroup(db: Db): Map<string, { roleId: number; label: string }[]> {
  const rows = db
    .prepare(
      `SELECT m.connection_id, m.group_id, r.id AS role_id, a.name || ' / ' || r.name AS label
       FROM catalog_mappings m JOIN catalog_roles r ON r.id = m.role_id JOIN catalog_apps a ON a.id = r.app_id
       ORDER BY label COLLATE NOCASE`,
    )
    .all() as { connection_id: number; group_id: string; role_id: number; label: string }[];
  const out = new Map<string, { roleId: number; label: string }[]>();
  for (const r of rows) {
    const k = `${r.connection_id}\u0000${r.group_id}`;
    const list = out.get(k) ?? [];
    list.push({ roleId: r.role_id, label: r.label });
    out.set(k, list);
  }
  return out;
}

/** The name a mapping remembers, or undefined when the group is not mapped to the role. */
export function mappedGroupName(db: Db, roleId: number, connectionId: number, groupId: string): string | undefined {
  return db.prepare('SELECT group_name FROM catalog_mappings WHERE role_id = ? AND connection_id = ? AND group_id = ?').pluck().get(roleId, connectionId, groupId) as
    | string
    | undefined;
}

export function insertMapping(db: Db, roleId: number, connectionId: number, groupId: string, groupName: string, at: Date): void {
  db.prepare('INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (?, ?, ?, ?, ?)').run(
    roleId,
    connectionId,
    groupId,
    groupName,
    at.toISOString(),
  );
}

export function renameMapping(db: Db, roleId: number, connectionId: number, groupId: string, groupName: string): void {
  db.prepare('UPDATE catalog_mappings SET group_name = ? WHERE role_id = ? AND connection_id = ? AND group_id = ?').run(groupName, roleId, connectionId, groupId);
}

/** Removes a mapping; the name it remembered, or undefined when there was none. */
export function deleteMapping(db: Db, roleId: number, connectionId: number, groupId: string): string | undefined {
  const row = db.prepare('DELETE FROM catalog_mappings WHERE role_id = ? AND connection_id = ? AND group_id = ? RETURNING group_name').get(roleId, connectionId, groupId) as
    | { group_name: string }
    | undefined;
  return row?.group_name;
}
