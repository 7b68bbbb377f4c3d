// The expression language of Okta's `search` and `filter` query parameters
// (SCIM 2.0 filtering, RFC 7644 §3.4.2.2, as far as Okta implements it):
//
//   status eq "ACTIVE" and (profile.department eq "Sales" or profile.title sw "VP")
//   lastUpdated gt "2024-06-01T00:00:00.000Z"
//   profile.sponsorId pr
//
// Parsed once per request, then evaluated against each candidate through an
// accessor, so the server tests compact storage without building JSON.

export type CompareOp = 'eq' | 'ne' | 'sw' | 'ew' | 'co' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

export type FilterNode =
  | { kind: 'cmp'; attr: string; op: CompareOp; value: Literal }
  | { kind: 'pr'; attr: string }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; node: FilterNode };

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

type Token = { type: 'word' | 'string' | 'number' | 'lparen' | 'rparen'; text: string; at: number };

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'sw', 'ew', 'co', 'gt', 'ge', 'lt', 'le']);
const ATTR = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '(') {
      tokens.push({ type: 'lparen', text: c, at: i++ });
    } else if (c === ')') {
      tokens.push({ type: 'rparen', text: c, at: i++ });
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new FilterSyntaxError(`unterminated string at ${i}`);
        const d = text[j] as string;
        if (d === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
        } else if (d === '"') break;
        else {
          value += d;
          j++;
        }
      }
      tokens.push({ type: 'string', text: value, at: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t\n()"'.includes(text[j] as string)) j++;
      const word = text.slice(i, j);
      tokens.push({ type: /^-?\d+(\.\d+)?$/.test(word) ? 'number' : 'word', text: word, at: i });
      i = j;
    }
  }
  return tokens;
}

/** Parses a filter expression; throws FilterSyntaxError with what was wrong. */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean => t?.type === 'word' && t.text.toLowerCase() === w;

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    const t = peek();
    if (isWord(t, 'not')) {
      pos++;
      return { kind: 'not', node: parseUnary() };
    }
    if (t?.type === 'lparen') {
      pos++;
      const inner = parseOr();
      if (peek()?.type !== 'rparen') throw new FilterSyntaxError(`missing ")" at ${peek()?.at ?? text.length}`);
      pos++;
      return inner;
    }
    if (!t || t.type !== 'word' || !ATTR.test(t.text)) throw new FilterSyntaxError(`expected an attribute at ${t?.at ?? text.length}`);
    pos++;
    const opTok = peek();
    if (!opTok || opTok.type !== 'word') throw new FilterSyntaxError(`expected an operator after ${t.text}`);
    const op = opTok.text.toLowerCase();
    pos++;
    if (op === 'pr') return { kind: 'pr', attr: t.text };
    if (!COMPARE_OPS.has(op)) throw new FilterSyntaxError(`unknown operator "${opTok.text}"`);
    const v = peek();
    if (!v) throw new FilterSyntaxError(`expected a value after ${t.text} ${op}`);
    pos++;
    let value: Literal;
    if (v.type === 'string') value = v.text;
    else if (v.type === 'number') value = Number(v.text);
    else if (isWord(v, 'true')) value = true;
    else if (isWord(v, 'false')) value = false;
    else if (isWord(v, 'null')) value = null;
    else throw new FilterSyntaxError(`expected a quoted value at ${v.at}`);
    return { kind: 'cmp', attr: t.text, op: op as CompareOp, value };
  };

  if (tokens.length === 0) throw new FilterSyntaxError('empty expression');
  const node = parseOr();
  if (pos !== tokens.length) throw new FilterSyntaxError(`unexpected "${peek()?.text ?? ''}" at ${peek()?.at ?? 0}`);
  return node;
}

/** Every (attribute, operator) the expression uses, for endpoint-specific restrictions. */
export function filterTerms(node: FilterNode): { attr: string; op: CompareOp | 'pr'; value: Literal }[] {
  switch (node.kind) {
    case 'cmp':
      return [{ attr: node.attr, op: node.op, value: node.value }];
    case 'pr':
      return [{ attr: node.attr, op: 'pr', value: null }];
    case 'not':
      return filterTerms(node.node);
    default:
      return [...filterTerms(node.left), ...filterTerms(node.right)];
  }
}

export function usesNot(node: FilterNode): boolean {
  if (node.kind === 'not') return true;
  if (node.kind === 'and' || node.kind === 'or') return usesNot(node.left) || usesNot(node.right);
  return false;
}

/**
 * An attribute's value(s) for one candidate; arrays match when any element
 * does. A timestamp attribute may be given as `{ instant: ms }`: compared
 * with a quoted ISO 8601 literal without formatting and re-parsing it for
 * every candidate (a lastUpdated search over 100k users did both 100k times).
 */
export type AttributeValue = Literal | undefined | readonly Literal[] | Instant;
export type Instant = { readonly instant: number };

const isInstant = (v: unknown): v is Instant => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Instant).instant === 'number';

export type EvaluateOptions = {
  /** Okta `search`: string values compare case-insensitively. `filter`: case-sensitive. */
  caseInsensitive: boolean;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

/** Parsed ISO literals (a filter holds a handful; candidates are many). */
const parsedLiterals = new Map<string, number>();
function literalInstant(v: string): number {
  let t = parsedLiterals.get(v);
  if (t === undefined) {
    t = ISO_DATE.test(v) ? Date.parse(v) : NaN;
    if (parsedLiterals.size > 1000) parsedLiterals.clear();
    parsedLiterals.set(v, t);
  }
  return t;
}

function compareInstant(actual: number, op: CompareOp, expected: Literal, ci: boolean): boolean {
  const b = typeof expected === 'string' ? literalInstant(expected) : NaN;
  if (Number.isFinite(b)) {
    switch (op) {
      case 'eq': return actual === b;
      case 'ne': return actual !== b;
      case 'gt': return actual > b;
      case 'ge': return actual >= b;
      case 'lt': return actual < b;
      case 'le': return actual <= b;
      default: break;
    }
  }
  // Text operators (sw, co...) or a literal that is not a date: as the ISO string Okta shows.
  return compare(new Date(actual).toISOString(), op, expected, ci);
}

function compare(actual: Literal, op: CompareOp, expected: Literal, ci: boolean): boolean {
  if (actual === null || expected === null) {
    if (op === 'eq') return actual === expected;
    if (op === 'ne') return actual !== expected;
    return false;
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    // Dates are compared as instants: "2024-01-01T00:00:00Z" and
    // "2024-01-01T00:00:00.000Z" are the same moment.
    if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le' || op === 'eq') && ISO_DATE.test(actual) && ISO_DATE.test(expected)) {
      const a = Date.parse(actual);
      const b = Date.parse(expected);
      if (Number.isFinite(a) && Number.isFinite(b)) {
        switch (op) {
          case 'gt': return a > b;
          case 'ge': return a >= b;
          case 'lt': return a < b;
          case 'le': return a <= b;
          default: return a === b;
        }
      }
    }
    const a = ci ? actual.toLowerCase() : actual;
    const b = ci ? expected.toLowerCase() : expected;
    switch (op) {
      case 'eq': return a === b;
      case 'ne': return a !== b;
      case 'sw': return a.startsWith(b);
      case 'ew': return a.endsWith(b);
      case 'co': return a.includes(b);
      case 'gt': return a > b;
      case 'ge': return a >= b;
      case 'lt': return a < b;
      case 'le': return a <= b;
    }
  }
  const a = typeof actual === 'number' ? actual : typeof actual === 'string' ? Number(actual) : actual;
  const b = typeof expected === 'number' ? expected : typeof expected === 'string' ? Number(expected) : expected;
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

export function evaluateFilter(node: FilterNode, get: (attr: string) => AttributeValue, options: EvaluateOptions): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, get, options) && evaluateFilter(node.right, get, options);
    case 'or':
      return evaluateFilter(node.left, get, options) || evaluateFilter(node.right, get, options);
    case 'not':
      return !evaluateFilter(node.node, get, options);
    case 'pr': {
      const v = get(node.attr);
      if (Array.isArray(v)) return v.some((x) => x !== null && x !== '');
      return v !== undefined && v !== null && v !== '';
    }
    case 'cmp': {
      const v = get(node.attr);
      if (v === undefined) return node.op === 'ne';
      if (isInstant(v)) return compareInstant(v.instant, node.op, node.value, options.caseInsensitive);
      if (Array.isArray(v)) return (v as readonly Literal[]).some((x) => compare(x, node.op, node.value, options.caseInsensitive));
      return compare(v as Literal, node.op, node.value, options.caseInsensitive);
    }
  }
}
