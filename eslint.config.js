// Lint rules, including the layer fences from DESIGN.md and ARCHITECTURE.md:
// the renderer may not reach into the main process, shared/ stays
// platform-free, only electron/main may import 'electron', and the engine's
// areas depend in one direction (ENGINE_AREAS below, lowest first).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { fileHeader } from './.eslint/rules/file-header.js';
import { layerFences } from './.eslint/rules/layer-fences.js';

// Bare 'fs' as well as 'node:fs': both reach Node.
const nodeBuiltinNames = builtinModules.filter((m) => !m.startsWith('_'));
export const nodeBuiltins = { group: ['node:*', ...nodeBuiltinNames, ...nodeBuiltinNames.map((m) => `${m}/*`)], message: 'Node built-ins are not available here.' };

/**
 * The engine's areas, lowest first (paths relative to electron/engine/). An
 * area may import the areas before it and never one after it; ENGINE_ONLY
 * narrows that further. A file in no area fails lint until its area is
 * declared here and in ARCHITECTURE.md.
 */
const ENGINE_AREAS = [
  // What every area stands on: the context (db, clock, keychain, events), the database, the keychain, sockets, CSV, the lean .xlsx reader, worker threads.
  { name: 'kernel', paths: ['context.ts', 'csv.ts', 'xlsx-rows.ts', 'threads.ts', 'app-version.ts', 'db/', 'secrets/', 'net/'] },
  { name: 'audit', paths: ['audit/'] },
  { name: 'connectors', paths: ['connectors/'] },
  { name: 'connections', paths: ['connections/'] },
  { name: 'sync', paths: ['sync/'] },
  { name: 'directory', paths: ['directory/'] },
  { name: 'settings', paths: ['settings/'] },
  { name: 'operator', paths: ['operator/'] },
  { name: 'catalog', paths: ['catalog/'] },
  { name: 'jobs', paths: ['jobs/'] },
  { name: 'notices', paths: ['notices/'] },
  { name: 'requests', paths: ['requests/'] },
  { name: 'reviews', paths: ['reviews/'] },
  // The HR source: HR records and dated HR events (issue 13); reads people from directory/, nothing below imports it.
  { name: 'hr', paths: ['hr/'] },
  // Birthright policies (issue 13): conditions on HR / IdP attributes, versions, what-if, approvals; reads hr/, catalog/, directory/.
  { name: 'policies', paths: ['policies/'] },
  // Joiner / mover / leaver orchestration plans (issue 13): read HR events and people, grant and revoke through jobs/; above the birthright policies.
  { name: 'plans', paths: ['plans/'] },
  { name: 'jira', paths: ['jira/'] },
  // The evidence workbook: reads every area below it, writes nothing in the workspace.
  { name: 'evidence', paths: ['evidence/'] },
  { name: 'governance', paths: ['governance/'] },
  { name: 'handlers', paths: ['handlers/'] },
  // The entry points: the handler table and dispatch, the bridge, opening and copying a workspace, the demo.
  { name: 'entry', paths: ['api.ts', 'bridge/', 'workspace/', 'demo.ts'] },
];
/** Areas narrower than "everything below": the connectors know only the kernel and their own ports. */
const ENGINE_ONLY = { connectors: ['kernel'] };
const engineAllow = Object.fromEntries(
  ENGINE_AREAS.map((a, i) => [a.name, ENGINE_ONLY[a.name] ?? ENGINE_AREAS.slice(0, i).map((b) => b.name)]),
);

/** The renderer's folders, lowest first (relative to renderer/src/): shared parts never import a page. */
const RENDERER_AREAS = [
  { name: 'api', paths: ['api/'] },
  { name: 'lib', paths: ['lib/', 'hooks/'] },
  { name: 'stores', paths: ['stores/'] },
  { name: 'components', paths: ['components/'] },
  { name: 'pages', paths: ['pages/'] },
  { name: 'app', paths: ['App.tsx', 'main.tsx'] },
];
const rendererAllow = Object.fromEntries(RENDERER_AREAS.map((a, i) => [a.name, RENDERER_AREAS.slice(0, i).map((b) => b.name)]));

/** What the renderer may not import by name: it talks to the engine only through shared/contract. */
export const rendererImports = {
  paths: [
    { name: 'electron', message: 'The renderer talks to the engine only through shared/contract.' },
    { name: 'better-sqlite3', message: 'The renderer never sees SQL.' },
  ],
  patterns: [nodeBuiltins, { group: ['**/electron/**'], message: 'Import from shared/ only.' }],
};

/** The fences' options, exported for their test (test/unit/layer-fences.test.ts). */
export const engineFences = { scope: 'electron/engine/', areas: ENGINE_AREAS, allow: engineAllow, outside: ['shared/'] };
export const rendererFences = { scope: 'renderer/src/', areas: RENDERER_AREAS, allow: rendererAllow, outside: ['shared/'] };
export const sandboxFences = { scope: 'electron/sandbox/', areas: [{ name: 'sandbox', paths: [''] }], allow: {}, outside: ['shared/', 'electron/engine/net/'] };

export default tseslint.config(
  { ignores: ['dist/**', 'dist-renderer/**', 'release/**', 'node_modules/**', 'test-results/**', 'bench/out/**', 'eslint.config.js', '.eslint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, latchkey: { rules: { 'layer-fences': layerFences, 'file-header': fileHeader } } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'latchkey/layer-fences': ['error', rendererFences],
      // Every renderer file says what it is for in its first line (ARCHITECTURE.md, "The renderer").
      'latchkey/file-header': 'error',
      'no-restricted-imports': ['error', rendererImports],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'shared/ is platform-free.' },
            { name: 'react', message: 'shared/ is platform-free.' },
            { name: 'better-sqlite3', message: 'shared/ is platform-free.' },
          ],
          patterns: [nodeBuiltins, { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ depends on nothing.' }],
        },
      ],
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    plugins: { latchkey: { rules: { 'layer-fences': layerFences } } },
    rules: {
      'latchkey/layer-fences': ['error', engineFences],
    },
  },
  {
    // The sandbox stands in for the vendors: it shares only the engine's socket helper, never its logic.
    files: ['electron/sandbox/**/*.ts'],
    plugins: { latchkey: { rules: { 'layer-fences': layerFences } } },
    rules: {
      'latchkey/layer-fences': ['error', sandboxFences],
    },
  },
  {
    files: ['electron/engine/**/*.ts', 'electron/cli/**/*.ts', 'electron/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: "Only electron/main imports 'electron'; the engine runs in plain Node." }],
          patterns: [{ group: ['**/renderer/**', '**/electron/main/**', '../main/**', '../../main/**', '../../../main/**'], message: 'The engine does not depend on the shell or the UI.' }],
        },
      ],
    },
  },
  {
    files: ['vite.config.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Plain-Node bench children that load the compiled engine from dist/ (no TypeScript project holds them).
  {
    files: ['bench/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', performance: 'readonly' } },
  },
);
