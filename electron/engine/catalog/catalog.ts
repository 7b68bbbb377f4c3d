// The catalog: apps, their roles (risk, approval policy, durations, owner,
// requestable) and each role's mapped IdP groups. Every change is validated
// with an error naming the field, audited in the same transaction, and
// announced as `governance:changed` {area: 'catalog'} so open views refetch.
// The SQL is catalog-store.ts; how many requests use a role is the requests
// area's to say (the handlers add it to a role's detail).
import type { CatalogListing, CatalogRoleDetail, SaveAppInput, SaveRoleInput } from '../../../shared/contract-catalog.js';
import { defaultDurationsFor } from '../../../shared/contract-catalog.js';
import { DURATION_OPTIONS, defaultPolicyFor, type ApprovalPolicy, type CatalogApp, type CatalogRole } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { getConnectionRecord, listConnectionRecords } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { liveGroup as liveGroupOf } from '../directory/snapshot-lookups.js';
import {
  appRecord,
  appRecordByName,
  catalogRoleOf,
  deleteAppRow,
  deleteMapping,
  deleteRoleRow,
  insertApp,
  insertMapping,
  insertRole,
  listAppRecords,
  listRoles,
  mappedGroupName,
  mappingsByRole,
  renameMapping,
  roleGroups,
  roleIdByName,
  roleInfo,
  roleValues,
  updateApp,
  updateRole,
  type AppRecord,
  type RoleValues,
} from './catalog-store.js';

export type { RoleValues } from './catalog-store.js';

/** A role's detail without its request counts (the requests area adds those). */
export type CatalogRoleCore = Omit<CatalogRoleDetail, 'requestCount' | 'openRequestCount'>;

/** The catalog, apps and roles by name; `search` matches app, role, description, owner or mapped group names. */
export function listCatalog(db: Db, search = ''): CatalogListing {
  return db.transaction(() => {
    const apps = listAppRecords(db);
    const roles = listRoles(db);
    const mappings = mappingsByRole(db);
    const byApp = new Map<number, CatalogRole[]>();
    let problemCount = 0;
    for (const { info, values } of roles) {
      const ms = mappings.get(info.id) ?? [];
      problemCount += ms.filter((m) => m.problems.length > 0).length;
      const list = byApp.get(info.appId) ?? [];
      list.push(catalogRoleOf(info, values, ms));
      byApp.set(info.appId, list);
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
    const hasSnapshot = listConnectionRecords(db).some((c) => (c.kind === 'okta' || c.kind === 'entra') && c.liveGen > 0);
    return { apps: out, problemCount, hasSnapshot };
  })();
}

function toApp(a: AppRecord, roles: CatalogRole[]): CatalogApp {
  return { id: a.id, name: a.name, description: a.description, owner: a.owner, source: a.source, roles };
}

export function getCatalogApp(db: Db, id: number): CatalogApp {
  const a = appRecord(db, id);
  if (!a) throw new UserError(`no catalog app #${id}`, 'not-found');
  const mappings = mappingsByRole(db);
  return toApp(
    a,
    listRoles(db, { appId: id }).map(({ info, values }) => catalogRoleOf(info, values, mappings.get(info.id) ?? [])),
  );
}

/** One role with its mappings. */
export function getCatalogRole(db: Db, id: number): CatalogRoleCore {
  const info = roleInfo(db, id);
  const values = roleValues(db, id);
  if (!info || !values) throw new UserError(`no catalog role #${id}`, 'not-found');
  return { ...catalogRoleOf(info, values, mappingsByRole(db, id).get(id) ?? []), appOwner: appRecord(db, info.appId)?.owner ?? null };
}

// --- validation -----------------------------------------------------------------------------

export type FieldIssue = { field: string; message: string };

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

/** Inserts or updates an app inside the caller's transaction (audited). */
export function writeApp(
  ctx: EngineContext,
  input: SaveAppInput & { source?: { connectionId: number; appId: string } | null },
): { id: number; created: boolean } {
  const { db } = ctx;
  const now = ctx.clock.now();
  const clash = appRecordByName(db, input.name);
  if (clash && clash.id !== input.id) throw new UserError(`name: there is already a catalog app named "${clash.name}"`, 'conflict');
  if (input.id === undefined) {
    const id = insertApp(db, input, now);
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'catalog.app-created', targetType: 'catalog-app', targetId: id, details: { name: input.name, owner: input.owner } },
      now,
    );
    return { id, created: true };
  }
  const before = appRecord(db, input.id);
  if (!before) throw new UserError(`no catalog app #${input.id}`, 'not-found');
  updateApp(db, input.id, input, now);
  appendAudit(
    db,
    {
      actor: ctx.actor, channel: ctx.channel,
      action: 'catalog.app-updated',
      targetType: 'catalog-app',
      targetId: input.id,
      details: {
        before: { name: before.name, description: before.description, owner: before.owner },
        after: { name: input.name, description: input.description, owner: input.owner },
      },
    },
    now,
  );
  return { id: input.id, created: false };
}

export function saveApp(ctx: EngineContext, input: SaveAppInput): CatalogApp {
  assertWritable(ctx);
  const { id } = ctx.db.transaction(() => writeApp(ctx, input)).immediate();
  changed(ctx, [id]);
  return getCatalogApp(ctx.db, id);
}

export function deleteApp(ctx: EngineContext, id: number): void {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const app = appRecord(db, id);
    if (!app) throw new UserError(`no catalog app #${id}`, 'not-found');
    const roles = listRoles(db, { appId: id }).map((r) => r.info.name);
    if (!deleteAppRow(db, id)) {
      throw new UserError(
        `the app "${app.name}" has roles with requests or grants, so it can't be deleted (they keep the audit trail): make its roles not requestable instead`,
        'conflict',
      );
    }
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'catalog.app-deleted', targetType: 'catalog-app', targetId: id, details: { name: app.name, roles } },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [id]);
}

// --- roles ----------------------------------------------------------------------------------

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
  const app = appRecord(db, appId);
  if (!app) throw new UserError(`appId: no catalog app #${appId}`, 'not-found');
  const { values: v, issues } = checkRoleValues(raw);
  const clash = roleIdByName(db, appId, v.name);
  if (clash !== undefined && clash !== roleId) {
    issues.unshift({ field: 'name', message: `the app "${app.name}" already has a role named "${roleInfo(db, clash)?.name ?? v.name}"` });
  }
  throwIssues(issues);
  const now = ctx.clock.now();
  const details = { app: app.name, ...v };
  if (roleId === undefined) {
    const id = insertRole(db, { ...v, appId }, now);
    appendAudit(db, { actor: ctx.actor, channel: ctx.channel, action: 'catalog.role-created', targetType: 'catalog-role', targetId: id, details }, now);
    return { id, created: true };
  }
  const before = roleInfo(db, roleId);
  const beforeValues = roleValues(db, roleId);
  if (!before || !beforeValues) throw new UserError(`no catalog role #${roleId}`, 'not-found');
  if (before.appId !== appId) throw new UserError(`appId: role #${roleId} belongs to another app ("${before.appName}")`, 'bad-input');
  updateRole(db, roleId, { ...v, appId }, now);
  appendAudit(
    db,
    { actor: ctx.actor, channel: ctx.channel, action: 'catalog.role-updated', targetType: 'catalog-role', targetId: roleId, details: { ...details, before: beforeValues } },
    now,
  );
  return { id: roleId, created: false };
}

export function saveRole(ctx: EngineContext, input: SaveRoleInput): CatalogRoleCore {
  assertWritable(ctx);
  const { db } = ctx;
  const { id } = db
    .transaction(() => {
      const existing = input.id === undefined ? null : roleValues(db, input.id);
      if (input.id !== undefined && existing === null) throw new UserError(`no catalog role #${input.id}`, 'not-found');
      return writeRole(ctx, input.appId, input.id, resolveRoleValues(input, existing));
    })
    .immediate();
  changed(ctx, [id]);
  return getCatalogRole(db, id);
}

export function deleteRole(ctx: EngineContext, id: number): void {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const role = roleInfo(db, id);
    if (!role) throw new UserError(`no catalog role #${id}`, 'not-found');
    const groups = roleGroups(db, id).map((g) => ({ connection_id: g.connectionId, group_id: g.groupId, group_name: g.groupName }));
    if (!deleteRoleRow(db, id)) {
      throw new UserError(
        `the role "${role.label}" has requests or grants, so it can't be deleted (they keep the audit trail): make it not requestable instead`,
        'conflict',
      );
    }
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'catalog.role-deleted', targetType: 'catalog-role', targetId: id, details: { app: role.appName, name: role.name, groups } },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [id]);
}

// --- mappings -------------------------------------------------------------------------------

/** A group of a synced IdP connection's live snapshot, or a not-found error naming what to do. */
export function liveGroup(db: Db, connectionId: number, groupId: string): { name: string; connectionName: string } {
  let c;
  try {
    c = getConnectionRecord(db, connectionId);
  } catch {
    throw new UserError(`connectionId: no connection #${connectionId}`, 'not-found');
  }
  if (c.kind !== 'okta' && c.kind !== 'entra') throw new UserError(`connectionId: "${c.name}" is not an identity provider`, 'bad-input');
  if (c.liveGen === 0) throw new UserError(`"${c.name}" has not been synced yet: sync it, then map its groups`, 'not-found');
  const g = liveGroupOf(db, connectionId, groupId);
  if (!g) throw new UserError(`groupId: no group "${groupId}" in the last sync of "${c.name}" (pick one from the synced groups, or sync again)`, 'not-found');
  return { name: g.name, connectionName: c.name };
}

/** Maps (or re-maps, refreshing the remembered name) one group inside the caller's transaction. */
export function writeMapping(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): 'added' | 'renamed' | 'unchanged' {
  const { db } = ctx;
  const role = roleInfo(db, roleId);
  if (!role) throw new UserError(`roleId: no catalog role #${roleId}`, 'not-found');
  const g = liveGroup(db, connectionId, groupId);
  const existing = mappedGroupName(db, roleId, connectionId, groupId);
  if (existing === g.name) return 'unchanged';
  const now = ctx.clock.now();
  if (existing === undefined) insertMapping(db, roleId, connectionId, groupId, g.name, now);
  else renameMapping(db, roleId, connectionId, groupId, g.name);
  appendAudit(
    db,
    {
      actor: ctx.actor, channel: ctx.channel,
      action: existing === undefined ? 'catalog.group-mapped' : 'catalog.mapping-renamed',
      targetType: 'catalog-role',
      targetId: roleId,
      details: {
        role: role.label,
        connectionId,
        connection: g.connectionName,
        groupId,
        groupName: g.name,
        ...(existing === undefined ? {} : { previousName: existing }),
      },
    },
    now,
  );
  return existing === undefined ? 'added' : 'renamed';
}

export function mapGroup(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): CatalogRoleCore {
  assertWritable(ctx);
  ctx.db.transaction(() => writeMapping(ctx, roleId, connectionId, groupId)).immediate();
  changed(ctx, [roleId]);
  return getCatalogRole(ctx.db, roleId);
}

export function unmapGroup(ctx: EngineContext, roleId: number, connectionId: number, groupId: string): CatalogRoleCore {
  assertWritable(ctx);
  const { db } = ctx;
  db.transaction(() => {
    const role = roleInfo(db, roleId);
    if (!role) throw new UserError(`roleId: no catalog role #${roleId}`, 'not-found');
    const groupName = deleteMapping(db, roleId, connectionId, groupId);
    if (groupName === undefined) throw new UserError(`group "${groupId}" of connection #${connectionId} is not mapped to "${role.label}"`, 'not-found');
    appendAudit(
      db,
      {
        actor: ctx.actor, channel: ctx.channel,
        action: 'catalog.group-unmapped',
        targetType: 'catalog-role',
        targetId: roleId,
        details: { role: role.label, connectionId, groupId, groupName },
      },
      ctx.clock.now(),
    );
  }).immediate();
  changed(ctx, [roleId]);
  return getCatalogRole(db, roleId);
}

/** Used by suggestions and import: an app by name. */
export function appIdByName(db: Db, name: string): number | undefined {
  return appRecordByName(db, name)?.id;
}

export { roleIdByName } from './catalog-store.js';

export { changed as announceCatalogChange, assertWritable as assertCatalogWritable };
