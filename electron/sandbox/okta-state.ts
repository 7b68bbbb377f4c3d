// The live state behind the sandbox's Okta API: the generated organisation,
// the lookups the endpoints need (id/login -> index), a cache of rendered
// user JSON (group member pages at 1M memberships would otherwise re-render
// the same users over and over), the System Log, and the mutations that
// change the org the way Okta would, writing the matching log events.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LocationDef } from './org-data.js';
import { RULE_INELIGIBLE, ruleValueOf, USER_STATUSES, type Org, type OrgGroup, type OrgUser, type SeedEvent, type UserStatus } from './org-generator.js';
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
  userIndex: (id: string) => number | undefined;
  /** By id, login (case-insensitive) or unambiguous login short name. */
  findUser: (idOrLogin: string) => number | undefined;
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
};

export type Clock = { now: () => Date };

export type MutationOptions = {
  /** Defaults to the super admin acting in the admin console. */
  actor?: LogActorInput;
  /** The API request that made the change (recorded in the event's debugContext). */
  requestUri?: string;
};

/**
 * Changes to the organisation made the way Okta makes them, each with its
 * System Log events. Used by the PUT/DELETE membership endpoints and by tests
 * (and later the /__sandbox/mutate API) to simulate changes made outside
 * Latchkey.
 */
export type OktaMutations = {
  /** Adds a user to a group; false (and no event) when already a member. */
  addMembership: (groupId: string, userId: string, options?: MutationOptions) => boolean;
  /** Removes a user from a group; false (and no event) when not a member. */
  removeMembership: (groupId: string, userId: string, options?: MutationOptions) => boolean;
  /** Moves a user to a status through the matching lifecycle operation. */
  setUserStatus: (userId: string, status: UserStatus, options?: MutationOptions) => void;
  /** Updates profile attributes; group rules are re-evaluated, as Okta does on a profile change. */
  updateUserProfile: (userId: string, patch: { title?: string; department?: string; city?: string }, options?: MutationOptions) => void;
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
  const appsCount = new Int32Array(org.groups.length);
  for (const app of org.apps) for (const a of app.assignments) appsCount[a.group]! += 1;
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
      const direct = byId.get(key) ?? byLogin.get(key.toLowerCase());
      if (direct !== undefined) return direct;
      const short = byShort.get(key.toLowerCase());
      return short === undefined || short < 0 ? undefined : short;
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

export function createMutations(state: OktaState, clock: Clock): OktaMutations {
  const org = state.org;
  const needUser = (id: string): OrgUser => {
    const i = state.findUser(id);
    if (i === undefined) throw new RangeError(`no user ${id}`);
    return org.users[i] as OrgUser;
  };
  const needGroup = (id: string): OrgGroup => {
    const i = state.groupIndex(id);
    if (i === undefined) throw new RangeError(`no group ${id}`);
    return org.groups[i] as OrgGroup;
  };
  const add = (g: OrgGroup, u: OrgUser, options?: MutationOptions): boolean => {
    if (!org.memberships.add(g.index, u.index)) return false;
    g.lastMembershipUpdated = clock.now().getTime();
    recordEvent(state, clock, 'group.user_membership.add', [userParty(u), groupParty(g)], options);
    return true;
  };
  const remove = (g: OrgGroup, u: OrgUser, options?: MutationOptions): boolean => {
    if (!org.memberships.remove(g.index, u.index)) return false;
    g.lastMembershipUpdated = clock.now().getTime();
    recordEvent(state, clock, 'group.user_membership.remove', [userParty(u), groupParty(g)], options);
    return true;
  };
  // Group rules as Okta applies them after a change: add to groups whose rule
  // now matches. Okta does not remove on deactivation, but does when a
  // profile change stops matching.
  const applyRules = (u: OrgUser, removeStale: boolean): void => {
    for (const rule of org.rules) {
      const g = org.groups[rule.group] as OrgGroup;
      const matches = !RULE_INELIGIBLE.has(u.status) && ruleValueOf(org, u, rule.attribute) === rule.value;
      if (matches) add(g, u, { actor: { kind: 'system' } });
      else if (removeStale && org.memberships.has(g.index, u.index)) remove(g, u, { actor: { kind: 'system' } });
    }
  };

  return {
    addMembership: (groupId, userId, options) => add(needGroup(groupId), needUser(userId), options),
    removeMembership: (groupId, userId, options) => remove(needGroup(groupId), needUser(userId), options),
    setUserStatus: (userId, status, options) => {
      if (!(USER_STATUSES as readonly string[]).includes(status)) throw new RangeError(`unknown status ${status}`);
      const u = needUser(userId);
      const eventType = lifecycleEvent(u.status, status);
      if (!eventType) return;
      const now = clock.now().getTime();
      const wasStaged = u.status === 'STAGED';
      u.status = status;
      u.statusChanged = now;
      u.lastUpdated = now;
      if ((status === 'ACTIVE' || status === 'PROVISIONED') && u.activated === null) u.activated = now;
      state.invalidateUser(u.index);
      recordEvent(state, clock, eventType, [userParty(u)], options);
      if (wasStaged) applyRules(u, false);
    },
    updateUserProfile: (userId, patch, options) => {
      const u = needUser(userId);
      if (patch.department !== undefined) {
        const d = org.departments.findIndex((x) => x.name === patch.department);
        if (d < 0) throw new RangeError(`unknown department ${patch.department}`);
        u.department = d;
      }
      if (patch.city !== undefined) {
        const l = org.locations.findIndex((x) => x.city === patch.city);
        if (l < 0) throw new RangeError(`unknown city ${patch.city}`);
        u.location = l;
      }
      if (patch.title !== undefined) u.title = patch.title;
      u.lastUpdated = clock.now().getTime();
      state.invalidateUser(u.index);
      recordEvent(state, clock, 'user.account.update_profile', [userParty(u)], options);
      applyRules(u, true);
    },
  };
}
