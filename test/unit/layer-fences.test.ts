// The lint fences with the options eslint.config.js gives them: an engine
// area importing against the declared direction, the engine reaching into
// electron/main by any relative path, a file outside every declared area,
// the renderer importing a Node built-in (bare or node:), and a shared
// component importing a page, each fail; the allowed directions pass.
import fs from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { engineFences, rendererFences, rendererImports, sandboxFences } from '../../eslint.config.js';
import { layerFences } from '../../.eslint/rules/layer-fences.js';
import { TABLE_OWNERS } from '../../electron/engine/db/table-owners.js';

const root = path.resolve(import.meta.dirname, '../..');
const linter = new Linter({ cwd: root });
const config = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { latchkey: { rules: { 'layer-fences': layerFences } } },
  },
  { files: ['electron/engine/**'], rules: { 'latchkey/layer-fences': ['error', engineFences] } },
  { files: ['electron/sandbox/**'], rules: { 'latchkey/layer-fences': ['error', sandboxFences] } },
  { files: ['renderer/**'], rules: { 'latchkey/layer-fences': ['error', rendererFences], 'no-restricted-imports': ['error', rendererImports] } },
];

/** The messages lint gives a file at `file` (relative to the repo root) holding one import. */
function lint(file: string, specifier: string): string[] {
  const code = `import { x } from '${specifier}';\nexport const y = x;\n`;
  return linter.verify(code, config as Linter.Config[], { filename: path.join(root, file) }).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('engine areas depend in one direction', () => {
  it.each([
    ['electron/engine/jobs/x.ts', '../requests/requests.js', /'jobs' may not import 'requests'/],
    ['electron/engine/jobs/x.ts', '../governance/scheduler.js', /'jobs' may not import 'governance'/],
    ['electron/engine/sync/x.ts', '../jobs/drift.js', /'sync' may not import 'jobs'/],
    ['electron/engine/connectors/okta/x.ts', '../../sync/okta-sync.js', /'connectors' may not import 'sync'/],
    ['electron/engine/connectors/okta/x.ts', '../../audit/audit-log.js', /'connectors' may not import 'audit'/],
    ['electron/engine/connections/x.ts', '../sync/sync-runs.js', /'connections' may not import 'sync'/],
    ['electron/engine/db/x.ts', '../audit/audit-log.js', /'kernel' may not import 'audit'/],
    ['electron/engine/handlers/x.ts', '../api.js', /'handlers' may not import 'entry'/],
  ])('%s importing %s fails', (file, spec, message) => {
    expect(lint(file, spec).join('\n')).toMatch(message);
  });

  it.each([
    ['electron/engine/requests/x.ts', '../jobs/grants.js'],
    ['electron/engine/governance/x.ts', '../requests/requests.js'],
    ['electron/engine/connectors/okta/x.ts', '../snapshot-model.js'],
    ['electron/engine/connectors/okta/x.ts', '../../context.js'],
    ['electron/engine/api.ts', './handlers/jobs-handlers.js'],
    ['electron/engine/jobs/x.ts', '../../../shared/governance.js'],
    ['electron/engine/jobs/x.ts', './queue.js'],
  ])('%s importing %s passes', (file, spec) => {
    expect(lint(file, spec)).toEqual([]);
  });

  it('refuses the shell by any relative path, and anything outside the engine but shared/', () => {
    expect(lint('electron/engine/jobs/x.ts', '../../main/ipc.js').join('\n')).toMatch(/may not import electron\/main\/ipc\.js/);
    expect(lint('electron/engine/x.ts', '../main/ipc.js').join('\n')).toMatch(/may not import electron\/main\/ipc\.js/);
    expect(lint('electron/engine/jobs/x.ts', '../../sandbox/sandbox.js').join('\n')).toMatch(/outside electron\/engine\/ only shared\//);
  });

  it('names a file that belongs to no declared area', () => {
    expect(lint('electron/engine/findings/rules.ts', '../jobs/queue.js').join('\n')).toMatch(/electron\/engine\/findings\/rules\.ts is in no declared area/);
  });

  it('keeps the sandbox apart from the engine but for its socket helper', () => {
    expect(lint('electron/sandbox/x.ts', '../engine/net/listen.js')).toEqual([]);
    expect(lint('electron/sandbox/x.ts', '../engine/jobs/queue.js').join('\n')).toMatch(/may not import electron\/engine\/jobs\/queue\.js/);
  });
});

describe('the renderer', () => {
  it.each(['fs', 'node:fs', 'path', 'child_process', 'fs/promises'])('may not import the Node built-in %s', (spec) => {
    expect(lint('renderer/src/lib/x.ts', spec).join('\n')).toMatch(/Node built-ins are not available here/);
  });

  it('keeps shared components from importing pages, and pages may use components', () => {
    expect(lint('renderer/src/components/X.tsx', '../pages/DirectoryPage.js').join('\n')).toMatch(/'components' may not import 'pages'/);
    expect(lint('renderer/src/lib/x.ts', '../stores/app-store.js').join('\n')).toMatch(/'lib' may not import 'stores'/);
    expect(lint('renderer/src/pages/X.tsx', '../components/DataGrid.js')).toEqual([]);
  });

  it('reaches the engine only through shared/', () => {
    expect(lint('renderer/src/lib/x.ts', '../../../electron/engine/api.js').join('\n')).toMatch(/Import from shared\/ only|may not import electron/);
    expect(lint('renderer/src/lib/x.ts', '../../../shared/contract.js')).toEqual([]);
  });
});

describe('ARCHITECTURE.md', () => {
  it("lists the engine's areas in the order lint enforces, with the same paths", () => {
    const doc = fs.readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');
    const section = doc.slice(doc.indexOf("## The engine's areas"), doc.indexOf('## Tables and their owners'));
    // First cell of each table row: the area's paths, in backticks.
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| area') && !l.startsWith('| ---'))
      .map((l) => [...(l.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(rows).toEqual(engineFences.areas.map((a) => a.paths));
  });

  it('says which module owns every table the code declares', () => {
    const doc = fs.readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Tables and their owners'), doc.indexOf('## The contract'));
    for (const [table, o] of Object.entries(TABLE_OWNERS)) {
      const row = section.split('\n').find((l) => l.includes(`\`${table}\``) || (table.startsWith('cur_') && l.includes('`cur_*`')));
      expect(row, `${table} is not in ARCHITECTURE.md's table of owners`).toBeDefined();
      expect(row, `${table}'s owner in ARCHITECTURE.md`).toContain(o.owner.replace(/^engine\//, ''));
    }
  });
});
