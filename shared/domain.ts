// Domain types shared by the engine and the renderer. Plain data only: no node:,
// no DOM, no React. Every type here crosses the contract, so it never carries a
// secret (credentials stay in the OS keychain, referenced by connection id).

export type ConnectionKind = 'okta' | 'entra' | 'jira';
export type OktaAuth =
  | { type: 'token' }
  | { type: 'oauth'; clientId: string; scopes: string[] };

export type SyncStatus = 'running' | 'succeeded' | 'failed';

export type ConnectionSummary = {
  id: number;
  name: string;
  kind: ConnectionKind;
  baseUrl: string;
  authType: 'token' | 'oauth';
  clientId: string | null;
  scopes: string[];
  /** Share of each rate-limit bucket this connection may use (0 < s <= 1). */
  budgetShare: number;
  orgName: string | null;
  createdAt: string;
  lastSync: SyncRunSummary | null;
};

export type SyncRunSummary = {
  id: number;
  connectionId: number;
  connectionName: string;
  mode: 'full' | 'incremental';
  status: SyncStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  users: number;
  groups: number;
  memberships: number;
  apps: number;
  appAssignments: number;
  /** HTTP requests made to the IdP during the run. */
  requests: number;
  /** Times the run paused to stay inside its rate-limit budget share. */
  throttledWaits: number;
  /** 429 answers received (each was retried). */
  rateLimited: number;
  error: string | null;
};

export type ConnectionTestResult = {
  ok: boolean;
  orgName: string | null;
  orgUrl: string;
  /** What the credential was shown to be able to do. */
  canRead: boolean;
  canWrite: boolean | null;
  /** Human-readable findings, e.g. "okta.groups.manage not granted". */
  details: string[];
  error: string | null;
};

export type IdentityStatus =
  | 'STAGED'
  | 'PROVISIONED'
  | 'ACTIVE'
  | 'RECOVERY'
  | 'PASSWORD_EXPIRED'
  | 'LOCKED_OUT'
  | 'SUSPENDED'
  | 'DEPROVISIONED';

export type UserRow = {
  connectionId: number;
  id: string;
  login: string;
  email: string | null;
  displayName: string;
  status: string;
  department: string | null;
  title: string | null;
  managerId: string | null;
  managerName: string | null;
  employeeType: string | null;
  lastLogin: string | null;
  groupCount: number;
};

export type UserDetail = UserRow & {
  firstName: string | null;
  lastName: string | null;
  location: string | null;
  employeeNumber: string | null;
  created: string | null;
  lastUpdated: string | null;
  /** Every profile attribute the IdP returned, flattened to strings. */
  profile: Record<string, string>;
  groups: GroupRow[];
  /** Apps the user reaches through group assignments. */
  apps: { app: AppRow; viaGroups: { id: string; name: string }[] }[];
  /** Deep link to the user in the IdP admin console. */
  adminUrl: string | null;
  connectionName: string;
};

export type GroupManagedBy = 'rule' | 'external' | 'latchkey' | 'direct';

export type GroupRow = {
  connectionId: number;
  id: string;
  name: string;
  description: string | null;
  /** IdP group type, e.g. OKTA_GROUP, APP_GROUP, BUILT_IN. */
  type: string;
  managedBy: GroupManagedBy;
  /** Name of the rule or app that manages the group, when there is one. */
  managedByName: string | null;
  memberCount: number;
  lastMembershipUpdated: string | null;
};

export type GroupDetail = GroupRow & {
  connectionName: string;
  apps: AppRow[];
  adminUrl: string | null;
};

export type AppRow = {
  connectionId: number;
  id: string;
  name: string;
  label: string;
  status: string;
  signOnMode: string | null;
  groupCount: number;
};

export type AppDetail = AppRow & {
  connectionName: string;
  groups: GroupRow[];
  adminUrl: string | null;
};

export type Page<T> = { total: number; offset: number; rows: T[] };

export type DashboardSummary = {
  connections: number;
  users: number;
  activeUsers: number;
  suspendedUsers: number;
  deprovisionedUsers: number;
  staleUsers: number;
  groups: number;
  apps: number;
  memberships: number;
  recentRuns: SyncRunSummary[];
  readOnly: boolean;
};

export type AppInfo = {
  version: string;
  dbPath: string;
  readOnly: boolean;
  /** 'electron' or 'bridge'. */
  transport: 'electron' | 'bridge';
  sandbox: boolean;
  schemaVersion: number;
};

export type SyncPhase =
  | 'starting'
  | 'users'
  | 'groups'
  | 'memberships'
  | 'apps'
  | 'app-assignments'
  | 'committing'
  | 'done'
  | 'failed';

export type SyncProgress = {
  runId: number;
  connectionId: number;
  phase: SyncPhase;
  /** Pages fetched so far across all phases. */
  pages: number;
  /** Items in the current phase so far. */
  items: number;
  /** Items expected in the current phase, when known. */
  expected: number | null;
  requests: number;
  /** The tightest bucket right now: remaining calls of its limit. */
  budget: { bucket: string; remaining: number; limit: number; resetAt: string } | null;
  message: string | null;
};

export type AuditEvent = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  hash: string;
};
