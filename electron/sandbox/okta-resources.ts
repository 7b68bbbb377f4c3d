// JSON shapes of the Okta management API objects the sandbox serves, built
// from the compact organisation on demand. Field names and order follow the
// OpenAPI spec (shared/specs/okta-management.yaml) and its examples; tests
// validate every shape against the spec's schemas.
import type { DepartmentDef, LocationDef } from './org-data.js';
import type { AppAssignment, Org, OrgApp, OrgGroup, OrgRule, OrgUser, UserStatus } from './org-model.js';
import { ruleExpression } from './org-model.js';

export type Json = Record<string, unknown>;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const post = (href: string): Json => ({ href, hints: { allow: ['POST'] } });

/** Lifecycle operations Okta links from a user in each status. */
const LIFECYCLE_LINKS: Readonly<Record<UserStatus, readonly string[]>> = {
  ACTIVE: ['suspend', 'resetPassword', 'expirePassword', 'forgotPassword', 'changeRecoveryQuestion', 'deactivate', 'changePassword', 'resetFactors'],
  STAGED: ['activate', 'deactivate'],
  PROVISIONED: ['activate', 'resetPassword', 'deactivate'],
  SUSPENDED: ['unsuspend', 'deactivate'],
  DEPROVISIONED: ['activate'],
  LOCKED_OUT: ['unlock', 'resetPassword', 'deactivate'],
  PASSWORD_EXPIRED: ['resetPassword', 'expirePassword', 'deactivate'],
  RECOVERY: ['resetPassword', 'deactivate'],
};
const LINK_PATH: Readonly<Record<string, string>> = {
  suspend: 'lifecycle/suspend',
  unsuspend: 'lifecycle/unsuspend',
  activate: 'lifecycle/activate',
  deactivate: 'lifecycle/deactivate',
  unlock: 'lifecycle/unlock',
  resetPassword: 'lifecycle/reset_password',
  expirePassword: 'lifecycle/expire_password',
  resetFactors: 'lifecycle/reset_factors',
  forgotPassword: 'credentials/forgot_password',
  changeRecoveryQuestion: 'credentials/change_recovery_question',
  changePassword: 'credentials/change_password',
};

export function userProfile(org: Org, u: OrgUser): Json {
  const dept = org.departments[u.department] as DepartmentDef;
  const loc = org.locations[u.location] as LocationDef;
  const manager = u.managerIndex >= 0 ? org.users[u.managerIndex] : undefined;
  const sponsor = u.sponsorIndex >= 0 ? org.users[u.sponsorIndex] : undefined;
  const profile: Json = {
    firstName: u.firstName,
    lastName: u.lastName,
    mobilePhone: u.mobilePhone,
    secondEmail: null,
    login: u.login,
    email: u.email,
    displayName: `${u.firstName} ${u.lastName}`,
    title: u.title,
    department: dept.name,
    division: dept.division,
    organization: u.organization,
    costCenter: dept.costCenter,
    employeeNumber: u.employeeNumber,
    userType: u.employmentType,
    city: loc.city,
  };
  if (loc.state) profile.state = loc.state;
  profile.countryCode = loc.countryCode;
  profile.zipCode = loc.zipCode;
  profile.timezone = loc.timezone;
  profile.locale = loc.locale;
  profile.preferredLanguage = loc.locale.slice(0, 2);
  if (manager) {
    profile.manager = `${manager.firstName} ${manager.lastName}`;
    profile.managerId = manager.id;
  }
  // Custom attributes (Okta allows any, added in the profile editor).
  if (sponsor) {
    profile.sponsorId = sponsor.id;
    profile.sponsorEmail = sponsor.email;
  }
  return profile;
}

/**
 * A user as listUsers/listGroupUsers return it (`_links.self` only), or as
 * getUser returns it (lifecycle links for its status, schema and type).
 */
export function renderUser(org: Org, u: OrgUser, base: string, singleton = false): Json {
  const self = `${base}/api/v1/users/${u.id}`;
  const links: Json = {};
  if (singleton) {
    for (const rel of LIFECYCLE_LINKS[u.status]) links[rel] = post(`${self}/${LINK_PATH[rel] ?? rel}`);
    links.schema = { href: `${base}/api/v1/meta/schemas/user/osc${org.userTypeId.slice(3)}` };
    links.type = { href: `${base}/api/v1/meta/types/user/${org.userTypeId}` };
  }
  links.self = { href: self };
  const hasPassword = u.status !== 'STAGED' && u.status !== 'PROVISIONED';
  return {
    id: u.id,
    status: u.status,
    created: iso(u.created),
    activated: iso(u.activated),
    statusChanged: iso(u.statusChanged),
    lastLogin: iso(u.lastLogin),
    lastUpdated: iso(u.lastUpdated),
    passwordChanged: iso(u.passwordChanged),
    type: { id: org.userTypeId },
    profile: userProfile(org, u),
    credentials: hasPassword ? { password: {}, provider: { type: 'OKTA', name: 'OKTA' } } : { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: links,
  };
}

export type GroupStats = { usersCount: number; appsCount: number };

export function renderGroup(org: Org, g: OrgGroup, base: string, embed: { stats?: GroupStats; app?: OrgApp } = {}): Json {
  const logoKind = g.ad ? 'active_directory' : 'okta';
  const profile: Json = { name: g.name, description: g.description };
  if (g.ad) {
    profile.groupType = g.ad.groupType;
    profile.samAccountName = g.ad.samAccountName;
    profile.objectSid = g.ad.objectSid;
    profile.groupScope = g.ad.groupScope;
    profile.dn = g.ad.dn;
    profile.windowsDomainQualifiedName = g.ad.windowsDomainQualifiedName;
    profile.externalId = g.ad.externalId;
  }
  const links: Json = {
    logo: [
      { name: 'medium', href: `${base}/img/logos/groups/${logoKind}-medium.png`, type: 'image/png' },
      { name: 'large', href: `${base}/img/logos/groups/${logoKind}-large.png`, type: 'image/png' },
    ],
  };
  const source = g.sourceApp >= 0 ? org.apps[g.sourceApp] : undefined;
  if (source) links.source = { href: `${base}/api/v1/apps/${source.id}` };
  links.users = { href: `${base}/api/v1/groups/${g.id}/users` };
  links.apps = { href: `${base}/api/v1/groups/${g.id}/apps` };
  const out: Json = {
    id: g.id,
    created: iso(g.created),
    lastUpdated: iso(g.lastUpdated),
    lastMembershipUpdated: iso(g.lastMembershipUpdated),
    objectClass: [g.ad ? 'okta:windows_security_principal' : 'okta:user_group'],
    type: g.type,
    profile,
    _links: links,
  };
  const embedded: Json = {};
  if (embed.stats) {
    embedded.stats = { usersCount: embed.stats.usersCount, appsCount: embed.stats.appsCount, groupPushMappingsCount: 0, hasAdminPrivilege: false };
  }
  if (embed.app) embedded.app = { id: embed.app.id, name: embed.app.name, label: embed.app.label, signOnMode: embed.app.signOnMode };
  if (Object.keys(embedded).length > 0) out._embedded = embedded;
  return out;
}

export function renderRule(org: Org, r: OrgRule): Json {
  const group = org.groups[r.group] as OrgGroup;
  return {
    type: 'group_rule',
    id: r.id,
    status: 'ACTIVE',
    name: r.name,
    created: iso(r.created),
    lastUpdated: iso(r.lastUpdated),
    conditions: {
      people: { users: { exclude: [] }, groups: { exclude: [] } },
      expression: { value: ruleExpression(r), type: 'urn:okta:expression:1.0' },
    },
    actions: { assignUserToGroups: { groupIds: [group.id] } },
  };
}

function appSettings(org: Org, app: OrgApp): Json {
  const notifications = { vpn: { network: { connection: 'DISABLED' } } };
  const notes = { admin: `Owner: IT. Access requests go through Latchkey.`, enduser: '' };
  switch (app.signOnMode) {
    case 'SAML_2_0':
      return {
        app: {},
        notifications,
        notes,
        signOn: {
          defaultRelayState: '',
          ssoAcsUrl: app.url,
          idpIssuer: 'http://www.okta.com/${org.externalKey}',
          audience: app.url,
          recipient: app.url,
          destination: app.url,
          subjectNameIdTemplate: '${user.userName}',
          subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
          responseSigned: true,
          assertionSigned: true,
          signatureAlgorithm: 'RSA_SHA256',
          digestAlgorithm: 'SHA256',
          honorForceAuthn: true,
          authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
          requestCompressed: false,
          allowMultipleAcsEndpoints: false,
          acsEndpoints: [],
          attributeStatements: [],
          slo: { enabled: false },
          assertionEncryption: { enabled: false },
        },
      };
    case 'AUTO_LOGIN':
      return { app: {}, notifications, notes, signOn: { loginUrl: app.url, redirectUrl: app.url } };
    case 'BOOKMARK':
      return { app: { requestIntegration: false, url: app.url }, notifications, notes };
    default:
      // The Active Directory integration: directory settings, no sign-on.
      return { app: { namingContext: `corp.${org.company.domain}`, activationEmail: null, scanRate: null, filterGroupsByOU: true, jitProvisioningEnabled: false }, notifications };
  }
}

export function renderApp(org: Org, app: OrgApp, base: string): Json {
  const self = `${base}/api/v1/apps/${app.id}`;
  const links: Json = {};
  if (app.signOnMode !== null && app.signOnMode !== 'BOOKMARK') {
    links.help = { href: `${base}/app/${app.name}/${app.id}/setup/help/${app.signOnMode}/instructions`, type: 'text/html' };
  }
  if (app.signOnMode === 'SAML_2_0') links.metadata = { href: `${self}/sso/saml/metadata`, type: 'application/xml' };
  links.appLinks = app.signOnMode === null ? [] : [{ name: `${app.name}_link`, href: `${base}/home/${app.name}/${app.id}/aln${app.id.slice(3, 17)}`, type: 'text/html' }];
  links.groups = { href: `${self}/groups` };
  links.logo = [{ name: 'medium', href: `${base}/assets/img/logos/${app.name}.png`, type: 'image/png' }];
  links.users = { href: `${self}/users` };
  links[app.status === 'ACTIVE' ? 'deactivate' : 'activate'] = post(`${self}/lifecycle/${app.status === 'ACTIVE' ? 'deactivate' : 'activate'}`);
  links.self = { href: self };
  return {
    id: app.id,
    orn: `orn:okta:idp:${org.company.id}:apps:${app.name}:${app.id}`,
    name: app.name,
    label: app.label,
    status: app.status,
    lastUpdated: iso(app.lastUpdated),
    created: iso(app.created),
    accessibility: { selfService: false },
    visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: app.signOnMode === null }, appLinks: app.signOnMode === null ? {} : { [`${app.name}_link`]: true } },
    features: [...app.features],
    signOnMode: app.signOnMode,
    credentials: {
      userNameTemplate: { template: app.signOnMode === null ? '${source.samAccountName}' : '${source.login}', type: 'BUILT_IN' },
      signing: app.signOnMode === 'SAML_2_0' ? { kid: `${app.id.slice(3, 17)}kid` } : {},
    },
    settings: appSettings(org, app),
    _links: links,
  };
}

export function renderAppGroupAssignment(org: Org, app: OrgApp, a: AppAssignment, base: string, embedGroup: boolean): Json {
  const group = org.groups[a.group] as OrgGroup;
  const out: Json = {
    id: group.id,
    lastUpdated: iso(a.lastUpdated),
    priority: a.priority,
    profile: { ...a.profile },
    _links: {
      app: { href: `${base}/api/v1/apps/${app.id}` },
      self: { href: `${base}/api/v1/apps/${app.id}/groups/${group.id}` },
      group: { href: `${base}/api/v1/groups/${group.id}` },
    },
  };
  if (embedGroup) out._embedded = { group: renderGroup(org, group, base) };
  return out;
}

export function renderOrgSettings(org: Org, base: string): Json {
  const c = org.company;
  return {
    id: c.id,
    subdomain: c.subdomain,
    companyName: c.name,
    status: 'ACTIVE',
    created: iso(c.created),
    lastUpdated: iso(c.lastUpdated),
    website: c.website,
    phoneNumber: '+1-415-555-0100',
    endUserSupportHelpURL: `https://help.${c.domain}`,
    supportPhoneNumber: '+1-415-555-0199',
    address1: '100 Example Street',
    address2: 'Floor 4',
    city: c.city,
    state: c.state ?? '',
    country: c.country,
    postalCode: c.postalCode,
    _links: {
      preferences: { href: `${base}/api/v1/org/preferences` },
      uploadLogo: post(`${base}/api/v1/org/logo`),
      oktaCommunication: { href: `${base}/api/v1/org/privacy/oktaCommunication` },
      logo: { href: `${base}/assets/img/logos/okta-logo-admin.png`, type: 'image/png' },
      oktaSupport: { href: `${base}/api/v1/org/privacy/oktaSupport` },
      contacts: { href: `${base}/api/v1/org/contacts` },
    },
  };
}

export type AdminRole = 'SUPER_ADMIN' | 'READ_ONLY_ADMIN';

export function renderRole(org: Org, u: OrgUser, role: AdminRole, base: string): Json {
  return {
    id: `ra1${u.id.slice(3, 17)}${org.idSuffix}`,
    label: role === 'SUPER_ADMIN' ? 'Super Administrator' : 'Read Only Administrator',
    type: role,
    status: 'ACTIVE',
    created: iso(u.created + 86_400_000),
    lastUpdated: iso(u.created + 86_400_000),
    assignmentType: 'USER',
    _links: { assignee: { href: `${base}/api/v1/users/${u.id}` } },
  };
}
