// Lint rules, including the layer fences from DESIGN.md: the renderer may not
// reach into the main process, shared/ stays platform-free, and only
// electron/main may import 'electron'.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*'], message: 'Node built-ins are not available here.' };

export default tseslint.config(
  { ignores: ['dist/**', 'dist-renderer/**', 'release/**', 'node_modules/**', 'test-results/**', 'bench/out/**', 'eslint.config.js'] },
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
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to the engine only through shared/contract.' },
            { name: 'better-sqlite3', message: 'The renderer never sees SQL.' },
          ],
          patterns: [nodeBuiltins, { group: ['**/electron/**'], message: 'Import from shared/ only.' }],
        },
      ],
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
    files: ['electron/engine/**/*.ts', 'electron/cli/**/*.ts', 'electron/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: "Only electron/main imports 'electron'; the engine runs in plain Node." }],
          patterns: [{ group: ['**/renderer/**', '**/electron/main/**', '../main/**'], message: 'The engine does not depend on the shell or the UI.' }],
        },
      ],
    },
  },
  {
    files: ['vite.config.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
