// Conditions: compiled once into a predicate over a person (attributes.ts),
// explained in words for the person a decision is about (which test held or
// failed, with their value and where it came from), and checked for tests
// that can never match (all-of two different values of one attribute, an
// empty `in`, a value outside a closed set such as status) so a policy that
// would silently grant nothing is refused where it is written.
//
// Text tests ignore case and surrounding spaces (values are lower-cased once
// when the population is loaded); `matches` is a JavaScript regular
// expression, case-insensitive, that must match somewhere in the value.
import { PERSON_STATUSES, type Condition, type PolicyAttribute } from '../../../shared/contract-policies.js';
import { ATTRIBUTE_INDEX, type Person } from './attributes.js';

export type Predicate = (p: Person) => boolean;
type Leaf = Extract<Condition, { attribute: PolicyAttribute }>;

/** Attributes whose values come from a known, closed set (a test outside it can never match). */
export const CLOSED_SETS: Partial<Readonly<Record<PolicyAttribute, readonly string[]>>> = { status: PERSON_STATUSES };

const low = (s: string): string => s.trim().toLowerCase();
export const isLeaf = (c: Condition): c is Leaf => 'attribute' in c;

/** The pattern of a `matches` test as a RegExp; throws SyntaxError for an invalid one. */
export const patternOf = (source: string): RegExp => new RegExp(source, 'i');

/** A condition compiled: its predicate, and its parts' (for the explanations). */
export type Compiled = { cond: Condition; test: Predicate; kids: Compiled[] };

/** The condition as a predicate tree (regular expressions compiled here, once). */
export function compile(c: Condition): Compiled {
  if ('all' in c) {
    const kids = c.all.map(compile);
    const parts = kids.map((k) => k.test);
    const test: Predicate =
      parts.length === 1
        ? (parts[0] as Predicate)
        : (p) => {
            for (const f of parts) if (!f(p)) return false;
            return true;
          };
    return { cond: c, test, kids };
  }
  if ('any' in c) {
    const kids = c.any.map(compile);
    const parts = kids.map((k) => k.test);
    const test: Predicate =
      parts.length === 1
        ? (parts[0] as Predicate)
        : (p) => {
            for (const f of parts) if (f(p)) return true;
            return false;
          };
    return { cond: c, test, kids };
  }
  return { cond: c, test: leafTest(c), kids: [] };
}

function leafTest(c: Leaf): Predicate {
  const i = ATTRIBUTE_INDEX[c.attribute];
  switch (c.op) {
    case 'equals': {
      const v = low(c.value);
      return (p) => p.low[i] === v;
    }
    case 'in': {
      const set = new Set(c.value.map(low));
      return (p) => {
        const x = p.low[i];
        return x != null && set.has(x);
      };
    }
    case 'starts_with': {
      const v = low(c.value);
      return (p) => {
        const x = p.low[i];
        return x != null && x.startsWith(v);
      };
    }
    case 'matches': {
      const re = patternOf(c.value);
      return (p) => {
        const x = p.raw[i];
        return x != null && re.test(x);
      };
    }
    case 'exists':
      return c.value ? (p) => p.low[i] != null : (p) => p.low[i] == null;
  }
}

const quote = (s: string): string => JSON.stringify(s);

/** One test in words: `department equals "Engineering"`. */
export function describeLeaf(c: Leaf): string {
  switch (c.op) {
    case 'equals':
      return `${c.attribute} equals ${quote(c.value)}`;
    case 'in':
      return `${c.attribute} in [${c.value.map(quote).join(', ')}]`;
    case 'starts_with':
      return `${c.attribute} starts with ${quote(c.value)}`;
    case 'matches':
      return `${c.attribute} matches /${c.value}/`;
    case 'exists':
      return c.value ? `${c.attribute} is set` : `${c.attribute} is not set`;
  }
}

/** The whole condition in words (for lists and audit details). */
export function describe(c: Condition): string {
  if ('all' in c) return c.all.length === 0 ? 'everyone' : c.all.length === 1 ? describe(c.all[0] as Condition) : `all of (${c.all.map(describe).join('; ')})`;
  if ('any' in c) return c.any.length === 1 ? describe(c.any[0] as Condition) : `any of (${c.any.map(describe).join('; ')})`;
  return describeLeaf(c);
}

const valueText = (c: Leaf, p: Person): string => {
  const v = p.raw[ATTRIBUTE_INDEX[c.attribute]];
  return v == null ? 'not set' : quote(v);
};

/**
 * Why the condition holds for this person (it must): the tests that held, an
 * any-of by its first test that held, each with the person's value. An
 * all-of nothing holds for everyone.
 */
export function explainMatch(c: Compiled, p: Person): string {
  const parts: string[] = [];
  const walk = (n: Compiled): void => {
    if ('all' in n.cond) for (const k of n.kids) walk(k);
    else if ('any' in n.cond) {
      const hit = n.kids.find((k) => k.test(p));
      if (hit) walk(hit);
    } else parts.push(`${describeLeaf(n.cond)} (${valueText(n.cond, p)})`);
  };
  walk(c);
  return parts.length === 0 ? 'applies to everyone' : parts.join('; ');
}

/** Why the condition does not hold for this person (it must not): the first test of an all-of that failed, every test of an any-of. */
export function explainMiss(c: Compiled, p: Person): string {
  if ('all' in c.cond) {
    const miss = c.kids.find((k) => !k.test(p));
    return miss ? explainMiss(miss, p) : 'holds';
  }
  if ('any' in c.cond) return c.kids.length === 0 ? 'any of nothing never holds' : `none of: ${c.kids.map((k) => explainMiss(k, p)).join('; ')}`;
  return `not ${describeLeaf(c.cond)} (${valueText(c.cond, p)})`;
}

// --- tests that can never match ---------------------------------------------------------------

/** A test (or a group of tests) that can never match, and why. */
export type NeverMatch = { node: Condition; message: string };

function leafNever(c: Leaf): string | null {
  const closed = CLOSED_SETS[c.attribute];
  if (c.op === 'in' && c.value.length === 0) return `${c.attribute} in [] can never match: the list is empty`;
  if ((c.op === 'equals' || c.op === 'starts_with') && low(c.value) === '') return `${describeLeaf(c)} can never match: an empty value counts as not set (use "exists: false")`;
  if (!closed) return null;
  const known = `${c.attribute} is one of ${closed.join(', ')}`;
  if (c.op === 'equals' && !closed.includes(low(c.value))) return `${describeLeaf(c)} can never match: ${known}`;
  if (c.op === 'in') {
    const outside = c.value.filter((v) => !closed.includes(low(v)));
    if (outside.length > 0) return `${c.attribute} in [...] names ${outside.map(quote).join(', ')}, which can never match: ${known}`;
  }
  if (c.op === 'starts_with' && !closed.some((v) => v.startsWith(low(c.value)))) return `${describeLeaf(c)} can never match: ${known}`;
  if (c.op === 'matches' && !closed.some((v) => patternOf(c.value).test(v))) return `${describeLeaf(c)} can never match: ${known}`;
  return null;
}

/** The tests of an all-of on one attribute that cannot hold together, or null. */
function conflict(attribute: PolicyAttribute, tests: readonly Leaf[]): string | null {
  const words = (): string => tests.map(describeLeaf).join(' and ');
  const absent = tests.some((t) => t.op === 'exists' && !t.value);
  if (absent && tests.some((t) => !(t.op === 'exists' && !t.value))) return `${words()} can never hold together: ${attribute} cannot be both set and not set`;
  let allowed: Set<string> | null = CLOSED_SETS[attribute] ? new Set(CLOSED_SETS[attribute]) : null;
  for (const t of tests) {
    if (t.op !== 'equals' && t.op !== 'in') continue;
    const values = new Set((t.op === 'in' ? t.value : [t.value]).map(low));
    allowed = allowed === null ? values : new Set([...allowed].filter((v) => values.has(v)));
  }
  const prefixes = tests.filter((t): t is Leaf & { op: 'starts_with' } => t.op === 'starts_with').map((t) => low(t.value));
  const patterns = tests.filter((t): t is Leaf & { op: 'matches' } => t.op === 'matches').map((t) => patternOf(t.value));
  if (allowed !== null) {
    const left = [...allowed].filter((v) => prefixes.every((x) => v.startsWith(x)) && patterns.every((re) => re.test(v)));
    return left.length === 0 ? `${words()} can never hold together: no ${attribute} passes every test` : null;
  }
  for (const a of prefixes) for (const b of prefixes) if (!a.startsWith(b) && !b.startsWith(a)) return `${words()} can never hold together: ${attribute} cannot start with both`;
  return null;
}

/**
 * Every part of the condition that can never match. A group that fails only
 * because a part of it fails is not reported again; an all-of is checked for
 * tests on one attribute that contradict each other (its nested all-ofs
 * count as its own tests).
 */
export function neverMatches(c: Condition): NeverMatch[] {
  const found: NeverMatch[] = [];
  const visit = (n: Condition): boolean => {
    if (isLeaf(n)) {
      let why: string | null;
      try {
        why = leafNever(n);
      } catch {
        return false; // an invalid pattern is reported by the parser
      }
      if (why) found.push({ node: n, message: why });
      return why !== null;
    }
    if ('any' in n) {
      if (n.any.length === 0) {
        found.push({ node: n, message: 'any of nothing can never match: list at least one condition' });
        return true;
      }
      // Every branch is visited (each reports its own problem); the any-of fails only when all of them do.
      return n.any.map(visit).every(Boolean);
    }
    const failing = n.all.map(visit).some(Boolean);
    if (failing) return true;
    const byAttribute = new Map<PolicyAttribute, Leaf[]>();
    const gather = (k: Condition): void => {
      if ('all' in k) for (const x of k.all) gather(x);
      else if (isLeaf(k)) byAttribute.set(k.attribute, [...(byAttribute.get(k.attribute) ?? []), k]);
    };
    gather(n);
    for (const [attribute, tests] of byAttribute) {
      if (tests.length < 2) continue;
      let why: string | null;
      try {
        why = conflict(attribute, tests);
      } catch {
        why = null;
      }
      if (why) {
        // Named where the attribute's first test is written (the others follow it in the message).
        found.push({ node: tests[0] as Leaf, message: why });
        return true;
      }
    }
    return false;
  };
  visit(c);
  return found;
}
