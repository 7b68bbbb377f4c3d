// The sandbox organisation's apps: the Active Directory integration and the
// catalog apps (how many grows with the org's size), then, once the rule
// groups exist, each app's role groups and its group assignments (with the
// per-role assignment profile AWS and Salesforce carry).
import { APP_CATALOG, AWS_ACCOUNTS, type AppDef } from './org-data.js';
import type { OrgApp, OrgGroup } from './org-model.js';
import { clamp, DAY, type OrgContext } from './org-context.js';
import type { CoverageGroup, GroupBuilder } from './org-group-builder.js';

export type OrgApps = {
  /** apps[0] is the Active Directory integration; apps[i + 1] is made from appDefs[i]. */
  apps: OrgApp[];
  appDefs: AppDef[];
};

export function createApps(ctx: OrgContext): OrgApps {
  const { n, rng, anchor, orgCreated, domain, subdomain, newId, between } = ctx;
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
  return { apps, appDefs };
}

/**
 * App groups. Coverage-based ones are filled last, scaled so the org lands
 * near MEMBERSHIPS_PER_USER; fixed-size ones (admins) are filled now. Returns
 * the coverage-based ones for fillCoverageGroups.
 */
export function addAppGroups(
  ctx: OrgContext,
  builder: GroupBuilder,
  { apps, appDefs }: OrgApps,
  ruleGroups: { everyone: OrgGroup; deptGroup: Map<string, number> },
): CoverageGroup[] {
  const { n } = ctx;
  const { groupRng, addGroup, pool, sampleInto } = builder;
  const { everyone, deptGroup } = ruleGroups;
  const coverageGroups: CoverageGroup[] = [];
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
  return coverageGroups;
}
