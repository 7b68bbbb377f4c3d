// Policies as code: the YAML form of birthright policies, read with every
// problem named by its line (the `yaml` package's parseDocument with a
// LineCounter keeps each node's position), and written so that reading it
// back gives the same policies (export → import is the identity).
//
// A file is `policies:` and a list of policies; the console's editor holds
// one policy (the same mapping without the list). A policy:
//
//   - name: Engineering base
//     description: Everyone in engineering gets the basics
//     mode: monitor            # or enforce
//     grace_days: 7            # a mover keeps removed roles this long
//     when:
//       all:
//         - department: { equals: Engineering }
//         - any:
//             - title: { starts_with: Senior }
//             - location: { in: [Berlin, London] }
//         - manager: { exists: true }
//     grants:
//       - role: GitHub / Member          # "App / Role" in the catalog
//       - role: AWS / ReadOnly
//         days: 90                        # omitted: permanent
//
// Refused, each with its line: YAML syntax, unknown keys, an unknown
// attribute or operator, a role not in the catalog, an invalid regular
// expression, a condition that can never match, a duplicate policy name.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, Document, type Node, type Pair } from 'yaml';
import {
  CONDITION_OPS,
  DEFAULT_GRACE_DAYS,
  POLICY_ATTRIBUTES,
  POLICY_MODES,
  type Condition,
  type ConditionOp,
  type PolicyAttribute,
  type PolicyDefinition,
  type PolicyGrant,
  type PolicyYamlError,
} from '../../../shared/contract-policies.js';
import { neverMatches, patternOf } from './conditions.js';

/** How a role label is resolved against the catalog: its id, or why not. */
export type RoleResolver = (label: string) => { id: number } | { error: string };

export type ParsedPolicy = { definition: PolicyDefinition; line: number };
export type ParseResult = { ok: true; policies: ParsedPolicy[]; single: boolean } | { ok: false; errors: PolicyYamlError[] };

const MAX_DEPTH = 12;
const POLICY_KEYS = ['name', 'description', 'mode', 'grace_days', 'when', 'grants'] as const;

/** Reads policy YAML: a `policies:` list, or one policy (the editor's text). */
export function parsePolicyYaml(text: string, resolveRole: RoleResolver): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const errors: PolicyYamlError[] = [];
  const at = (node: Node | null | undefined, message: string): void => {
    const pos = lc.linePos(node?.range?.[0] ?? 0);
    errors.push({ line: pos.line, column: pos.col, message: `line ${pos.line}: ${message}` });
  };
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    errors.push({ line: pos.line, column: pos.col, message: `line ${pos.line}: ${e.message.split('\n')[0] ?? e.message}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const root = doc.contents;
  if (root === null) return { ok: false, errors: [{ line: 1, column: 1, message: 'line 1: the text is empty: write a policy (name, when, grants) or a `policies:` list' }] };

  // Where each condition was written, for the "can never match" findings.
  const where = new Map<Condition, Node>();
  let items: Node[] = [];
  let single = false;
  if (isMap(root) && root.has('policies')) {
    for (const p of root.items) if (scalarText(p.key) !== 'policies') at(p.key, `unknown key "${scalarText(p.key) ?? ''}": a policy file holds only \`policies:\``);
    const list = root.get('policies', true) as Node | undefined;
    if (!isSeq(list)) at(list ?? root, '`policies:` must be a list of policies (each starting with "- name: …")');
    else items = list.items as Node[];
  } else if (isMap(root)) {
    items = [root];
    single = true;
  } else {
    at(root, 'expected a policy (name, when, grants) or a `policies:` list');
  }

  const policies: ParsedPolicy[] = [];
  const names = new Map<string, number>();
  for (const item of items) {
    const line = lc.linePos(item.range?.[0] ?? 0).line;
    const nameNode = isMap(item) ? (item.get('name', true) as Node | undefined) : undefined;
    const name = textOf(nameNode)?.trim();
    if (name) {
      const first = names.get(name.toLowerCase());
      if (first !== undefined) at(nameNode, `duplicate policy name "${name}" (also on line ${first}): names are unique, ignoring case`);
      else names.set(name.toLowerCase(), line);
    }
    const p = readPolicy(item, at, where, resolveRole, line);
    if (p) policies.push(p);
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { ok: true, policies, single };
}

const scalarText = (n: unknown): string | null => (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean') ? String(n.value) : null);

/** A scalar as text: strings as written; numbers and booleans as their source (`equals: 2021` is "2021"). */
function textOf(n: unknown): string | null {
  if (!isScalar(n)) return null;
  if (typeof n.value === 'string') return n.value;
  if (typeof n.value === 'number' || typeof n.value === 'boolean') return n.source ?? String(n.value);
  return null;
}

type At = (node: Node | null | undefined, message: string) => void;

function readPolicy(item: Node, at: At, where: Map<Condition, Node>, resolveRole: RoleResolver, line: number): ParsedPolicy | null {
  if (!isMap(item)) {
    at(item, 'each policy is a mapping with name, when and grants');
    return null;
  }
  const ok = { value: true };
  const fail: At = (n, m) => {
    ok.value = false;
    at(n, m);
  };
  for (const p of item.items) {
    const k = scalarText(p.key);
    if (!k || !(POLICY_KEYS as readonly string[]).includes(k)) fail(p.key as Node, `unknown key "${k ?? ''}" in a policy (expected ${POLICY_KEYS.join(', ')})`);
  }
  const get = (k: string): Node | undefined => item.get(k, true);

  const nameNode = get('name');
  const name = textOf(nameNode)?.trim() ?? '';
  if (!name) fail(nameNode ?? item, 'a policy needs a name');
  else if (name.length > 200) fail(nameNode, 'the name is too long (200 characters at most)');

  const descNode = get('description');
  const description = descNode === undefined || (isScalar(descNode) && descNode.value === null) ? '' : textOf(descNode);
  if (description === null) fail(descNode, 'description must be text');

  const modeNode = get('mode');
  const mode = modeNode === undefined ? 'monitor' : textOf(modeNode);
  if (mode === null || !(POLICY_MODES as readonly string[]).includes(mode)) fail(modeNode, `mode must be ${POLICY_MODES.join(' or ')}, not "${mode ?? ''}"`);

  const graceNode = get('grace_days');
  let graceDays = DEFAULT_GRACE_DAYS;
  if (graceNode !== undefined) {
    const v = isScalar(graceNode) ? graceNode.value : null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 365) fail(graceNode, 'grace_days must be a whole number of days from 0 to 365');
    else graceDays = v;
  }

  const whenNode = get('when');
  let when: Condition | null = null;
  if (whenNode === undefined) fail(item, 'a policy needs `when:` (use `when: { all: [] }` for everyone)');
  else when = readCondition(whenNode, fail, where, 0);
  // Checked whatever else is wrong with the policy, so every problem is named at once.
  if (when !== null) for (const f of neverMatches(when)) fail(where.get(f.node) ?? whenNode, f.message);

  const grantsNode = get('grants');
  const grants: PolicyGrant[] = [];
  if (!isSeq(grantsNode) || grantsNode.items.length === 0) fail(grantsNode ?? item, 'a policy needs `grants:`, a list of at least one role ("- role: App / Role")');
  else {
    const seen = new Map<number, string>();
    for (const g of grantsNode.items as Node[]) {
      const grant = readGrant(g, fail, resolveRole);
      if (!grant) continue;
      if (seen.has(grant.grant.roleId)) fail(g, `the role "${grant.label}" is granted twice`);
      seen.set(grant.grant.roleId, grant.label);
      grants.push(grant.grant);
    }
  }
  if (!ok.value || when === null || description === null || mode === null) return null;
  return { definition: { name, description, when, grants, graceDays, mode: mode as PolicyDefinition['mode'] }, line };
}

function readGrant(g: Node, fail: At, resolveRole: RoleResolver): { grant: PolicyGrant; label: string } | null {
  let roleNode: Node | undefined = g;
  let days: number | null = null;
  if (isMap(g)) {
    for (const p of g.items) {
      const k = scalarText(p.key);
      if (k !== 'role' && k !== 'days') fail(p.key as Node, `unknown key "${k ?? ''}" in a grant (expected role, days)`);
    }
    roleNode = g.get('role', true);
    const daysNode = g.get('days', true) as Node | undefined;
    if (daysNode !== undefined && !(isScalar(daysNode) && daysNode.value === null)) {
      const v = isScalar(daysNode) ? daysNode.value : null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3650) {
        fail(daysNode, 'days must be a whole number from 1 to 3650 (leave it out for permanent access)');
        return null;
      }
      days = v;
    }
  }
  const label = textOf(roleNode)?.trim();
  if (!label) {
    fail(roleNode ?? g, 'a grant names its role: "- role: App / Role"');
    return null;
  }
  const r = resolveRole(label);
  if ('error' in r) {
    fail(roleNode, r.error);
    return null;
  }
  return { grant: { roleId: r.id, days }, label };
}

function readCondition(node: Node, fail: At, where: Map<Condition, Node>, depth: number): Condition | null {
  if (depth > MAX_DEPTH) {
    fail(node, `conditions nest at most ${MAX_DEPTH} deep`);
    return null;
  }
  if (isAlias(node) || !isMap(node) || node.items.length !== 1) {
    fail(node, 'a condition is one of `all: [...]`, `any: [...]` or one attribute test such as `department: { equals: Engineering }`');
    return null;
  }
  const pair = node.items[0] as Pair;
  const key = scalarText(pair.key) ?? '';
  const value = pair.value as Node | null;
  if (key === 'all' || key === 'any') {
    if (!isSeq(value)) {
      fail(value ?? node, `\`${key}:\` takes a list of conditions`);
      return null;
    }
    const kids = (value.items as Node[]).map((k) => readCondition(k, fail, where, depth + 1));
    if (kids.some((k) => k === null)) return null;
    const c: Condition = key === 'all' ? { all: kids as Condition[] } : { any: kids as Condition[] };
    where.set(c, node);
    return c;
  }
  if (!(POLICY_ATTRIBUTES as readonly string[]).includes(key)) {
    fail(pair.key as Node, `unknown attribute "${key}" (attributes: ${POLICY_ATTRIBUTES.join(', ')}; or all / any)`);
    return null;
  }
  const attribute = key as PolicyAttribute;
  if (!isMap(value) || value.items.length !== 1) {
    fail(value ?? node, `${attribute} takes one test: { equals: … }, { in: [...] }, { starts_with: … }, { matches: … } or { exists: true|false }`);
    return null;
  }
  const test = value.items[0] as Pair;
  const op = scalarText(test.key) ?? '';
  const arg = test.value as Node | null;
  if (!(CONDITION_OPS as readonly string[]).includes(op)) {
    fail(test.key as Node, `unknown test "${op}" (${CONDITION_OPS.join(', ')})`);
    return null;
  }
  let c: Condition | null = null;
  switch (op as ConditionOp) {
    case 'in': {
      if (!isSeq(arg)) break;
      const values = (arg.items as Node[]).map(textOf);
      if (values.some((v) => v === null)) {
        fail(arg, `${attribute} in: every value must be text`);
        return null;
      }
      c = { attribute, op: 'in', value: values as string[] };
      break;
    }
    case 'exists':
      if (isScalar(arg) && typeof arg.value === 'boolean') c = { attribute, op: 'exists', value: arg.value };
      break;
    default: {
      const v = textOf(arg);
      if (v === null) break;
      if (op === 'matches') {
        try {
          patternOf(v);
        } catch (e) {
          fail(arg, `${attribute} matches: invalid regular expression /${v}/: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`);
          return null;
        }
      }
      c = { attribute, op: op as 'equals' | 'starts_with' | 'matches', value: v };
    }
  }
  if (c === null) {
    const want = op === 'in' ? 'a list of values' : op === 'exists' ? 'true or false' : 'a value';
    fail(arg ?? test.key as Node, `${attribute} ${op} takes ${want}`);
    return null;
  }
  where.set(c, node);
  return c;
}

// --- writing ------------------------------------------------------------------------------------

/** A condition as the plain data YAML writes. */
function conditionData(c: Condition): unknown {
  if ('all' in c) return { all: c.all.map(conditionData) };
  if ('any' in c) return { any: c.any.map(conditionData) };
  return { [c.attribute]: { [c.op]: c.value } };
}

/** A policy as the plain data YAML writes (keys in the documented order; an empty description and a permanent duration left out). */
export function policyData(d: PolicyDefinition, roleLabel: (roleId: number) => string): Record<string, unknown> {
  return {
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    mode: d.mode,
    grace_days: d.graceDays,
    when: conditionData(d.when),
    grants: d.grants.map((g) => (g.days === null ? { role: roleLabel(g.roleId) } : { role: roleLabel(g.roleId), days: g.days })),
  };
}

function stringify(data: unknown, header: string | null): string {
  const doc = new Document(data);
  // Each attribute test on one line: `- department: { equals: Engineering }`.
  visit(doc, {
    Map(_, node) {
      const key = node.items.length === 1 ? node.items[0]?.key : undefined;
      if (isScalar(key) && (CONDITION_OPS as readonly string[]).includes(String(key.value))) node.flow = true;
    },
  });
  if (header) doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

/** One policy as the editor's text. */
export function policyToYaml(d: PolicyDefinition, roleLabel: (roleId: number) => string): string {
  return stringify(policyData(d, roleLabel), null);
}

/** Every policy as a policy file. */
export function policiesToYaml(ds: readonly PolicyDefinition[], roleLabel: (roleId: number) => string, header: string): string {
  return stringify({ policies: ds.map((d) => policyData(d, roleLabel)) }, header);
}
