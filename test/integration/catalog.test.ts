// The catalog engine and its channels on real SQLite files: validation that
// names the field, audit + event on every change, mapping health after later
// syncs, suggestions (accept, merge, dismiss kept across syncs), coverage,
// CSV/XLSX import with row errors (nothing changed) and the round trip, and
// refusal on a read-only snapshot.
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CatalogListing, CatalogSuggestion } from '../../shared/contract-catalog.js';
import { createHandlers, dispatch, type Handlers } from '../../electron/engine/api.js';
import { recentAuditEvents, verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { getCatalogRole, listCatalog, mapGroup, saveApp, saveRole } from '../../electron/engine/catalog/catalog.js';
import { roleRequestCounts } from '../../electron/engine/requests/request-store.js';
import { exportCatalog, importCatalog } from '../../electron/engine/catalog/catalog-io.js';
import { parseCsv } from '../../electron/engine/csv.js';
import { CATALOG_IMPORT_COLUMNS, templateCsv } from '../../shared/import-columns.js';
import { acceptSuggestion, catalogCoverage, catalogGroups, listSuggestions } from '../../electron/engine/catalog/suggestions.js';
import { removeConnection } from '../../electron/engine/governance/connection-removal.js';
import { UserError } from '../../electron/engine/context.js';
import { saveSnapshot } from '../../electron/engine/workspace/snapshot-copy.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { catalogWorkspace, NOW, resync, type CatalogWorkspace } from './catalog-helpers.js';

const open: CatalogWorkspace[] = [];
function fresh(opts: Parameters<typeof catalogWorkspace>[0] = {}): CatalogWorkspace {
  const ws = catalogWorkspace(opts);
  open.push(ws);
  return ws;
}
afterEach(() => {
  for (const ws of open.splice(0)) ws.cleanup();
});

const auditCount = (ws: CatalogWorkspace): number => ws.db.prepare('SELECT count(*) FROM audit_events').pluck().get() as number;

function expectUserError(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a UserError').toBeInstanceOf(UserError);
  const e = caught as UserError;
  expect(e.code).toBe(code);
  for (const f of fragments) expect(e.message).toContain(f);
}

/** Figma with an Editor role (medium) mapped to app-figma-editors. */
function figmaEditor(ws: CatalogWorkspace): { appId: number; roleId: number } {
  const app = saveApp(ws.ctx, { name: 'Figma', description: 'Design', owner: 'design-lead@example.com' });
  const role = saveRole(ws.ctx, { appId: app.id, name: 'Editor', description: '', risk: 'medium', owner: null, requestable: true });
  mapGroup(ws.ctx, role.id, ws.ids.okta, 'g-fe');
  return { appId: app.id, roleId: role.id };
}

describe('apps and roles', () => {
  it('creates a role from the risk defaults, audits every change in the chain and announces it', () => {
    const ws = fresh();
    const before = auditCount(ws);
    const { roleId } = figmaEditor(ws);
    const role = getCatalogRole(ws.db, roleId);
    expect(role).toMatchObject({
      appName: 'Figma',
      name: 'Editor',
      risk: 'medium',
      policy: { autoApprove: false, steps: [{ kind: 'manager' }], requireEndDateFor: ['contractor', 'partner'], pendingTimeoutHours: 168, onTimeout: 'expire' },
      durations: ['permanent', '24h', '7d', '30d'],
      defaultDuration: '30d',
      requestable: true,
      appOwner: 'design-lead@example.com',
    });
    expect(roleRequestCounts(ws.db, roleId)).toEqual({ requestCount: 0, openRequestCount: 0 });
    expect(role.mappings).toEqual([
      { connectionId: ws.ids.okta, connectionName: 'Okta', groupId: 'g-fe', groupName: 'app-figma-editors', currentName: 'app-figma-editors', memberCount: 2, problems: [] },
    ]);
    expect(auditCount(ws)).toBe(before + 3);
    expect(recentAuditEvents(ws.db, 3).map((e) => e.action).sort()).toEqual(['catalog.app-created', 'catalog.group-mapped', 'catalog.role-created']);
    expect(verifyAuditChain(ws.db).valid).toBe(true);
    expect(ws.events.filter((e) => e.event === 'governance:changed').map((e) => (e.payload as { area: string }).area)).toEqual(['catalog', 'catalog', 'catalog']);
  });

  it('refuses bad roles with errors naming the field, and stores nothing', () => {
    const ws = fresh();
    const { appId, roleId } = figmaEditor(ws);
    const base = { appId, name: 'Admin', description: '', risk: 'high' as const, owner: null, requestable: true };
    const audits = auditCount(ws);
    expectUserError(() => saveRole(ws.ctx, { ...base, durations: ['1h', '24h'], defaultDuration: '30d' }), 'bad-input', "defaultDuration: '30d' is not one of the allowed durations (1h, 24h)");
    expectUserError(() => saveRole(ws.ctx, { ...base, durations: ['1h', 'custom'], defaultDuration: '1h', maxDurationMinutes: null }), 'bad-input', 'maxDurationMinutes: a custom duration needs a maximum');
    expectUserError(
      () =>
        saveRole(ws.ctx, {
          ...base,
          policy: { autoApprove: false, steps: [{ kind: 'manager' }, { kind: 'named', approvers: [] }], requireEndDateFor: [], pendingTimeoutHours: 24, onTimeout: 'expire', escalateTo: [] },
        }),
      'bad-input',
      'policy.steps[1].approvers: step 2 (named approvers) needs at least one approver e-mail',
    );
    expectUserError(
      () => saveRole(ws.ctx, { ...base, policy: { autoApprove: false, steps: [], requireEndDateFor: [], pendingTimeoutHours: 24, onTimeout: 'escalate', escalateTo: [] } }),
      'bad-input',
      'policy.steps: add at least one approval step',
      'policy.escalateTo',
    );
    expectUserError(() => saveRole(ws.ctx, { ...base, name: 'editor' }), 'bad-input', 'name: the app "Figma" already has a role named "Editor"');
    expectUserError(() => saveApp(ws.ctx, { name: 'FIGMA', description: '', owner: null }), 'conflict', 'name: there is already a catalog app named "Figma"');
    expectUserError(() => mapGroup(ws.ctx, roleId, ws.ids.okta, 'no-such-group'), 'not-found', 'groupId: no group "no-such-group" in the last sync of "Okta"');
    expectUserError(() => mapGroup(ws.ctx, roleId, 999, 'g-fe'), 'not-found', 'connectionId: no connection #999');
    expect(auditCount(ws)).toBe(audits);
    expect(listCatalog(ws.db).apps[0]?.roles.map((r) => r.name)).toEqual(['Editor']);
  });

  it('validates channel input with zod, naming the field', async () => {
    const ws = fresh();
    const handlers = createHandlers(ws.ctx);
    const r = await dispatch(handlers, 'catalog:saveRole', { appId: 1, name: 'X', risk: 'extreme' });
    expect(r).toMatchObject({ ok: false, code: 'bad-input' });
    expect(!r.ok && r.error).toContain('risk');
    const e = await dispatch(handlers, 'catalog:saveApp', { name: 'Y', owner: 'not-an-email' });
    expect(!e.ok && e.error).toMatch(/owner: not an e-mail address/);
    const ok = await dispatch(handlers, 'catalog:saveApp', { name: 'Y', owner: '' });
    expect(ok).toMatchObject({ ok: true, value: { name: 'Y', owner: null } });
  });

  it('updates a role keeping what the save leaves out, and refuses to delete a role with requests', async () => {
    const ws = fresh();
    const { appId, roleId } = figmaEditor(ws);
    const policy = { autoApprove: false, steps: [{ kind: 'manager' as const }, { kind: 'named' as const, approvers: ['Sec@Example.com'] }], requireEndDateFor: ['contractor'], pendingTimeoutHours: 48, onTimeout: 'escalate' as const, escalateTo: ['it@example.com'] };
    saveRole(ws.ctx, { id: roleId, appId, name: 'Editor', description: 'Edit files', risk: 'high', policy, durations: ['custom', '1h'], defaultDuration: '1h', maxDurationMinutes: 600, owner: 'o@example.com', requestable: true });
    const renamed = saveRole(ws.ctx, { id: roleId, appId, name: 'Editors', description: 'Edit files', risk: 'high', owner: 'o@example.com', requestable: false });
    expect(renamed).toMatchObject({
      name: 'Editors',
      requestable: false,
      durations: ['1h', 'custom'],
      maxDurationMinutes: 600,
      policy: { steps: [{ kind: 'manager' }, { kind: 'named', approvers: ['sec@example.com'] }], onTimeout: 'escalate', escalateTo: ['it@example.com'] },
    });
    ws.db
      .prepare(
        `INSERT INTO requests (role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_name, requester, duration, justification, status, source, created_at, updated_at)
         VALUES (?, ?, 'ada', 'Ada', 'ada@example.com', '1h', 'work', 'pending', 'console', ?, ?)`,
      )
      .run(roleId, ws.ids.okta, NOW.toISOString(), NOW.toISOString());
    const handlers = createHandlers(ws.ctx);
    const del = await dispatch(handlers, 'catalog:deleteRole', { id: roleId });
    expect(del).toMatchObject({ ok: false, code: 'conflict' });
    expect(!del.ok && del.error).toContain('make it not requestable instead');
    const delApp = await dispatch(handlers, 'catalog:deleteApp', { id: appId });
    expect(delApp).toMatchObject({ ok: false, code: 'conflict' });
    expect(await dispatch(handlers, 'catalog:role', { id: roleId })).toMatchObject({ ok: true, value: { id: roleId, requestCount: 1, openRequestCount: 1 } });
    // Without requests it goes, with its mappings.
    const other = saveRole(ws.ctx, { appId, name: 'Viewer', description: '', risk: 'low', owner: null, requestable: true });
    mapGroup(ws.ctx, other.id, ws.ids.okta, 'g-fv');
    expect(await dispatch(handlers, 'catalog:deleteRole', { id: other.id })).toMatchObject({ ok: true });
    expect(ws.db.prepare('SELECT count(*) FROM catalog_mappings WHERE role_id = ?').pluck().get(other.id)).toBe(0);
    expect(recentAuditEvents(ws.db, 1)[0]?.action).toBe('catalog.role-deleted');
  });
});

describe('mapping health', () => {
  it('flags rule-managed, dynamic and externally managed groups with what to do', () => {
    const ws = fresh();
    const app = saveApp(ws.ctx, { name: 'Eng', description: '', owner: null });
    const role = saveRole(ws.ctx, { appId: app.id, name: 'Member', description: '', risk: 'low', owner: null, requestable: true });
    mapGroup(ws.ctx, role.id, ws.ids.okta, 'g-eng');
    mapGroup(ws.ctx, role.id, ws.ids.okta, 'g-vpn');
    const r = mapGroup(ws.ctx, role.id, ws.ids.entra, 'e-dyn');
    const byGroup = Object.fromEntries(r.mappings.map((m) => [m.groupId, m.problems]));
    expect(byGroup['g-eng']).toEqual([
      {
        kind: 'rule-managed',
        message: 'Membership of "dept-engineering" is managed by the group rule "Engineering" in Okta; Latchkey cannot add members: pick a directly managed group or requests become manual tasks.',
      },
    ]);
    expect(byGroup['g-vpn']?.[0]?.kind).toBe('externally-managed');
    expect(byGroup['g-vpn']?.[0]?.message).toContain('managed by Active Directory');
    expect(byGroup['e-dyn']?.[0]?.kind).toBe('dynamic');
    expect(byGroup['e-dyn']?.[0]?.message).toContain('user.department -eq "Sales"');
    expect(listCatalog(ws.db).problemCount).toBe(3);
  });

  it('flags a group renamed or deleted by a later sync, and a removed connection; re-mapping accepts a new name', async () => {
    const ws = fresh();
    const { roleId } = figmaEditor(ws);
    mapGroup(ws.ctx, roleId, ws.ids.okta, 'g-fv');
    mapGroup(ws.ctx, roleId, ws.ids.entra, 'e-fe');
    resync(ws.db, ws.ids.okta, (gen) => {
      ws.db.prepare("UPDATE groups SET name = 'app-figma-editors-2025' WHERE connection_id = ? AND gen = ? AND id = 'g-fe'").run(ws.ids.okta, gen);
      ws.db.prepare("DELETE FROM groups WHERE connection_id = ? AND gen = ? AND id = 'g-fv'").run(ws.ids.okta, gen);
    });
    let role = getCatalogRole(ws.db, roleId);
    const fe = role.mappings.find((m) => m.groupId === 'g-fe');
    expect(fe).toMatchObject({ groupName: 'app-figma-editors', currentName: 'app-figma-editors-2025' });
    expect(fe?.problems).toEqual([expect.objectContaining({ kind: 'group-renamed' })]);
    expect(fe?.problems[0]?.message).toContain('from "app-figma-editors" to "app-figma-editors-2025"');
    const fv = role.mappings.find((m) => m.groupId === 'g-fv');
    expect(fv).toMatchObject({ currentName: null, memberCount: null, problems: [expect.objectContaining({ kind: 'group-deleted' })] });
    expect(fv?.problems[0]?.message).toContain('"Figma Viewers" (id g-fv) is no longer in the last sync of Okta');

    role = mapGroup(ws.ctx, roleId, ws.ids.okta, 'g-fe');
    expect(role.mappings.find((m) => m.groupId === 'g-fe')).toMatchObject({ groupName: 'app-figma-editors-2025', problems: [] });
    expect(recentAuditEvents(ws.db, 1)[0]).toMatchObject({ action: 'catalog.mapping-renamed' });

    await removeConnection(ws.ctx, ws.ids.entra);
    role = getCatalogRole(ws.db, roleId);
    const gone = role.mappings.find((m) => m.groupId === 'e-fe');
    expect(gone).toMatchObject({ connectionName: null, problems: [expect.objectContaining({ kind: 'connection-removed' })] });
    expect(listCatalog(ws.db).problemCount).toBe(2);
  });
});

describe('suggestions', () => {
  const find = (s: CatalogSuggestion[], app: string): CatalogSuggestion | undefined => s.find((x) => x.appName === app);

  it('proposes apps and roles from app-assigned groups, merging IdPs, skipping built-in groups and inactive apps', () => {
    const ws = fresh();
    const { suggestions } = listSuggestions(ws.db);
    expect(suggestions.map((s) => s.appName)).toEqual(['Figma', 'GitHub Enterprise Cloud', 'Salesforce', 'VPN']);
    const figma = find(suggestions, 'Figma');
    expect(figma?.sources.map((s) => `${s.connectionName}:${s.appId}`)).toEqual(['Entra:sp-figma', 'Okta:a-figma']);
    expect(figma?.roles.map((r) => [r.name, r.risk, r.groups.map((g) => `${g.connectionName}:${g.groupName}`)])).toEqual([
      ['Editor', 'medium', ['Entra:app-figma-editors', 'Okta:app-figma-editors']],
      ['Viewer', 'low', ['Okta:Figma Viewers']],
      ['Admin', 'high', ['Okta:figma-admins']],
    ]);
    // A group not named after its app keeps its name, and carries its problem.
    const gh = find(suggestions, 'GitHub Enterprise Cloud');
    expect(gh?.roles[0]).toMatchObject({ name: 'dept-engineering', groups: [{ managedBy: 'rule', problems: [{ kind: 'rule-managed' }] }] });
    expect(find(suggestions, 'Salesforce')?.roles.map((r) => r.name).sort()).toEqual(['Sales Dynamic', 'User']);
    expect(find(suggestions, 'Zoom')).toBeUndefined();
  });

  it('accepts an edited suggestion, merges into an existing app, and stops suggesting mapped groups', () => {
    const ws = fresh();
    const existing = saveApp(ws.ctx, { name: 'figma', description: 'ours', owner: null });
    const viewer = saveRole(ws.ctx, { appId: existing.id, name: 'Viewer', description: '', risk: 'low', owner: null, requestable: true });
    const figma = listSuggestions(ws.db).suggestions.find((s) => s.appName === 'Figma');
    expect(figma).toMatchObject({ existingAppId: existing.id });
    expect(figma?.roles.find((r) => r.name === 'Viewer')?.existingRoleId).toBe(viewer.id);
    const app = acceptSuggestion(ws.ctx, {
      appName: 'Figma',
      description: '',
      owner: null,
      source: null,
      roles: [
        { name: 'Designer', risk: 'high', groups: [{ connectionId: ws.ids.okta, groupId: 'g-fe' }, { connectionId: ws.ids.entra, groupId: 'e-fe' }] },
        { name: 'Viewer', risk: 'low', groups: [{ connectionId: ws.ids.okta, groupId: 'g-fv' }] },
      ],
    });
    expect(app).toMatchObject({ id: existing.id, name: 'figma', description: 'ours' });
    expect(app.roles.map((r) => [r.name, r.risk, r.mappings.length])).toEqual([
      ['Designer', 'high', 2],
      ['Viewer', 'low', 1],
    ]);
    expect(app.roles[0]?.policy).toMatchObject({ steps: [{ kind: 'manager' }, { kind: 'app-owner' }] });
    const after = listSuggestions(ws.db).suggestions.find((s) => s.appName === 'Figma');
    expect(after?.roles.map((r) => r.name)).toEqual(['Admin']);
    expect(recentAuditEvents(ws.db, 1)[0]?.action).toBe('catalog.suggestion-accepted');
    expect(verifyAuditChain(ws.db).valid).toBe(true);
  });

  it('keeps dismissed suggestions dismissed across later syncs until restored', async () => {
    const ws = fresh();
    const handlers: Handlers = createHandlers(ws.ctx);
    const vpn = listSuggestions(ws.db).suggestions.find((s) => s.appName === 'VPN');
    const items = (vpn?.roles ?? []).flatMap((r) => r.groups.map((g) => ({ connectionId: g.connectionId, appId: g.appId, groupId: g.groupId })));
    expect(items).toHaveLength(1);
    expect(await dispatch(handlers, 'catalog:dismissSuggestion', { items })).toEqual({ ok: true, value: { dismissed: 1 } });
    resync(ws.db, ws.ids.okta);
    const { suggestions, dismissed } = listSuggestions(ws.db);
    expect(suggestions.find((s) => s.appName === 'VPN')).toBeUndefined();
    expect(dismissed).toBe(1);
    expect(catalogCoverage(ws.db).apps.find((a) => a.label === 'VPN')?.groups[0]).toMatchObject({ dismissed: true, roles: [] });
    expect(await dispatch(handlers, 'catalog:restoreDismissed', {})).toEqual({ ok: true, value: { restored: 1 } });
    expect(listSuggestions(ws.db).suggestions.find((s) => s.appName === 'VPN')).toBeDefined();
  });
});

describe('coverage and groups', () => {
  it('counts mapped and unmapped assigned groups per IdP app', () => {
    const ws = fresh();
    figmaEditor(ws);
    const report = catalogCoverage(ws.db);
    const figma = report.apps.find((a) => a.connectionId === ws.ids.okta && a.appId === 'a-figma');
    expect(figma).toMatchObject({ label: 'Figma', status: 'ACTIVE', mapped: 1, unmapped: 2 });
    expect(figma?.groups.find((g) => g.groupId === 'g-fe')?.roles.map((r) => r.label)).toEqual(['Figma / Editor']);
    // Okta: 6 apps (one inactive), 8 assignments; Entra: 2 apps, 2 assignments.
    expect(report.totals).toEqual({ apps: 8, groups: 10, mapped: 1, unmapped: 9, fullyCovered: 0 });
    expect(catalogCoverage(ws.db, ws.ids.entra).totals.apps).toBe(2);
  });

  it('lists groups for the mapper with member counts, who manages them and where they are mapped', () => {
    const ws = fresh();
    figmaEditor(ws);
    const page = catalogGroups(ws.db, { search: 'figma', connectionId: undefined, unmappedOnly: false, offset: 0, limit: 50 });
    expect(page.rows.map((g) => `${g.connectionName}:${g.name}:${g.memberCount}:${g.mappedTo.map((m) => m.label).join('|')}`)).toEqual([
      'Entra:app-figma-editors:1:',
      'Okta:app-figma-editors:2:Figma / Editor',
      'Okta:Figma Viewers:1:',
      'Okta:figma-admins:1:',
    ]);
    const unmapped = catalogGroups(ws.db, { search: 'figma', connectionId: ws.ids.okta, unmappedOnly: true, offset: 0, limit: 50 });
    expect(unmapped.total).toBe(2);
    const rule = catalogGroups(ws.db, { search: 'dept', connectionId: undefined, unmappedOnly: false, offset: 0, limit: 50 });
    expect(rule.rows[0]).toMatchObject({ managedBy: 'rule', managedByName: 'Engineering', problems: [{ kind: 'rule-managed' }] });
  });
});

describe('import and export', () => {
  /** A catalog with every kind of field: policies, custom durations, several groups, a role without groups, an app without roles. */
  function richCatalog(ws: CatalogWorkspace): void {
    const { appId, roleId } = figmaEditor(ws);
    mapGroup(ws.ctx, roleId, ws.ids.entra, 'e-fe');
    saveRole(ws.ctx, {
      appId,
      name: 'Admin',
      description: 'Full control, "with quotes", commas\nand a line break',
      risk: 'critical',
      policy: { autoApprove: false, steps: [{ kind: 'manager' }, { kind: 'named', approvers: ['sec@example.com', 'ciso@example.com'] }], requireEndDateFor: ['contractor'], pendingTimeoutHours: 24, onTimeout: 'escalate', escalateTo: ['it@example.com'] },
      durations: ['1h', 'custom'],
      defaultDuration: '1h',
      maxDurationMinutes: 240,
      owner: 'ciso@example.com',
      requestable: false,
    });
    const low = saveRole(ws.ctx, { appId, name: 'Viewer', description: '=cmd|calc', risk: 'low', owner: null, requestable: true });
    mapGroup(ws.ctx, low.id, ws.ids.okta, 'g-fv');
    saveApp(ws.ctx, { name: 'Empty app', description: '', owner: 'x@example.com' });
  }

  /** The catalog without ids, for comparing two workspaces. */
  const shape = (l: CatalogListing): unknown =>
    l.apps.map((a) => ({
      name: a.name,
      description: a.description,
      owner: a.owner,
      roles: a.roles.map(({ id: _id, appId: _appId, ...r }) => r),
    }));

  it.each(['csv', 'xlsx'] as const)('round-trips through %s into a fresh workspace', async (format) => {
    const a = fresh();
    richCatalog(a);
    const file = await exportCatalog(a.db, format, NOW);
    expect(file.filename).toBe(`latchkey-catalog-2025-03-01.${format}`);
    expect(file.rows).toBe(5);
    const b = fresh();
    const result = await importCatalog(b.ctx, format, Buffer.from(file.contentBase64, 'base64'));
    expect(result).toEqual({ ok: true, rows: 5, appsCreated: 2, appsUpdated: 0, rolesCreated: 3, rolesUpdated: 0, mappingsAdded: 3 });
    expect(shape(listCatalog(b.db))).toEqual(shape(listCatalog(a.db)));
    // Importing the same file again changes no mapping, updates in place.
    const again = await importCatalog(b.ctx, format, Buffer.from(file.contentBase64, 'base64'));
    expect(again).toMatchObject({ ok: true, appsUpdated: 2, rolesUpdated: 3, mappingsAdded: 0 });
    expect(shape(listCatalog(b.db))).toEqual(shape(listCatalog(a.db)));
    expect(verifyAuditChain(b.db).valid).toBe(true);
  });

  it('writes CSV that Excel will not run as formulas and reads it back as written', async () => {
    const ws = fresh();
    richCatalog(ws);
    const csv = Buffer.from((await exportCatalog(ws.db, 'csv', NOW)).contentBase64, 'base64').toString('utf8');
    expect(csv.startsWith('\uFEFFapp,app_description,app_owner,role,')).toBe(true);
    expect(csv).toContain("'=cmd|calc");
    expect(csv).not.toMatch(/,=cmd/);
    const table = parseCsv(csv);
    expect(table[0]).toHaveLength(20);
    expect(table.find((r) => r[3] === 'Admin')?.[4]).toBe('Full control, "with quotes", commas\nand a line break');
  });

  it('reports every bad row and imports nothing', async () => {
    const ws = fresh();
    figmaEditor(ws);
    const before = JSON.stringify(listCatalog(ws.db));
    const audits = auditCount(ws);
    const csv = [
      'app,role,risk,durations,default_duration,max_duration_minutes,approval_steps,connection,group_id,group_name,app_owner',
      'Figma,Editor,medium,,,,,Okta,g-fe,,',
      'Figma,Admin,extreme,,,,,,,,',
      'Jira,User,low,"1h, 24h",30d,,,,,,',
      'Jira,Lead,high,custom,custom,,,,,,',
      'Jira,Approver,high,,,,"manager > named:",,,,',
      'Jira,Other,medium,,,,,Nowhere,g-1,,',
      'Jira,Ghost,medium,,,,,Okta,no-such,,',
      'Jira,ByName,medium,,,,,Okta,,App-Figma-Editors,boss@',
      'Slack,,medium,,,,,,,,',
    ].join('\n');
    const result = await importCatalog(ws.ctx, 'csv', Buffer.from(csv));
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.errors.map((e) => e.message);
    expect(messages).toEqual([
      "row 3: risk 'extreme' is not one of low, medium, high, critical",
      "row 4: default_duration: '30d' is not one of the allowed durations (1h, 24h)",
      'row 5: max_duration_minutes: a custom duration needs a maximum (in minutes)',
      'row 6: approval_steps: step 2 (named approvers) needs at least one approver e-mail',
      "row 7: connection 'Nowhere' is not in this workspace (known: Entra, Okta)",
      "row 8: group_id 'no-such' is not in the last sync of Okta",
      "row 9: app_owner 'boss@' is not an e-mail address",
      'row 10: role is empty but risk is filled in (name the role)',
    ]);
    expect(result.ok ? [] : result.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'risk'],
      [4, 'default_duration'],
      [5, 'max_duration_minutes'],
      [6, 'approval_steps'],
      [7, 'connection'],
      [8, 'group_id'],
      [9, 'app_owner'],
      [10, 'role'],
    ]);
    expect(JSON.stringify(listCatalog(ws.db))).toBe(before);
    expect(auditCount(ws)).toBe(audits);
  });

  it('refuses rows of one role that disagree, and a file without the needed columns', async () => {
    const ws = fresh();
    const r = await importCatalog(ws.ctx, 'csv', Buffer.from('app,role,risk,connection,group_id\nFigma,Editor,medium,Okta,g-fe\nFigma,Editor,high,Okta,g-fv\n'));
    expect(r).toMatchObject({ ok: false, errors: [{ row: 3, message: 'row 3: the fields of "Figma / Editor" differ from row 2 (every row of a role repeats the same role fields)' }] });
    const h = await importCatalog(ws.ctx, 'csv', Buffer.from('application,risk\nFigma,low\n'));
    expect(h).toMatchObject({ ok: false, errors: [{ row: 1, field: 'app' }, { row: 1, field: 'role' }, { row: 1, field: null }] });
    await expect(importCatalog(ws.ctx, 'xlsx', Buffer.from('not a zip'))).rejects.toThrow(/not a readable XLSX workbook/);
    expect(listCatalog(ws.db).apps).toEqual([]);
  });

  it('the template comes from the columns the importer reads: header accepted, example row importable once it names this workspace', async () => {
    const ws = fresh();
    const template = templateCsv(CATALOG_IMPORT_COLUMNS);
    const [header, example = []] = parseCsv(template);
    expect(header).toEqual(CATALOG_IMPORT_COLUMNS.map((c) => c.name));
    // As downloaded, only the example connection is unknown here, reported on row 2 (the header is row 1).
    const asIs = await importCatalog(ws.ctx, 'csv', Buffer.from(template));
    expect(asIs).toMatchObject({ ok: false, errors: [{ row: 2, field: 'connection', message: expect.stringMatching(/^row 2: connection 'Acme Okta' is not in this workspace/) as unknown }] });
    for (const c of CATALOG_IMPORT_COLUMNS.filter((x) => x.required === true)) {
      const rest = CATALOG_IMPORT_COLUMNS.filter((x) => x !== c);
      const r = await importCatalog(ws.ctx, 'csv', Buffer.from(`${rest.map((x) => x.name).join(',')}\n`));
      expect(r).toMatchObject({ ok: false, errors: [{ row: 1, field: c.name }] });
    }
    const at = (name: string): number => CATALOG_IMPORT_COLUMNS.findIndex((c) => c.name === name);
    const filled = [...example];
    filled[at('connection')] = 'Okta';
    filled[at('group_id')] = 'g-fe';
    const csv = `${(header ?? []).join(',')}\n${filled.map((v) => (/[,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')}\n`;
    expect(await importCatalog(ws.ctx, 'csv', Buffer.from(csv))).toMatchObject({ ok: true, appsCreated: 1, rolesCreated: 1, mappingsAdded: 1 });
    expect(listCatalog(ws.db).apps[0]?.roles[0]).toMatchObject({
      name: 'Editor',
      risk: 'medium',
      policy: { autoApprove: false, steps: [{ kind: 'manager' }, { kind: 'app-owner' }], onTimeout: 'escalate', escalateTo: ['it-lead@example.com'] },
      durations: ['24h', '7d', 'custom'],
      defaultDuration: '7d',
      maxDurationMinutes: 10080,
      mappings: [{ groupId: 'g-fe' }],
    });
  });

  it('reads an XLSX someone made in Excel, group named by name, e-mails as hyperlinks', async () => {
    const ws = fresh();
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Sheet1');
    sheet.addRow(['App', 'Role', 'Risk', 'Durations', 'Default duration', 'Connection', 'Group name', 'Role owner']);
    sheet.addRow(['Salesforce', 'User', 'Low', '7d,30d', '30d', 'okta', 'app-salesforce-users', { text: 'ops@example.com', hyperlink: 'mailto:ops@example.com' }]);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await importCatalog(ws.ctx, 'xlsx', bytes);
    expect(r).toMatchObject({ ok: true, rolesCreated: 1, mappingsAdded: 1 });
    expect(listCatalog(ws.db).apps[0]?.roles[0]).toMatchObject({ name: 'User', risk: 'low', durations: ['7d', '30d'], defaultDuration: '30d', owner: 'ops@example.com', mappings: [{ groupId: 'g-sf' }] });
  });
});

describe('read-only snapshot', () => {
  it('serves reads and export, refuses every write channel with the read-only code', async () => {
    const ws = fresh();
    figmaEditor(ws);
    const copy = `${ws.file}.copy`;
    await saveSnapshot(ws.db, copy, { clock: ws.ctx.clock });
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets: memorySecretStore(), transport: 'bridge' });
    try {
      const handlers = createHandlers(ro);
      expect(await dispatch(handlers, 'catalog:list', {})).toMatchObject({ ok: true, value: { apps: [{ name: 'Figma' }] } });
      expect(await dispatch(handlers, 'catalog:export', { format: 'xlsx' })).toMatchObject({ ok: true, value: { rows: 1 } });
      const writes: [string, unknown][] = [
        ['catalog:saveApp', { name: 'New' }],
        ['catalog:map', { roleId: 1, connectionId: 1, groupId: 'g-fv' }],
        ['catalog:dismissSuggestion', { items: [{ connectionId: 1, appId: 'a', groupId: 'g' }] }],
        ['catalog:import', { format: 'csv', contentBase64: Buffer.from('app,role\nX,Y\n').toString('base64') }],
      ];
      for (const [channel, input] of writes) expect(await dispatch(handlers, channel, input)).toMatchObject({ ok: false, code: 'read-only' });
      expect(() => saveApp(ro, { name: 'Direct', description: '', owner: null })).toThrow(/read-only/);
    } finally {
      ro.db.close();
      fs.rmSync(copy, { force: true });
    }
  });
});
