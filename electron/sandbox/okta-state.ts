// The live state behind the sandbox's Okta API: the generated organisation,
// the lookups the endpoints need (id/login -> index), a cache of rendered
// user JSON (group member pages at 1M memberships would otherwise re-render
// the same users over and over), and the System Log with the seeded week
// replayed into it. The changes made to the org (and their log events) are
// in okta-mutations.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LocationDef } from './org-data.js';
import type { Org, OrgGroup, OrgUser, SeedEvent } from './org-model.js';
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
  /**
   * Paid features the org has. `groupOwners`: the Group Owners API (Okta
   * Identity Governance); set it false to answer like an org without it
   * (401 E0000015), e.g. `sandbox.oktaState.features.groupOwners = false`.
   */
  features: { groupOwners: boolean };
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
    features: { groupOwners: true },
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

export function userParty(u: OrgUser): LogParty {
  return { id: u.id, type: 'User', alternateId: u.login, displayName: `${u.firstName} ${u.lastName}` };
}

export function groupParty(g: OrgGroup): LogParty {
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
