// Microsoft Graph JSON -> our snapshot model. Odd records (a missing id, a
// non-string attribute) are normalised or skipped, never allowed to break
// the sync of everyone else.
//
// Group types (what `groups.type` holds for Entra, and what a sync scope's
// `types` names):
//   Dynamic             membership by rule (security or Microsoft 365);
//                       managed_by 'rule', the rule text as managed_by_name
//   Microsoft365        a Unified group (Teams, shared mailbox, ...)
//   Security            a security group (not mail-enabled)
//   MailEnabledSecurity a mail-enabled security group
//   Distribution        a distribution list (mail only, not security)
// Groups synced from on-premises Active Directory are managed_by 'external'
// ('Active Directory'): their members can only change on premises.
import type { GroupManagedBy } from '../../../../shared/domain.js';
import type { AppAssignmentRecord, AppRecord, GroupOwnerRecord, GroupRecord, IdentityRecord } from '../snapshot-model.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

/** The user properties a sync reads (the same for /users and /users/delta, so both store the same profile). */
export const USER_PROPERTIES = [
  'id', 'userPrincipalName', 'mail', 'givenName', 'surname', 'displayName', 'accountEnabled', 'department', 'jobTitle',
  'officeLocation', 'employeeType', 'employeeId', 'userType', 'createdDateTime',
] as const;
/** Needs AuditLog.Read.All; not available through delta (kept from the last full read). */
export const SIGN_IN_PROPERTY = 'signInActivity';
export const GROUP_PROPERTIES = ['id', 'displayName', 'description', 'groupTypes', 'membershipRule', 'mailEnabled', 'securityEnabled', 'onPremisesSyncEnabled', 'createdDateTime'] as const;
export const SERVICE_PRINCIPAL_PROPERTIES = ['id', 'appId', 'displayName', 'accountEnabled', 'servicePrincipalType', 'preferredSingleSignOnMode', 'tags'] as const;
/** Enterprise applications, as the Entra portal lists them (not Microsoft's own first-party principals or managed identities). */
export const ENTERPRISE_APP_TAG = 'WindowsAzureActiveDirectoryIntegratedApp';

export const USER_ODATA_TYPE = '#microsoft.graph.user';

export const ENTRA_GROUP_TYPES = ['Dynamic', 'Microsoft365', 'Security', 'MailEnabledSecurity', 'Distribution'] as const;
export type EntraGroupType = (typeof ENTRA_GROUP_TYPES)[number];

/**
 * The stored profile: the read properties in a fixed order (so a full read
 * and a delta-patched one serialise the same). A property the answer does
 * not carry keeps its previous value: delta answers carry at least the
 * changed properties, not always all of them, and never signInActivity.
 */
export function userProfile(raw: Json, previous: Json | null): Json {
  const out: Json = {};
  for (const p of [...USER_PROPERTIES, SIGN_IN_PROPERTY]) out[p] = p in raw ? (raw[p] ?? null) : (previous?.[p] ?? null);
  return out;
}

/** An identity from a stored-profile-shaped object (see userProfile) and the manager's Graph id. */
export function identityFromProfile(profile: Json, managerId: string | null): IdentityRecord | null {
  const id = str(profile.id);
  if (!id) return null;
  const login = str(profile.userPrincipalName) ?? id;
  const firstName = str(profile.givenName);
  const lastName = str(profile.surname);
  const signIn = obj(profile[SIGN_IN_PROPERTY]);
  return {
    id,
    login,
    email: str(profile.mail),
    firstName,
    lastName,
    displayName: str(profile.displayName) ?? ([firstName, lastName].filter(Boolean).join(' ') || login),
    // Entra has one switch: sign-in allowed or blocked. Blocked counts as a leaver (change-rules.ts).
    status: profile.accountEnabled === false ? 'DISABLED' : 'ACTIVE',
    department: str(profile.department),
    title: str(profile.jobTitle),
    managerId,
    location: str(profile.officeLocation),
    employeeType: str(profile.employeeType),
    employeeNumber: str(profile.employeeId),
    lastLogin: str(signIn?.lastSignInDateTime),
    created: str(profile.createdDateTime),
    lastUpdated: null,
    profile: JSON.stringify(profile),
  };
}

/** The manager id from `$expand=manager` (an object) or `manager@delta` (a list; a removal clears it). Undefined: not in this answer. */
export function managerOf(raw: Json): string | null | undefined {
  const expanded = obj(raw.manager);
  if (expanded) return str(expanded.id);
  const delta = raw['manager@delta'];
  if (Array.isArray(delta)) {
    let id: string | null = null;
    for (const entry of delta) {
      const e = obj(entry);
      if (!e) continue;
      if (e['@removed'] !== undefined) {
        if (str(e.id) === id) id = null;
      } else {
        id = str(e.id);
      }
    }
    return id;
  }
  return undefined;
}

export function classifyGroupType(raw: Json): { type: EntraGroupType; managedBy: GroupManagedBy; managedByName: string | null } {
  const types = Array.isArray(raw.groupTypes) ? raw.groupTypes.filter((t): t is string => typeof t === 'string') : [];
  const dynamic = types.includes('DynamicMembership');
  const unified = types.includes('Unified');
  const type: EntraGroupType = dynamic ? 'Dynamic' : unified ? 'Microsoft365' : raw.securityEnabled === false ? 'Distribution' : raw.mailEnabled === true ? 'MailEnabledSecurity' : 'Security';
  if (raw.onPremisesSyncEnabled === true) return { type, managedBy: 'external', managedByName: 'Active Directory' };
  if (dynamic) return { type, managedBy: 'rule', managedByName: str(raw.membershipRule) ?? 'dynamic membership rule' };
  return { type, managedBy: 'direct', managedByName: null };
}

export function groupFromGraph(raw: Json): GroupRecord | null {
  const id = str(raw.id);
  if (!id) return null;
  return { id, name: str(raw.displayName) ?? id, description: str(raw.description), ...classifyGroupType(raw), lastMembershipUpdated: null, lastUpdated: null };
}

/**
 * A group from a delta answer, over what the snapshot holds: properties the
 * answer leaves out keep their stored values (a membership-only change may
 * carry no properties at all).
 */
export function groupFromDelta(raw: Json, existing: GroupRecord | null): GroupRecord | null {
  const id = str(raw.id);
  if (!id) return null;
  if (!existing) return groupFromGraph(raw);
  const next: GroupRecord = { ...existing };
  if ('displayName' in raw) next.name = str(raw.displayName) ?? id;
  if ('description' in raw) next.description = str(raw.description);
  if ('groupTypes' in raw) Object.assign(next, classifyGroupType(raw));
  else if ('membershipRule' in raw && existing.managedBy === 'rule') next.managedByName = str(raw.membershipRule) ?? existing.managedByName;
  return next;
}

/** True when the answer carries any property of the group itself (not only members@delta). */
export const hasGroupProperties = (raw: Json): boolean => GROUP_PROPERTIES.some((p) => p !== 'id' && p in raw);

export function appFromServicePrincipal(raw: Json): AppRecord | null {
  const id = str(raw.id);
  if (!id) return null;
  const name = str(raw.appId) ?? id;
  return { id, name, label: str(raw.displayName) ?? name, status: raw.accountEnabled === false ? 'INACTIVE' : 'ACTIVE', signOnMode: str(raw.preferredSingleSignOnMode) };
}

/** Group assignments of an app (users assigned directly are not part of the model: access goes through groups). */
export function groupAssignments(appId: string, rows: readonly unknown[]): AppAssignmentRecord[] {
  const seen = new Set<string>();
  const out: AppAssignmentRecord[] = [];
  for (const r of rows) {
    const o = obj(r);
    if (!o || o.principalType !== 'Group') continue;
    const groupId = str(o.principalId);
    // One group can hold several roles of an app: one assignment in our model.
    if (!groupId || seen.has(groupId)) continue;
    seen.add(groupId);
    out.push({ appId, groupId, priority: null });
  }
  return out;
}

/** Ids of the users in a members listing or a members@delta list (other member types: groups, devices, service principals are left out). */
/**
 * A listed group's owners (`$expand=owners($select=id)`): the users among
 * them. Service principals can own groups too; they are no one to ask.
 */
export function groupOwnersFromGraph(groupId: string, group: unknown): GroupOwnerRecord[] {
  const owners = obj(group)?.owners;
  if (!Array.isArray(owners)) return [];
  return memberUserIds(owners).added.map((ownerId) => ({ groupId, ownerId, ownerType: 'user' as const }));
}

export function memberUserIds(items: readonly unknown[]): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const it of items) {
    const o = obj(it);
    if (!o) continue;
    const id = str(o.id);
    const type = str(o['@odata.type']);
    if (!id || (type !== null && type !== USER_ODATA_TYPE)) continue;
    if (o['@removed'] !== undefined) removed.push(id);
    else added.push(id);
  }
  return { added, removed };
}
