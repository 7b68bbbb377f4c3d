// The embedded sandbox tenant: an Okta-compatible server over a generated
// organisation, and a Microsoft Graph-compatible HTTPS server over its Entra
// view, and a Jira Cloud / JSM-compatible server. See sandbox.ts for the entry point.
export { SANDBOX_OAUTH_SCOPES, sandboxInfoLine, startSandbox, type Sandbox, type SandboxGraph, type SandboxJira, type SandboxOkta, type SandboxOktaOAuth, type SandboxOptions } from './sandbox.js';
export { generateOrg, type GenerateOrgOptions } from './org-generator.js';
export { ruleExpression, USER_STATUSES, type Org, type OrgApp, type OrgGroup, type OrgRule, type OrgUser, type UserStatus } from './org-model.js';
export { startOktaServer, type ApiToken, type Clock, type OktaServer, type OktaServerOptions } from './okta-server.js';
export type { OktaMutations, NewUserInput, UserProfilePatch } from './okta-mutations.js';
export type { MutationOptions } from './okta-state.js';
export { applyRandomChanges, parseMutateRequest, type MutateRequest, type MutateSummary } from './okta-mutate.js';
export { FAULT_KINDS, type FaultKind, type FaultSpec, type Faults } from './faults.js';
export { OKTA_RATE_LIMIT_BUCKETS, type RateLimitMode } from './rate-limits.js';
export { OKTA_ROUTES } from './okta-routes.js';
export { startGraphServer, GRAPH_DEFAULT_SCOPE, SANDBOX_GRAPH_ROLES, type GraphClient, type GraphMutations, type GraphServer, type GraphServerOptions, type GraphServerStats } from './graph-server.js';
export { applyRandomGraphChanges, type GraphMutateRequest, type GraphMutateSummary } from './graph-mutate.js';
export { generateAppCertificate, generateSandboxTls, type AppCertificate, type TlsMaterial } from './tls.js';
export { startJiraServer, JIRA_CUSTOM_FIELDS, JIRA_PERMISSIONS, JIRA_PROJECT, JIRA_REQUEST_TYPE, JIRA_SERVICE_DESK, JIRA_STATUSES, JIRA_TRANSITIONS, type JiraAccount, type JiraServer, type JiraServerOptions, type JiraState } from './jira-server.js';
