// The file-header lint rule with the setting eslint.config.js gives the
// renderer: a file that opens with a `//` line saying what it is for passes;
// one that opens with an import, a JSDoc block, a /* */ block, an empty `//`
// or a tool directive fails with a message saying what is expected. The last
// case lints the real renderer tree, so a file added without a header fails
// here as well as in `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { fileHeader } from '../../.eslint/rules/file-header.js';

const root = path.resolve(import.meta.dirname, '../..');
const linter = new Linter({ cwd: root });
const config = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { latchkey: { rules: { 'file-header': fileHeader } } },
  },
  // JSX only in .tsx: in a .ts file `<T>(x: T) => x` is a generic, not an element.
  { files: ['**/*.tsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } },
  { files: ['renderer/**'], rules: { 'latchkey/file-header': 'error' } },
];

/** The messages lint gives `code` as the file `file` (relative to the repo root). */
function lint(code: string, file = 'renderer/src/lib/x.ts'): string[] {
  return linter.verify(code, config as Linter.Config[], { filename: path.join(root, file) }).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const body = "import { x } from './y.js';\nexport const z = x;\n";

describe('every renderer file opens with a line saying what it is for', () => {
  it('passes a file whose first line is a // comment, one or several lines', () => {
    expect(lint(`// Formatting helpers for the request list.\n${body}`)).toEqual([]);
    expect(lint(`// The Requests page: its tabs and one request's detail,\n// which it opens over the list.\n${body}`, 'renderer/src/pages/X.tsx')).toEqual([]);
  });

  it('fails a file that opens with its imports, and says what is expected', () => {
    const messages = lint(body).join('\n');
    expect(messages).toMatch(/latchkey\/file-header: This file must open with a `\/\/` line comment saying what it is for/);
    expect(messages).toMatch(/above its imports/);
  });

  it('does not take a JSDoc or block comment for the header: it documents the export under it', () => {
    expect(lint(`/** The one client. */\n${body}`).join('\n')).toMatch(/must open with a `\/\/` line comment/);
    expect(lint(`/* The one client. */\n${body}`).join('\n')).toMatch(/must open with a `\/\/` line comment/);
  });

  it('fails an empty // line and a tool directive in its place', () => {
    expect(lint(`//\n${body}`).join('\n')).toMatch(/opening `\/\/` comment is empty/);
    expect(lint(`// eslint-disable-next-line no-console\n${body}`).join('\n')).toMatch(/directive for a tool \(\/\/ eslint-disable-next-line no-console\)/);
    expect(lint(`// @ts-nocheck\n${body}`).join('\n')).toMatch(/directive for a tool/);
  });

  it('fails an empty file (nothing says what it is for)', () => {
    expect(lint('').join('\n')).toMatch(/must open with a `\/\/` line comment/);
  });

  it('leaves files outside the renderer alone', () => {
    expect(lint(body, 'electron/engine/jobs/x.ts')).toEqual([]);
  });

  it('holds for every file of renderer/src', () => {
    const files = (readdirSync(path.join(root, 'renderer/src'), { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(90);
    // Only this rule's findings (and parse errors): the files' own eslint-disable lines name rules not loaded here.
    const failing = files.flatMap((f) =>
      lint(readFileSync(path.join(root, 'renderer/src', f), 'utf8'), path.join('renderer/src', f))
        .filter((m) => /^(latchkey\/file-header|parse):/.test(m))
        .map((m) => `${f}: ${m}`),
    );
    expect(failing).toEqual([]);
    // Parsing ~100 files takes seconds on a busy 2-core machine; this test is about the headers, not speed.
  }, 60_000);
});
