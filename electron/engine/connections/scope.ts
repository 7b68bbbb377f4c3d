// A connection's sync scope: which groups and apps a sync keeps. Large orgs
// limit it (thousands of groups nobody governs); memberships of groups out
// of scope are never fetched, and assignments to them are dropped.
import { emptyScope, type SyncScope } from '../../../shared/domain.js';

export type ScopeFilter = {
  /** True when nothing is limited (the sync may skip filtering altogether). */
  readonly unlimited: boolean;
  group: (g: { name: string; type: string }) => boolean;
  app: (a: { id: string; name: string; label: string }) => boolean;
};

/** Fills in missing parts of a stored scope (older rows have none). */
export function normaliseScope(raw: unknown): SyncScope {
  const base = emptyScope();
  if (!raw || typeof raw !== 'object') return base;
  const r = raw as { groups?: Partial<SyncScope['groups']>; apps?: Partial<SyncScope['apps']> };
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);
  return {
    groups: {
      prefixes: strings(r.groups?.prefixes),
      pattern: typeof r.groups?.pattern === 'string' && r.groups.pattern !== '' ? r.groups.pattern : null,
      types: strings(r.groups?.types),
    },
    apps: { include: strings(r.apps?.include) },
  };
}

export function scopeFilter(scope: SyncScope): ScopeFilter {
  const prefixes = scope.groups.prefixes.map((p) => p.toLowerCase());
  const pattern = scope.groups.pattern ? new RegExp(scope.groups.pattern, 'i') : null;
  const types = new Set(scope.groups.types.map((t) => t.toLowerCase()));
  const apps = new Set(scope.apps.include.map((a) => a.toLowerCase()));
  // Name rules are alternatives (a prefix OR the pattern); the type list narrows further.
  const nameRules = prefixes.length > 0 || pattern !== null;
  return {
    unlimited: !nameRules && types.size === 0 && apps.size === 0,
    group: (g) => {
      if (types.size > 0 && !types.has(g.type.toLowerCase())) return false;
      if (!nameRules) return true;
      const name = g.name.toLowerCase();
      return prefixes.some((p) => name.startsWith(p)) || (pattern?.test(g.name) ?? false);
    },
    app: (a) => apps.size === 0 || apps.has(a.id.toLowerCase()) || apps.has(a.name.toLowerCase()) || apps.has(a.label.toLowerCase()),
  };
}

/** One line for logs and the UI, e.g. "groups starting with app-, sg- · 3 apps". */
export function describeScope(scope: SyncScope): string {
  const parts: string[] = [];
  if (scope.groups.prefixes.length) parts.push(`groups starting with ${scope.groups.prefixes.join(', ')}`);
  if (scope.groups.pattern) parts.push(`${scope.groups.prefixes.length ? 'or ' : 'groups '}matching /${scope.groups.pattern}/i`);
  if (scope.groups.types.length) parts.push(`group types ${scope.groups.types.join(', ')}`);
  if (scope.apps.include.length) parts.push(`${scope.apps.include.length} app${scope.apps.include.length === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' · ') : 'everything';
}

/** Two scopes keep the same groups and apps (a stored one may lack parts). */
export const sameScope = (a: SyncScope, b: SyncScope): boolean => JSON.stringify(normaliseScope(a)) === JSON.stringify(normaliseScope(b));
