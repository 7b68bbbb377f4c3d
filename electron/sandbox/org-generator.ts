// Generates the sandbox tenant's organisation: people, a manager tree,
// groups (rule-managed, app-imported and hand-managed), memberships, apps and
// their group assignments, group rules, and a week of System Log history.
//
// The output is a pure function of (seed, users, domain, anchor): no
// Math.random, no wall clock. Benchmarks and tests rely on "seed 1, 100k
// users" meaning the same company everywhere. Timestamps are offsets from
// `anchor` (the sandbox passes the start of the current UTC day, so "stale
// login" stays meaningful in a demo run next year).
//
// Sizes follow a real mid/large company: ~1 group per 20 people and ~10
// group memberships per person (Everyone included), so 100,000 people give
// ~5,000 groups and ~1,000,000 memberships. Memberships are kept as typed
// arrays (see membership-store.ts); JSON is only built when a page is served.
import {
  APP_CATALOG,
  AWS_ACCOUNTS,
  COMPANIES,
  DEPARTMENTS,
  EXECUTIVE,
  FIRST_NAMES,
  LAST_NAMES,
  LOCATIONS,
  PARTNER_COMPANIES,
  PROJECT_CODENAMES,
  ROLE_GROUPS,
  TEAM_WORDS,
  type AppDef,
  type Audience,
  type DepartmentDef,
  type LocationDef,
} from './org-data.js';
import { createMembershipStore, toSortedUnique, type MembershipStore } from './membership-store.js';
import { createRng, type Rng } from './prng.js';

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
};

export type GenerateOrgOptions = {
  users: number;
  seed: number;
  /** E-mail domain of employees (default `<company>.example.com`). */
  domain?: string;
  /** "Now" for the generated history (default 2026-01-15T00:00Z, so the function stays pure). */
  anchor?: Date;
};

const DAY = 86_400_000;
const DEFAULT_ANCHOR = Date.UTC(2026, 0, 15);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MEMBERSHIPS_PER_USER = 10;
const USERS_PER_GROUP = 20;

/**
 * Statuses group rules have not (yet) assigned: a STAGED user was never
 * activated, so no rule ran for them. Deactivated (DEPROVISIONED) users stay
 * in their rule groups: Okta does not re-evaluate rules on deactivation (its
 * support article "Deactivated Users not Removed From Okta Groups
 * Automatically"), which is exactly the kind of stale access reviews find.
 */
export const RULE_INELIGIBLE: ReadonlySet<UserStatus> = new Set<UserStatus>(['STAGED']);

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

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

function isoUuid(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rng.next() * 4294967296).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[rng.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export function generateOrg(options: GenerateOrgOptions): Org {
  const n = Math.floor(options.users);
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`users must be a positive integer, got ${options.users}`);
  const seed = Math.floor(options.seed);
  const anchor = options.anchor ? options.anchor.getTime() : DEFAULT_ANCHOR;
  const rng = (stream: string): Rng => createRng(seed, stream);

  // --- ids ------------------------------------------------------------------
  const idRng = rng('ids');
  const idSuffix = `${idRng.int(10)}${'abcdefghijklmnopqrstuvwxyz'[idRng.int(26)]}${idRng.int(10)}`;
  const usedIds = new Set<string>();
  const newId = (prefix: string): string => {
    for (;;) {
      const id = `${prefix}${idRng.chars(14, BASE62)}${idSuffix}`;
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };

  // --- company --------------------------------------------------------------
  const companyRng = rng('company');
  const companyDef = companyRng.pick(COMPANIES);
  const domain = options.domain ?? `${companyDef.slug}.example.com`;
  const subdomain = options.domain ? slugify(domain.split('.')[0] ?? companyDef.slug) : companyDef.slug;
  const orgCreated = anchor - 8 * 365 * DAY;

  // --- shape: departments and offices scale with size -------------------------
  const deptCount = clamp(Math.round(2 * Math.log2(Math.max(n, 10) / 10)), 3, DEPARTMENTS.length);
  const departments: DepartmentDef[] = [EXECUTIVE, ...DEPARTMENTS.slice(0, deptCount)];
  const locationCount = clamp(Math.round(n / 5000) + 3, 3, LOCATIONS.length);
  const locations: LocationDef[] = LOCATIONS.slice(0, locationCount);
  const hq = locations[0] as LocationDef;
  const company: OrgCompany = {
    id: newId('00o'),
    name: companyDef.name,
    subdomain,
    domain,
    website: `https://www.${domain}`,
    created: orgCreated,
    lastUpdated: anchor - 40 * DAY,
    city: hq.city,
    state: hq.state,
    country: hq.countryCode,
    postalCode: hq.zipCode,
  };
  const deptIndex = new Map(departments.map((d, i) => [d.slug, i]));

  // --- people: department, office, employment type, name -----------------------
  const peopleRng = rng('people');
  const deptWeights = departments.map((d) => d.weight);
  const locWeights = locations.map((l) => l.weight);
  const department = new Int32Array(n);
  const location = new Int32Array(n);
  const employment: EmploymentType[] = new Array<EmploymentType>(n);
  const firstNames: string[] = new Array<string>(n);
  const lastNames: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    department[i] = i === 0 ? 0 : peopleRng.weighted(deptWeights);
    location[i] = i === 0 ? 0 : peopleRng.weighted(locWeights);
    const r = peopleRng.next();
    // Managers are always employees, so ICs carry a little more than the
    // org-wide 15% contractors / 5% partners.
    employment[i] = i === 0 ? 'Employee' : r < 0.056 ? 'Partner' : r < 0.056 + 0.165 ? 'Contractor' : 'Employee';
    firstNames[i] = peopleRng.pick(FIRST_NAMES);
    lastNames[i] = peopleRng.pick(LAST_NAMES);
  }

  // --- manager tree: CEO -> department heads -> BFS with spans of 5..10 -------------
  const treeRng = rng('tree');
  const managerIndex = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n);
  const reports = new Int32Array(n);
  const heads = new Int32Array(departments.length).fill(-1);
  heads[0] = 0;
  const byDept: number[][] = departments.map(() => []);
  for (let i = 1; i < n; i++) if (employment[i] !== 'Partner') byDept[department[i] as number]!.push(i);
  for (let d = 1; d < departments.length; d++) {
    const members = byDept[d] as number[];
    if (members.length === 0) continue;
    let headPos = members.findIndex((u) => employment[u] === 'Employee');
    if (headPos < 0) {
      headPos = 0;
      employment[members[0] as number] = 'Employee';
    }
    const head = members[headPos] as number;
    heads[d] = head;
    const queue: number[] = [head];
    const span = new Map<number, number>([[head, treeRng.range(5, 10)]]);
    let q = 0;
    for (const m of members) {
      if (m === head) continue;
      const mgr = (queue[q] ?? head);
      managerIndex[m] = mgr;
      depth[m] = (depth[mgr] as number) + 1;
      reports[mgr]! += 1;
      if ((reports[mgr] as number) >= (span.get(mgr) ?? 7) && q < queue.length - 1) q++;
      if (employment[m] === 'Employee') {
        queue.push(m);
        span.set(m, treeRng.range(5, 10));
      }
    }
  }
  // Heads report to the CEO, except where companies usually nest a function
  // under another one: the few cross-department manager edges of a real org.
  const nestUnder: Record<string, string> = { design: 'product', it: 'operations', data: 'engineering' };
  for (let d = 1; d < departments.length; d++) {
    const head = heads[d] as number;
    if (head < 0) continue;
    const parentDept = deptIndex.get(nestUnder[(departments[d] as DepartmentDef).slug] ?? '');
    const parentHead = parentDept === undefined ? -1 : (heads[parentDept] as number);
    managerIndex[head] = parentHead >= 0 ? parentHead : 0;
    reports[managerIndex[head]]! += 1;
  }
  // Depth within the department was counted from its head (depth 0); make it
  // org depth so titles can use it: CEO 0, heads 1, their directs 2, ...
  for (let i = 1; i < n; i++) if (employment[i] !== 'Partner') depth[i]! += 1;

  // --- titles and statuses ---------------------------------------------------------
  const titleRng = rng('titles');
  const statusRng = rng('status');
  const statusWeights: readonly [UserStatus, number][] = [
    ['ACTIVE', 88], ['SUSPENDED', 2], ['DEPROVISIONED', 4.2], ['STAGED', 2], ['PROVISIONED', 2],
    ['LOCKED_OUT', 1], ['PASSWORD_EXPIRED', 0.5], ['RECOVERY', 0.3],
  ];
  const statusW = statusWeights.map(([, w]) => w);
  const titles: string[] = new Array<string>(n);
  const statuses: UserStatus[] = new Array<UserStatus>(n);
  const isHead = new Uint8Array(n);
  for (const h of heads) if (h >= 0) isHead[h] = 1;
  for (let i = 0; i < n; i++) {
    const dept = departments[department[i] as number] as DepartmentDef;
    if (isHead[i]) titles[i] = dept.headTitle;
    else if (employment[i] === 'Partner') titles[i] = titleRng.chance(0.5) ? 'External Consultant' : `Partner ${titleRng.pick(dept.roles)}`;
    else if ((reports[i] as number) > 0) titles[i] = depth[i] === 2 ? `Director of ${dept.name}` : depth[i] === 3 && titleRng.chance(0.4) ? `Senior ${dept.managerTitle}` : dept.managerTitle;
    else {
      const level = dept.levels[titleRng.weighted(dept.levels.map(([, w]) => w))]?.[0] ?? '';
      const role = titleRng.pick(dept.roles);
      titles[i] = level ? `${level} ${role}` : role;
    }
    // People with reports are active: an org chart full of suspended
    // managers would be noise, not realism.
    statuses[i] = isHead[i] || (reports[i] as number) > 0 ? 'ACTIVE' : (statusWeights[statusRng.weighted(statusW)]?.[0] ?? 'ACTIVE');
  }

  // --- logins, numbers, phones --------------------------------------------------------
  const contactRng = rng('contact');
  // Only a few hundred distinct names: normalise each once.
  const loginParts = new Map<string, string>();
  const loginPartOf = (name: string): string => {
    let part = loginParts.get(name);
    if (part === undefined) {
      part = loginPart(name);
      loginParts.set(name, part);
    }
    return part;
  };
  const seenLogins = new Map<string, number>();
  const users: OrgUser[] = new Array<OrgUser>(n);
  let employeeSeq = 0;
  let contractorSeq = 0;
  let partnerSeq = 0;
  const partnerOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const type = employment[i] as EmploymentType;
    let mailDomain = domain;
    let organization = company.name;
    if (type === 'Partner') {
      const p = contactRng.int(PARTNER_COMPANIES.length);
      partnerOf[i] = p;
      const partner = PARTNER_COMPANIES[p] as (typeof PARTNER_COMPANIES)[number];
      mailDomain = partner.domain;
      organization = partner.name;
    }
    const base = `${loginPartOf(firstNames[i] as string)}.${loginPartOf(lastNames[i] as string)}`;
    const key = `${base}@${mailDomain}`;
    const seen = (seenLogins.get(key) ?? 0) + 1;
    seenLogins.set(key, seen);
    // first.last, then first.last2, first.last3 ... (collisions with an
    // existing first.last2 are avoided by re-checking).
    let login = seen === 1 ? key : `${base}${seen}@${mailDomain}`;
    while (seen > 1 && seenLogins.has(login)) login = `${base}${seen}${contactRng.int(10)}@${mailDomain}`;
    if (seen > 1) seenLogins.set(login, 1);
    const loc = locations[location[i] as number] as LocationDef;
    const employeeNumber =
      type === 'Employee' ? String(100001 + employeeSeq++) : type === 'Contractor' ? `C${String(20001 + contractorSeq++)}` : `P${String(5001 + partnerSeq++)}`;
    users[i] = {
      index: i,
      id: newId('00u'),
      status: statuses[i] as UserStatus,
      created: 0,
      activated: null,
      statusChanged: null,
      lastLogin: null,
      lastUpdated: 0,
      passwordChanged: null,
      firstName: firstNames[i] as string,
      lastName: lastNames[i] as string,
      login,
      email: login,
      mobilePhone: contactRng.chance(0.75) ? `${loc.phonePrefix}${String(contactRng.int(10000)).padStart(4, '0')}` : null,
      department: department[i] as number,
      location: location[i] as number,
      title: titles[i] as string,
      employmentType: type,
      organization,
      employeeNumber,
      managerIndex: managerIndex[i] as number,
      sponsorIndex: -1,
    };
  }

  // --- dates ---------------------------------------------------------------------
  const dateRng = rng('dates');
  const between = (lo: number, hi: number): number => Math.floor(lo + dateRng.next() * Math.max(0, hi - lo));
  for (const u of users) {
    const s = u.status;
    if (u.index === 0) u.created = orgCreated + DAY;
    else if (s === 'STAGED') u.created = between(anchor - 30 * DAY, anchor - DAY / 2);
    else if (s === 'PROVISIONED') u.created = between(anchor - 14 * DAY, anchor - DAY / 2);
    else if (isHead[u.index]) u.created = between(orgCreated + 10 * DAY, anchor - 3 * 365 * DAY);
    else {
      // Most people joined within the last few years; a share are new hires.
      const r = dateRng.next();
      u.created = r < 0.04 ? between(anchor - 30 * DAY, anchor - DAY) : between(anchor - 7 * 365 * DAY, anchor - 30 * DAY);
    }
    if (s === 'STAGED') {
      u.lastUpdated = u.created;
      continue;
    }
    const activated = u.created + between(60_000, 2 * DAY);
    if (s === 'PROVISIONED') {
      u.statusChanged = Math.min(activated, anchor - 60_000);
      u.lastUpdated = u.statusChanged;
      continue;
    }
    u.activated = Math.min(activated, anchor - 60_000);
    u.passwordChanged = between(u.activated, anchor - DAY);
    if (u.passwordChanged < u.activated) u.passwordChanged = u.activated;
    switch (s) {
      case 'SUSPENDED':
        u.statusChanged = between(Math.max(u.activated, anchor - 180 * DAY), anchor - DAY / 4);
        break;
      case 'DEPROVISIONED':
        u.statusChanged = between(Math.max(u.activated, anchor - 365 * DAY), anchor - DAY / 4);
        break;
      case 'LOCKED_OUT':
      case 'PASSWORD_EXPIRED':
      case 'RECOVERY':
        u.statusChanged = between(Math.max(u.activated, anchor - 10 * DAY), anchor - 3_600_000);
        break;
      default:
        u.statusChanged = u.activated;
    }
    const until = s === 'ACTIVE' || s === 'LOCKED_OUT' || s === 'PASSWORD_EXPIRED' || s === 'RECOVERY' ? anchor : (u.statusChanged ?? anchor);
    // Last sign-in: most within the week, a tail of stale accounts (>90 days)
    // that access reviews should catch, and a few who never signed in.
    const r = dateRng.next();
    const since = r < 0.72 ? until - 7 * DAY : r < 0.84 ? until - 30 * DAY : r < 0.9 ? until - 90 * DAY : r < 0.98 ? until - 365 * DAY : NaN;
    u.lastLogin = Number.isNaN(since) ? null : between(Math.max(u.activated, since), until - 60_000);
    if (u.lastLogin !== null && u.lastLogin < u.activated) u.lastLogin = u.activated;
    // A profile edit at some point since joining (title change, new phone...).
    const edit = dateRng.chance(0.6) ? between(u.activated, anchor - 60_000) : u.activated;
    u.lastUpdated = Math.max(edit, u.statusChanged ?? 0, u.activated, u.passwordChanged);
  }

  // --- sponsors for partners: an active employee, same department if possible --------------
  const sponsorRng = rng('sponsors');
  const activeEmployeesByDept: number[][] = departments.map(() => []);
  const activeEmployees: number[] = [];
  for (const u of users) {
    if (u.employmentType === 'Employee' && u.status === 'ACTIVE') {
      activeEmployeesByDept[u.department]!.push(u.index);
      activeEmployees.push(u.index);
    }
  }
  for (const u of users) {
    if (u.employmentType !== 'Partner') continue;
    const pool = (activeEmployeesByDept[u.department] as number[]).length > 0 ? (activeEmployeesByDept[u.department] as number[]) : activeEmployees;
    u.sponsorIndex = pool.length > 0 ? sponsorRng.pick(pool) : 0;
  }

  // --- admins: who owns the sandbox API tokens ----------------------------------------------
  const firstActive = (deptSlug: string, except: number): number => {
    const d = deptIndex.get(deptSlug);
    const pool = d === undefined ? [] : (activeEmployeesByDept[d] as number[]);
    const found = pool.find((u) => u !== except && !isHead[u]);
    return found ?? activeEmployees.find((u) => u !== except && u !== 0) ?? (except === 0 ? Math.min(1, n - 1) : 0);
  };
  const superAdmin = firstActive('it', -1);
  const readOnlyAdmin = firstActive('security', superAdmin);

  // --- apps (definitions; assignments once groups exist) -------------------------------------------
  const appRng = rng('apps');
  const appCount = clamp(Math.round(8 * Math.log10(Math.max(n, 10))) - 10, 5, APP_CATALOG.length);
  const catalog = APP_CATALOG.slice(0, appCount);
  const fill = (url: string): string => url.replace('{slug}', subdomain).replace('{domain}', domain);
  const apps: OrgApp[] = [];
  const adApp: OrgApp = {
    index: 0,
    id: newId('0oa'),
    key: 'active-directory',
    name: 'active_directory',
    label: `corp.${domain}`,
    signOnMode: null,
    status: 'ACTIVE',
    url: '',
    created: orgCreated + 20 * DAY,
    lastUpdated: anchor - 12 * DAY,
    features: ['IMPORT_NEW_USERS', 'IMPORT_PROFILE_UPDATES', 'IMPORT_USER_SCHEMA', 'PROFILE_MASTERING', 'GROUP_SYNC'],
    assignments: [],
  };
  apps.push(adApp);
  const appDefs: AppDef[] = [];
  for (const def of catalog) {
    const created = between(orgCreated + 30 * DAY, anchor - 60 * DAY);
    apps.push({
      index: apps.length,
      id: newId('0oa'),
      key: def.key,
      name: def.name,
      label: def.label,
      signOnMode: def.signOnMode,
      status: def.status ?? 'ACTIVE',
      url: fill(def.url),
      created,
      lastUpdated: created + appRng.int(Math.max(1, anchor - created - DAY)),
      features: [...(def.features ?? [])],
      assignments: [],
    });
    appDefs.push(def);
  }

  // --- groups ----------------------------------------------------------------------------------
  const groupRng = rng('groups');
  const groups: OrgGroup[] = [];
  const rules: OrgRule[] = [];
  const memberLists: number[][] = [];
  const adDomainDn = `DC=corp,${domain.split('.').map((p) => `DC=${p}`).join(',')}`;
  const adSidBase = `S-1-5-21-${groupRng.range(100000000, 999999999)}-${groupRng.range(100000000, 999999999)}-${groupRng.range(100000000, 999999999)}`;
  let adRid = 1100;
  const addGroup = (g: Omit<OrgGroup, 'index' | 'id' | 'lastUpdated' | 'lastMembershipUpdated' | 'sourceApp' | 'rule' | 'ad'> & { fromAd?: boolean }): OrgGroup => {
    const group: OrgGroup = {
      index: groups.length,
      id: newId('00g'),
      name: g.name,
      description: g.description,
      type: g.fromAd ? 'APP_GROUP' : g.type,
      kind: g.kind,
      created: g.created,
      lastUpdated: g.created + groupRng.int(Math.max(1, anchor - g.created - DAY)),
      lastMembershipUpdated: g.created,
      sourceApp: g.fromAd ? 0 : -1,
      rule: -1,
      ad: g.fromAd
        ? {
            samAccountName: g.name.slice(0, 64),
            dn: `CN=${g.name},OU=Groups,${adDomainDn}`,
            windowsDomainQualifiedName: `CORP\\${g.name}`,
            objectSid: `${adSidBase}-${adRid++}`,
            externalId: Buffer.from(groupRng.chars(16, BASE62)).toString('base64'),
            groupType: 'Security',
            groupScope: groupRng.chance(0.8) ? 'Global' : 'Universal',
          }
        : null,
    };
    groups.push(group);
    memberLists.push([]);
    return group;
  };
  const addRule = (group: OrgGroup, name: string, attribute: RuleAttribute, value: string): void => {
    const created = group.created + groupRng.int(DAY);
    rules.push({ index: rules.length, id: newId('0pr'), name, group: group.index, attribute, value, created, lastUpdated: created + groupRng.int(Math.max(1, anchor - created - DAY)) });
    group.rule = rules.length - 1;
  };

  const everyone = addGroup({ name: 'Everyone', description: 'All users in your organization', type: 'BUILT_IN', kind: 'everyone', created: orgCreated });
  memberLists[everyone.index] = users.map((u) => u.index);

  const ruleEligible = (u: OrgUser): boolean => !RULE_INELIGIBLE.has(u.status);
  const deptGroup = new Map<string, number>();
  for (let d = 0; d < departments.length; d++) {
    const def = departments[d] as DepartmentDef;
    const g = addGroup({ name: `dept-${def.slug}`, description: `${def.name} department (assigned by group rule)`, type: 'OKTA_GROUP', kind: 'department', created: orgCreated + (d + 2) * DAY });
    addRule(g, `Department: ${def.name}`, 'department', def.name);
    deptGroup.set(def.slug, g.index);
    memberLists[g.index] = users.filter((u) => u.department === d && ruleEligible(u)).map((u) => u.index);
  }
  for (let l = 0; l < locations.length; l++) {
    const loc = locations[l] as LocationDef;
    const g = addGroup({ name: `loc-${slugify(loc.city)}`, description: `People based in ${loc.city} (assigned by group rule)`, type: 'OKTA_GROUP', kind: 'location', created: orgCreated + (30 + l * 40) * DAY });
    addRule(g, `Office: ${loc.city}`, 'city', loc.city);
    memberLists[g.index] = users.filter((u) => u.location === l && ruleEligible(u)).map((u) => u.index);
  }
  for (const [type, name] of [['Employee', 'all-employees'], ['Contractor', 'all-contractors'], ['Partner', 'all-partners']] as const) {
    const g = addGroup({ name, description: `All ${type.toLowerCase()}s (assigned by group rule on userType)`, type: 'OKTA_GROUP', kind: 'employment', created: orgCreated + 5 * DAY });
    addRule(g, `Employment type: ${type}`, 'userType', type);
    memberLists[g.index] = users.filter((u) => u.employmentType === type && ruleEligible(u)).map((u) => u.index);
  }

  // Audience pools: who may be drawn into an app/role/project group. STAGED
  // people have not started yet, so nobody has added them to anything.
  const byDeptType = new Map<string, number[]>();
  for (const u of users) {
    if (u.status === 'STAGED') continue;
    const key = `${u.department}|${u.employmentType}`;
    const list = byDeptType.get(key);
    if (list) list.push(u.index);
    else byDeptType.set(key, [u.index]);
  }
  const poolCache = new Map<string, Int32Array>();
  const pool = (aud: Audience): Int32Array => {
    const depts = aud.depts ? [...new Set(aud.depts.map((s) => deptIndex.get(s) ?? -1))].sort((a, b) => a - b) : departments.map((_, i) => i);
    const types = aud.types ?? (['Employee', 'Contractor'] as const);
    const key = `${depts.join(',')}|${types.join(',')}`;
    let p = poolCache.get(key);
    if (!p) {
      let size = 0;
      for (const d of depts) for (const t of types) size += byDeptType.get(`${d}|${t}`)?.length ?? 0;
      p = new Int32Array(size);
      let at = 0;
      for (const d of depts) {
        for (const t of types) {
          const part = byDeptType.get(`${d}|${t}`);
          if (part) {
            p.set(part, at);
            at += part.length;
          }
        }
      }
      poolCache.set(key, p);
    }
    return p;
  };
  const stamp = new Int32Array(n).fill(-1);
  const sampleInto = (g: number, from: Int32Array, k: number, r: Rng): void => {
    const list = memberLists[g] as number[];
    if (k >= from.length) {
      for (const u of from) list.push(u);
      return;
    }
    if (k > from.length / 3) {
      // Selection sampling (Knuth's algorithm S): exact k, one pass.
      let need = k;
      for (let i = 0; i < from.length && need > 0; i++) {
        if (r.next() * (from.length - i) < need) {
          list.push(from[i] as number);
          need--;
        }
      }
      return;
    }
    while (list.length < k) {
      const u = from[r.int(from.length)] as number;
      if (stamp[u] !== g) {
        stamp[u] = g;
        list.push(u);
      }
    }
  };

  // App groups. Coverage-based ones are filled last, scaled so the org lands
  // near MEMBERSHIPS_PER_USER; fixed-size ones (admins) are filled now.
  type Pending = { group: number; from: Int32Array; p: number };
  const coverageGroups: Pending[] = [];
  const accountCount = clamp(Math.round(n / 1000), 2, AWS_ACCOUNTS.length);
  for (let a = 0; a < appDefs.length; a++) {
    const def = appDefs[a] as AppDef;
    const app = apps[a + 1] as OrgApp;
    const prefixes = def.perAccount ? AWS_ACCOUNTS.slice(0, accountCount).map((acct) => `app-${def.key}-${acct}`) : [`app-${def.key}`];
    for (const prefix of prefixes) {
      for (const role of def.roles) {
        const name = `${prefix}-${role.suffix}`;
        const g = addGroup({
          name,
          description: `${def.label}${def.perAccount ? ` ${prefix.slice(`app-${def.key}-`.length)} account` : ''}: ${role.suffix.replace('-', ' ')}`,
          type: 'OKTA_GROUP',
          kind: 'app',
          created: app.created + groupRng.int(30 * DAY),
          fromAd: role.fromAd === true,
        });
        const from = pool(role.audience);
        if (role.size) {
          const scale = Math.min(1, Math.sqrt(n / 2000));
          const k = Math.max(1, Math.round(groupRng.range(role.size[0], role.size[1]) * Math.max(scale, 0.5)));
          sampleInto(g.index, from, Math.min(k, from.length), groupRng);
        } else {
          coverageGroups.push({ group: g.index, from, p: role.coverage ?? 0.5 });
        }
        const profile: Record<string, unknown> = {};
        if (def.key === 'aws') {
          const acct = String(groupRng.range(100000000000, 999999999999));
          profile.role = `${role.suffix}`;
          profile.samlRoles = [`arn:aws:iam::${acct}:role/${role.suffix}`];
        } else if (def.key === 'salesforce') {
          profile.profile = role.suffix === 'admins' ? 'System Administrator' : role.suffix === 'readonly' ? 'Read Only' : 'Standard User';
        }
        app.assignments.push({ group: g.index, priority: app.assignments.length, lastUpdated: Math.max(g.created, app.created) + groupRng.int(DAY), profile });
      }
    }
    for (const slug of def.departmentAssignments ?? []) {
      const g = deptGroup.get(slug);
      if (g !== undefined) app.assignments.push({ group: g, priority: app.assignments.length, lastUpdated: app.created + groupRng.int(DAY), profile: {} });
    }
    if (def.everyone) app.assignments.push({ group: everyone.index, priority: app.assignments.length, lastUpdated: app.created + groupRng.int(DAY), profile: {} });
  }

  // Directory groups imported from Active Directory (APP_GROUP): network
  // access, file shares per department, printers per office.
  const adRng = rng('ad');
  const adDepartments = clamp(Math.round(n / 1000), 1, departments.length - 1);
  const adGroups: { name: string; description: string; from: Int32Array; p: number }[] = [
    { name: 'SG-VPN-Users', description: 'Remote access VPN', from: pool({}), p: 0.55 },
    { name: 'SG-WiFi-Corp', description: 'Corporate Wi-Fi (802.1X)', from: pool({}), p: 0.6 },
  ];
  for (let d = 1; d <= adDepartments; d++) {
    const def = departments[d] as DepartmentDef;
    const from = pool({ depts: [def.slug] });
    const share = def.name.replace(/\s+/g, '');
    adGroups.push({ name: `SG-FileShare-${share}-RW`, description: `\\\\files\\${def.slug} read/write`, from, p: 0.25 });
    adGroups.push({ name: `SG-FileShare-${share}-RO`, description: `\\\\files\\${def.slug} read only`, from, p: 0.45 });
  }
  for (let l = 0; l < locations.length; l++) {
    const loc = locations[l] as LocationDef;
    const from = Int32Array.from(users.filter((u) => u.location === l && u.status !== 'STAGED' && u.employmentType !== 'Partner').map((u) => u.index));
    adGroups.push({ name: `SG-Printers-${slugify(loc.city)}`, description: `Print queues in ${loc.city}`, from, p: 0.7 });
  }
  for (const def of adGroups) {
    const g = addGroup({ name: def.name, description: def.description, type: 'APP_GROUP', kind: 'directory', created: adApp.created + adRng.int(365 * DAY), fromAd: true });
    const list = memberLists[g.index] as number[];
    for (const u of def.from) if (adRng.next() < def.p) list.push(u);
  }

  // Hand-managed role groups.
  const roleRng = rng('roles');
  const sizeScale = Math.min(1, n / 10000);
  for (const def of ROLE_GROUPS) {
    const from = pool(def.audience);
    if (from.length === 0) continue;
    const g = addGroup({ name: def.name, description: def.description, type: 'OKTA_GROUP', kind: 'role', created: between(orgCreated + 100 * DAY, anchor - 60 * DAY) });
    const k = clamp(Math.round(roleRng.range(def.size[0], def.size[1]) * sizeScale), 1, from.length);
    sampleInto(g.index, from, k, roleRng);
  }

  // Teams (a manager and their direct reports) and projects fill the rest of
  // the ~1-per-20-people group budget.
  const targetGroups = Math.max(groups.length, Math.round(n / USERS_PER_GROUP));
  const remaining = targetGroups - groups.length;
  const teamRng = rng('teams');
  const directReports = new Map<number, number[]>();
  for (const u of users) {
    if (u.managerIndex >= 0 && u.status !== 'STAGED') {
      const list = directReports.get(u.managerIndex);
      if (list) list.push(u.index);
      else directReports.set(u.managerIndex, [u.index]);
    }
  }
  const candidates = [...directReports.keys()].filter((m) => m !== 0 && !isHead[m] && (directReports.get(m)?.length ?? 0) >= 3);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = teamRng.int(i + 1);
    [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
  }
  const teamCount = Math.min(candidates.length, Math.round(remaining * 0.6));
  const usedNames = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const seen = (usedNames.get(base) ?? 0) + 1;
    usedNames.set(base, seen);
    return seen === 1 ? base : `${base}-${seen}`;
  };
  for (let t = 0; t < teamCount; t++) {
    const mgr = users[candidates[t] as number] as OrgUser;
    const dept = departments[mgr.department] as DepartmentDef;
    const word = teamRng.pick(TEAM_WORDS[dept.slug] ?? ['team']);
    const g = addGroup({
      name: uniqueName(`team-${dept.slug}-${word}`),
      description: `${dept.name} ${word.replace(/-/g, ' ')} team (${mgr.firstName} ${mgr.lastName}'s reports)`,
      type: 'OKTA_GROUP',
      kind: 'team',
      created: between(Math.max(mgr.created, orgCreated + 60 * DAY), anchor - 7 * DAY),
    });
    memberLists[g.index] = [mgr.index, ...(directReports.get(mgr.index) ?? [])];
  }
  const projectCount = Math.max(0, remaining - teamCount);
  const realDepts = departments.slice(1).map((d) => d.slug);
  for (let p = 0; p < projectCount; p++) {
    const codename = PROJECT_CODENAMES[p % PROJECT_CODENAMES.length] as string;
    const round = Math.floor(p / PROJECT_CODENAMES.length);
    const depts = [teamRng.pick(realDepts), teamRng.pick(realDepts)];
    if (teamRng.chance(0.3)) depts.push(teamRng.pick(realDepts));
    const g = addGroup({
      name: round === 0 ? `proj-${codename}` : `proj-${codename}-${round + 1}`,
      description: `Project ${codename[0]?.toUpperCase() ?? ''}${codename.slice(1)} working group`,
      type: 'OKTA_GROUP',
      kind: 'project',
      created: between(anchor - 3 * 365 * DAY, anchor - 7 * DAY),
    });
    const from = pool({ depts });
    if (from.length > 0) sampleInto(g.index, from, Math.min(from.length, teamRng.range(4, 40)), teamRng);
  }

  // Now the coverage-based app groups, scaled to the membership budget.
  let fixed = 0;
  for (const list of memberLists) fixed += list.length;
  let expected = 0;
  for (const c of coverageGroups) expected += c.p * c.from.length;
  const budget = MEMBERSHIPS_PER_USER * n - fixed;
  const scale = expected > 0 ? Math.max(0.05, budget / expected) : 1;
  const fillRng = rng('fill');
  for (const c of coverageGroups) {
    const p = Math.min(0.97, c.p * scale);
    const list = memberLists[c.group] as number[];
    // Geometric skips: draws proportional to the members picked, not to the pool.
    const logq = Math.log(1 - p);
    let i = Math.floor(Math.log(1 - fillRng.next()) / logq);
    while (i < c.from.length) {
      list.push(c.from[i] as number);
      i += 1 + Math.floor(Math.log(1 - fillRng.next()) / logq);
    }
  }

  const byGroup = memberLists.map((list) => toSortedUnique(list));
  const memberships = createMembershipStore(byGroup, n);

  // --- a week of System Log history -------------------------------------------------------------------
  const logRng = rng('log');
  const events: SeedEvent[] = [];
  const windowStart = anchor - 7 * DAY;
  const event = (published: number, eventType: SeedEventType, actor: number, user: number, group = -1): void => {
    events.push({ published, eventType, actor, user, group, uuid: isoUuid(logRng), transactionId: logRng.chars(27, BASE62) });
  };
  const groupsOfUser = (u: number): Int32Array => memberships.groupsOf(u);
  for (const u of users) {
    if (u.created >= windowStart) {
      event(u.created, 'user.lifecycle.create', superAdmin, u.index);
      const joined = u.activated ?? u.statusChanged;
      if (joined !== null && joined >= windowStart) {
        event(joined, 'user.lifecycle.activate', superAdmin, u.index);
        for (const g of groupsOfUser(u.index)) {
          const group = groups[g] as OrgGroup;
          if (group.kind === 'everyone') continue;
          // Rule groups are filled by Okta itself; other groups by an admin.
          event(Math.min(joined + 1000 + logRng.int(600_000), anchor - 1000), 'group.user_membership.add', group.rule >= 0 ? -1 : superAdmin, u.index, g);
        }
      }
    } else if (u.statusChanged !== null && u.statusChanged >= windowStart) {
      if (u.status === 'SUSPENDED') event(u.statusChanged, 'user.lifecycle.suspend', superAdmin, u.index);
      else if (u.status === 'DEPROVISIONED') event(u.statusChanged, 'user.lifecycle.deactivate', superAdmin, u.index);
      else if (u.status === 'LOCKED_OUT') event(u.statusChanged, 'user.account.lock', -1, u.index);
    }
    if (u.lastUpdated >= windowStart && u.lastUpdated !== u.statusChanged && u.lastUpdated !== u.created) {
      event(u.lastUpdated, 'user.account.update_profile', superAdmin, u.index);
    }
  }
  // Hand-made changes to directly managed groups during the week.
  const direct = groups.filter((g) => g.type === 'OKTA_GROUP' && g.rule < 0 && memberships.members(g.index).length > 0);
  const changes = direct.length === 0 ? 0 : clamp(Math.round(n / 20), 20, 5000);
  for (let c = 0; c < changes; c++) {
    const g = logRng.pick(direct);
    const members = memberships.members(g.index);
    const at = between(windowStart, anchor - 60_000);
    if (logRng.chance(0.8)) {
      event(at, 'group.user_membership.add', superAdmin, members[logRng.int(members.length)] as number, g.index);
    } else {
      // Removed during the week: someone who is no longer a member.
      const u = logRng.int(n);
      if (!memberships.has(g.index, u)) event(at, 'group.user_membership.remove', superAdmin, u, g.index);
    }
  }
  events.sort((a, b) => a.published - b.published);
  for (const g of groups) {
    if (memberships.members(g.index).length > 0) g.lastMembershipUpdated = between(Math.max(g.created, anchor - 120 * DAY), windowStart);
  }
  for (const e of events) {
    if (e.group >= 0) {
      const g = groups[e.group] as OrgGroup;
      if (e.published > g.lastMembershipUpdated) g.lastMembershipUpdated = e.published;
    }
  }

  return {
    seed,
    anchor,
    company,
    departments,
    locations,
    users,
    groups,
    memberships,
    rules,
    apps,
    admins: { superAdmin, readOnlyAdmin },
    userTypeId: newId('oty'),
    systemPrincipalId: newId('0oa'),
    idSuffix,
    events,
  };
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
