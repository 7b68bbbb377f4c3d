// The sandbox's Graph `$filter`: the basics Latchkey and admins use (eq / ne
// on scalars, startswith, groupTypes/any and tags/any, joined by `and`), with
// the properties Graph lets each resource filter on, and Graph's errors for
// the rest.
import type { GraphHttpError } from './graph-errors.js';
import { badRequest } from './graph-route-kit.js';

// ---- $filter (the basics Latchkey and admins use: eq / ne on scalars, startswith, groupTypes/any, joined by `and`) ----

type Predicate = (obj: Record<string, unknown>) => boolean;

type FilterKind = 'user' | 'group' | 'servicePrincipal' | 'signIn';

const FILTERABLE: Record<FilterKind, ReadonlySet<string>> = {
  signIn: new Set(['id', 'userId', 'userPrincipalName', 'appId', 'appDisplayName', 'userDisplayName']),
  servicePrincipal: new Set(['id', 'appId', 'displayName', 'accountEnabled', 'servicePrincipalType']),
  user: new Set(['id', 'accountEnabled', 'mail', 'userPrincipalName', 'employeeId', 'employeeType', 'department', 'displayName', 'givenName', 'surname', 'jobTitle', 'userType', 'city', 'country']),
  group: new Set(['id', 'displayName', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled']),
};

function literal(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  const m = /^'((?:[^']|'')*)'$/.exec(raw);
  if (m) return (m[1] ?? '').replace(/''/g, "'");
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b);

export function parseFilter(raw: string | null, kind: FilterKind): Predicate | null {
  if (raw === null || raw.trim() === '') return null;
  const resource = { user: 'User', group: 'Group', servicePrincipal: 'ServicePrincipal', signIn: 'SignIn' }[kind];
  const unsupported = (): GraphHttpError => badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const clauses = raw.trim().split(/\s+and\s+/i);
  const predicates = clauses.map((clause): Predicate => {
    let m = /^startswith\(\s*(\w+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(clause.trim());
    if (m) {
      const [, prop = '', lit = ''] = m;
      if (!FILTERABLE[kind].has(prop)) throw badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`, 'Request_UnsupportedQuery');
      const prefix = String(literal(lit)).toLowerCase();
      return (o) => typeof o[prop] === 'string' && o[prop].toLowerCase().startsWith(prefix);
    }
    m = /^(groupTypes|tags)\/any\(\s*(\w+)\s*:\s*\2\s+eq\s+('(?:[^']|'')*')\s*\)$/i.exec(clause.trim());
    if (m && ((kind === 'group' && m[1] === 'groupTypes') || (kind === 'servicePrincipal' && m[1] === 'tags'))) {
      const prop = m[1];
      const value = String(literal(m[3] ?? ''));
      return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((t) => same(t, value));
    }
    m = /^(\w+)\s+(eq|ne)\s+(.+)$/i.exec(clause.trim());
    if (m) {
      const [, prop = '', op = '', lit = ''] = m;
      if (!FILTERABLE[kind].has(prop)) throw badRequest(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`, 'Request_UnsupportedQuery');
      const value = literal(lit.trim());
      if (value === undefined) throw badRequest(`Invalid filter clause: syntax error at '${lit.trim()}'.`);
      const negate = op.toLowerCase() === 'ne';
      return (o) => same(o[prop] ?? null, value) !== negate;
    }
    throw unsupported();
  });
  return (o) => predicates.every((p) => p(o));
}
