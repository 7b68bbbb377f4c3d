// Okta JSON -> our snapshot model. Okta objects are read defensively: an odd
// record (a missing profile, a non-string attribute) is normalised or
// skipped with a reason, never allowed to break the sync of everyone else.
import type { GroupManagedBy } from '../../../../shared/domain.js';
import type { AppAssignmentRecord, AppRecord, GroupOwnerRecord, GroupRecord, IdentityRecord, ManagerRef } from '../snapshot-model.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Okta user ids: 20 characters starting with 00u. */
const OKTA_USER_ID = /^00u[0-9A-Za-z]{17}$/;

export type UserPage = { identities: IdentityRecord[]; managerRefs: ManagerRef[]; skipped: number };

export function normaliseUser(u: unknown): { identity: IdentityRecord; managerRef: ManagerRef | null } | null {
  const o = obj(u);
  const id = str(o.id);
  const p = obj(o.profile);
  const login = str(p.login);
  if (!id || !login) return null;
  const firstName = str(p.firstName);
  const lastName = str(p.lastName);
  const displayName = str(p.displayName) ?? ([firstName, lastName].filter(Boolean).join(' ') || login);
  const location =
    str(p.location) ?? ([str(p.city), str(p.state), str(p.countryCode)].filter(Boolean).join(', ') || null);
  // managerId is Okta's standard attribute; orgs fill it with an Okta id, a
  // login or an employee number. Anything not shaped like an Okta id, and a
  // bare `manager` (login or email), is resolved once every user is known.
  const managerIdRaw = str(p.managerId);
  const managerRaw = str(p.manager);
  let managerRef: ManagerRef | null = null;
  if (managerIdRaw && !OKTA_USER_ID.test(managerIdRaw)) managerRef = { identityId: id, ref: managerIdRaw };
  else if (!managerIdRaw && managerRaw) managerRef = { identityId: id, ref: managerRaw };
  return {
    identity: {
      id,
      login,
      email: str(p.email),
      firstName,
      lastName,
      displayName,
      status: str(o.status) ?? 'UNKNOWN',
      department: str(p.department),
      title: str(p.title),
      managerId: managerIdRaw,
      location,
      employeeType: str(p.userType) ?? str(p.employeeType),
      employeeNumber: str(p.employeeNumber),
      lastLogin: str(o.lastLogin),
      created: str(o.created),
      lastUpdated: str(o.lastUpdated),
      profile: JSON.stringify(p),
    },
    managerRef,
  };
}

export function normaliseUsers(items: unknown): UserPage {
  const page: UserPage = { identities: [], managerRefs: [], skipped: 0 };
  if (!Array.isArray(items)) throw new TypeError('expected a JSON array of users');
  for (const it of items) {
    const n = normaliseUser(it);
    if (!n) {
      page.skipped++;
      continue;
    }
    page.identities.push(n.identity);
    if (n.managerRef) page.managerRefs.push(n.managerRef);
  }
  return page;
}

/** A group as Okta lists it, before its managed-by origin is known. */
export type OktaGroup = Omit<GroupRecord, 'managedBy' | 'managedByName'> & {
  /** For APP_GROUP: the app the group was imported from. */
  sourceAppId: string | null;
  /** _embedded.stats.usersCount when listed with expand=stats. */
  usersCount: number | null;
};

function lastPathSegment(href: unknown): string | null {
  const s = str(href);
  if (!s) return null;
  const parts = s.split('?')[0]!.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? null;
}

export function normaliseGroup(g: unknown): OktaGroup | null {
  const o = obj(g);
  const id = str(o.id);
  const p = obj(o.profile);
  if (!id) return null;
  const stats = obj(obj(o._embedded).stats);
  const usersCount = typeof stats.usersCount === 'number' ? stats.usersCount : null;
  return {
    id,
    name: str(p.name) ?? id,
    description: str(p.description),
    type: str(o.type) ?? 'OKTA_GROUP',
    lastMembershipUpdated: str(o.lastMembershipUpdated),
    lastUpdated: str(o.lastUpdated),
    sourceAppId: lastPathSegment(obj(obj(o._links).source).href),
    usersCount,
  };
}

export type OktaGroupRule = { id: string; name: string; status: string; groupIds: string[] };

export function normaliseGroupRule(r: unknown): OktaGroupRule | null {
  const o = obj(r);
  const id = str(o.id);
  if (!id) return null;
  const ids = obj(obj(o.actions).assignUserToGroups).groupIds;
  return {
    id,
    name: str(o.name) ?? id,
    status: str(o.status) ?? 'ACTIVE',
    groupIds: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [],
  };
}

export function normaliseApp(a: unknown): AppRecord | null {
  const o = obj(a);
  const id = str(o.id);
  if (!id) return null;
  const name = str(o.name) ?? id;
  return { id, name, label: str(o.label) ?? name, status: str(o.status) ?? 'ACTIVE', signOnMode: str(o.signOnMode) };
}

export function normaliseAppGroup(appId: string, x: unknown): AppAssignmentRecord | null {
  const o = obj(x);
  const groupId = str(o.id);
  if (!groupId) return null;
  return { appId, groupId, priority: typeof o.priority === 'number' ? o.priority : null };
}

/**
 * One entry of listGroupOwners: a USER or GROUP owner. An owner from an app
 * (originType APPLICATION) not yet reconciled (`resolved: false`) carries the
 * app's id for it, not an Okta id: skipped, there is no one to look up.
 */
export function normaliseGroupOwner(groupId: string, x: unknown): GroupOwnerRecord | null {
  const o = obj(x);
  const ownerId = str(o.id);
  if (!ownerId || o.resolved === false) return null;
  const type = str(o.type);
  if (type === 'USER') return { groupId, ownerId, ownerType: 'user' };
  if (type === 'GROUP') return { groupId, ownerId, ownerType: 'group' };
  return null;
}

/** Which ACTIVE rules assign users to which group (a group can have several). */
export function ruleIndex(rules: readonly OktaGroupRule[]): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const r of rules) {
    if (r.status !== 'ACTIVE') continue;
    for (const g of r.groupIds) {
      const list = byGroup.get(g);
      if (list) list.push(r.name);
      else byGroup.set(g, [r.name]);
    }
  }
  return byGroup;
}

/**
 * Who owns a group's membership, which decides whether Latchkey may change it:
 * - 'rule': an ACTIVE group rule adds people (a manual add would be undone or fight the rule);
 * - 'external': an app imports it (AD, LDAP, Workday...) or Okta builds it (Everyone);
 * - 'direct': people are added by hand, or by us.
 */
export function classifyGroup(
  g: OktaGroup,
  rulesByGroup: ReadonlyMap<string, readonly string[]>,
  appLabels: ReadonlyMap<string, string>,
): GroupRecord {
  let managedBy: GroupManagedBy = 'direct';
  let managedByName: string | null = null;
  if (g.type === 'APP_GROUP') {
    managedBy = 'external';
    managedByName = g.sourceAppId ? (appLabels.get(g.sourceAppId) ?? null) : null;
  } else if (g.type === 'BUILT_IN') {
    managedBy = 'external';
    managedByName = 'Okta (built-in)';
  } else {
    const rules = rulesByGroup.get(g.id);
    if (rules && rules.length > 0) {
      managedBy = 'rule';
      managedByName = rules.join(', ');
    }
  }
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    type: g.type,
    managedBy,
    managedByName,
    lastMembershipUpdated: g.lastMembershipUpdated,
    lastUpdated: g.lastUpdated,
  };
}

/** A System Log target: who or what an event is about. */
export type OktaLogTarget = { id: string; type: string; displayName: string | null; alternateId: string | null };

/** What incremental sync needs of a System Log event (LogEvent in the spec). */
export type OktaLogEvent = {
  uuid: string;
  /** ISO 8601, as Okta sends it. */
  published: string;
  eventType: string;
  /** SUCCESS, FAILURE, SKIPPED, ALLOW, DENY, CHALLENGE, UNKNOWN; null when absent. */
  outcome: string | null;
  targets: OktaLogTarget[];
};

export function normaliseLogEvent(e: unknown): OktaLogEvent | null {
  const o = obj(e);
  const uuid = str(o.uuid);
  const published = str(o.published);
  const eventType = str(o.eventType);
  if (!uuid || !published || !eventType || !Number.isFinite(Date.parse(published))) return null;
  const targets: OktaLogTarget[] = [];
  for (const t of Array.isArray(o.target) ? (o.target as unknown[]) : []) {
    const to = obj(t);
    const id = str(to.id);
    const type = str(to.type);
    if (id && type) targets.push({ id, type, displayName: str(to.displayName), alternateId: str(to.alternateId) });
  }
  return { uuid, published, eventType, outcome: str(obj(o.outcome).result), targets };
}
