// Random, realistic change sets for the sandbox org: what an IT team's week
// looks like in Okta (joiners, leavers, suspensions, movers, title and
// manager changes, hand-made group membership changes, a few groups created
// or removed, app assignments changed). Every change goes through the
// mutation functions of okta-mutations.ts, so each writes the System Log events
// real Okta writes; incremental sync and its tests/bench read them back.
//
// `POST /__sandbox/mutate {"fraction": 0.01, "seed": 7}` (or `{"count": N}`)
// runs applyRandomChanges over HTTP; tests call it directly. The choices are
// drawn from the seed (same org + same seed + same state = same changes);
// new object ids are random, like tokens.
import { FIRST_NAMES, LAST_NAMES, PROJECT_CODENAMES, type DepartmentDef } from './org-data.js';
import type { OrgApp, OrgGroup, OrgUser } from './org-model.js';
import type { OktaMutations } from './okta-mutations.js';
import type { MutationOptions, OktaState } from './okta-state.js';
import { createRng } from './prng.js';

export type MutateRequest = {
  /** Changes as a share of the org's people (0.01 = one change per hundred people). */
  fraction?: number;
  /** Or an exact number of changes. */
  count?: number;
  /** Seed of the choices (default: a fresh one per call). */
  seed?: number;
};

/** Kinds of change, in the mix below. */
export const CHANGE_KINDS = [
  'joiner',
  'leaver',
  'suspend',
  'unsuspend',
  'delete-user',
  'mover',
  'title',
  'manager',
  'membership-add',
  'membership-remove',
  'group-create',
  'group-delete',
  'group-update',
  'assignment-add',
  'assignment-remove',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Relative weights (sum 100): a plausible week in a mid-size company's Okta. */
const MIX: Readonly<Record<ChangeKind, number>> = {
  joiner: 14,
  leaver: 12,
  suspend: 6,
  unsuspend: 3,
  'delete-user': 2,
  mover: 8,
  title: 12,
  manager: 4,
  'membership-add': 17,
  'membership-remove': 13,
  'group-create': 2,
  'group-delete': 1.5,
  'group-update': 1.5,
  'assignment-add': 2.5,
  'assignment-remove': 1.5,
};

export type MutateSummary = {
  /** Changes applied (each one of `byKind`). */
  changes: number;
  byKind: Record<ChangeKind, number>;
  /** System Log events the changes wrote (rule evaluations included). */
  events: number;
  seed: number;
  /** People in the org afterwards (deleted ones excluded). */
  users: number;
  /** Ids of what was created, for tests that want to look. */
  created: { users: string[]; groups: string[] };
};

export class MutateRequestError extends Error {
  override readonly name = 'MutateRequestError';
}

/** Validates a request body (HTTP or direct call); throws MutateRequestError naming the problem. */
export function parseMutateRequest(body: unknown): MutateRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MutateRequestError('expected a JSON object like {"fraction": 0.01, "seed": 7} or {"count": 50}');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['fraction', 'count', 'seed'].includes(k));
  if (unknown.length) throw new MutateRequestError(`unknown field ${unknown.join(', ')} (fraction, count, seed)`);
  if ((b.fraction === undefined) === (b.count === undefined)) throw new MutateRequestError('give exactly one of fraction or count');
  const out: MutateRequest = {};
  if (b.fraction !== undefined) {
    if (typeof b.fraction !== 'number' || !(b.fraction > 0 && b.fraction <= 1)) throw new MutateRequestError('fraction must be a number in (0, 1]');
    out.fraction = b.fraction;
  }
  if (b.count !== undefined) {
    if (typeof b.count !== 'number' || !Number.isInteger(b.count) || b.count < 1 || b.count > 1_000_000) throw new MutateRequestError('count must be a whole number from 1 to 1,000,000');
    out.count = b.count;
  }
  if (b.seed !== undefined) {
    if (typeof b.seed !== 'number' || !Number.isInteger(b.seed)) throw new MutateRequestError('seed must be a whole number');
    out.seed = b.seed;
  }
  return out;
}

/** Statuses of people who can be added to groups, moved, suspended... (not started, not gone). */
const WORKING = new Set(['ACTIVE', 'PROVISIONED', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'RECOVERY']);

let calls = 0;

/** Applies `count` (or `fraction` x people) random realistic changes; returns what it did. */
export function applyRandomChanges(state: OktaState, mutations: OktaMutations, request: MutateRequest): MutateSummary {
  const org = state.org;
  const liveUsers = (): number => org.users.reduce((n, u) => n + (u.deleted ? 0 : 1), 0);
  const total = request.count ?? Math.max(1, Math.round((request.fraction ?? 0) * liveUsers()));
  const seed = request.seed ?? (Date.now() % 2_147_483_647) + calls++;
  const rng = createRng(seed, 'mutate');
  const eventsBefore = state.log.size();
  const admin: MutationOptions = { actor: { kind: 'user', user: org.admins.superAdmin, via: 'browser' } };
  const byKind = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  const created = { users: [] as string[], groups: [] as string[] };

  // Who manages whom: managers by department, for joiners and movers.
  const reports = new Int32Array(org.users.length);
  for (const u of org.users) if (!u.deleted && u.managerIndex >= 0) reports[u.managerIndex]! += 1;
  const managersByDept = new Map<number, number[]>();
  for (const u of org.users) {
    if (u.deleted || u.status !== 'ACTIVE' || (reports[u.index] ?? 0) === 0) continue;
    const list = managersByDept.get(u.department);
    if (list) list.push(u.index);
    else managersByDept.set(u.department, [u.index]);
  }
  const isManager = (u: OrgUser): boolean => (reports[u.index] ?? 0) > 0;
  const protectedUser = (u: OrgUser): boolean => u.index === org.admins.superAdmin || u.index === org.admins.readOnlyAdmin || u.index === 0;
  const realDepartments = org.departments.map((_, i) => i).filter((i) => i > 0);

  /** A random person matching `ok`, by rejection sampling (bounded), or null. */
  const pickUser = (ok: (u: OrgUser) => boolean): OrgUser | null => {
    for (let tries = 0; tries < 400; tries++) {
      const u = org.users[rng.int(org.users.length)] as OrgUser;
      if (!u.deleted && ok(u)) return u;
    }
    return null;
  };
  const ruleTargets = new Set(org.rules.map((r) => r.group));
  /** Groups people are added to by hand: OKTA_GROUP, no rule behind them. */
  const directGroup = (g: OrgGroup): boolean => !g.deleted && g.type === 'OKTA_GROUP' && !ruleTargets.has(g.index);
  const pickGroup = (ok: (g: OrgGroup) => boolean): OrgGroup | null => {
    for (let tries = 0; tries < 400; tries++) {
      const g = org.groups[rng.int(org.groups.length)] as OrgGroup;
      if (ok(g)) return g;
    }
    return null;
  };
  const managerFor = (department: number, except: number): string | null => {
    const pool = (managersByDept.get(department) ?? []).filter((m) => m !== except && !org.users[m]?.deleted);
    const m = pool.length > 0 ? rng.pick(pool) : -1;
    return m >= 0 ? (org.users[m] as OrgUser).id : null;
  };
  const titleFor = (department: number): string => {
    const dept = org.departments[department] as DepartmentDef;
    const level = dept.levels[rng.weighted(dept.levels.map(([, w]) => w))]?.[0] ?? '';
    const role = rng.pick(dept.roles);
    return level ? `${level} ${role}` : role;
  };
  const departmentName = (d: number): string => (org.departments[d] as DepartmentDef).name;
  const usedGroupNames = (): Set<string> => new Set(org.groups.filter((g) => !g.deleted).map((g) => g.name.toLowerCase()));
  const apps = (): OrgApp[] => org.apps.filter((a) => a.index > 0 && a.status === 'ACTIVE');

  const kinds = CHANGE_KINDS;
  const weights = kinds.map((k) => MIX[k]);

  /** One change of this kind; false when nothing fits (the caller picks another kind). */
  const apply = (kind: ChangeKind): boolean => {
    switch (kind) {
      case 'joiner': {
        const department = realDepartments.length > 0 ? rng.pick(realDepartments) : 0;
        const id = mutations.createUser(
          {
            firstName: rng.pick(FIRST_NAMES),
            lastName: rng.pick(LAST_NAMES),
            department: departmentName(department),
            city: rng.pick(org.locations).city,
            title: titleFor(department),
            employmentType: rng.chance(0.85) ? 'Employee' : 'Contractor',
            managerId: managerFor(department, -1),
          },
          { ...admin, activate: true },
        );
        created.users.push(id);
        // Onboarding usually adds a hand-managed group or two (a project, a role).
        const extra = rng.int(3);
        for (let i = 0; i < extra; i++) {
          const g = pickGroup((x) => directGroup(x) && (x.kind === 'project' || x.kind === 'role' || x.kind === 'app'));
          if (g) mutations.addMembership(g.id, id, admin);
        }
        return true;
      }
      case 'leaver': {
        const u = pickUser((x) => WORKING.has(x.status) && !isManager(x) && !protectedUser(x));
        if (!u) return false;
        mutations.setUserStatus(u.id, 'DEPROVISIONED', admin);
        return true;
      }
      case 'suspend': {
        const u = pickUser((x) => x.status === 'ACTIVE' && !isManager(x) && !protectedUser(x));
        if (!u) return false;
        mutations.setUserStatus(u.id, 'SUSPENDED', admin);
        return true;
      }
      case 'unsuspend': {
        const u = pickUser((x) => x.status === 'SUSPENDED');
        if (!u) return false;
        mutations.setUserStatus(u.id, 'ACTIVE', admin);
        return true;
      }
      case 'delete-user': {
        // Okta deletes only deactivated people (a first DELETE deactivates).
        const u = pickUser((x) => x.status === 'DEPROVISIONED' && !isManager(x) && !protectedUser(x));
        if (!u) return false;
        mutations.deleteUser(u.id, admin);
        return true;
      }
      case 'mover': {
        const u = pickUser((x) => WORKING.has(x.status) && !isManager(x) && !protectedUser(x) && x.employmentType !== 'Partner');
        if (!u || realDepartments.length < 2) return false;
        let d = rng.pick(realDepartments);
        if (d === u.department) d = realDepartments[(realDepartments.indexOf(d) + 1) % realDepartments.length] as number;
        mutations.updateUserProfile(u.id, { department: departmentName(d), title: titleFor(d), managerId: managerFor(d, u.index) }, admin);
        return true;
      }
      case 'title': {
        const u = pickUser((x) => WORKING.has(x.status) && x.employmentType !== 'Partner');
        if (!u) return false;
        const next = titleFor(u.department);
        mutations.updateUserProfile(u.id, { title: next === u.title ? `Senior ${next}` : next }, admin);
        return true;
      }
      case 'manager': {
        const u = pickUser((x) => WORKING.has(x.status) && x.managerIndex >= 0 && !isManager(x));
        if (!u) return false;
        const m = managerFor(u.department, u.index);
        if (!m || m === org.users[u.managerIndex]?.id) return false;
        mutations.updateUserProfile(u.id, { managerId: m }, admin);
        return true;
      }
      case 'membership-add': {
        const g = pickGroup(directGroup);
        const u = pickUser((x) => WORKING.has(x.status));
        if (!g || !u) return false;
        return mutations.addMembership(g.id, u.id, admin);
      }
      case 'membership-remove': {
        const g = pickGroup((x) => directGroup(x) && org.memberships.members(x.index).length > 0);
        if (!g) return false;
        const members = org.memberships.members(g.index);
        const u = org.users[members[rng.int(members.length)] as number] as OrgUser;
        return mutations.removeMembership(g.id, u.id, admin);
      }
      case 'group-create': {
        const used = usedGroupNames();
        let name = '';
        for (let n = 2; !name || used.has(name); n++) name = `proj-${rng.pick(PROJECT_CODENAMES)}-${n}`;
        const codename = name.slice(5, name.lastIndexOf('-'));
        const id = mutations.createGroup({ name, description: `Project ${codename[0]?.toUpperCase() ?? ''}${codename.slice(1)} working group` }, admin);
        created.groups.push(id);
        const members = rng.range(3, 12);
        for (let i = 0; i < members; i++) {
          const u = pickUser((x) => WORKING.has(x.status));
          if (u) mutations.addMembership(id, u.id, admin);
        }
        if (rng.chance(0.3) && apps().length > 0) mutations.assignAppToGroup(rng.pick(apps()).id, id, {}, admin);
        return true;
      }
      case 'group-delete': {
        const g = pickGroup((x) => directGroup(x) && x.kind === 'project');
        if (!g) return false;
        mutations.deleteGroup(g.id, admin);
        return true;
      }
      case 'group-update': {
        const g = pickGroup((x) => directGroup(x) && (x.kind === 'project' || x.kind === 'team'));
        if (!g) return false;
        if (rng.chance(0.3) && !g.name.endsWith('-archive') && !usedGroupNames().has(`${g.name}-archive`.toLowerCase())) {
          mutations.updateGroupProfile(g.id, { name: `${g.name}-archive`, description: `${g.description} (archived)` }, admin);
        } else {
          mutations.updateGroupProfile(g.id, { description: `${g.description.replace(/ \(updated \d+\)$/, '')} (updated ${rng.range(2, 99)})` }, admin);
        }
        return true;
      }
      case 'assignment-add': {
        const list = apps();
        if (list.length === 0) return false;
        const app = rng.pick(list);
        const assigned = new Set(app.assignments.map((a) => a.group));
        const g = pickGroup((x) => directGroup(x) && !assigned.has(x.index));
        if (!g) return false;
        return mutations.assignAppToGroup(app.id, g.id, {}, admin);
      }
      case 'assignment-remove': {
        const list = apps().filter((a) => a.assignments.length > 0);
        if (list.length === 0) return false;
        const app = rng.pick(list);
        const a = app.assignments[rng.int(app.assignments.length)];
        if (!a) return false;
        return mutations.unassignAppFromGroup(app.id, (org.groups[a.group] as OrgGroup).id, admin);
      }
    }
  };

  let done = 0;
  for (let attempts = 0; done < total && attempts < total * 20; attempts++) {
    const kind = kinds[rng.weighted(weights)] as ChangeKind;
    if (apply(kind)) {
      byKind[kind] += 1;
      done++;
    }
  }
  return { changes: done, byKind, events: state.log.size() - eventsBefore, seed, users: liveUsers(), created };
}
