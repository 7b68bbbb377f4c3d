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
  /** Entra: the directory (tenant) id; null for other kinds. */
  tenantId: string | null;
  /** What the sync is limited to (empty: everything). */
  scope: SyncScope;
  /** True when the connection pins its own CA certificate (sandbox, TLS inspection). */
  customCa: boolean;
  /** Jira: the project requests are recorded in and the JSM request type imported (null for IdPs). The account e-mail stays in the keychain. */
  jira: { projectKey: string; serviceDeskId: string | null; requestTypeId: string | null } | null;
};

/**
 * Limits a connection's sync, as large orgs need. Groups out of scope are not
 * stored and their memberships are not fetched; apps out of scope are not
 * stored with their assignments. Empty lists mean "no limit".
 */
export type SyncScope = {
  groups: {
    /** Keep groups whose name starts with one of these (case-insensitive). */
    prefixes: string[];
    /** Keep groups whose name matches this regular expression (JavaScript syntax, case-insensitive). */
    pattern: string | null;
    /** Keep groups of these IdP types (e.g. OKTA_GROUP, APP_GROUP; Security, Microsoft365, Dynamic). */
    types: string[];
  };
  apps: {
    /** Keep apps whose label or name matches one of these, case-insensitively. */
    include: string[];
  };
};

export const emptyScope = (): SyncScope => ({ groups: { prefixes: [], pattern: null, types: [] }, apps: { include: [] } });

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
  /** Changes this run recorded (0 for a baseline). */
  changes: number;
  /** Per kind, for the dashboard and the run list. */
  changeCounts: ChangeCounts;
  /** The connection's first snapshot: nothing to compare it with. */
  baseline: boolean;
  /** Why this mode was chosen or what the run noticed, e.g. "System Log position older than 90 days". */
  note: string | null;
};

export type ChangeKind =
  | 'joiner'
  | 'leaver'
  | 'status'
  | 'attribute'
  | 'membership-add'
  | 'membership-remove'
  | 'assignment-add'
  | 'assignment-remove'
  | 'group-added'
  | 'group-removed'
  | 'group-changed'
  | 'app-added'
  | 'app-removed'
  | 'app-changed';

export const changeKinds: readonly ChangeKind[] = [
  'joiner', 'leaver', 'status', 'attribute', 'membership-add', 'membership-remove', 'assignment-add', 'assignment-remove',
  'group-added', 'group-removed', 'group-changed', 'app-added', 'app-removed', 'app-changed',
];

export type ChangeCounts = Partial<Record<ChangeKind, number>>;

/**
 * One recorded change. The subject is a user (joiner, leaver, status,
 * attribute, membership-*), a group (group-*) or an app (app-*,
 * assignment-*); `objectId` is the group on the other end of a membership
 * or app assignment. Attribute and status changes name their field.
 */
export type SnapshotChange = {
  seq: number;
  runId: number;
  connectionId: number;
  kind: ChangeKind;
  subjectType: 'user' | 'group' | 'app';
  subjectId: string;
  subjectName: string | null;
  objectId: string | null;
  objectName: string | null;
  field: string | null;
  before: string | null;
  after: string | null;
};

/** The net change between two runs of one connection (later changes cancel earlier ones). */
export type RunDiff = {
  connectionId: number;
  fromRunId: number;
  toRunId: number;
  fromAt: string;
  toAt: string;
  counts: ChangeCounts;
  total: number;
  offset: number;
  rows: SnapshotChange[];
};

/** One IdP account of a person (a correlated user may have several). */
export type AccountRef = {
  connectionId: number;
  connectionName: string;
  kind: ConnectionKind;
  id: string;
  login: string;
  status: string;
  /** How it was linked to the person's first account; null for that account itself. */
  matchedBy: 'email' | 'employee-id' | null;
  /** The groups this account is a member of (in its own IdP). */
  groupCount: number;
};

/** A match the correlation would not guess: the admin decides. */
export type CorrelationIssue = {
  id: number;
  reason: 'ambiguous-email' | 'ambiguous-employee-id' | 'conflicting-keys';
  /** The e-mail address or employee id the accounts share. */
  key: string;
  accounts: AccountRef[];
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
  /** The groups of this account. */
  groupCount: number;
  /** The groups of all the person's accounts (the sum of `accounts[].groupCount`; groupCount for one account). */
  personGroupCount: number;
  /** Every IdP account of this person, this row's own first (one entry when not correlated). */
  accounts: AccountRef[];
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
  /** The groups of every account of the person (personGroupCount of them), each naming its connection. */
  groups: GroupRow[];
  /** Apps the person reaches through the groups of any of their accounts, each naming its connection. */
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

/** A person who owns a group in the IdP (synced by full syncs), with their account's current status. */
export type GroupOwner = { identityId: string; email: string | null; name: string; status: string };

export type GroupDetail = GroupRow & {
  connectionName: string;
  apps: AppRow[];
  adminUrl: string | null;
  /** The group's owners as the IdP names them, by name; [] when it has none. */
  owners: GroupOwner[];
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
  /** Identity-provider connections (Okta, Entra); Jira, the request record, is not one. */
  connections: number;
  /** People (a person with accounts in two IdPs counts once), by the status of their first account: */
  users: number;
  activeUsers: number;
  suspendedUsers: number;
  deprovisionedUsers: number;
  /** Every other status, most common first (Okta's STAGED, PROVISIONED, LOCKED_OUT...; Entra's DISABLED): the rest of `users`. */
  otherStatuses: { status: string; count: number }[];
  staleUsers: number;
  groups: number;
  apps: number;
  /** Apps with at least one group assigned: the apps Catalog › Coverage lists. */
  appsWithGroups: number;
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
  /** A workspace opened read-only (a snapshot copy): its audit chain as verified on opening; null when writable. */
  audit: AuditStatus | null;
};

/** An opened workspace's audit chain, verified against its signed checkpoints and the anchors known to it. */
export type AuditStatus = {
  /** The chain, its checkpoints and every anchor the file knows verify (and a copy still holds the head it was saved with). */
  verified: boolean;
  events: number;
  head: string;
  checkpoints: { total: number; valid: number };
  /** Anchors known to the file (a copy's origin, anchors carried from the workspace) and how many the chain still holds. */
  anchors: { checked: number; held: number };
  /** For a snapshot copy: the workspace it came from, when, and whether the copy still holds the head it was saved with. */
  copyOf: { workspaceId: string | null; savedAt: string | null; matchesOrigin: boolean } | null;
  /** Each problem, named (at most 20). */
  problems: string[];
};

export type SyncPhase =
  | 'starting'
  /** Incremental: reading the System Log / delta links and applying what changed. */
  | 'changes'
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
  /** Where it came from: console, cli, jira, workbook, policy, system. */
  channel: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  hash: string;
};
