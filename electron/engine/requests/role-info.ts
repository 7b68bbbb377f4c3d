// What the requests area reads of the catalog: one role with its app, policy
// and durations, found by id or by its "App / Role" label. Read straight from
// catalog_apps / catalog_roles (migration 3) so requests do not depend on the
// catalog module's in-memory shapes; a policy stored with missing keys (an
// older export, a hand-edited CSV) falls back to the tier's default per key.
import { DURATION_OPTIONS, type ApprovalPolicy, type DurationOption, type RiskTier } from '../../../shared/governance.js';
import type { RequestableRole } from '../../../shared/contract-requests.js';
import { parseDurations, parsePolicy } from '../catalog/stored-role.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { normEmail } from '../directory/people-lookup.js';

export type RoleInfo = {
  id: number;
  appId: number;
  appName: string;
  name: string;
  /** "App / Role". */
  label: string;
  description: string;
  risk: RiskTier;
  policy: ApprovalPolicy;
  durations: DurationOption[];
  defaultDuration: DurationOption;
  maxDurationMinutes: number | null;
  roleOwner: string | null;
  appOwner: string | null;
  requestable: boolean;
};

type RoleDbRow = {
  id: number;
  app_id: number;
  app_name: string;
  name: string;
  description: string;
  risk: RiskTier;
  approval_policy: string;
  durations: string;
  default_duration: string;
  max_duration_minutes: number | null;
  owner_email: string | null;
  app_owner: string | null;
  requestable: number;
};

const ROLE_SELECT = `SELECT r.id, r.app_id, a.name AS app_name, r.name, r.description, r.risk, r.approval_policy, r.durations,
       r.default_duration, r.max_duration_minutes, r.owner_email, a.owner_email AS app_owner, r.requestable
  FROM catalog_roles r JOIN catalog_apps a ON a.id = r.app_id`;


function toRoleInfo(r: RoleDbRow): RoleInfo {
  const durations = parseDurations(r.durations);
  return {
    id: r.id,
    appId: r.app_id,
    appName: r.app_name,
    name: r.name,
    label: `${r.app_name} / ${r.name}`,
    description: r.description,
    risk: r.risk,
    policy: parsePolicy(r.approval_policy, r.risk),
    durations,
    defaultDuration: (DURATION_OPTIONS as readonly string[]).includes(r.default_duration) ? (r.default_duration as DurationOption) : (durations[0] ?? 'permanent'),
    maxDurationMinutes: r.max_duration_minutes,
    roleOwner: normEmail(r.owner_email),
    appOwner: normEmail(r.app_owner),
    requestable: r.requestable !== 0,
  };
}

export function roleById(db: Db, id: number): RoleInfo | null {
  const row = db.prepare(`${ROLE_SELECT} WHERE r.id = ?`).get(id) as RoleDbRow | undefined;
  return row ? toRoleInfo(row) : null;
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
  const byName = db.prepare(`${ROLE_SELECT} WHERE a.name = ? AND r.name = ?`);
  for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) {
    const row = byName.get(text.slice(0, i).trim(), text.slice(i + 1).trim()) as RoleDbRow | undefined;
    if (row) return toRoleInfo(row);
  }
  if (!text.includes('/')) throw new UserError(`unknown role "${text}": name it as "App / Role", e.g. "Figma / Editor"`, 'not-found');
  throw new UserError(`unknown role "${text}": no such app and role in the catalog`, 'not-found');
}

/** Every requestable role, by label, with what the "New request" form shows. */
export function requestableRoles(db: Db): RequestableRole[] {
  const rows = db.prepare(`${ROLE_SELECT} WHERE r.requestable = 1 ORDER BY a.name, r.name`).all() as RoleDbRow[];
  const mapped = new Map(
    (db.prepare('SELECT role_id, count(*) AS n FROM catalog_mappings GROUP BY role_id').all() as { role_id: number; n: number }[]).map((r) => [r.role_id, r.n]),
  );
  return rows.map((row) => {
    const r = toRoleInfo(row);
    return {
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
    };
  });
}
