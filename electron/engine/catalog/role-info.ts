// A role as the other areas ask for it: by id, or by its "App / Role" label
// as people type it (the CLI, a CSV, a JSM portal form), and the list the
// "New request" form offers. Rows come decoded from catalog-store.ts, the
// one place that reads them.
import type { RequestableRole } from '../../../shared/contract-requests.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { listRoles, mappedGroupCounts, roleInfo, roleInfoByNames, type RoleInfo } from './catalog-store.js';

export type { RoleInfo } from './catalog-store.js';

export function roleById(db: Db, id: number): RoleInfo | null {
  return roleInfo(db, id);
}

/**
 * A role by id or by "App / Role" (case-insensitive; an app or role name may
 * itself contain a slash, so every split is tried). Unknown: a not-found
 * error naming what was asked for.
 */
export function findRole(db: Db, ref: number | string): RoleInfo {
  if (typeof ref === 'number') {
    const role = roleById(db, ref);
    if (!role) throw new UserError(`unknown role: no catalog role #${ref}`, 'not-found');
    return role;
  }
  const text = ref.trim();
  if (/^#?\d+$/.test(text)) return findRole(db, Number(text.replace('#', '')));
  for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) {
    const role = roleInfoByNames(db, text.slice(0, i).trim(), text.slice(i + 1).trim());
    if (role) return role;
  }
  if (!text.includes('/')) throw new UserError(`unknown role "${text}": name it as "App / Role", e.g. "Figma / Editor"`, 'not-found');
  throw new UserError(`unknown role "${text}": no such app and role in the catalog`, 'not-found');
}

/** Every requestable role, by label, with what the "New request" form shows. */
export function requestableRoles(db: Db): RequestableRole[] {
  const mapped = mappedGroupCounts(db);
  return listRoles(db, { requestable: true }).map(({ info: r }) => ({
    id: r.id,
    label: r.label,
    appName: r.appName,
    name: r.name,
    description: r.description,
    risk: r.risk,
    durations: r.durations,
    defaultDuration: r.defaultDuration,
    maxDurationMinutes: r.maxDurationMinutes,
    autoApprove: r.policy.autoApprove,
    steps: r.policy.steps,
    requireEndDateFor: r.policy.requireEndDateFor,
    mappedGroups: mapped.get(r.id) ?? 0,
  }));
}
