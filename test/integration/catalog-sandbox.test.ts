// Suggestions on the sandbox's generated org, synced over real HTTP by the
// real Okta sync: every app-role group becomes "App / Role" with the app's
// own words dropped, AD-imported role groups are flagged, and accepting every
// suggestion covers every suggested group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptSuggestion, catalogCoverage, listSuggestions } from '../../electron/engine/catalog/suggestions.js';
import { listCatalog } from '../../electron/engine/catalog/catalog.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { rememberTestResult } from '../../electron/engine/connections/connections.js';
import { testConnection } from '../../electron/engine/connections/connection-test.js';
import { runFullSync } from '../../electron/engine/sync/okta-sync.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, tokenOf, workspace } from './okta-sync-helpers.js';

let sandbox: Sandbox;
const dir = tempDir('latchkey-catalog-sandbox-');
beforeAll(async () => {
  sandbox = await startSandbox({ users: 400, seed: 5, graph: false });
});
afterAll(async () => {
  await sandbox.close();
});

describe('suggestions on the sandbox org', () => {
  it('suggests the app roles of the generated org and covers them once accepted', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox, { name: 'Sandbox Okta' });
    await runFullSync(ctx, conn, tokenOf(sandbox));

    const { suggestions } = listSuggestions(db);
    const byApp = new Map(suggestions.map((s) => [s.appName, s]));
    const roles = (app: string): string[] => (byApp.get(app)?.roles ?? []).map((r) => r.name).sort();
    expect(roles('Figma')).toEqual(['Admin', 'Editor', 'Viewer']);
    expect(roles('Slack')).toEqual(['Admin', 'Guest', 'User']);
    expect(roles('Google Workspace')).toEqual(['Admin', 'User']);
    expect(roles('Salesforce')).toEqual(['Admin', 'Read-only', 'User', 'dept-sales'].sort());
    expect(roles('AWS')).toEqual(expect.arrayContaining(['Prod Admin', 'Prod Developer', 'Prod Read-only']));
    // Okta's built-in Everyone (Zoom, the handbook) and inactive apps are not suggested.
    expect(byApp.has('Company Handbook')).toBe(false);
    expect(byApp.get('Zoom')?.roles.map((r) => r.name)).not.toContain('Everyone');
    expect(byApp.has('Legacy Wiki')).toBe(false);
    // Every suggestion from an app-<key>- group names the role without the app.
    for (const s of suggestions) for (const r of s.roles) expect(r.name.toLowerCase()).not.toMatch(/^app-/);

    // AD-imported admin groups (APP_GROUP) carry their problem; the department group GitHub gets is rule-managed.
    const awsAdmin = byApp.get('AWS')?.roles.find((r) => r.name === 'Prod Admin');
    expect(awsAdmin?.groups[0]?.problems[0]?.kind).toBe('externally-managed');
    const ghDept = byApp.get('GitHub Enterprise Cloud')?.roles.find((r) => r.name === 'dept-engineering');
    expect(ghDept?.groups[0]?.problems[0]).toMatchObject({ kind: 'rule-managed' });
    expect(ghDept?.groups[0]?.problems[0]?.message).toContain('Latchkey cannot add members');

    for (const s of suggestions) {
      acceptSuggestion(ctx, {
        appName: s.appName,
        description: '',
        owner: null,
        source: s.sources[0] ? { connectionId: s.sources[0].connectionId, appId: s.sources[0].appId } : null,
        roles: s.roles.map((r) => ({ name: r.name, risk: r.risk, groups: r.groups.map((g) => ({ connectionId: g.connectionId, groupId: g.groupId })) })),
      });
    }
    expect(listSuggestions(db).suggestions).toEqual([]);
    const coverage = catalogCoverage(db);
    // Left unmapped: only the built-in Everyone assignments and the inactive app's groups.
    const unmapped = coverage.apps.flatMap((a) => a.groups.filter((g) => g.roles.length === 0).map((g) => `${a.label}:${g.groupName}`));
    expect(unmapped.every((u) => u.endsWith(':Everyone') || u.startsWith('Legacy Wiki:'))).toBe(true);
    expect(coverage.totals.mapped).toBeGreaterThan(20);
    const listing = listCatalog(db);
    expect(listing.apps.find((a) => a.name === 'Figma')?.roles.find((r) => r.name === 'Admin')).toMatchObject({ risk: 'high', mappings: [{ groupName: 'app-figma-admins', problems: [] }] });
    expect(verifyAuditChain(db).valid).toBe(true);

    // A test with a credential that may only read flags every mapping of the connection; a test with write access clears it.
    const figmaAdmin = (): string[] => listCatalog(db).apps.find((a) => a.name === 'Figma')?.roles.find((r) => r.name === 'Admin')?.mappings[0]?.problems.map((p) => p.kind) ?? ['missing'];
    const readOnly = await testConnection(ctx, conn.id, { type: 'token', token: sandbox.okta.readOnlyToken });
    expect(readOnly.canWrite).toBe(false);
    rememberTestResult(ctx, conn.id, readOnly);
    expect(figmaAdmin()).toEqual(['connection-read-only']);
    rememberTestResult(ctx, conn.id, await testConnection(ctx, conn.id, tokenOf(sandbox)));
    expect(figmaAdmin()).toEqual([]);
  });
});
