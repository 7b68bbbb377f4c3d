// The live state behind the sandbox's Okta API: the generated organisation,
// the lookups the endpoints need (id/login -> index), a cache of rendered
// user JSON (group member pages at 1M memberships would otherwise re-render
// the same users over and over), the System Log, and the mutations that
// change the org the way Okta would, writing the matching log events.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DepartmentDef, LocationDef } from './org-data.js';
import {
  loginPart,
  RULE_INELIGIBLE,
  ruleValueOf,
  USER_STATUSES,
  type AppAssignment,
  type EmploymentType,
  type Org,
  type OrgApp,
  type OrgGroup,
  type OrgUser,
  type SeedEvent,
  type UserStatus,
} from './org-model.js';
import { renderUser, type AdminRole } from './okta-resources.js';
import { createSystemLog, type LogGeo, type LogParty, type LogRecord, type SystemLog } from './system-log.js';

/** Who made a change, as the System Log records it. */
export type LogActorInput =
  | { kind: 'user'; user: number; via: 'browser' | 'api' }
  | { kind: 'client'; clientId: string; label: string }
  | { kind: 'system' };

export type OktaState = {
  readonly org: Org;
  readonly base: () => string;
  readonly log: SystemLog;
  readonly geo: LogGeo;
  readonly adminIp: string;
  readonly apiIp: string;
  /** Index of a user id, deleted users included (paging cursors must keep resolving). */
  userIndex: (id: string) => number | undefined;
  /** By id, login (case-insensitive) or unambiguous login short name; never a deleted user. */
  findUser: (idOrLogin: string) => number | undefined;
  /** Index of a group id, deleted groups included (paging cursors); check `deleted` before serving it. */
  groupIndex: (id: string) => number | undefined;
  appIndex: (id: string) => number | undefined;
  ruleIndex: (id: string) => number | undefined;
  /** Number of apps each group is assigned to. */
  appsOfGroup: (group: number) => number;
  /** Role of a user as an Okta admin, if any. */
  adminRole: (user: number) => AdminRole | null;
  /**
   * listUsers/listGroupUsers JSON of a user as UTF-8 bytes, cached until the
   * user changes: a page is then a concatenation of buffers, with no
   * re-rendering or re-encoding of the same users page after page.
   */
  userJson: (user: number) => Buffer;
  invalidateUser: (user: number) => void;
  actorParty: (actor: LogActorInput) => LogParty;
  /** Makes a user appended to org.users findable (its id and login). */
  registerUser: (user: OrgUser) => void;
  /** Makes a group appended to org.groups findable. */
  registerGroup: (group: OrgGroup) => void;
  /** Keeps appsOfGroup right when an app gains or loses a group. */
  adjustAppsOfGroup: (group: number, delta: number) => void;
  /** A new, unused Okta-style id (`00u…`, `00g…`) ending in the org's cell suffix. */
  newId: (prefix: string) => string;
};

export type Clock = { now: () => Date };

export type MutationOptions = {
  /** Defaults to the super admin acting in the admin console. */
  actor?: LogActorInput;
  /** The API request that made the change (recorded in the event's debugContext). */
  requestUri?: string;
};

/** A person to create (POST /api/v1/users as an admin would fill it in). */
export type NewUserInput = {
  firstName: string;
  lastName: string;
  /** Department name (one of the org's). */
  department: string;
  /** Office city (one of the org's). */
  city: string;
  title: string;
  employmentType: Exclude<EmploymentType, 'Partner'>;
  /** Okta id of the manager, if any. */
  managerId?: string | null;
  mobilePhone?: string | null;
};

export type UserProfilePatch = {
  title?: string;
  department?: string;
  city?: string;
  /** Okta id of the new manager; null clears it. */
  managerId?: string | null;
};

/**
 * Changes to the organisation made the way Okta makes them, each with its
 * System Log events. Used by the PUT/DELETE membership endpoints, by tests
 * and by POST /__sandbox/mutate (okta-mutate.ts) to simulate changes made
 * outside Latchkey.
 */
export type OktaMutations = {
  /** Adds a user to a group; false (and no event) when already a member. */
  addMembership: (groupId: string, userId: string, options?: MutationOptions) => boolean;
  /** Removes a user from a group; false (and no event) when not a member. */
  removeMembership: (groupId: string, userId: string, options?: MutationOptions) => boolean;
  /** Moves a user to a status through the matching lifecycle operation. */
  setUserStatus: (userId: string, status: UserStatus, options?: MutationOptions) => void;
  /** Updates profile attributes; group rules are re-evaluated, as Okta does on a profile change. */
  updateUserProfile: (userId: string, patch: UserProfilePatch, options?: MutationOptions) => void;
  /**
   * Creates a user (user.lifecycle.create) as STAGED, or activated at once
   * (then also user.lifecycle.activate, and group rules add them to their
   * groups). Every user is in Everyone, which Okta does not log. Returns the id.
   */
  createUser: (input: NewUserInput, options?: MutationOptions & { activate?: boolean }) => string;
  /**
   * Deletes a user the way DELETE /api/v1/users/{id} does: a user not yet
   * deactivated is deactivated first (user.lifecycle.deactivate), then deleted
   * (user.lifecycle.delete.initiated and .completed). Their memberships go
   * with them, without membership events.
   */
  deleteUser: (userId: string, options?: MutationOptions) => void;
  /** Creates an OKTA_GROUP (group.lifecycle.create); returns its id. */
  createGroup: (profile: { name: string; description: string }, options?: MutationOptions) => string;
  /**
   * Deletes an OKTA_GROUP that no group rule targets (group.lifecycle.delete);
   * its memberships and app assignments go with it, without further events.
   */
  deleteGroup: (groupId: string, options?: MutationOptions) => void;
  /** Renames / re-describes a group (group.profile.update with changeDetails). */
  updateGroupProfile: (groupId: string, patch: { name?: string; description?: string }, options?: MutationOptions) => void;
  /** Assigns an app to a group (group.application_assignment.add); false when already assigned. */
  assignAppToGroup: (appId: string, groupId: string, assignment?: { priority?: number; profile?: Record<string, unknown> }, options?: MutationOptions) => boolean;
  /** Removes an app's assignment to a group (group.application_assignment.remove); false when not assigned. */
  unassignAppFromGroup: (appId: string, groupId: string, options?: MutationOptions) => boolean;
};

const txId = (): string => randomBytes(20).toString('base64url').slice(0, 27);

export function createOktaState(org: Org, base: () => string): OktaState {
  const users = org.users;
  const byId = new Map<string, number>();
  const byLogin = new Map<string, number>();
  const byShort = new Map<string, number>();
  for (const u of users) {
    byId.set(u.id, u.index);
    byLogin.set(u.login.toLowerCase(), u.index);
    const short = u.login.slice(0, u.login.indexOf('@')).toLowerCase();
    // Short names resolve only when unambiguous (-1 marks a clash).
    byShort.set(short, byShort.has(short) ? -1 : u.index);
  }
  const groupById = new Map(org.groups.map((g) => [g.id, g.index]));
  const appById = new Map(org.apps.map((a) => [a.id, a.index]));
  const ruleById = new Map(org.rules.map((r) => [r.id, r.index]));
  // A plain array: groups created later grow it.
  const appsCount: number[] = new Array<number>(org.groups.length).fill(0);
  for (const app of org.apps) for (const a of app.assignments) appsCount[a.group] = (appsCount[a.group] ?? 0) + 1;
  const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const jsonCache: (Buffer | undefined)[] = new Array<Buffer | undefined>(users.length);
  const hq = org.locations[0] as LocationDef;
  const geo: LogGeo = { city: hq.city, state: hq.state, country: hq.country, postalCode: hq.zipCode, lat: hq.lat, lon: hq.lon };

  const actorParty = (actor: LogActorInput): LogParty => {
    if (actor.kind === 'system') return { id: org.systemPrincipalId, type: 'SystemPrincipal', alternateId: 'system@okta.com', displayName: 'Okta System' };
    if (actor.kind === 'client') return { id: actor.clientId, type: 'PublicClientApp', alternateId: actor.clientId, displayName: actor.label };
    const u = users[actor.user] as OrgUser;
    return { id: u.id, type: 'User', alternateId: u.login, displayName: `${u.firstName} ${u.lastName}` };
  };

  const state: OktaState = {
    org,
    base,
    log: createSystemLog(),
    geo,
    adminIp: `203.0.113.${(org.seed % 250) + 1}`,
    apiIp: `198.51.100.${(org.seed % 250) + 1}`,
    userIndex: (id) => byId.get(id),
    findUser: (key) => {
      const live = (i: number | undefined): number | undefined => (i === undefined || users[i]?.deleted ? undefined : i);
      const direct = byId.get(key) ?? byLogin.get(key.toLowerCase());
      if (direct !== undefined) return live(direct);
      const short = byShort.get(key.toLowerCase());
      return short === undefined || short < 0 ? undefined : live(short);
    },
    groupIndex: (id) => groupById.get(id),
    appIndex: (id) => appById.get(id),
    ruleIndex: (id) => ruleById.get(id),
    appsOfGroup: (g) => appsCount[g] ?? 0,
    adminRole: (u) => (u === org.admins.superAdmin ? 'SUPER_ADMIN' : u === org.admins.readOnlyAdmin ? 'READ_ONLY_ADMIN' : null),
    userJson: (u) => {
      let json = jsonCache[u];
      if (json === undefined) {
        json = Buffer.from(JSON.stringify(renderUser(org, users[u] as OrgUser, base())), 'utf8');
        jsonCache[u] = json;
      }
      return json;
    },
    invalidateUser: (u) => {
      jsonCache[u] = undefined;
    },
    actorParty,
    registerUser: (u) => {
      byId.set(u.id, u.index);
      byLogin.set(u.login.toLowerCase(), u.index);
      const short = u.login.slice(0, u.login.indexOf('@')).toLowerCase();
      byShort.set(short, byShort.has(short) ? -1 : u.index);
    },
    registerGroup: (g) => {
      groupById.set(g.id, g.index);
      appsCount[g.index] = 0;
    },
    adjustAppsOfGroup: (g, delta) => {
      appsCount[g] = Math.max(0, (appsCount[g] ?? 0) + delta);
    },
    newId: (prefix) => {
      for (;;) {
        const bytes = randomBytes(14);
        let id = prefix;
        for (const b of bytes) id += BASE62[b % 62] ?? '0';
        id += org.idSuffix;
        if (!byId.has(id) && !groupById.has(id) && !appById.has(id)) return id;
      }
    },
  };

  // Replay the generated week of history into the log.
  for (const e of org.events) appendSeedEvent(state, e);
  return state;
}

function userParty(u: OrgUser): LogParty {
  return { id: u.id, type: 'User', alternateId: u.login, displayName: `${u.firstName} ${u.lastName}` };
}

function groupParty(g: OrgGroup): LogParty {
  return { id: g.id, type: 'UserGroup', alternateId: 'unknown', displayName: g.name };
}

function appendSeedEvent(state: OktaState, e: SeedEvent): void {
  const u = state.org.users[e.user] as OrgUser;
  const targets = [userParty(u)];
  if (e.group >= 0) targets.push(groupParty(state.org.groups[e.group] as OrgGroup));
  const actor: LogActorInput = e.actor < 0 ? { kind: 'system' } : { kind: 'user', user: e.actor, via: 'browser' };
  state.log.append({
    published: e.published,
    eventType: e.eventType,
    actor: state.actorParty(actor),
    targets,
    outcome: 'SUCCESS',
    severity: e.eventType === 'user.account.lock' ? 'WARN' : 'INFO',
    uuid: e.uuid,
    transactionId: e.transactionId,
    requestUri: null,
    via: e.actor < 0 ? 'system' : 'browser',
  });
}

export function recordEvent(
  state: OktaState,
  clock: Clock,
  eventType: string,
  targets: LogParty[],
  options: MutationOptions = {},
): LogRecord {
  const actor = options.actor ?? { kind: 'user', user: state.org.admins.superAdmin, via: 'browser' };
  return state.log.append({
    published: clock.now().getTime(),
    eventType,
    actor: state.actorParty(actor),
    targets,
    outcome: 'SUCCESS',
    severity: eventType === 'user.account.lock' ? 'WARN' : 'INFO',
    uuid: randomUUID(),
    transactionId: txId(),
    requestUri: options.requestUri ?? null,
    via: actor.kind === 'system' ? 'system' : actor.kind === 'client' ? 'api' : actor.via,
  });
}

/** Which lifecycle event moves a user from one status to another. */
function lifecycleEvent(from: UserStatus, to: UserStatus): string | null {
  if (from === to) return null;
  switch (to) {
    case 'ACTIVE':
      if (from === 'SUSPENDED') return 'user.lifecycle.unsuspend';
      if (from === 'LOCKED_OUT') return 'user.account.unlock_by_admin';
      return 'user.lifecycle.activate';
    case 'PROVISIONED':
      return from === 'DEPROVISIONED' ? 'user.lifecycle.reactivate' : 'user.lifecycle.activate';
    case 'SUSPENDED':
      return 'user.lifecycle.suspend';
    case 'DEPROVISIONED':
      return 'user.lifecycle.deactivate';
    case 'LOCKED_OUT':
      return 'user.account.lock';
    case 'PASSWORD_EXPIRED':
      return 'user.account.expire_password';
    case 'RECOVERY':
      return 'user.account.reset_password';
    case 'STAGED':
      throw new RangeError('a user cannot return to STAGED');
  }
}

function appParty(app: OrgApp): LogParty {
  return { id: app.id, type: 'AppInstance', alternateId: app.label, displayName: app.label };
}

export function createMutations(state: OktaState, clock: Clock): OktaMutations {
  const org = state.org;
  const needUser = (id: string): OrgUser => {
    const i = state.findUser(id);
    if (i === undefined) throw new RangeError(`no user ${id}`);
    return org.users[i] as OrgUser;
  };
  const needGroup = (id: string): OrgGroup => {
    const i = state.groupIndex(id);
    const g = i === undefined ? undefined : org.groups[i];
    if (!g || g.deleted) throw new RangeError(`no group ${id}`);
    return g;
  };
  const needApp = (id: string): OrgApp => {
    const i = state.appIndex(id);
    if (i === undefined) throw new RangeError(`no app ${id}`);
    return org.apps[i] as OrgApp;
  };
  const add = (g: OrgGroup, u: OrgUser, options?: MutationOptions): boolean => {
    if (!org.memberships.add(g.index, u.index)) return false;
    // The group's lastMembershipUpdated is the moment the log records.
    g.lastMembershipUpdated = recordEvent(state, clock, 'group.user_membership.add', [userParty(u), groupParty(g)], options).published;
    return true;
  };
  const remove = (g: OrgGroup, u: OrgUser, options?: MutationOptions): boolean => {
    if (!org.memberships.remove(g.index, u.index)) return false;
    g.lastMembershipUpdated = recordEvent(state, clock, 'group.user_membership.remove', [userParty(u), groupParty(g)], options).published;
    return true;
  };
  // Group rules as Okta applies them after a change: add to groups whose rule
  // now matches. Okta does not remove on deactivation, but does when a
  // profile change stops matching.
  const applyRules = (u: OrgUser, removeStale: boolean): void => {
    for (const rule of org.rules) {
      const g = org.groups[rule.group] as OrgGroup;
      if (g.deleted) continue;
      const matches = !RULE_INELIGIBLE.has(u.status) && ruleValueOf(org, u, rule.attribute) === rule.value;
      if (matches) add(g, u, { actor: { kind: 'system' } });
      else if (removeStale && org.memberships.has(g.index, u.index)) remove(g, u, { actor: { kind: 'system' } });
    }
  };
  const departmentIndex = (name: string): number => {
    const d = org.departments.findIndex((x) => x.name === name);
    if (d < 0) throw new RangeError(`unknown department ${name}`);
    return d;
  };
  const cityIndex = (city: string): number => {
    const l = org.locations.findIndex((x) => x.city === city);
    if (l < 0) throw new RangeError(`unknown city ${city}`);
    return l;
  };
  // Employee numbers continue each sequence (100001…, C20001…, P5001…).
  let numbers: { Employee: number; Contractor: number } | null = null;
  const nextEmployeeNumber = (type: 'Employee' | 'Contractor'): string => {
    if (!numbers) {
      numbers = { Employee: 100000, Contractor: 20000 };
      for (const u of org.users) {
        if (u.employmentType === 'Employee') numbers.Employee = Math.max(numbers.Employee, Number(u.employeeNumber) || 0);
        else if (u.employmentType === 'Contractor') numbers.Contractor = Math.max(numbers.Contractor, Number(u.employeeNumber.slice(1)) || 0);
      }
    }
    numbers[type] += 1;
    return type === 'Employee' ? String(numbers.Employee) : `C${numbers.Contractor}`;
  };
  const setStatus = (u: OrgUser, status: UserStatus, options?: MutationOptions): void => {
    const eventType = lifecycleEvent(u.status, status);
    if (!eventType) return;
    const now = clock.now().getTime();
    const wasStaged = u.status === 'STAGED';
    u.status = status;
    u.statusChanged = now;
    u.lastUpdated = now;
    if ((status === 'ACTIVE' || status === 'PROVISIONED') && u.activated === null) u.activated = now;
    if (status === 'ACTIVE' && u.passwordChanged === null) u.passwordChanged = now;
    state.invalidateUser(u.index);
    recordEvent(state, clock, eventType, [userParty(u)], options);
    if (wasStaged) applyRules(u, false);
  };
  const everyone = (): OrgGroup | undefined => org.groups.find((g) => g.type === 'BUILT_IN' && !g.deleted);
  const ruleTargets = (): Set<number> => new Set(org.rules.map((r) => r.group));

  return {
    addMembership: (groupId, userId, options) => add(needGroup(groupId), needUser(userId), options),
    removeMembership: (groupId, userId, options) => remove(needGroup(groupId), needUser(userId), options),
    setUserStatus: (userId, status, options) => {
      if (!(USER_STATUSES as readonly string[]).includes(status)) throw new RangeError(`unknown status ${status}`);
      setStatus(needUser(userId), status, options);
    },
    updateUserProfile: (userId, patch, options) => {
      const u = needUser(userId);
      const from: Record<string, unknown> = {};
      const to: Record<string, unknown> = {};
      if (patch.department !== undefined) {
        const d = departmentIndex(patch.department);
        if (d !== u.department) {
          from.department = (org.departments[u.department] as DepartmentDef).name;
          to.department = patch.department;
        }
        u.department = d;
      }
      if (patch.city !== undefined) {
        const l = cityIndex(patch.city);
        if (l !== u.location) {
          from.city = (org.locations[u.location] as LocationDef).city;
          to.city = patch.city;
        }
        u.location = l;
      }
      if (patch.title !== undefined && patch.title !== u.title) {
        from.title = u.title;
        to.title = patch.title;
        u.title = patch.title;
      }
      if (patch.managerId !== undefined) {
        const m = patch.managerId === null ? -1 : needUser(patch.managerId).index;
        if (m === u.index) throw new RangeError('a user cannot manage themselves');
        if (m !== u.managerIndex) {
          from.managerId = u.managerIndex >= 0 ? (org.users[u.managerIndex] as OrgUser).id : null;
          to.managerId = patch.managerId;
        }
        u.managerIndex = m;
      }
      u.lastUpdated = clock.now().getTime();
      state.invalidateUser(u.index);
      const target: LogParty = Object.keys(to).length > 0 ? { ...userParty(u), changeDetails: { from, to } } : userParty(u);
      recordEvent(state, clock, 'user.account.update_profile', [target], options);
      applyRules(u, true);
    },
    createUser: (input, options = {}) => {
      const department = departmentIndex(input.department);
      const location = cityIndex(input.city);
      const manager = input.managerId ? needUser(input.managerId).index : -1;
      const domain = org.company.domain;
      const base = `${loginPart(input.firstName)}.${loginPart(input.lastName)}`;
      let login = `${base}@${domain}`;
      // first.last, then first.last2, first.last3 … as the generator does.
      for (let n = 2; state.findUser(login) !== undefined; n++) login = `${base}${n}@${domain}`;
      const now = clock.now().getTime();
      const index = org.memberships.addUser();
      if (index !== org.users.length) throw new Error('membership store and user list are out of step');
      const u: OrgUser = {
        index,
        id: state.newId('00u'),
        status: 'STAGED',
        created: now,
        activated: null,
        statusChanged: null,
        lastLogin: null,
        lastUpdated: now,
        passwordChanged: null,
        firstName: input.firstName,
        lastName: input.lastName,
        login,
        email: login,
        mobilePhone: input.mobilePhone ?? null,
        department,
        location,
        title: input.title,
        employmentType: input.employmentType,
        organization: org.company.name,
        employeeNumber: nextEmployeeNumber(input.employmentType),
        managerIndex: manager,
        sponsorIndex: -1,
      };
      org.users.push(u);
      state.registerUser(u);
      // Everyone holds every user; Okta logs no membership event for it.
      const all = everyone();
      if (all) org.memberships.add(all.index, u.index);
      recordEvent(state, clock, 'user.lifecycle.create', [userParty(u)], options);
      if (options.activate) setStatus(u, 'ACTIVE', options);
      return u.id;
    },
    deleteUser: (userId, options) => {
      const u = needUser(userId);
      if (u.index === org.admins.superAdmin || u.index === org.admins.readOnlyAdmin) throw new RangeError('the sandbox API tokens belong to this user');
      if (u.status !== 'DEPROVISIONED') setStatus(u, 'DEPROVISIONED', options);
      recordEvent(state, clock, 'user.lifecycle.delete.initiated', [userParty(u)], options);
      for (const g of [...org.memberships.groupsOf(u.index)]) org.memberships.remove(g, u.index);
      u.deleted = true;
      state.invalidateUser(u.index);
      recordEvent(state, clock, 'user.lifecycle.delete.completed', [userParty(u)], options);
    },
    createGroup: (profile, options) => {
      const now = clock.now().getTime();
      const index = org.memberships.addGroup();
      if (index !== org.groups.length) throw new Error('membership store and group list are out of step');
      const g: OrgGroup = {
        index,
        id: state.newId('00g'),
        name: profile.name,
        description: profile.description,
        type: 'OKTA_GROUP',
        kind: 'project',
        created: now,
        lastUpdated: now,
        lastMembershipUpdated: now,
        sourceApp: -1,
        rule: -1,
        ad: null,
      };
      org.groups.push(g);
      state.registerGroup(g);
      recordEvent(state, clock, 'group.lifecycle.create', [groupParty(g)], options);
      return g.id;
    },
    deleteGroup: (groupId, options) => {
      const g = needGroup(groupId);
      // Okta: "You can only delete groups of the OKTA_GROUP type"; a rule's target stays.
      if (g.type !== 'OKTA_GROUP') throw new RangeError(`group ${g.name} is ${g.type}: only OKTA_GROUP groups can be deleted`);
      if (ruleTargets().has(g.index)) throw new RangeError(`group ${g.name} is the target of a group rule`);
      for (const u of [...org.memberships.members(g.index)]) {
        org.memberships.remove(g.index, u);
      }
      for (const app of org.apps) {
        const before = app.assignments.length;
        app.assignments = app.assignments.filter((a) => a.group !== g.index);
        if (app.assignments.length !== before) state.adjustAppsOfGroup(g.index, app.assignments.length - before);
      }
      g.deleted = true;
      recordEvent(state, clock, 'group.lifecycle.delete', [groupParty(g)], options);
    },
    updateGroupProfile: (groupId, patch, options) => {
      const g = needGroup(groupId);
      if (g.type !== 'OKTA_GROUP') throw new RangeError(`group ${g.name} is ${g.type}: its profile comes from its source`);
      const from: Record<string, unknown> = {};
      const to: Record<string, unknown> = {};
      if (patch.name !== undefined && patch.name !== g.name) {
        from.name = g.name;
        to.name = patch.name;
        g.name = patch.name;
      }
      if (patch.description !== undefined && patch.description !== g.description) {
        from.description = g.description;
        to.description = patch.description;
        g.description = patch.description;
      }
      const published = recordEvent(state, clock, 'group.profile.update', [{ ...groupParty(g), changeDetails: { from, to } }], options).published;
      g.lastUpdated = published;
    },
    assignAppToGroup: (appId, groupId, assignment = {}, options) => {
      const app = needApp(appId);
      const g = needGroup(groupId);
      if (app.assignments.some((a) => a.group === g.index)) return false;
      const published = recordEvent(state, clock, 'group.application_assignment.add', [appParty(app), groupParty(g)], options).published;
      const row: AppAssignment = {
        group: g.index,
        priority: assignment.priority ?? app.assignments.reduce((max, a) => Math.max(max, a.priority + 1), 0),
        lastUpdated: published,
        profile: assignment.profile ?? {},
      };
      app.assignments.push(row);
      state.adjustAppsOfGroup(g.index, 1);
      return true;
    },
    unassignAppFromGroup: (appId, groupId, options) => {
      const app = needApp(appId);
      const g = needGroup(groupId);
      const at = app.assignments.findIndex((a) => a.group === g.index);
      if (at < 0) return false;
      app.assignments.splice(at, 1);
      state.adjustAppsOfGroup(g.index, -1);
      recordEvent(state, clock, 'group.application_assignment.remove', [appParty(app), groupParty(g)], options);
      return true;
    },
  };
}
