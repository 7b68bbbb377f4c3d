// The group builder the organisation generator's group steps share: it
// mints groups (with their Active Directory profile when imported from AD)
// and group rules, keeps each group's member list until the membership store
// is built, and draws members from audience pools (who may be drawn into an
// app, role or project group). The group ids, the 'groups' stream and the
// member lists run on from step to step, so one builder serves them all.
import type { Audience } from './org-data.js';
import type { OrgGroup, OrgRule, OrgUser, RuleAttribute } from './org-model.js';
import { BASE62, DAY, type OrgContext } from './org-context.js';
import type { Rng } from './prng.js';

export type NewGroup = Omit<OrgGroup, 'index' | 'id' | 'lastUpdated' | 'lastMembershipUpdated' | 'sourceApp' | 'rule' | 'ad'> & { fromAd?: boolean };

/** A group filled by coverage once every other group is (see fillCoverageGroups). */
export type CoverageGroup = { group: number; from: Int32Array; p: number };

export type GroupBuilder = {
  /** The 'groups' stream: group and rule dates, AD profiles, app group sizes. */
  groupRng: Rng;
  groups: OrgGroup[];
  rules: OrgRule[];
  /** Members per group index, unsorted and possibly repeated until the store is built. */
  memberLists: number[][];
  addGroup: (g: NewGroup) => OrgGroup;
  addRule: (group: OrgGroup, name: string, attribute: RuleAttribute, value: string) => void;
  /** The people an audience may draw from (cached per audience). */
  pool: (aud: Audience) => Int32Array;
  /** Adds k distinct members drawn from `from` to group g. */
  sampleInto: (g: number, from: Int32Array, k: number, r: Rng) => void;
};

export function createGroupBuilder(ctx: OrgContext, users: OrgUser[]): GroupBuilder {
  const { n, rng, anchor, domain, departments, deptIndex, newId } = ctx;
  const groupRng = rng('groups');
  const groups: OrgGroup[] = [];
  const rules: OrgRule[] = [];
  const memberLists: number[][] = [];
  const adDomainDn = `DC=corp,${domain.split('.').map((p) => `DC=${p}`).join(',')}`;
  const adSidBase = `S-1-5-21-${groupRng.range(100000000, 999999999)}-${groupRng.range(100000000, 999999999)}-${groupRng.range(100000000, 999999999)}`;
  let adRid = 1100;
  const addGroup = (g: NewGroup): OrgGroup => {
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

  return { groupRng, groups, rules, memberLists, addGroup, addRule, pool, sampleInto };
}
