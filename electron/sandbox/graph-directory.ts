// The Microsoft Entra ID view of the sandbox organisation, derived from the
// same generateOrg() output the Okta sandbox serves. In a "hybrid" org the
// same people exist in both IdPs, matched by e-mail and employee id (what
// a real Okta + Entra tenant pair shares); their Entra object ids differ.
//
// Entra object ids are GUIDs. They are a pure function of (seed, kind, index)
// and encode the index in their last 12 hex digits (masked by the seed), so
// looking one up is O(1) without a 100k-entry map. Memberships are a copy of
// the org's MembershipStore: changes made in Entra do not leak into Okta.
//
// Changes (membership adds/removes, user updates and deletions) are appended
// to a change log with a sequence number; delta queries replay it.
import { createHash } from 'node:crypto';
import { createMembershipStore, type MembershipStore } from './membership-store.js';
import type { Org, OrgApp, OrgGroup, OrgRule, OrgUser } from './org-model.js';

export type GraphObjectKind = 'user' | 'group';

export type GraphUserOverride = Partial<{
  displayName: string;
  givenName: string;
  surname: string;
  jobTitle: string;
  department: string;
  officeLocation: string;
  accountEnabled: boolean;
  /** The manager's org user index; null: no manager. */
  managerIndex: number | null;
}>;

export type GraphChangeInput = { kind: 'user'; index: number } | { kind: 'group'; index: number; member?: { user: number; added: boolean } };
export type GraphChange = GraphChangeInput & { seq: number; at: number };

export type GraphDirectory = {
  org: Org;
  tenantId: string;
  /** Entra's verified domain (the org's e-mail domain). */
  domain: string;
  /** Org group indexes that exist in Entra (everything except Okta's built-in Everyone). */
  groups: readonly number[];
  memberships: MembershipStore;
  userId: (index: number) => string;
  groupId: (orgGroupIndex: number) => string;
  /** Org user index for an Entra id, or -1. */
  userIndex: (id: string) => number;
  /** Org group index for an Entra id, or -1 (also for Everyone, which Entra does not have). */
  groupIndex: (id: string) => number;
  isDeleted: (userIndex: number) => boolean;
  user: (index: number) => Record<string, unknown>;
  group: (orgGroupIndex: number) => Record<string, unknown>;
  isDynamic: (orgGroupIndex: number) => boolean;
  /** Org app indexes: each app is an enterprise application (servicePrincipal) in Entra. */
  apps: readonly number[];
  servicePrincipalId: (orgAppIndex: number) => string;
  /** Org app index for a servicePrincipal id, or -1. */
  servicePrincipalIndex: (id: string) => number;
  servicePrincipal: (orgAppIndex: number) => Record<string, unknown>;
  /** The app's group assignments as appRoleAssignments (groups Entra has only). */
  appRoleAssignedTo: (orgAppIndex: number) => Record<string, unknown>[];
  /** Sign-in log rows (one per user's last sign-in), newest first. */
  signIns: () => Record<string, unknown>[];
  /** Append-only log of changes since start; `seq` is the delta position. */
  changes: GraphChange[];
  seq: () => number;
  record: (change: GraphChangeInput, at: number) => void;
  updateUser: (index: number, patch: GraphUserOverride, at: number) => void;
  /** The user's manager (org user index), -1 when none; deleted managers included (callers decide). */
  managerIndexOf: (userIndex: number) => number;
  /** The manager a user had before an update removed it (delta reports its removal), else null. */
  previousManager: (userIndex: number) => number | null;
  /** Soft-deletes a user (Graph moves it to deleted items; delta reports @removed reason "changed"). */
  deleteUser: (index: number, at: number) => void;
};

function hex(seed: number, label: string): string {
  return createHash('sha256').update(`${seed}:${label}`).digest('hex');
}

/**
 * Builds GUIDs (version 4 / RFC 4122 variant bits) whose last 8 hex digits
 * are `index` XOR a per-(seed, kind) mask, so the index can be read back.
 */
function guidFactory(seed: number, kind: string): { id: (index: number) => string; index: (id: string) => number } {
  const k = hex(seed, `${kind}:mask`);
  const mask = parseInt(k.slice(0, 8), 16) & 0x7fff_ffff;
  const high = k.slice(8, 12);
  const id = (index: number): string => {
    const h = hex(seed, `${kind}:${index}`);
    const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
    const tail = ((index ^ mask) >>> 0).toString(16).padStart(8, '0');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${high}${tail}`;
  };
  const index = (guid: string): number => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) return -1;
    const i = (parseInt(guid.slice(28), 16) ^ mask) >>> 0;
    return i < 0x7fff_ffff && id(i) === guid.toLowerCase() ? i : -1;
  };
  return { id, index };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Entra's syntax for the Okta rule the org generator made (`user.department -eq "Sales"`). */
export function entraMembershipRule(rule: OrgRule): string {
  const attribute = rule.attribute === 'userType' ? 'employeeType' : rule.attribute;
  return `(user.${attribute} -eq ${JSON.stringify(rule.value)})`;
}

export function createGraphDirectory(org: Org): GraphDirectory {
  const tenantGuid = guidFactory(org.seed, 'tenant');
  const users = guidFactory(org.seed, 'user');
  const groupIds = guidFactory(org.seed, 'group');
  const groups = org.groups.filter((g) => g.kind !== 'everyone').map((g) => g.index);
  const inEntra = new Uint8Array(org.groups.length);
  for (const g of groups) inEntra[g] = 1;
  const byGroup: Int32Array[] = org.groups.map((g) => (inEntra[g.index] ? org.memberships.members(g.index).slice() : new Int32Array(0)));
  const memberships = createMembershipStore(byGroup, org.users.length);
  const overrides = new Map<number, GraphUserOverride>();
  const deleted = new Set<number>();
  const previousManagers = new Map<number, number>();
  const changes: GraphChange[] = [];
  let seq = 0;

  const orgUser = (index: number): OrgUser => {
    const u = org.users[index];
    if (!u) throw new RangeError(`no user ${index}`);
    return u;
  };
  const orgGroup = (index: number): OrgGroup => {
    const g = org.groups[index];
    if (!g) throw new RangeError(`no group ${index}`);
    return g;
  };

  const managerIndexOf = (index: number): number => {
    const u = orgUser(index);
    const o = overrides.get(index)?.managerIndex;
    const m = o !== undefined ? o : u.managerIndex;
    return m === null || m < 0 || m === index || m >= org.users.length ? -1 : m;
  };

  const user = (index: number): Record<string, unknown> => {
    const u = orgUser(index);
    const o = overrides.get(index) ?? {};
    const department = org.departments[u.department]?.name ?? null;
    const location = org.locations[u.location];
    const managerIndex = managerIndexOf(index);
    return {
      id: users.id(index),
      businessPhones: [],
      displayName: o.displayName ?? `${u.firstName} ${u.lastName}`,
      givenName: o.givenName ?? u.firstName,
      surname: o.surname ?? u.lastName,
      jobTitle: o.jobTitle ?? u.title,
      mail: u.email,
      mobilePhone: u.mobilePhone,
      officeLocation: o.officeLocation ?? location?.city ?? null,
      preferredLanguage: location?.locale.replace('_', '-') ?? null,
      userPrincipalName: u.email,
      accountEnabled: o.accountEnabled ?? !(u.status === 'SUSPENDED' || u.status === 'DEPROVISIONED'),
      department: o.department ?? department,
      city: location?.city ?? null,
      country: location?.countryCode ?? null,
      usageLocation: location?.countryCode ?? null,
      companyName: u.organization,
      employeeId: u.employeeNumber,
      employeeType: u.employmentType,
      userType: u.employmentType === 'Partner' ? 'Guest' : 'Member',
      createdDateTime: iso(u.created),
      signInActivity: u.lastLogin === null ? { lastSignInDateTime: null, lastNonInteractiveSignInDateTime: null } : { lastSignInDateTime: iso(u.lastLogin), lastNonInteractiveSignInDateTime: iso(u.lastLogin) },
      // Not a Graph property: the manager is a navigation (/users/{id}/manager). Kept here for the route, stripped before serving.
      '#manager': managerIndex >= 0 ? users.id(managerIndex) : null,
    };
  };

  const isDynamic = (index: number): boolean => orgGroup(index).rule >= 0;

  const group = (index: number): Record<string, unknown> => {
    const g = orgGroup(index);
    const rule = g.rule >= 0 ? org.rules[g.rule] : undefined;
    const unified = g.kind === 'team' || g.kind === 'project';
    const mailNickname = g.name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64);
    return {
      id: groupIds.id(index),
      createdDateTime: iso(g.created),
      description: g.description,
      displayName: g.name,
      groupTypes: rule ? ['DynamicMembership'] : unified ? ['Unified'] : [],
      mail: unified ? `${mailNickname}@${org.company.domain}` : null,
      mailEnabled: unified,
      mailNickname,
      membershipRule: rule ? entraMembershipRule(rule) : null,
      membershipRuleProcessingState: rule ? 'On' : null,
      onPremisesSyncEnabled: g.ad ? true : null,
      onPremisesSamAccountName: g.ad?.samAccountName ?? null,
      onPremisesSecurityIdentifier: g.ad?.objectSid ?? null,
      renewedDateTime: iso(g.created),
      securityEnabled: !unified,
      securityIdentifier: `S-1-12-1-${parseInt(groupIds.id(index).slice(0, 8), 16)}-${index}`,
      visibility: unified ? 'Private' : null,
    };
  };

  const spIds = guidFactory(org.seed, 'servicePrincipal');
  const appIds = guidFactory(org.seed, 'application');
  const roleIds = guidFactory(org.seed, 'appRole');
  const orgApp = (index: number): OrgApp => {
    const a = org.apps[index];
    if (!a) throw new RangeError(`no app ${index}`);
    return a;
  };
  const servicePrincipal = (index: number): Record<string, unknown> => {
    const a = orgApp(index);
    return {
      id: spIds.id(index),
      accountEnabled: a.status === 'ACTIVE',
      appDisplayName: a.label,
      appId: appIds.id(index),
      appOwnerOrganizationId: null,
      appRoleAssignmentRequired: true,
      appRoles: [
        {
          allowedMemberTypes: ['User'],
          description: `Access to ${a.label}`,
          displayName: 'User',
          id: roleIds.id(index),
          isEnabled: true,
          origin: 'Application',
          value: 'User',
        },
      ],
      displayName: a.label,
      homepage: a.url,
      // Entra's name for how people sign in (null: linked / not configured).
      preferredSingleSignOnMode: a.signOnMode === 'SAML_2_0' ? 'saml' : a.signOnMode === 'AUTO_LOGIN' ? 'password' : null,
      servicePrincipalNames: [appIds.id(index)],
      servicePrincipalType: 'Application',
      signInAudience: 'AzureADMyOrg',
      tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    };
  };
  const appRoleAssignedTo = (index: number): Record<string, unknown>[] => {
    const a = orgApp(index);
    return a.assignments
      .filter((as) => inEntra[as.group])
      .map((as) => ({
        // Graph's assignment ids are 43-character base64url strings.
        id: createHash('sha256').update(`${org.seed}:assignment:${index}:${as.group}`).digest('base64url').slice(0, 43),
        deletedDateTime: null,
        appRoleId: roleIds.id(index),
        createdDateTime: iso(as.lastUpdated),
        principalDisplayName: orgGroup(as.group).name,
        principalId: groupIds.id(as.group),
        principalType: 'Group',
        resourceDisplayName: a.label,
        resourceId: spIds.id(index),
      }));
  };

  const signInIds = guidFactory(org.seed, 'signIn');
  let signInRows: Record<string, unknown>[] | null = null;
  // Built once, on first use: the sign-in log is read rarely and costs a sort over every user.
  const signIns = (): Record<string, unknown>[] => {
    signInRows ??= org.users
      .filter((u) => u.lastLogin !== null)
      .sort((a, b) => (b.lastLogin ?? 0) - (a.lastLogin ?? 0) || a.index - b.index)
      .map((u) => {
        const location = org.locations[u.location];
        return {
          id: signInIds.id(u.index),
          createdDateTime: iso(u.lastLogin ?? 0),
          userDisplayName: `${u.firstName} ${u.lastName}`,
          userPrincipalName: u.email,
          userId: users.id(u.index),
          appId: '00000002-0000-0ff1-ce00-000000000000',
          appDisplayName: 'Office 365 Exchange Online',
          ipAddress: `203.0.113.${(u.index % 254) + 1}`,
          clientAppUsed: 'Browser',
          isInteractive: true,
          resourceDisplayName: 'Office 365 Exchange Online',
          status: { errorCode: 0, failureReason: null, additionalDetails: null },
          location: location ? { city: location.city, state: location.state, countryOrRegion: location.countryCode } : null,
        };
      });
    return signInRows;
  };

  const record: GraphDirectory['record'] = (change, at) => {
    seq++;
    changes.push({ ...change, seq, at });
  };

  return {
    org,
    tenantId: tenantGuid.id(0),
    domain: org.company.domain,
    groups,
    memberships,
    userId: users.id,
    groupId: groupIds.id,
    userIndex: (id) => {
      const i = users.index(id);
      return i >= 0 && i < org.users.length ? i : -1;
    },
    groupIndex: (id) => {
      const i = groupIds.index(id);
      return i >= 0 && i < org.groups.length && inEntra[i] ? i : -1;
    },
    isDeleted: (i) => deleted.has(i),
    user,
    group,
    isDynamic,
    apps: org.apps.map((a) => a.index),
    servicePrincipalId: spIds.id,
    servicePrincipalIndex: (id) => {
      const i = spIds.index(id);
      return i >= 0 && i < org.apps.length ? i : -1;
    },
    servicePrincipal,
    appRoleAssignedTo,
    signIns,
    changes,
    seq: () => seq,
    record,
    managerIndexOf,
    previousManager: (index) => previousManagers.get(index) ?? null,
    updateUser: (index, patch, at) => {
      const u = orgUser(index);
      if (patch.managerIndex !== undefined) {
        const before = overrides.get(index)?.managerIndex;
        const current = before !== undefined ? before : u.managerIndex >= 0 && u.managerIndex !== index ? u.managerIndex : null;
        if (current !== null && current !== patch.managerIndex) previousManagers.set(index, current);
      }
      overrides.set(index, { ...overrides.get(index), ...patch });
      record({ kind: 'user', index }, at);
    },
    deleteUser: (index, at) => {
      orgUser(index);
      if (deleted.has(index)) return;
      deleted.add(index);
      // Entra drops a deleted user's memberships (restoring it brings them back; not modelled).
      for (const g of [...memberships.groupsOf(index)]) {
        if (memberships.remove(g, index)) record({ kind: 'group', index: g, member: { user: index, added: false } }, at);
      }
      record({ kind: 'user', index }, at);
    },
  };
}
