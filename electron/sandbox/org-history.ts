// The sandbox organisation's System Log history: a week of events before the
// anchor (joiners with their group adds, suspensions, deactivations,
// lockouts, profile edits, and hand-made membership changes to directly
// managed groups), and each group's lastMembershipUpdated to match. Runs last:
// it reads the finished people, groups and memberships.
import type { MembershipStore } from './membership-store.js';
import type { OrgGroup, OrgUser, SeedEvent, SeedEventType } from './org-model.js';
import { BASE62, clamp, DAY, type OrgContext } from './org-context.js';
import type { Rng } from './prng.js';

function isoUuid(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rng.next() * 4294967296).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[rng.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Returns the events in publication order; sets lastMembershipUpdated on the groups. */
export function generateHistory(ctx: OrgContext, users: OrgUser[], groups: OrgGroup[], memberships: MembershipStore, superAdmin: number): SeedEvent[] {
  const { n, rng, anchor, between } = ctx;
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
  return events;
}
