// The catalog: apps, their roles (risk, approval policy, durations, owner,
// requestable) and each role's mapped IdP groups. Every change is validated
// with an error naming the field, audited in the same transaction, and
// announced as `governance:changed` {area: 'catalog'} so open views refetch.
import type { CatalogListing, CatalogRoleDetail, SaveAppInput, SaveRoleInput } from '../../../shared/contract-catalog.js';
import { defaultDurationsFor } from '../../../shared/contract-catalog.js';
import type { GroupManagedBy } from '../../../shared/domain.js';
import {
  DURATION_OPTIONS,
  defaultPolicyFor,
  type ApprovalPolicy,
  type CatalogApp,
  type CatalogRole,
  type DurationOption,
  type RiskTier,
  type RoleMapping,
} from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { parseDurations, parsePolicy } from './stored-role.js';
import { mappingProblems } from './mapping-health.js';

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
  name: string;
  description: string;
  risk: RiskTier;
  approval_policy: string;
  durations: string;
  default_duration: DurationOption;
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

const ROLE_SELECT = `SELECT r.*, a.name AS app_name FROM catalog_roles r JOIN catalog_apps a ON a.id = r.app_id`;

export function toMapping(r: MappingRow): RoleMapping {
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

function toRole(r: RoleRow, mappings: RoleMapping[]): CatalogRole {
  return {
    id: r.id,
    appId: r.app_id,
    appName: r.app_name,
    ...roleValuesOf(r),
    mappings,
  };
}

function mappingsByRole(db: Db, roleId?: number): Map<number, RoleMapping[]> {
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

/** The catalog, apps and roles by name; `search` matches app, role, description, owner or mapped group names. */
export function listCatalog(db: Db, search = ''): CatalogListing {
  return db.transaction(() => {
    const apps = db.prepare('SELECT * FROM catalog_apps ORDER BY name COLLATE NOCASE').all() as AppRow[];
    const roles = db.prepare(`${ROLE_SELECT} ORDER BY r.app_id, r.name COLLATE NOCASE`).all() as RoleRow[];
    const mappings = mappingsByRole(db);
    const byApp = new Map<number, CatalogRole[]>();
    let problemCount = 0;
    for (const r of roles) {
      const ms = mappings.get(r.id) ?? [];
      problemCount += ms.filter((m) => m.problems.length > 0).length;
      const list = byApp.get(r.app_id) ?? [];
      list.push(toRole(r, ms));
      byApp.set(r.app_id, list);
    }
    const needle = search.trim().toLowerCase();
    const hit = (s: string | null): boolean => s !== null && s.toLowerCase().includes(needle);
    const out: CatalogApp[] = [];
    for (const a of apps) {
      const app = toApp(a, byApp.get(a.id) ?? []);
      if (needle === '' || hit(app.name) || hit(app.description) || hit(app.owner)) {
        out.push(app);
        continue;
      }
      const roleHits = app.roles.filter(
        (r) => hit(r.name) || hit(r.description) || hit(r.owner) || r.mappings.some((m) => hit(m.groupName) || hit(m.currentName)),
      );
      if (roleHits.length > 0) out.push({ ...app, roles: roleHits });
    }
    const hasSnapshot =
      db.prepare("SELECT 1 FROM connections WHERE kind IN ('okta', 'entra') AND live_gen > 0 LIMIT 1").get() !== undefined;
    return { apps: out, problemCount, hasSnapshot };
  })();
}

function toApp(a: AppRow, roles: CatalogRole[]): CatalogApp {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    owner: a.owner_email,
    source: a.source_connection_id !== null && a.source_app_id !== null ? { connectionId: a.source_connection_id, appId: a.source_app_id } : null,
    roles,
  };
}

export function getCatalogApp(db: Db, id: number): CatalogApp {
  const a = db.prepare('SELECT * FROM catalog_apps WHERE id = ?').get(id) as AppRow | undefined;
  if (!a) throw new UserError(`no catalog app #${id}`, 'not-found');
  const roles = db.prepare(`${ROLE_SELECT} WHERE r.app_id = ? ORDER BY r.name COLLATE NOCASE`).all(id) as RoleRow[];
  const mappings = mappingsByRole(db);
  return toApp(
    a,
    roles.map((r) => toRole(r, mappings.get(r.id) ?? [])),
  );
}

/** One role with its mappings (read by requests and jobs too). */
export function getCatalogRole(db: Db, id: number): CatalogRoleDetail {
  const r = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(id) as RoleRow | undefined;
  if (!r) throw new UserError(`no catalog role #${id}`, 'not-found');
  const appOwner = db.prepare('SELECT owner_email FROM catalog_apps WHERE id = ?').pluck().get(r.app_id) as string | null;
  const counts = db
    .prepare("SELECT count(*) AS total, coalesce(sum(status = 'pending'), 0) AS open FROM requests WHERE role_id = ?")
    .get(id) as { total: number; open: number };
  return {
    ...toRole(r, mappingsByRole(db, id).get(id) ?? []),
    appOwner,
    requestCount: counts.total,
    openRequestCount: counts.open,
  };
}

// --- validation -----------------------------------------------------------------------------

export type FieldIssue = { field: string; message: string };

/** The role fields after defaults, as stored. */
export type RoleValues = {
  name: string;
  description: string;
  risk: RiskTier;
  policy: ApprovalPolicy;
  durations: DurationOption[];
  defaultDuration: DurationOption;
  maxDurationMinutes: number | null;
  owner: string | null;
  requestable: boolean;
};

/**
 * Checks what zod can't see on its own: the default must be an allowed
 * duration, custom needs a maximum, a named-approver step needs approvers,
 * a policy without auto-approve needs a step, escalation needs someone.
 * Returns the values normalised (durations in canonical order, approvers only
 * on named steps, no maximum without custom).
 */
export function checkRoleValues(v: RoleValues): { values: RoleValues; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const durations = DURATION_OPTIONS.filter((d) => v.durations.includes(d));
  if (durations.length === 0) issues.push({ field: 'durations', message: 'pick at least one allowed duration' });
  if (!durations.includes(v.defaultDuration)) {
    issues.push({
      field: 'defaultDuration',
      message: `'${v.defaultDuration}' is not one of the allowed durations (${durations.join(', ') || 'none'})`,
    });
  }
  const custom = durations.includes('custom');
  if (custom && (v.maxDurationMinutes === null || v.maxDurationMinutes <= 0)) {
    issues.push({ field: 'maxDurationMinutes', message: 'a custom duration needs a maximum (in minutes)' });
  }
  const steps = v.policy.steps.map((s, i) => {
    if (s.kind !== 'named') return { kind: s.kind };
    const approvers = [...new Set((s.approvers ?? []).map((a) => a.trim().toLowerCase()))];
    if (approvers.length === 0) {
      issues.push({ field: `policy.steps[${i}].approvers`, message: `step ${i + 1} (named approvers) needs at least one approver e-mail` });
    }
    return { kind: s.kind, approvers };
  });
  if (!v.policy.autoApprove && steps.length === 0) {
    issues.push({ field: 'policy.steps', message: 'add at least one approval step, or turn on auto-approve' });
  }
  if (v.policy.onTimeout === 'escalate' && v.policy.escalateTo.length === 0) {
    issues.push({ field: 'policy.escalateTo', message: 'escalating a pending request needs at least one e-mail to escalate to' });
  }
  const policy: ApprovalPolicy = {
    ...v.policy,
    steps,
    requireEndDateFor: [...new Set(v.policy.requireEndDateFor.map((t) => t.trim().toLowerCase()))],
    escalateTo: [...new Set(v.policy.escalateTo.map((e) => e.trim().toLowerCase()))],
  };
  return { values: { ...v, durations, policy, maxDurationMinutes: custom ? v.maxDurationMinutes : null }, issues };
}

function throwIssues(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new UserError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), 'bad-input');
}

function assertWritable(ctx: EngineContext): void {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only (a copied snapshot): the catalog cannot be changed', 'read-only');
}

function changed(ctx: EngineContext, ids: number[]): void {
  ctx.events.emit('governance:changed', { area: 'catalog', ids });
}

// --- apps -----------------------------------------------------------------------------------

function appByName(db: Db, name: string): AppRow | undefined {
  return db.prepare('SELECT * FROM catalog_apps WHERE name = ? COLLATE NOCASE').get(name) as AppRow | undefined;
}

/** Inserts or updates an app inside the caller's transaction (audited). */
export function writeApp(
  ctx: EngineContext,
  input: SaveAppInput & { source?: { connectionId: number; appId: string } | null },
): { id: number; created: boolean } {
  const { db } = ctx;
  const at = ctx.clock.now().toISOString();
  const clash = appByName(db, input.name);
  if (clash && clash.id !== input.id) throw new UserError(`name: there is already a catalog app named "${clash.name}"`, 'conflict');
  if (input.id === undefined) {
    const id = Number(
      db
        .prepare(
          `INSERT INTO catalog_apps (name, description, owner_email, source_connection_id, source_app_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.name, input.description, input.owner, input.source?.connectionId ?? null, input.source?.appId ?? null, at, at).lastInsertRowid,
    );
    appendAudit(
      db,
      { actor: ctx.actor, action: 'catalog.app-created', targetType: 'catalog-app', targetId: id, details: { name: input.name, owner: input.owner } },
      ctx.clock.now(),
    );
    return { id, created: true };
  }
  const before = db.prepare('SELECT * FROM catalog_apps WHERE id = ?').get(input.id) as AppRow | undefined;
  if (!before) throw new UserError(`no catalog app #${input.id}`, 'not-found');
  db.prepare('UPDATE catalog_apps SET name = ?, description = ?, owner_email = ?, updated_at = ? WHERE id = ?').run(
    input.name,
    input.description,
    input.owner,
    at,
    input.id,
  );
  appendAudit(
    db,
    {
      actor: ctx.actor,
      action: 'catalog.app-updated',
      targetType: 'catalog-app',
      targetId: input.id,
      details: {
        before: { name: before.name, description: before.description, owner: before.owner_email },
        after: { name: input.name, description: input.description, owner: input.owner },
      },
    },
    ctx.clock.now(),
  );
  return { id: input.id, created: false };
}

export function saveApp(ctx: EngineContext, input: SaveAppInput): CatalogApp {
  assertWritable(ctx);
  const { id } = ctx.db.transaction(() => writeApp(ctx, input)).immediate();
  changed(ctx, [id]);
  return getCatalogApp(ctx.db, id);
}

function requestCountOfRoles(db: Db, where: string, arg: number): number {
  return (
    (db.prepare(`SELECT count(*) FROM requests WHERE role_id IN (SELECT id FROM catalog_roles WHERE ${where})`).pluck().get(arg) as number) +
    (db
      .prepare(`SELECT count(*) FROM grants WHERE request_id IS NULL AND role_id IN (SELECT id FROM catalog_roles WHERE ${where})`)
      .pluck()
      .get(arg) as number)
  );
}

export function deleteApp(ctx: EngineContext, id: number): void {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const app = db.prepare('SELECT * FROM catalog_apps WHERE id = ?').get(id) as AppRow | undefined;
    if (!app) throw new UserError(`no catalog app #${id}`, 'not-found');
    const used = requestCountOfRoles(db, 'app_id = ?', id);
    if (used > 0) {
      throw new UserError(
        `the app "${app.name}" has roles with ${used} request${used === 1 ? '' : 's'} or grants, so it can't be deleted (they keep the audit trail): make its roles not requestable instead`,
        'conflict',
      );
    }
    const roles = db.prepare('SELECT name FROM catalog_roles WHERE app_id = ?').pluck().all(id) as string[];
    db.prepare('DELETE FROM catalog_apps WHERE id = ?').run(id);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'catalog.app-deleted', targetType: 'catalog-app', targetId: id, details: { name: app.name, roles } },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [id]);
}

// --- roles ----------------------------------------------------------------------------------

/** The stored values of a role, for an update that leaves some fields out. */
function roleValuesOf(r: RoleRow): RoleValues {
  return {
    name: r.name,
    description: r.description,
    risk: r.risk,
    policy: parsePolicy(r.approval_policy, r.risk),
    durations: parseDurations(r.durations),
    defaultDuration: r.default_duration,
    maxDurationMinutes: r.max_duration_minutes,
    owner: r.owner_email,
    requestable: r.requestable === 1,
  };
}

/** The full values a save means: omitted policy/durations come from the stored role, else from the risk's defaults. */
export function resolveRoleValues(input: Omit<SaveRoleInput, 'id' | 'appId'>, existing: RoleValues | null): RoleValues {
  const defaults = defaultDurationsFor(input.risk);
  const durations = input.durations ?? existing?.durations ?? defaults.durations;
  return {
    name: input.name,
    description: input.description,
    risk: input.risk,
    policy: input.policy ?? existing?.policy ?? defaultPolicyFor(input.risk),
    durations,
    defaultDuration:
      input.defaultDuration ??
      (existing && durations.includes(existing.defaultDuration) ? existing.defaultDuration : durations.includes(defaults.defaultDuration) ? defaults.defaultDuration : (durations[0] ?? 'permanent')),
    maxDurationMinutes: input.maxDurationMinutes === undefined ? (existing?.maxDurationMinutes ?? null) : input.maxDurationMinutes,
    owner: input.owner,
    requestable: input.requestable,
  };
}

/** Inserts or updates a role inside the caller's transaction (validated, audited). */
export function writeRole(ctx: EngineContext, appId: number, roleId: number | undefined, raw: RoleValues): { id: number; created: boolean } {
  const { db } = ctx;
  const app = db.prepare('SELECT * FROM catalog_apps WHERE id = ?').get(appId) as AppRow | undefined;
  if (!app) throw new UserError(`appId: no catalog app #${appId}`, 'not-found');
  const { values: v, issues } = checkRoleValues(raw);
  const clash = db.prepare('SELECT id, name FROM catalog_roles WHERE app_id = ? AND name = ? COLLATE NOCASE').get(appId, v.name) as
    | { id: number; name: string }
    | undefined;
  if (clash && clash.id !== roleId) issues.unshift({ field: 'name', message: `the app "${app.name}" already has a role named "${clash.name}"` });
  throwIssues(issues);
  const at = ctx.clock.now().toISOString();
  const cols = {
    app_id: appId,
    name: v.name,
    description: v.description,
    risk: v.risk,
    approval_policy: JSON.stringify(v.policy),
    durations: JSON.stringify(v.durations),
    default_duration: v.defaultDuration,
    max_duration_minutes: v.maxDurationMinutes,
    owner_email: v.owner,
    requestable: v.requestable ? 1 : 0,
    at,
  };
  const details = { app: app.name, ...v };
  if (roleId === undefined) {
    const id = Number(
      db
        .prepare(
          `INSERT INTO catalog_roles (app_id, name, description, risk, approval_policy, durations, default_duration, max_duration_minutes,
                                      owner_email, requestable, created_at, updated_at)
           VALUES (@app_id, @name, @description, @risk, @approval_policy, @durations, @default_duration, @max_duration_minutes,
                   @owner_email, @requestable, @at, @at)`,
        )
        .run(cols).lastInsertRowid,
    );
    appendAudit(db, { actor: ctx.actor, action: 'catalog.role-created', targetType: 'catalog-role', targetId: id, details }, ctx.clock.now());
    return { id, created: true };
  }
  const before = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(roleId) as RoleRow | undefined;
  if (!before) throw new UserError(`no catalog role #${roleId}`, 'not-found');
  if (before.app_id !== appId) throw new UserError(`appId: role #${roleId} belongs to another app ("${before.app_name}")`, 'bad-input');
  db.prepare(
    `UPDATE catalog_roles SET name = @name, description = @description, risk = @risk, approval_policy = @approval_policy,
       durations = @durations, default_duration = @default_duration, max_duration_minutes = @max_duration_minutes,
       owner_email = @owner_email, requestable = @requestable, updated_at = @at WHERE id = @id`,
  ).run({ ...cols, id: roleId });
  appendAudit(
    db,
    { actor: ctx.actor, action: 'catalog.role-updated', targetType: 'catalog-role', targetId: roleId, details: { ...details, before: roleValuesOf(before) } },
    ctx.clock.now(),
  );
  return { id: roleId, created: false };
}

export function saveRole(ctx: EngineContext, input: SaveRoleInput): CatalogRoleDetail {
  assertWritable(ctx);
  const { db } = ctx;
  const { id } = db
    .transaction(() => {
      const existing = input.id === undefined ? null : (db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(input.id) as RoleRow | undefined);
      if (existing === undefined) throw new UserError(`no catalog role #${input.id}`, 'not-found');
      return writeRole(ctx, input.appId, input.id, resolveRoleValues(input, existing ? roleValuesOf(existing) : null));
    })
    .immediate();
  changed(ctx, [id]);
  return getCatalogRole(db, id);
}

export function deleteRole(ctx: EngineContext, id: number): void {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const role = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(id) as RoleRow | undefined;
    if (!role) throw new UserError(`no catalog role #${id}`, 'not-found');
    const used = requestCountOfRoles(db, 'id = ?', id);
    if (used > 0) {
      throw new UserError(
        `the role "${role.app_name} / ${role.name}" has ${used} request${used === 1 ? '' : 's'} or grants, so it can't be deleted (they keep the audit trail): make it not requestable instead`,
        'conflict',
      );
    }
    const groups = db.prepare('SELECT connection_id, group_id, group_name FROM catalog_mappings WHERE role_id = ?').all(id);
    db.prepare('DELETE FROM catalog_roles WHERE id = ?').run(id);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'catalog.role-deleted', targetType: 'catalog-role', targetId: id, details: { app: role.app_name, name: role.name, groups } },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [id]);
}

// --- mappings -------------------------------------------------------------------------------

/** A group of a synced IdP connection's live snapshot, or a not-found error naming what to do. */
export function liveGroup(db: Db, connectionId: number, groupId: string): { name: string; connectionName: string } {
  const c = db.prepare('SELECT name, kind, live_gen FROM connections WHERE id = ?').get(connectionId) as
    | { name: string; kind: string; live_gen: number }
    | undefined;
  if (!c) throw new UserError(`connectionId: no connection #${connectionId}`, 'not-found');
  if (c.kind !== 'okta' && c.kind !== 'entra') throw new UserError(`connectionId: "${c.name}" is not an identity provider`, 'bad-input');
  if (c.live_gen === 0) throw new UserError(`"${c.name}" has not been synced yet: sync it, then map its groups`, 'not-found');
  const name = db.prepare('SELECT name FROM groups WHERE connection_id = ? AND gen = ? AND id = ?').pluck().get(connectionId, c.live_gen, groupId) as
    | string
    | undefined;
  if (name === undefined) {
    throw new UserError(`groupId: no group "${groupId}" in the last sync of "${c.name}" (pick one from the synced groups, or sync again)`, 'not-found');
  }
  return { name, connectionName: c.name };
}

/** Maps (or re-maps, refreshing the remembered name) one group inside the caller's transaction. */
export function writeMapping(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): 'added' | 'renamed' | 'unchanged' {
  const { db } = ctx;
  const role = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(roleId) as RoleRow | undefined;
  if (!role) throw new UserError(`roleId: no catalog role #${roleId}`, 'not-found');
  const g = liveGroup(db, connectionId, groupId);
  const existing = db
    .prepare('SELECT group_name FROM catalog_mappings WHERE role_id = ? AND connection_id = ? AND group_id = ?')
    .pluck()
    .get(roleId, connectionId, groupId) as string | undefined;
  if (existing === g.name) return 'unchanged';
  const at = ctx.clock.now().toISOString();
  if (existing === undefined) {
    db.prepare('INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (?, ?, ?, ?, ?)').run(
      roleId,
      connectionId,
      groupId,
      g.name,
      at,
    );
  } else {
    db.prepare('UPDATE catalog_mappings SET group_name = ? WHERE role_id = ? AND connection_id = ? AND group_id = ?').run(g.name, roleId, connectionId, groupId);
  }
  appendAudit(
    db,
    {
      actor: ctx.actor,
      action: existing === undefined ? 'catalog.group-mapped' : 'catalog.mapping-renamed',
      targetType: 'catalog-role',
      targetId: roleId,
      details: {
        role: `${role.app_name} / ${role.name}`,
        connectionId,
        connection: g.connectionName,
        groupId,
        groupName: g.name,
        ...(existing === undefined ? {} : { previousName: existing }),
      },
    },
    ctx.clock.now(),
  );
  return existing === undefined ? 'added' : 'renamed';
}

export function mapGroup(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): CatalogRoleDetail {
  assertWritable(ctx);
  ctx.db.transaction(() => writeMapping(ctx, roleId, connectionId, groupId)).immediate();
  changed(ctx, [roleId]);
  return getCatalogRole(ctx.db, roleId);
}

export function unmapGroup(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): CatalogRoleDetail {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const role = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(roleId) as RoleRow | undefined;
    if (!role) throw new UserError(`roleId: no catalog role #${roleId}`, 'not-found');
    const row = db
      .prepare('DELETE FROM catalog_mappings WHERE role_id = ? AND connection_id = ? AND group_id = ? RETURNING group_name')
      .get(roleId, connectionId, groupId) as { group_name: string } | undefined;
    if (!row) throw new UserError(`group "${groupId}" of connection #${connectionId} is not mapped to "${role.app_name} / ${role.name}"`, 'not-found');
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: 'catalog.group-unmapped',
        targetType: 'catalog-role',
        targetId: roleId,
        details: { role: `${role.app_name} / ${role.name}`, connectionId, groupId, groupName: row.group_name },
      },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [roleId]);
  return getCatalogRole(db, roleId);
}

/** Used by suggestions and import: an app's role by name. */
export function roleIdByName(db: Db, appId: number, name: string): number | undefined {
  return db.prepare('SELECT id FROM catalog_roles WHERE app_id = ? AND name = ? COLLATE NOCASE').pluck().get(appId, name) as number | undefined;
}

export function appIdByName(db: Db, name: string): number | undefined {
  return appByName(db, name)?.id;
}

export function storedRoleValues(db: Db, roleId: number): RoleValues | null {
  const r = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(roleId) as RoleRow | undefined;
  return r ? roleValuesOf(r) : null;
}

export { changed as announceCatalogChange, assertWritable as assertCatalogWritable };
