// Governance vocabulary shared by the engine and the renderer: the catalog
// (apps, roles, role -> group mappings, approval policy), requests and
// approvals, the grant ledger, jobs, manual tasks and drift. Plain data only.

export type RiskTier = 'low' | 'medium' | 'high' | 'critical';
export const RISK_TIERS: readonly RiskTier[] = ['low', 'medium', 'high', 'critical'];

/** How long access lasts. 'custom' lets the requester pick any length up to the role's maximum. */
export type DurationOption = 'permanent' | '1h' | '6h' | '24h' | '7d' | '30d' | 'custom';
export const DURATION_OPTIONS: readonly DurationOption[] = ['permanent', '1h', '6h', '24h', '7d', '30d', 'custom'];
/** Minutes of each fixed option (permanent and custom have none). */
export const DURATION_MINUTES: Readonly<Record<Exclude<DurationOption, 'permanent' | 'custom'>, number>> = {
  '1h': 60,
  '6h': 360,
  '24h': 1440,
  '7d': 10080,
  '30d': 43200,
};

/** A length in words, for the console, the CLI and the Jira record alike: "90 minutes", "1 hour", "36 hours", "7 days". */
export function minutesInWords(minutes: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes > 0 && minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes > 0 && minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

const FIXED_DURATION_WORDS: Readonly<Record<keyof typeof DURATION_MINUTES, string>> = {
  '1h': '1 hour',
  '6h': '6 hours',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
};

/** A request's duration in words: "permanent", "24 hours", or a custom length ("90 minutes"). */
export function durationInWords(duration: DurationOption, customMinutes: number | null): string {
  if (duration === 'permanent') return 'permanent';
  if (duration === 'custom') return customMinutes === null ? 'a custom length' : minutesInWords(customMinutes);
  return FIXED_DURATION_WORDS[duration];
}

export type ApprovalStepKind = 'manager' | 'app-owner' | 'named';
export type ApprovalStep = { kind: ApprovalStepKind; /** For 'named': who may decide (e-mails). */ approvers?: string[] };

/**
 * Per role. `autoApprove` skips every step (low-risk roles). Steps run in
 * order; each needs one eligible approver's decision. Beneficiaries whose
 * employee type is listed in `requireEndDateFor` (contractors, partners) may
 * not get permanent access. A request pending longer than `pendingTimeoutHours`
 * is escalated (a new step for `escalateTo`) or expires.
 */
export type ApprovalPolicy = {
  autoApprove: boolean;
  steps: ApprovalStep[];
  requireEndDateFor: string[];
  pendingTimeoutHours: number;
  onTimeout: 'expire' | 'escalate';
  escalateTo: string[];
};

export const DEFAULT_PENDING_TIMEOUT_HOURS = 168;

/** The default policy a new role of each risk tier starts with (the admin edits it per role). */
export const defaultPolicyFor = (risk: RiskTier): ApprovalPolicy => ({
  autoApprove: risk === 'low',
  steps:
    risk === 'low'
      ? []
      : risk === 'medium'
        ? [{ kind: 'manager' }]
        : [{ kind: 'manager' }, { kind: 'app-owner' }],
  requireEndDateFor: risk === 'low' ? [] : ['contractor', 'partner'],
  pendingTimeoutHours: DEFAULT_PENDING_TIMEOUT_HOURS,
  onTimeout: 'expire',
  escalateTo: [],
});

/** Why a mapping cannot be provisioned automatically (or at all). */
export type MappingProblem =
  | 'group-deleted'
  | 'group-renamed'
  | 'rule-managed'
  | 'dynamic'
  /** Membership owned outside the IdP console (imported from AD/LDAP/HR, Okta built-in): Latchkey can't change it. */
  | 'externally-managed'
  | 'connection-read-only'
  | 'connection-removed';

export type RoleMapping = {
  connectionId: number;
  connectionName: string | null;
  groupId: string;
  /** Name when mapped. */
  groupName: string;
  /** Name in the live snapshot (null: the group is gone). */
  currentName: string | null;
  memberCount: number | null;
  problems: { kind: MappingProblem; message: string }[];
};

export type CatalogRole = {
  id: number;
  appId: number;
  appName: string;
  name: string;
  description: string;
  risk: RiskTier;
  policy: ApprovalPolicy;
  durations: DurationOption[];
  defaultDuration: DurationOption;
  maxDurationMinutes: number | null;
  owner: string | null;
  requestable: boolean;
  mappings: RoleMapping[];
};

export type CatalogApp = {
  id: number;
  name: string;
  description: string;
  owner: string | null;
  source: { connectionId: number; appId: string } | null;
  roles: CatalogRole[];
};

/** The decision as stored (requests.status): what the approval flow itself changes. People see RequestState. */
export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

/**
 * A request's one status word, shown and filtered on: the decision and what
 * became of its access together (engine/requests/request-state.ts computes it).
 * approved: the access is granted or on its way; expired: no decision in time,
 * or the access ran out; revoked: someone removed the access; cancelled:
 * withdrawn, or the access cancelled before it was given; failed: adding or
 * removing the access failed (it needs attention); extended: the access goes
 * on under a later extension request.
 */
export type RequestState = 'pending' | 'approved' | 'denied' | 'expired' | 'revoked' | 'cancelled' | 'failed' | 'extended';
export const REQUEST_STATES: readonly RequestState[] = ['pending', 'approved', 'denied', 'expired', 'revoked', 'cancelled', 'failed', 'extended'];
export type RequestSource = 'console' | 'cli' | 'jira' | 'csv' | 'extend';
export type DecisionChannel = 'console' | 'cli' | 'jira' | 'auto' | 'csv';

/**
 * Where a recorded event came from: the console (the signed-in operator), the
 * CLI (the OS user, and the operator when signed in), Jira (an authenticated
 * Jira account), the evidence workbook, a lifecycle policy, or the engine
 * itself (ticks, syncs, jobs).
 */
export type AuditChannel = 'console' | 'cli' | 'jira' | 'workbook' | 'policy' | 'system';
export const AUDIT_CHANNELS: readonly AuditChannel[] = ['console', 'cli', 'jira', 'workbook', 'policy', 'system'];

export type ApprovalRecord = {
  step: number;
  kind: ApprovalStepKind | 'auto';
  approvers: string[];
  status: 'waiting' | 'pending' | 'approved' | 'denied' | 'skipped';
  decidedBy: string | null;
  decidedAt: string | null;
  channel: DecisionChannel | null;
  comment: string | null;
  /** A decision recorded by an operator for the approver (given by e-mail, in a meeting): who recorded it, why, and the evidence. */
  recorded: { by: string; reason: string; evidence: string } | null;
};

export type GrantStatus = 'pending' | 'active' | 'manual' | 'failed' | 'revoking' | 'revoked' | 'expired' | 'cancelled';

export type GrantRow = {
  id: number;
  requestId: number | null;
  roleId: number | null;
  roleLabel: string | null;
  connectionId: number;
  /** The IdP connection's name (null: the connection was removed); a role may map groups of the same name in two IdPs. */
  connectionName: string | null;
  groupId: string;
  groupName: string;
  identityId: string;
  beneficiaryEmail: string | null;
  beneficiaryName: string;
  status: GrantStatus;
  startsAt: string;
  expiresAt: string | null;
  provisionedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
};

export type RequestRow = {
  id: number;
  roleId: number;
  /** "App / Role". */
  roleLabel: string;
  risk: RiskTier;
  beneficiary: { connectionId: number; identityId: string; email: string | null; name: string };
  requester: string;
  duration: DurationOption;
  durationMinutes: number | null;
  endsAt: string | null;
  justification: string;
  /** The one status word (derived from the decision and the grants); the stored decision is `decision`. */
  status: RequestState;
  /** The decision as stored: 'approved' stays 'approved' after the access has ended. */
  decision: RequestStatus;
  source: RequestSource;
  /** Step currently waiting for a decision, with who may decide it. */
  waitingOn: { step: number; kind: ApprovalStepKind; approvers: string[] } | null;
  jira: { key: string; url: string | null } | null;
  createdAt: string;
  decidedAt: string | null;
  escalated: boolean;
  /** Access state derived from the request's grants (null until approved). */
  access: GrantStatus | null;
  /** The earliest end of the access still held or on its way (null: permanent, or nothing held). */
  expiresAt: string | null;
  /** When the access ended (the last grant to end), for a request whose access has all ended; else null. */
  accessEndedAt: string | null;
};

export type TimelineEntry = {
  at: string;
  kind:
    | 'created'
    | 'step-opened'
    | 'approved'
    | 'denied'
    | 'escalated'
    | 'expired'
    | 'cancelled'
    | 'job-attempt'
    | 'provisioned'
    | 'manual-task'
    | 'jira'
    | 'notice'
    | 'revoked'
    | 'grant-expired'
    | 'drift';
  actor: string | null;
  text: string;
  detail?: string | null;
};

/** One update Latchkey wrote (or will write) to the request's Jira issue: a 'jira' job and its payload. */
export type JiraRecordEntry = {
  jobId: number;
  /** What happened: created, approved, provisioned, grant-expired... */
  event: string;
  /** The comment as Latchkey composed it (on the issue it ends with a "Latchkey ref" line naming the job). */
  comment: string;
  /** Where the update moves the issue, in the workflow's words ("In progress"), or null. */
  transitionTo: string | null;
  /** queued: not tried yet; retrying: tried, waiting to try again; sending: running now; written; failed (gave up); cancelled. */
  state: 'queued' | 'retrying' | 'sending' | 'written' | 'failed' | 'cancelled';
  queuedAt: string;
  /** When the issue got it (state 'written'). */
  writtenAt: string | null;
  /** When it was given up (state 'failed' or 'cancelled'). */
  failedAt: string | null;
  /** The next try (state 'queued' or 'retrying'). */
  nextTryAt: string | null;
  attempts: number;
  lastError: string | null;
  /** posted as a comment; already there (a retry found it); not posted (the issue Latchkey created carries it in its description). */
  commented: 'posted' | 'already' | 'skipped' | null;
  /** Workflow transitions taken ("Start progress → In progress"). */
  transitions: string[];
  /** What the write-back recorded without failing: a status the workflow lacks, an issue of another request not adopted, no write permission at the last test, a pager bound hit. */
  warnings: string[];
};

/** The request's record in Jira as Latchkey wrote it, from its outbox (the 'jira' jobs); no call to Jira. */
export type JiraRecord = {
  /** The status Latchkey last moved the issue to (null: none written yet), and when. */
  status: string | null;
  statusAt: string | null;
  entries: JiraRecordEntry[];
};

export type RequestDetail = RequestRow & {
  approvals: ApprovalRecord[];
  grants: GrantRow[];
  jobs: JobRow[];
  timeline: TimelineEntry[];
  jiraRecord: JiraRecord;
};

export type JobKind = 'provision' | 'revoke' | 'jira';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'manual';

export type JobRow = {
  id: number;
  kind: JobKind;
  grantId: number | null;
  requestId: number | null;
  connectionId: number | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Human summary: "Add ada@example.com to app-figma-editors (Okta)". */
  summary: string;
};

export type ManualTask = {
  id: number;
  grantId: number | null;
  jobId: number | null;
  action: 'add' | 'remove';
  reason: string;
  instructions: string;
  status: 'open' | 'done' | 'cancelled';
  evidence: string | null;
  completedBy: string | null;
  completedAt: string | null;
  createdAt: string;
};

export type DriftKind = 'reappeared' | 'missing' | 'expired-still-member';
export type DriftRow = {
  id: number;
  kind: DriftKind;
  connectionId: number;
  groupId: string;
  groupName: string | null;
  identityId: string;
  identityName: string | null;
  grantId: number | null;
  detectedAt: string;
  resolvedAt: string | null;
  message: string;
};
