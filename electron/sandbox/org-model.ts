// The sandbox organisation's model: the shapes generateOrg produces (people,
// groups, rules, apps, the seeded System Log) and the few rules about them
// that both the generator and the live tenant state apply (who group rules
// assign, how a login is spelt, what a rule's expression reads). Separate from
// the generator so the servers and the live state depend on the model, not on
// how a company is made up.
import type { DepartmentDef, LocationDef } from './org-data.js';
import type { MembershipStore } from './membership-store.js';

export const USER_STATUSES = ['ACTIVE', 'STAGED', 'PROVISIONED', 'SUSPENDED', 'DEPROVISIONED', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'RECOVERY'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const EMPLOYMENT_TYPES = ['Employee', 'Contractor', 'Partner'] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];
export type GroupType = 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
export type GroupKind = 'everyone' | 'department' | 'location' | 'employment' | 'app' | 'directory' | 'role' | 'team' | 'project';
export type SignOnMode = 'SAML_2_0' | 'AUTO_LOGIN' | 'BOOKMARK';

export type OrgUser = {
  index: number;
  id: string;
  status: UserStatus;
  /** Epoch ms; null where Okta returns null. */
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
  firstName: string;
  lastName: string;
  login: string;
  email: string;
  mobilePhone: string | null;
  /** Index into Org.departments. */
  department: number;
  /** Index into Org.locations. */
  location: number;
  title: string;
  employmentType: EmploymentType;
  /** Employer: the company, or the partner firm for partners. */
  organization: string;
  employeeNumber: string;
  /** User index of the manager, -1 for none (the CEO, partners). */
  managerIndex: number;
  /** Partners only: the employee accountable for them. */
  sponsorIndex: number;
  /**
   * Deleted through the API (after deactivation): gone from every listing and
   * lookup. The slot stays so indexes (and paging cursors) remain valid.
   */
  deleted?: boolean;
};

/** Active Directory attributes of a group imported from AD (Okta's OktaActiveDirectoryGroupProfile). */
export type AdGroupProfile = {
  samAccountName: string;
  dn: string;
  windowsDomainQualifiedName: string;
  objectSid: string;
  externalId: string;
  groupType: 'Security';
  groupScope: 'Global' | 'Universal';
};

export type OrgGroup = {
  index: number;
  id: string;
  name: string;
  description: string;
  type: GroupType;
  kind: GroupKind;
  created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
  /** APP_GROUP: the app it is imported from (index into Org.apps), else -1. */
  sourceApp: number;
  /** Rule-managed: index into Org.rules, else -1. */
  rule: number;
  ad: AdGroupProfile | null;
  /** Deleted through the API: gone from listings and lookups; the slot stays so indexes remain valid. */
  deleted?: boolean;
};

/** Profile attribute a group rule tests, as `user.<attribute>=="<value>"`. */
export type RuleAttribute = 'department' | 'city' | 'userType';

export type OrgRule = {
  index: number;
  id: string;
  name: string;
  group: number;
  attribute: RuleAttribute;
  value: string;
  created: number;
  lastUpdated: number;
};

export type AppAssignment = { group: number; priority: number; lastUpdated: number; profile: Record<string, unknown> };

export type OrgApp = {
  index: number;
  id: string;
  key: string;
  name: string;
  label: string;
  /** null for the Active Directory integration, exactly as Okta returns it. */
  signOnMode: SignOnMode | null;
  status: 'ACTIVE' | 'INACTIVE';
  url: string;
  created: number;
  lastUpdated: number;
  features: string[];
  assignments: AppAssignment[];
};

export type SeedEventType =
  | 'user.lifecycle.create'
  | 'user.lifecycle.activate'
  | 'user.lifecycle.suspend'
  | 'user.lifecycle.deactivate'
  | 'user.account.lock'
  | 'user.account.update_profile'
  | 'group.user_membership.add'
  | 'group.user_membership.remove';

/** A System Log event in compact form; the server renders the LogEvent JSON. */
export type SeedEvent = {
  published: number;
  eventType: SeedEventType;
  /** User index of the actor, or -1 for the Okta system principal (group rules, lockouts). */
  actor: number;
  user: number;
  group: number;
  uuid: string;
  transactionId: string;
};

export type OrgCompany = {
  id: string;
  name: string;
  subdomain: string;
  domain: string;
  website: string;
  created: number;
  lastUpdated: number;
  city: string;
  state: string | null;
  country: string;
  postalCode: string;
};

export type Org = {
  seed: number;
  anchor: number;
  company: OrgCompany;
  departments: DepartmentDef[];
  locations: LocationDef[];
  users: OrgUser[];
  groups: OrgGroup[];
  memberships: MembershipStore;
  rules: OrgRule[];
  apps: OrgApp[];
  /** The owners of the sandbox's API tokens. */
  admins: { superAdmin: number; readOnlyAdmin: number };
  /** Okta's default user type (`type.id` of every user). */
  userTypeId: string;
  /** Actor of rule-driven and automatic events. */
  systemPrincipalId: string;
  /** Id suffix shared by all objects of the org (Okta ids end in a cell marker). */
  idSuffix: string;
  events: SeedEvent[];
  /** Group index -> owner user indexes (org-owners.ts); a group with none is absent. */
  groupOwners: Map<number, number[]>;
};

/**
 * Statuses group rules have not (yet) assigned: a STAGED user was never
 * activated, so no rule ran for them. Deactivated (DEPROVISIONED) users stay
 * in their rule groups: Okta does not re-evaluate rules on deactivation (its
 * support article "Deactivated Users not Removed From Okta Groups
 * Automatically"), which is exactly the kind of stale access reviews find.
 */
export const RULE_INELIGIBLE: ReadonlySet<UserStatus> = new Set<UserStatus>(['STAGED']);


/** ASCII login part: "Søren O'Brien" -> "soren", "obrien". */
export function loginPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/gi, 'o')
    .replace(/ł/gi, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
}

export function slugify(text: string): string {
  return loginPart(text.replace(/\s+/g, '-')).replace(/-+/g, '-');
}

/** `user.department=="Engineering"`: the Okta Expression Language form of a rule. */
export function ruleExpression(rule: OrgRule): string {
  return `user.${rule.attribute}==${JSON.stringify(rule.value)}`;
}

/** The profile value a rule attribute reads for a user. */
export function ruleValueOf(org: Org, user: OrgUser, attribute: RuleAttribute): string {
  if (attribute === 'department') return (org.departments[user.department] as DepartmentDef).name;
  if (attribute === 'city') return (org.locations[user.location] as LocationDef).city;
  return user.employmentType;
}
