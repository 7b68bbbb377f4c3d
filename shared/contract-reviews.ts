// Channels of the reviews area, merged into shared/contract.ts: access-review
// campaigns (definition, preview, launch on a frozen population), the review
// items with their explained recommendations, reviewers' decisions (drafts,
// submission, reassignment), progress, close and what each revoke became, and
// the reviewer workbook. Output field names are stable: the CLI prints them
// with --json and the README documents them.
import { z } from 'zod';
import { read, write } from './channel.js';
import type { Page } from './domain.js';

const id = z.number().int().positive();
const text = (what: string, max = 2000) => z.string().trim().min(1, `${what} is required`).max(max, `${what} is too long (at most ${max} characters)`);
const email = z.string().trim().toLowerCase().pipe(z.email('not an e-mail address'));
/** An ISO date or date-time (a bare date means its start, UTC). */
const isoDate = z
  .string()
  .trim()
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), 'not a date (use YYYY-MM-DD or an ISO date-time)');
const groupRef = z.object({ connectionId: id, groupId: z.string().trim().min(1).max(300) }).strict();
const idpAppRef = z.object({ connectionId: id, appId: z.string().trim().min(1).max(300) }).strict();

export const REVIEWER_KINDS = ['manager', 'owner', 'group-owner', 'named'] as const;
export type ReviewerKind = (typeof REVIEWER_KINDS)[number];
export const CLOSE_OUTCOMES = ['no-change', 'revoke', 'recommendation'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
export const RECOMMENDATIONS = ['revoke', 'look', 'keep'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];
export const REVIEW_DECISIONS = ['keep', 'revoke'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
/** Why a reviewer decided as they did; free text goes in the comment. */
export const REASON_CODES = ['still-needed', 'temporary', 'covered-elsewhere', 'left-team', 'unrecognised'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export const REVIEW_CHANNELS = ['console', 'cli', 'jira', 'workbook', 'system'] as const;
export type ReviewChannel = (typeof REVIEW_CHANNELS)[number];
export const CAMPAIGN_STATUSES = ['draft', 'active', 'remediating', 'complete', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const HELD_VIA = ['direct', 'group-rule', 'dynamic-group', 'external'] as const;
export type HeldVia = (typeof HELD_VIA)[number];
export const REMEDIATION_STATUSES = ['queued', 'done', 'verified', 'failed', 'manual', 'manual-done'] as const;
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];

/** The stable codes of recommendation reasons (each item may carry several). */
export const RECOMMENDATION_REASONS = [
  'account-inactive',
  'no-sign-in',
  'never-signed-in',
  'outside-process',
  'expired-grant-present',
  'past-end-date',
  'peer-outlier',
  'moved-since-grant',
  'high-risk',
  'recently-approved',
] as const;
export type RecommendationReasonCode = (typeof RECOMMENDATION_REASONS)[number];
export type RecommendationReason = { code: RecommendationReasonCode; text: string };

export const reviewScopeInput = z
  .object({
    /** Catalog roles: every group each is mapped to. */
    roleIds: z.array(id).max(1000).default([]),
    /** Catalog apps: every role's groups. */
    appIds: z.array(id).max(1000).default([]),
    /** IdP groups, mapped or not. */
    groups: z.array(groupRef).max(5000).default([]),
    /** IdP apps: every group assigned to them (where unmanaged access hides). */
    idpApps: z.array(idpAppRef).max(1000).default([]),
    /** Only these connections (empty: every IdP connection). Without roles, apps or groups: every membership in them. */
    connectionIds: z.array(id).max(100).default([]),
    people: z
      .object({
        departments: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
        /** Employment types as the IdP has them (e.g. Employee, Contractor, Partner). */
        employmentTypes: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
        /** Account statuses (ACTIVE, SUSPENDED, DEPROVISIONED, ...). */
        statuses: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
        managerEmails: z.array(email).max(500).default([]),
      })
      .strict()
      .default({ departments: [], employmentTypes: [], statuses: [], managerEmails: [] }),
    /** Include memberships that already have an end date. */
    includeTimeBound: z.boolean().default(true),
    /** Include memberships held through group rules, dynamic groups or a source directory (revoking them is a manual task). */
    includeRuleManaged: z.boolean().default(true),
  })
  .strict();
export type ReviewScope = z.infer<typeof reviewScopeInput>;

const stageInput = z
  .object({
    kind: z.enum(REVIEWER_KINDS),
    /** For kind 'named': who reviews everything (one) or in turn by person (several: items spread by person). */
    named: z.array(email).max(100).default([]),
  })
  .strict();

export const reviewersInput = z
  .object({
    stage1: stageInput,
    /** Who reviews when the chosen reviewer is missing, inactive or the person under review. Required: self-review is never allowed. */
    fallback: email,
    /** A second stage for what stage one decided (e.g. the app owner for what the manager kept). */
    stage2: stageInput.extend({ outcomes: z.array(z.enum(REVIEW_DECISIONS)).min(1).default(['keep']), dueAt: isoDate.optional() }).strict().optional(),
  })
  .strict();
export type ReviewersConfig = z.infer<typeof reviewersInput>;

export const reviewThresholdsInput = z
  .object({
    /** Launch refuses a connection with no successful sync within this many hours (or whose last sync failed). */
    staleSyncHours: z.number().int().min(1).max(24 * 30).default(24),
    /** No sign-in for this many days: "look closely". */
    inactiveLookDays: z.number().int().min(1).max(3650).default(30),
    /** No sign-in for this many days: "revoke". */
    inactiveRevokeDays: z.number().int().min(1).max(3650).default(90),
    /** Never signed in and created more than this many days ago. */
    neverSignedInDays: z.number().int().min(1).max(3650).default(14),
    /** Granted through an approved request within this many days: "keep". */
    recentApprovalDays: z.number().int().min(1).max(3650).default(30),
    /** Peer outlier: held by fewer than this percent of the same department and title... */
    peerPercent: z.number().min(0).max(100).default(10),
    /** ...when that peer group has at least this many people. */
    peerMinGroup: z.number().int().min(2).max(100000).default(5),
  })
  .strict();
export type ReviewThresholds = z.infer<typeof reviewThresholdsInput>;

export const campaignDefinitionInput = z
  .object({
    name: text('a name', 200),
    description: z.string().trim().max(4000).default(''),
    scope: reviewScopeInput,
    reviewers: reviewersInput,
    dueAt: isoDate,
    /** What undecided items get at close, each marked "applied by default". */
    defaultOutcome: z.enum(CLOSE_OUTCOMES).default('no-change'),
    thresholds: reviewThresholdsInput.default(reviewThresholdsInput.parse({})),
    /** Repeat every N months: at close the next campaign is created from this definition. */
    recurrenceMonths: z.number().int().min(1).max(36).nullable().default(null),
  })
  .strict();
export type CampaignDefinition = z.infer<typeof campaignDefinitionInput>;

/** Counts of the frozen population per connection, checked against the snapshot's own totals for the same scope. */
export type PopulationCount = { connectionId: number; name: string; items: number; snapshotTotal: number; syncRunId: number | null; syncedAt: string | null };

export type CampaignSummary = {
  id: number;
  name: string;
  status: CampaignStatus;
  stage: 1 | 2;
  dueAt: string | null;
  createdAt: string;
  createdBy: string;
  launchedAt: string | null;
  items: number;
  decided: number;
  revokes: number;
  /** Reviewers past the due date with undecided items. */
  overdueReviewers: number;
  /** Items the signed-in operator has to decide (their own queue). */
  mine: number;
};

export type CampaignView = CampaignSummary & {
  description: string;
  definition: CampaignDefinition;
  parentId: number | null;
  launchedBy: string | null;
  launchedChannel: string | null;
  staleOverride: { reason: string; by: string } | null;
  population: { count: number; hash: string; byConnection: PopulationCount[] } | null;
  closedAt: string | null;
  closedBy: string | null;
  completedAt: string | null;
  /** Remediation of revokes: how many in each state. */
  remediation: Record<RemediationStatus, number>;
  nextCampaignId: number | null;
};

export type StaleConnection = { connectionId: number; name: string; lastSuccessAt: string | null; lastStatus: string | null; why: string };

export type CampaignPreview = {
  total: number;
  byConnection: { connectionId: number; name: string; items: number }[];
  byApp: { label: string; items: number }[];
  byReviewer: { reviewer: string; name: string | null; items: number; viaFallback: number }[];
  byRecommendation: Record<Recommendation, number>;
  /** The reviewers with the most items (first 10). */
  topReviewers: { reviewer: string; name: string | null; items: number }[];
  /** Connections in scope whose data is too old or whose last sync failed: launch refuses them without an override. */
  stale: StaleConnection[];
  warnings: string[];
};

export type ReviewItemDecision = {
  decision: ReviewDecision;
  reasonCode: ReasonCode | null;
  comment: string | null;
  keepUntil: string | null;
  state: 'draft' | 'submitted';
  by: string;
  channel: ReviewChannel;
  recordedBy: string | null;
  appliedByDefault: boolean;
  at: string;
};

export type ReviewItemRow = {
  id: number;
  campaignId: number;
  stage: 1 | 2;
  connectionId: number;
  connectionName: string;
  identityId: string;
  person: { name: string; email: string | null; status: string; title: string | null; department: string | null; managerEmail: string | null; managerName: string | null; employmentType: string | null; lastLogin: string | null; created: string | null };
  access: { groupId: string; groupName: string; heldVia: HeldVia; viaApps: string[]; roleId: number | null; roleLabel: string | null; risk: string | null; appLabel: string | null };
  /** What is behind the access; null = held outside the process. */
  grant: { grantId: number; requestId: number | null; approvers: string[]; jiraKey: string | null; jiraUrl: string | null; grantedAt: string | null; expiresAt: string | null } | null;
  recommendation: Recommendation;
  reasons: RecommendationReason[];
  /** The recommendation or its reasons changed since launch (a reason appeared or went). */
  changedSinceLaunch: boolean;
  launchRecommendation: Recommendation;
  peerPercent: number | null;
  reviewer: string;
  reviewerSource: string;
  decision: ReviewItemDecision | null;
  remediation: { kind: 'revoke' | 'time-bound'; status: RemediationStatus; grantId: number | null; jobId: number | null; taskId: number | null; verifiedRunId: number | null; verifiedAt: string | null; note: string | null } | null;
};

export type ReviewItemDetail = ReviewItemRow & { history: (ReviewItemDecision & { stage: number })[]; rowHash: string };

export const reviewItemsQuery = z
  .object({
    campaignId: id,
    /** One reviewer's items ('me': the signed-in operator, or who a sandbox session acts as). */
    reviewer: z.union([z.literal('me'), email]).optional(),
    stage: z.union([z.literal(1), z.literal(2)]).optional(),
    recommendation: z.enum(RECOMMENDATIONS).optional(),
    decision: z.enum(['keep', 'revoke', 'undecided', 'draft', 'submitted']).optional(),
    reason: z.enum(RECOMMENDATION_REASONS).optional(),
    /** An app or role label, or a group name. */
    app: z.string().max(300).optional(),
    remediation: z.enum(REMEDIATION_STATUSES).optional(),
    search: z.string().max(200).default(''),
    sort: z.enum(['person', 'access', 'recommendation', 'lastLogin', 'reviewer', 'decision']).default('person'),
    dir: z.enum(['asc', 'desc']).default('asc'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(100_000).default(200),
  })
  .strict();
export type ReviewItemsQuery = z.infer<typeof reviewItemsQuery>;

export const decideInput = z
  .object({
    campaignId: id,
    /** The items (or use `filter` for every item of the query). */
    itemIds: z.array(id).max(200_000).default([]),
    filter: reviewItemsQuery.omit({ campaignId: true, offset: true, limit: true, sort: true, dir: true }).optional(),
    decision: z.enum(REVIEW_DECISIONS),
    reasonCode: z.enum(REASON_CODES).optional(),
    comment: z.string().trim().max(4000).default(''),
    /** Keep, but make it time-bound: the membership becomes a grant ending then. */
    keepUntil: isoDate.optional(),
  })
  .strict();
export type DecideInput = z.infer<typeof decideInput>;

export type DecideResult = { decided: number; refused: { itemId: number; why: string }[] };

export type SubmissionView = { id: number; campaignId: number; stage: number; reviewer: string; submittedBy: string; channel: ReviewChannel; items: number; evidence: string | null; at: string };

export type ReviewerProgress = {
  reviewer: string;
  name: string | null;
  stage: number;
  total: number;
  decided: number;
  submitted: number;
  kept: number;
  revoked: number;
  approvalRate: number | null;
  rubberStamp: boolean;
  overdue: boolean;
  jiraIssueKey: string | null;
  /** The channels the reviewer's current words at this stage came through, sorted (empty: nothing decided yet). */
  channels: ReviewChannel[];
};

export type CampaignProgress = {
  total: number;
  decided: number;
  submitted: number;
  revokes: number;
  byReviewer: ReviewerProgress[];
  byApp: { label: string; total: number; decided: number; revoked: number }[];
  /** Decided (submitted) items per day since launch. */
  burndown: { day: string; remaining: number; decided: number }[];
  warnings: string[];
};

/**
 * One reviewer's items in a compact form for the console's grid (reviews:grid): the people and
 * the access they hold appear once each and items point at them, so 100,000 items cross the
 * bridge as a few MB instead of one object each. renderer/src/lib/review-grid-data.ts expands it
 * into ReviewItemRow objects (people and access objects shared between items).
 */
export type ReviewGridData = {
  campaignId: number;
  /** Whose items these are (null: nobody is signed in, no items). */
  reviewer: string | null;
  /** Jira's base URL for issue links (null: no Jira connection). */
  jiraBase: string | null;
  /** The reviewer's items in the campaign: more than `items` holds when the call asked for the `first` few. */
  total: number;
  /** [connectionId, connectionName, identityId, name, email, status, title, department, managerEmail, managerName, employmentType, lastLogin, created] */
  people: [number, string, string, string, string | null, string, string | null, string | null, string | null, string | null, string | null, string | null, string | null][];
  /** [groupId, groupName, heldVia, viaApps, roleId, roleLabel, risk, appLabel] */
  access: [string, string, HeldVia, string[], number | null, string | null, string | null, string | null][];
  /** Distinct lists of recommendation reasons. */
  reasons: RecommendationReason[][];
  /** Distinct grants: [grantId, requestId, approvers, jiraKey, grantedAt, expiresAt] */
  grants: [number, number | null, string[], string | null, string | null, string | null][];
  /**
   * One per item: [id, stage, person, access, grant (-1: outside the process), recommendation, reasons,
   * launchRecommendation, changedSinceLaunch (0/1), peerPercent, reviewerSource, decision, remediation].
   * decision: [decision, reasonCode, comment, keepUntil, state, by, channel, recordedBy, appliedByDefault (0/1), at] or null;
   * remediation: [kind, status, grantId, jobId, taskId, verifiedRunId, verifiedAt, note] or null.
   */
  items: [
    number,
    1 | 2,
    number,
    number,
    number,
    Recommendation,
    number,
    Recommendation,
    0 | 1,
    number | null,
    string,
    [ReviewDecision, ReasonCode | null, string | null, string | null, 'draft' | 'submitted', string, ReviewChannel, string | null, 0 | 1, string] | null,
    ['revoke' | 'time-bound', RemediationStatus, number | null, number | null, number | null, number | null, string | null, string | null] | null,
  ][];
};

export type WorkbookImportResult = { reviewer: string; decisions: number; sha256: string; submissionId: number };

export const reviewsChannels = {
  /** Every campaign, newest first, with its counts and the signed-in operator's open items. */
  'reviews:list': read<CampaignSummary[]>()(z.object({ status: z.enum([...CAMPAIGN_STATUSES, 'all']).default('all') }).strict()),
  /** One campaign: definition, population proof, counts, remediation. */
  'reviews:get': read<CampaignView>()(z.object({ campaignId: id }).strict()),
  /** Creates a draft campaign from a definition (nothing is asked of anyone until launch). */
  'reviews:create': write<CampaignView>()(campaignDefinitionInput),
  /** Changes a draft's definition. */
  'reviews:update': write<CampaignView>()(z.object({ campaignId: id, definition: campaignDefinitionInput }).strict()),
  /** A new draft with the same definition (a new name, a new due date). */
  'reviews:copy': write<CampaignView>()(z.object({ campaignId: id, name: text('a name', 200).optional(), dueAt: isoDate.optional() }).strict()),
  /** What launch would freeze: counts by connection, app, reviewer and recommendation, the busiest reviewers, stale connections. */
  'reviews:preview': read<CampaignPreview>()(z.object({ campaignId: id }).strict()),
  /** Freezes the population and asks the reviewers; refuses stale data unless overridden with a reason (recorded). */
  'reviews:launch': write<CampaignView>()(z.object({ campaignId: id, overrideStale: text('a reason', 1000).optional() }).strict()),
  /** Cancels a draft or an active campaign (nothing is revoked). */
  'reviews:cancel': write<CampaignView>()(z.object({ campaignId: id, reason: text('a reason', 1000) }).strict()),
  /** Review items, filtered and sorted (a reviewer's queue with reviewer 'me'). */
  'reviews:items': read<Page<ReviewItemRow>>()(reviewItemsQuery),
  /** The signed-in reviewer's items of a campaign in a compact form, for the console's review grid (up to 100,000 at once; `first`: the first screen only). */
  'reviews:grid': read<ReviewGridData>()(z.object({ campaignId: id, first: z.number().int().min(1).max(5000).optional() }).strict()),
  /** One item with every decision ever given on it. */
  'reviews:item': read<ReviewItemDetail>()(z.object({ itemId: id }).strict()),
  /** Drafts a decision on items (or on every item of a filter) as the signed-in reviewer; nothing counts until submitted. */
  'reviews:decide': write<DecideResult>()(decideInput),
  /** Submits the reviewer's drafts: recorded (who, when, channel, count), an audit event per decision. */
  'reviews:submit': write<SubmissionView>()(z.object({ campaignId: id }).strict()),
  /** Moves items (some, or all of one reviewer's) to another reviewer with a reason; never to the person under review. */
  'reviews:reassign': write<{ moved: number; refused: { itemId: number; why: string }[] }>()(
    z.object({ campaignId: id, itemIds: z.array(id).max(200_000).default([]), fromReviewer: email.optional(), to: email, reason: text('a reason', 1000) }).strict(),
  ),
  /** Decided / total per reviewer and per app, revokes, overdue reviewers, burndown, rubber-stamp warnings. */
  'reviews:progress': read<CampaignProgress>()(z.object({ campaignId: id }).strict()),
  /** Closes the stage (or the campaign): defaults applied, revokes become revocation jobs, Jira gets the summary. */
  'reviews:close': write<CampaignView>()(z.object({ campaignId: id }).strict()),
  /** A reviewer's items as an .xlsx (Decision Keep/Revoke, Reason), each row carrying a hash of its frozen values. */
  'reviews:exportWorkbook': read<{ filename: string; contentBase64: string; rows: number; sha256: string }>()(z.object({ campaignId: id, reviewer: email }).strict()),
  /** Imports a reviewer workbook: all rows or none; records channel workbook and the file's SHA-256. */
  'reviews:importWorkbook': write<WorkbookImportResult>()(z.object({ campaignId: id, contentBase64: z.string().max(120_000_000) }).strict()),
} as const;
