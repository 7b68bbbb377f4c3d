// Suggestions and coverage: what the snapshot's IdP apps and their assigned
// groups say the catalog could hold. An app-assigned group named after its
// app (`app-figma-editors`, `figma-admins`, `Figma Viewers`, `SG_Figma_RO`)
// becomes "Figma / Editor"; a group not named after the app (`dept-sales`)
// keeps its own name as the role. Groups already mapped to any role, groups
// the admin dismissed (kept across syncs), built-in groups (Okta's Everyone)
// and inactive apps are not suggested.
import type {
  AcceptSuggestionInput,
  CatalogGroupRow,
  CatalogSuggestion,
  CoverageReport,
  SuggestedGroup,
} from '../../../shared/contract-catalog.js';
import type { GroupManagedBy, Page } from '../../../shared/domain.js';
import type { CatalogApp, RiskTier } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import {
  announceCatalogChange,
  appIdByName,
  assertCatalogWritable,
  getCatalogApp,
  resolveRoleValues,
  roleIdByName,
  writeApp,
  writeMapping,
  writeRole,
} from './catalog.js';
import { rolesByGroup } from './catalog-store.js';
import { groupProblems } from './mapping-health.js';

// --- naming -----------------------------------------------------------------------------------

/** Leading words that say "this is a group", not which app or role. */
const NOISE_PREFIXES = new Set(['app', 'apps', 'application', 'sg', 'grp', 'group', 'okta', 'aad', 'az', 'azure', 'entra', 'role', 'roles', 'acl', 'g', 'gg', 'ug', 'sec']);
/** Words that end in "s" but are not plurals. */
const NOT_PLURAL = new Set(['sales', 'ops', 'devops', 'secops', 'finops', 'analytics', 'access', 'news', 'status', 'aws', 'its', 'us', 'jss', 'sms', 'dns', 'cms', 'crs', 'ss', 'is']);
const SPELLING: Record<string, string> = {
  readonly: 'Read-only',
  ro: 'Read-only',
  rw: 'Read-write',
  readwrite: 'Read-write',
  hr: 'HR',
  it: 'IT',
  qa: 'QA',
  sre: 'SRE',
  api: 'API',
  sso: 'SSO',
  aws: 'AWS',
  gcp: 'GCP',
  uat: 'UAT',
  dev: 'Dev',
  prod: 'Prod',
  superadmin: 'Super Admin',
  sysadmin: 'Sysadmin',
};

const words = (s: string): string[] => s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

function singular(w: string): string {
  if (NOT_PLURAL.has(w) || w.length <= 3) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is')) return w;
  return w.endsWith('s') ? w.slice(0, -1) : w;
}

const titleWord = (w: string): string => SPELLING[w] ?? `${w.charAt(0).toUpperCase()}${w.slice(1)}`;

/** "Figma (SAML)" -> "Figma": sign-on protocol suffixes are not part of an app's name. */
export function cleanAppName(label: string): string {
  const cleaned = label.replace(/\s*[-–(]?\s*\b(saml(\s*2\.0)?|sso|oidc|scim|wsfed)\b\s*\)?\s*$/i, '').trim();
  return cleaned === '' ? label.trim() : cleaned;
}

/**
 * The role a group stands for in an app: the group's words minus "group"
 * prefixes and the app's own words, last word singular, title case. A group
 * whose name doesn't mention the app keeps its name.
 */
export function deriveRoleName(groupName: string, app: { label: string; name?: string }): string {
  const appWords = new Set([...words(app.label), ...words(app.name ?? '')].filter((w) => w.length >= 2));
  // "GoogleWorkspace" or "googleworkspace" in a group name is the label with its spaces dropped.
  const squashed = words(app.label).join('');
  if (squashed.length >= 3) appWords.add(squashed);
  const all = words(groupName);
  let start = 0;
  while (start < all.length - 1 && NOISE_PREFIXES.has(all[start] as string)) start++;
  const rest = all.slice(start);
  const remaining = rest.filter((w) => !appWords.has(w));
  const mentionsApp = remaining.length < rest.length;
  if (!mentionsApp) return groupName.trim();
  if (remaining.length === 0) return 'User';
  const last = remaining.length - 1;
  return remaining.map((w, i) => titleWord(i === last ? singular(w) : w)).join(' ');
}

/** A starting risk from the role's name (the admin adjusts it). */
export function suggestRisk(roleName: string): RiskTier {
  const w = words(roleName);
  const has = (...xs: string[]): boolean => xs.some((x) => w.some((y) => y === x || y.startsWith(x)));
  const sensitive = has('prod', 'finance', 'security', 'payroll');
  if (has('superadmin', 'root', 'global', 'owner', 'breakglass')) return 'critical';
  if (has('admin', 'maintainer', 'approver', 'privileged', 'write', 'rw')) return 'high';
  // Read-only access is low risk, except to production or money, where reading still matters.
  if (has('viewer', 'readonly', 'read', 'ro', 'guest', 'licensed', 'interviewer')) return sensitive ? 'medium' : 'low';
  return sensitive ? 'high' : 'medium';
}

// --- suggestions ------------------------------------------------------------------------------

type AssignedRow = {
  connection_id: number;
  connection_name: string;
  connection_kind: string;
  app_id: string;
  app_name: string;
  app_label: string;
  group_id: string;
  group_name: string;
  group_type: string;
  managed_by: GroupManagedBy;
  managed_by_name: string | null;
  member_count: number;
  mapped: number;
  dismissed: number;
};

function assignedGroups(db: Db, connectionId?: number, activeOnly = true): AssignedRow[] {
  return db
    .prepare(
      `SELECT x.connection_id, c.name AS connection_name, c.kind AS connection_kind, a.id AS app_id, a.name AS app_name, a.label AS app_label,
              g.id AS group_id, g.name AS group_name, g.type AS group_type, g.managed_by, g.managed_by_name,
              (SELECT count(*) FROM memberships mm WHERE mm.connection_id = g.connection_id AND mm.gen = c.live_gen AND mm.group_id = g.id) AS member_count,
              EXISTS (SELECT 1 FROM catalog_mappings m WHERE m.connection_id = g.connection_id AND m.group_id = g.id) AS mapped,
              EXISTS (SELECT 1 FROM catalog_dismissed d WHERE d.connection_id = x.connection_id AND d.app_id = x.app_id AND d.group_id = g.id) AS dismissed
       FROM connections c
       JOIN app_assignments x ON x.connection_id = c.id AND x.gen = c.live_gen
       JOIN apps a ON a.connection_id = c.id AND a.gen = c.live_gen AND a.id = x.app_id
       JOIN groups g ON g.connection_id = c.id AND g.gen = c.live_gen AND g.id = x.group_id
       WHERE c.kind IN ('okta', 'entra') AND c.live_gen > 0 ${connectionId === undefined ? '' : 'AND c.id = @cid'}
         ${activeOnly ? "AND a.status = 'ACTIVE'" : ''}
       ORDER BY a.label COLLATE NOCASE, c.name, x.priority, g.name COLLATE NOCASE`,
    )
    .all(connectionId === undefined ? {} : { cid: connectionId }) as AssignedRow[];
}

export function listSuggestions(db: Db): { suggestions: CatalogSuggestion[]; dismissed: number } {
  return db.transaction(() => {
    const byApp = new Map<string, CatalogSuggestion>();
    for (const r of assignedGroups(db)) {
      if (r.mapped || r.dismissed || r.group_type === 'BUILT_IN') continue;
      const appName = cleanAppName(r.app_label);
      const key = appName.toLowerCase();
      let s = byApp.get(key);
      if (!s) {
        s = { key, appName, existingAppId: appIdByName(db, appName) ?? null, sources: [], roles: [] };
        byApp.set(key, s);
      }
      if (!s.sources.some((x) => x.connectionId === r.connection_id && x.appId === r.app_id)) {
        s.sources.push({ connectionId: r.connection_id, connectionName: r.connection_name, appId: r.app_id, label: r.app_label });
      }
      const roleName = deriveRoleName(r.group_name, { label: r.app_label, name: r.app_name });
      let role = s.roles.find((x) => x.name.toLowerCase() === roleName.toLowerCase());
      if (!role) {
        role = {
          name: roleName,
          risk: suggestRisk(roleName),
          existingRoleId: s.existingAppId === null ? null : (roleIdByName(db, s.existingAppId, roleName) ?? null),
          groups: [],
        };
        s.roles.push(role);
      }
      if (role.groups.some((g) => g.connectionId === r.connection_id && g.groupId === r.group_id)) continue;
      const group: SuggestedGroup = {
        connectionId: r.connection_id,
        connectionName: r.connection_name,
        appId: r.app_id,
        groupId: r.group_id,
        groupName: r.group_name,
        memberCount: r.member_count,
        managedBy: r.managed_by,
        problems: groupProblems(
          { name: r.group_name, type: r.group_type, managedBy: r.managed_by, managedByName: r.managed_by_name },
          r.connection_name,
          r.connection_kind,
        ),
      };
      role.groups.push(group);
    }
    const suggestions = [...byApp.values()].sort((a, b) => a.appName.localeCompare(b.appName));
    for (const s of suggestions) {
      s.sources.sort((a, b) => a.connectionName.localeCompare(b.connectionName) || a.appId.localeCompare(b.appId));
      for (const r of s.roles) r.groups.sort((a, b) => a.connectionName.localeCompare(b.connectionName) || a.groupName.localeCompare(b.groupName));
    }
    const dismissed = db.prepare('SELECT count(*) FROM catalog_dismissed').pluck().get() as number;
    return { suggestions, dismissed };
  })();
}

/** Creates or merges the app, its roles and their mappings in one transaction. */
export function acceptSuggestion(ctx: EngineContext, input: AcceptSuggestionInput): CatalogApp {
  assertCatalogWritable(ctx);
  const { db } = ctx;
  const appId = db
    .transaction(() => {
      const existing = appIdByName(db, input.appName);
      const id =
        existing ??
        writeApp(ctx, { name: input.appName, description: input.description, owner: input.owner, source: input.source }).id;
      const seen = new Set<string>();
      for (const [i, r] of input.roles.entries()) {
        const lower = r.name.toLowerCase();
        if (seen.has(lower)) throw new UserError(`roles[${i}].name: "${r.name}" appears twice in this suggestion`, 'bad-input');
        seen.add(lower);
        const roleId =
          roleIdByName(db, id, r.name) ??
          writeRole(ctx, id, undefined, resolveRoleValues({ name: r.name, description: '', risk: r.risk, owner: null, requestable: true }, null)).id;
        for (const g of r.groups) writeMapping(ctx, roleId, g.connectionId, g.groupId);
      }
      appendAudit(
        db,
        {
          actor: ctx.actor, channel: ctx.channel,
          action: 'catalog.suggestion-accepted',
          targetType: 'catalog-app',
          targetId: id,
          details: { app: input.appName, merged: existing !== undefined, roles: input.roles.map((r) => ({ name: r.name, groups: r.groups.length })) },
        },
        ctx.clock.now(),
      );
      return id;
    })
    .immediate();
  announceCatalogChange(ctx, [appId]);
  return getCatalogApp(db, appId);
}

export function dismissSuggestions(ctx: EngineContext, items: { connectionId: number; appId: string; groupId: string }[]): number {
  assertCatalogWritable(ctx);
  const { db } = ctx;
  const n = db
    .transaction(() => {
      const at = ctx.clock.now().toISOString();
      const put = db.prepare(
        'INSERT OR IGNORE INTO catalog_dismissed (connection_id, app_id, group_id, dismissed_at, dismissed_by) VALUES (?, ?, ?, ?, ?)',
      );
      let count = 0;
      for (const it of items) count += put.run(it.connectionId, it.appId, it.groupId, at, ctx.actor).changes;
      if (count > 0) {
        appendAudit(
          db,
          { actor: ctx.actor, channel: ctx.channel, action: 'catalog.suggestions-dismissed', targetType: 'catalog', targetId: 'suggestions', details: { items } },
          ctx.clock.now(),
        );
      }
      return count;
    })
    .immediate();
  if (n > 0) announceCatalogChange(ctx, []);
  return n;
}

export function restoreDismissed(ctx: EngineContext): number {
  assertCatalogWritable(ctx);
  const { db } = ctx;
  const n = db
    .transaction(() => {
      const count = db.prepare('DELETE FROM catalog_dismissed').run().changes;
      if (count > 0) {
        appendAudit(
          db,
          { actor: ctx.actor, channel: ctx.channel, action: 'catalog.suggestions-restored', targetType: 'catalog', targetId: 'suggestions', details: { count } },
          ctx.clock.now(),
        );
      }
      return count;
    })
    .immediate();
  if (n > 0) announceCatalogChange(ctx, []);
  return n;
}

// --- coverage ---------------------------------------------------------------------------------

/** Per IdP app (inactive ones too: access through them still counts), assigned groups mapped vs not. */
export function catalogCoverage(db: Db, connectionId?: number): CoverageReport {
  return db.transaction(() => {
    const roles = rolesByGroup(db);
    const apps = new Map<string, CoverageReport['apps'][number]>();
    const totals = { apps: 0, groups: 0, mapped: 0, unmapped: 0, fullyCovered: 0 };
    for (const r of assignedGroups(db, connectionId, false)) {
      const k = `${r.connection_id}\u0000${r.app_id}`;
      let app = apps.get(k);
      if (!app) {
        app = { connectionId: r.connection_id, connectionName: r.connection_name, appId: r.app_id, label: r.app_label, status: '', mapped: 0, unmapped: 0, groups: [] };
        apps.set(k, app);
      }
      const mappedTo = roles.get(`${r.connection_id}\u0000${r.group_id}`) ?? [];
      app.groups.push({
        groupId: r.group_id,
        groupName: r.group_name,
        memberCount: r.member_count,
        managedBy: r.managed_by,
        roles: mappedTo,
        dismissed: r.dismissed === 1,
      });
      if (mappedTo.length > 0) app.mapped++;
      else app.unmapped++;
    }
    const status = db.prepare('SELECT status FROM cur_apps WHERE connection_id = ? AND id = ?').pluck();
    const list = [...apps.values()];
    for (const a of list) {
      a.status = (status.get(a.connectionId, a.appId) as string | undefined) ?? '';
      totals.apps++;
      totals.groups += a.groups.length;
      totals.mapped += a.mapped;
      totals.unmapped += a.unmapped;
      if (a.unmapped === 0) totals.fullyCovered++;
    }
    return { apps: list, totals };
  })();
}

// --- groups for the mapper --------------------------------------------------------------------

type GroupListRow = {
  connection_id: number;
  connection_name: string;
  connection_kind: string;
  id: string;
  name: string;
  description: string | null;
  type: string;
  managed_by: GroupManagedBy;
  managed_by_name: string | null;
  member_count: number;
};

/** Synced groups by name (search on name/description), with where each is already mapped. */
export function catalogGroups(
  db: Db,
  q: { search: string; connectionId?: number | undefined; unmappedOnly: boolean; offset: number; limit: number },
): Page<CatalogGroupRow> {
  return db.transaction(() => {
    const where: string[] = ["c.kind IN ('okta', 'entra')"];
    const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
    if (q.connectionId !== undefined) {
      where.push('c.id = @cid');
      params.cid = q.connectionId;
    }
    const search = q.search.trim();
    if (search !== '') {
      where.push("(g.name LIKE @like ESCAPE '\\' OR coalesce(g.description, '') LIKE @like ESCAPE '\\')");
      params.like = `%${search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    }
    if (q.unmappedOnly) where.push('NOT EXISTS (SELECT 1 FROM catalog_mappings m WHERE m.connection_id = g.connection_id AND m.group_id = g.id)');
    const from = `FROM groups g JOIN connections c ON c.id = g.connection_id AND g.gen = c.live_gen WHERE ${where.join(' AND ')}`;
    const total = db.prepare(`SELECT count(*) ${from}`).pluck().get(params) as number;
    const rows = db
      .prepare(
        `SELECT g.connection_id, c.name AS connection_name, c.kind AS connection_kind, g.id, g.name, g.description, g.type, g.managed_by, g.managed_by_name,
                (SELECT count(*) FROM memberships x WHERE x.connection_id = g.connection_id AND x.gen = c.live_gen AND x.group_id = g.id) AS member_count
         ${from} ORDER BY g.name COLLATE NOCASE, c.name, g.id LIMIT @limit OFFSET @offset`,
      )
      .all(params) as GroupListRow[];
    const mapped = rolesByGroup(db);
    return {
      total,
      offset: q.offset,
      rows: rows.map((r) => ({
        connectionId: r.connection_id,
        connectionName: r.connection_name,
        id: r.id,
        name: r.name,
        description: r.description,
        type: r.type,
        managedBy: r.managed_by,
        managedByName: r.managed_by_name,
        memberCount: r.member_count,
        mappedTo: mapped.get(`${r.connection_id}\u0000${r.id}`) ?? [],
        problems: groupProblems({ name: r.name, type: r.type, managedBy: r.managed_by, managedByName: r.managed_by_name }, r.connection_name, r.connection_kind),
      })),
    };
  })();
}
