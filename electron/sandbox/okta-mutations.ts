// Changes to the sandbox's Okta organisation made the way Okta makes them:
// memberships, lifecycle statuses, profile edits (with group rules
// re-evaluated), creating and deleting users and groups, and app
// assignments, each writing its System Log events. Separate from the state
// (okta-state.ts: lookups, cached JSON, the log) because only the write
// endpoints, tests and okta-mutate.ts change the org; the read endpoints
// need the state alone.
import type { DepartmentDef, LocationDef } from './org-data.js';
import {
  loginPart,
  RULE_INELIGIBLE,
  ruleValueOf,
  USER_STATUSES,
  type AppAssignment,
  type EmploymentType,
  type OrgApp,
  type OrgGroup,
  type OrgUser,
  type UserStatus,
} from './org-model.js';
import { groupParty, recordEvent, userParty, type Clock, type MutationOptions, type OktaState } from './okta-state.js';
import type { LogParty } from './system-log.js';

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
