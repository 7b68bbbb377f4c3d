// Every file it is applied to opens with a `//` line comment saying what the
// file is for (DESIGN.md's house style; ARCHITECTURE.md, "The renderer"), so
// a reader knows what a file is for before reading its imports. A JSDoc block
// on the first export does not count: it documents that export, not the file.
// Nor does a directive (`// eslint-disable…`, `// @ts-…`): it is for a tool.
// The rule checks that the line is there, not that it says something true:
// that is the reviewer's part.

const DIRECTIVE = /^\s*(eslint[\s-]|eslint$|global\s|globals\s|@ts-|prettier-ignore|#region|#endregion)/;

/** @type {import('eslint').Rule.RuleModule} */
export const fileHeader = {
  meta: {
    type: 'suggestion',
    docs: { description: 'A file opens with a `//` line comment saying what it is for.' },
    schema: [],
    messages: {
      missing:
        'This file must open with a `//` line comment saying what it is for (one or two lines: what it does and, where useful, why it exists), above its imports. A /** */ block documents the export under it, not the file.',
      empty: 'The opening `//` comment is empty: say what this file is for.',
      directive: 'The opening comment is a directive for a tool ({{text}}): put a `//` line saying what this file is for above it.',
    },
  },
  create(context) {
    return {
      Program(node) {
        const sourceCode = context.sourceCode;
        const first = sourceCode.getFirstToken(node, { includeComments: true });
        const at = first ? { loc: first.loc } : { node };
        if (!first || first.type !== 'Line') {
          context.report({ ...at, messageId: 'missing' });
          return;
        }
        const text = first.value.trim();
        if (text === '') context.report({ ...at, messageId: 'empty' });
        else if (DIRECTIVE.test(first.value)) context.report({ ...at, messageId: 'directive', data: { text: `// ${text}` } });
      },
    };
  },
};
