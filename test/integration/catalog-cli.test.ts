// `latchkey catalog list|export|import` through the CLI's own entry point on
// real workspace files: output, exit codes (1 with the row errors, nothing
// imported), and what --read-only allows.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CatalogListing } from '../../shared/contract-catalog.js';
import { runCli } from '../../electron/cli/cli.js';
import { mapGroup, saveApp, saveRole } from '../../electron/engine/catalog/catalog.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { tempDir } from '../helpers/tmp.js';
import { catalogWorkspace } from './catalog-helpers.js';

const dir = tempDir('latchkey-catalog-cli-');
type Out = { code: number | 'serving'; stdout: string; stderr: string };

async function latchkey(...args: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets: memorySecretStore() });
  return { code, stdout, stderr };
}

const hash = (f: string): string => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** A workspace file with the catalog org and (optionally) Figma / Editor mapped to a rule-managed and a direct group. */
function workspaceFile(name: string, withCatalog: boolean): string {
  const ws = catalogWorkspace();
  if (withCatalog) {
    const app = saveApp(ws.ctx, { name: 'Figma', description: '', owner: 'lead@example.com' });
    const role = saveRole(ws.ctx, { appId: app.id, name: 'Editor', description: '', risk: 'medium', owner: null, requestable: true });
    mapGroup(ws.ctx, role.id, ws.ids.okta, 'g-fe');
    mapGroup(ws.ctx, role.id, ws.ids.okta, 'g-eng');
  }
  ws.db.close();
  const file = path.join(dir, name);
  fs.copyFileSync(ws.file, file);
  ws.cleanup();
  return file;
}

describe('latchkey catalog', () => {
  it('lists the catalog with broken mappings flagged, and as JSON', async () => {
    const file = workspaceFile('list.latchkey', true);
    const text = await latchkey('--db', file, 'catalog', 'list');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('Figma (owner lead@example.com)');
    expect(text.stdout).toContain('  Editor [medium] durations permanent,24h,7d,30d (default 30d), approval: manager');
    expect(text.stdout).toContain('    - Okta: app-figma-editors (g-fe)');
    expect(text.stdout).toContain('    ! Okta: dept-engineering (g-eng)');
    expect(text.stdout).toContain('rule-managed: Membership of "dept-engineering" is managed by the group rule "Engineering"');
    expect(text.stdout).toContain('1 mapping has problems');
    const json = await latchkey('--db', file, 'catalog', 'list', '--json');
    const listing = JSON.parse(json.stdout) as CatalogListing;
    expect(listing.apps[0]?.roles[0]?.mappings).toHaveLength(2);
    const empty = await latchkey('--db', workspaceFile('empty.latchkey', false), 'catalog', 'list');
    expect(empty.stdout).toContain('The catalog is empty: accept suggestions');
  });

  it('exports, then imports into another workspace; a bad file exits 1 with the row errors and changes nothing', async () => {
    const src = workspaceFile('src.latchkey', true);
    const dst = workspaceFile('dst.latchkey', false);
    for (const ext of ['csv', 'xlsx']) {
      const out = path.join(dir, `catalog.${ext}`);
      expect(await latchkey('--db', src, 'catalog', 'export', out)).toMatchObject({ code: 0, stdout: `wrote 2 rows to ${out}\n` });
      const again = await latchkey('--db', src, 'catalog', 'export', out);
      expect(again).toMatchObject({ code: 1 });
      expect(again.stderr).toContain('already exists (add --force');
      const imported = await latchkey('--db', dst, 'catalog', 'import', out, '--json');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, rows: 2 });
    }
    const before = JSON.parse((await latchkey('--db', dst, 'catalog', 'list', '--json')).stdout) as CatalogListing;
    expect(before.apps[0]?.roles[0]?.mappings.map((m) => m.groupId)).toEqual(['g-fe', 'g-eng']);

    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'app,role,risk\nFigma,Editor,medium\nFigma,Admin,extreme\nJira,,high\n');
    const beforeHash = hash(dst);
    const r = await latchkey('--db', dst, 'catalog', 'import', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "row 3: risk 'extreme' is not one of low, medium, high, critical\n" +
        'row 4: role is empty but risk is filled in (name the role)\n' +
        `latchkey: error: 2 problems in ${bad}: nothing was imported\n`,
    );
    expect(hash(dst)).toBe(beforeHash);
    const json = await latchkey('--db', dst, 'catalog', 'import', bad, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: [{ row: 3, field: 'risk' }, { row: 4, field: 'role' }] });
  });

  it('allows list and export on --read-only, refuses import before opening the file', async () => {
    const file = workspaceFile('ro.latchkey', true);
    const before = hash(file);
    expect(await latchkey('--db', file, '--read-only', 'catalog', 'list')).toMatchObject({ code: 0 });
    const out = path.join(dir, 'ro.xlsx');
    expect(await latchkey('--db', file, '--read-only', 'catalog', 'export', out)).toMatchObject({ code: 0 });
    const r = await latchkey('--db', file, '--read-only', 'catalog', 'import', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"catalog import" changes the workspace');
    expect(hash(file)).toBe(before);
    expect(await latchkey('--db', file, 'catalog', 'export', path.join(dir, 'x.txt'))).toMatchObject({ code: 2 });
    expect((await latchkey('--db', file, 'catalog', 'frobnicate')).stderr).toContain('unknown catalog verb "frobnicate"');
  });
});
