// The sandbox organisation's people: who they are (department, office,
// employment type, name), the manager tree, titles and account statuses,
// logins and contact details, the dates of each account's life, sponsors for
// partners, and the two employees who own the sandbox's API tokens. Each step
// draws from its own named stream, in the order generateOrg has always run
// them, so the same seed still gives the same people.
import { FIRST_NAMES, LAST_NAMES, PARTNER_COMPANIES, type DepartmentDef, type LocationDef } from './org-data.js';
import { loginPart, type EmploymentType, type OrgUser, type UserStatus } from './org-model.js';
import { DAY, type OrgContext } from './org-context.js';

/** What is drawn per person before anyone depends on anyone else. */
type Drawn = { department: Int32Array; location: Int32Array; employment: EmploymentType[]; firstNames: string[]; lastNames: string[] };

type ManagerTree = { managerIndex: Int32Array; depth: Int32Array; reports: Int32Array; heads: Int32Array };

export type People = {
  users: OrgUser[];
  /** 1 for the CEO and each department head. */
  isHead: Uint8Array;
  /** Owners of the sandbox's API tokens. */
  superAdmin: number;
  readOnlyAdmin: number;
};

export function generatePeople(ctx: OrgContext): People {
  const drawn = drawPeople(ctx);
  const tree = buildManagerTree(ctx, drawn);
  const { titles, statuses, isHead } = titlesAndStatuses(ctx, drawn, tree);
  const users = createAccounts(ctx, drawn, tree.managerIndex, titles, statuses);
  dateAccounts(ctx, users, isHead);
  const active = activeEmployeesOf(ctx, users);
  assignSponsors(ctx, users, active);
  const { superAdmin, readOnlyAdmin } = pickAdmins(ctx, active, isHead);
  return { users, isHead, superAdmin, readOnlyAdmin };
}

function drawPeople(ctx: OrgContext): Drawn {
  const { n, rng, departments, locations } = ctx;
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
  return { department, location, employment, firstNames, lastNames };
}

/** Also makes a department's first member an employee when it has none, so every department has a head. */
function buildManagerTree(ctx: OrgContext, drawn: Drawn): ManagerTree {
  const { n, rng, departments, deptIndex } = ctx;
  const { department, employment } = drawn;
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
  return { managerIndex, depth, reports, heads };
}

function titlesAndStatuses(ctx: OrgContext, drawn: Drawn, tree: ManagerTree): { titles: string[]; statuses: UserStatus[]; isHead: Uint8Array } {
  const { n, rng, departments } = ctx;
  const { department, employment } = drawn;
  const { depth, reports, heads } = tree;
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
  return { titles, statuses, isHead };
}

function createAccounts(ctx: OrgContext, drawn: Drawn, managerIndex: Int32Array, titles: string[], statuses: UserStatus[]): OrgUser[] {
  const { n, rng, domain, company, locations, newId } = ctx;
  const { department, location, employment, firstNames, lastNames } = drawn;
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
  return users;
}

function dateAccounts(ctx: OrgContext, users: OrgUser[], isHead: Uint8Array): void {
  const { anchor, orgCreated, dateRng, between } = ctx;
  // --- dates ---------------------------------------------------------------------
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
}

type ActiveEmployees = { activeEmployeesByDept: number[][]; activeEmployees: number[] };

function activeEmployeesOf(ctx: OrgContext, users: OrgUser[]): ActiveEmployees {
  const activeEmployeesByDept: number[][] = ctx.departments.map(() => []);
  const activeEmployees: number[] = [];
  for (const u of users) {
    if (u.employmentType === 'Employee' && u.status === 'ACTIVE') {
      activeEmployeesByDept[u.department]!.push(u.index);
      activeEmployees.push(u.index);
    }
  }
  return { activeEmployeesByDept, activeEmployees };
}

function assignSponsors(ctx: OrgContext, users: OrgUser[], { activeEmployeesByDept, activeEmployees }: ActiveEmployees): void {
  // --- sponsors for partners: an active employee, same department if possible --------------
  const sponsorRng = ctx.rng('sponsors');
  for (const u of users) {
    if (u.employmentType !== 'Partner') continue;
    const pool = (activeEmployeesByDept[u.department] as number[]).length > 0 ? (activeEmployeesByDept[u.department] as number[]) : activeEmployees;
    u.sponsorIndex = pool.length > 0 ? sponsorRng.pick(pool) : 0;
  }
}

function pickAdmins(ctx: OrgContext, { activeEmployeesByDept, activeEmployees }: ActiveEmployees, isHead: Uint8Array): { superAdmin: number; readOnlyAdmin: number } {
  const { n, deptIndex } = ctx;
  // --- admins: who owns the sandbox API tokens ----------------------------------------------
  const firstActive = (deptSlug: string, except: number): number => {
    const d = deptIndex.get(deptSlug);
    const pool = d === undefined ? [] : (activeEmployeesByDept[d] as number[]);
    const found = pool.find((u) => u !== except && !isHead[u]);
    return found ?? activeEmployees.find((u) => u !== except && u !== 0) ?? (except === 0 ? Math.min(1, n - 1) : 0);
  };
  const superAdmin = firstActive('it', -1);
  const readOnlyAdmin = firstActive('security', superAdmin);
  return { superAdmin, readOnlyAdmin };
}
