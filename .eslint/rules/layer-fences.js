// Fences between the areas of one part of the tree, by resolved path rather
// than by the text of the import: `../../main/ipc.js` and `../main/ipc.js`
// are the same file, and a pattern on the specifier sees only one of them.
//
// Options: { scope, areas, allow, outside }
//   scope   — the folder the rule polices (e.g. 'electron/engine/'); files
//             elsewhere are left alone.
//   areas   — [{ name, paths }]: each file in scope belongs to the first area
//             one of whose paths is a prefix of it ('db/' a folder, 'api.ts'
//             a file; relative to scope). A file in no area is reported:
//             a new area is declared before it is used.
//   allow   — { area: [areas it may import] }; an area may always import
//             itself.
//   outside — folders outside scope that any file in it may import
//             (relative to the repo root, e.g. 'shared/').
// Bare specifiers (packages, node built-ins) are other rules' business.
import path from 'node:path';

const withoutExt = (p) => p.replace(/\.(c|m)?(t|j)sx?$/, '');

/** @type {import('eslint').Rule.RuleModule} */
export const layerFences = {
  meta: {
    type: 'problem',
    docs: { description: 'Areas depend in the declared direction only (ARCHITECTURE.md).' },
    schema: [{ type: 'object' }],
    messages: {
      upward: "'{{from}}' may not import '{{to}}' ({{target}}): {{from}} may import only {{allowed}}. See ARCHITECTURE.md.",
      leaves: "'{{from}}' may not import {{target}}: outside {{scope}} only {{outside}} may be imported.",
      undeclared: "{{file}} is in no declared area of {{scope}}: declare its area in eslint.config.js (and ARCHITECTURE.md) first.",
    },
  },
  create(context) {
    const { scope, areas, allow, outside = [] } = context.options[0] ?? {};
    const root = context.cwd;
    const rel = (abs) => path.relative(root, abs).split(path.sep).join('/');
    const file = rel(context.filename);
    if (!file.startsWith(scope)) return {};
    const areaOf = (p) => {
      const inner = withoutExt(p.slice(scope.length));
      for (const a of areas) {
        for (const q of a.paths) {
          if (q === '' || q.endsWith('/') ? inner.startsWith(q) : inner === withoutExt(q)) return a.name;
        }
      }
      return null;
    };
    const own = areaOf(file);
    const check = (node) => {
      const source = node.source;
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = rel(path.resolve(path.dirname(context.filename), source.value));
      if (!target.startsWith(scope)) {
        if (!outside.some((o) => target.startsWith(o))) {
          context.report({ node: source, messageId: 'leaves', data: { from: own ?? file, target, scope, outside: outside.join(', ') || 'nothing' } });
        }
        return;
      }
      const to = areaOf(target);
      if (own === null || to === null || to === own) return;
      const allowed = allow[own] ?? [];
      if (!allowed.includes(to)) {
        context.report({ node: source, messageId: 'upward', data: { from: own, to, target, allowed: allowed.join(', ') || 'nothing else' } });
      }
    };
    return {
      Program(node) {
        if (own === null) context.report({ node, messageId: 'undeclared', data: { file, scope } });
      },
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
