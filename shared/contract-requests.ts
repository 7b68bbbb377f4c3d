// Channels of the requests area, merged into shared/contract.ts: the request
// queue, approval decisions, extensions, CSV import, the pickers of the
// "New request" form, and the workspace settings (who operates the console).
import { z } from 'zod';
import { read, write } from './channel.js';
import type { ConnectionKind, Page } from './domain.js';
import {
  DURATION_OPTIONS,
  REQUEST_STATES,
  type ApprovalStep,
  type DurationOption,
  type RequestDetail,
  type RequestRow,
  type RequestState,
  type RiskTier,
} from './governance.js';

const id = z.number().int().positive();

/** The longest custom duration anyone can ask for (a role's own maximum is usually far lower): ten years. */
export const MAX_CUSTOM_MINUTES = 10 * 365 * 24 * 60;

/** An instant as ISO 8601 with a time zone ("2026-05-01T17:00:00Z"), or a date ("2026-05-01", the end of that day UTC). */
export const isoInstant = z
  .string()
  .trim()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'not a date: expected ISO 8601 like 2026-05-01 or 2026-05-01T17:00:00Z',
  });

/** Who a request is for: an IdP account, or an e-mail/login looked up in the snapshot. */
export const beneficiaryRef = z.union([
  z.object({ connectionId: id, identityId: z.string().min(1).max(200) }).strict(),
  z.object({ email: z.string().trim().min(1, 'the beneficiary e-mail is empty').max(320) }).strict(),
]);
export type BeneficiaryRef = z.infer<typeof beneficiaryRef>;

export const createRequestInput = z
  .object({
    beneficiary: beneficiaryRef,
    /** Catalog role id, or its label "App / Role". */
    role: z.union([id, z.string().trim().min(1, 'the role is empty').max(400)]),
    duration: z.enum(DURATION_OPTIONS as [DurationOption, ...DurationOption[]]),
    /** Only with duration 'custom'. */
    minutes: z.number().int().positive().max(MAX_CUSTOM_MINUTES).nullish(),
    /** Access ends at this instant at the latest (required for contractors/partners asking for permanent access). */
    endsAt: isoInstant.nullish(),
    justification: z.string().max(4000),
  })
  .strict();
export type CreateRequestInput = z.infer<typeof createRequestInput>;

export const requestListQuery = z
  .object({
    /** mine: steps waiting for the operator's decision; open: every pending request; all: everything. */
    view: z.enum(['mine', 'open', 'all']).default('all'),
    /** The requests' one status word (RequestState: the decision and what became of the access), any of these. */
    status: z.array(z.enum(REQUEST_STATES as [RequestState, ...RequestState[]])).max(REQUEST_STATES.length).default([]),
    search: z.string().max(200).default(''),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type RequestListQuery = z.infer<typeof requestListQuery>;

export const decisionInput = z
  .object({
    id,
    decision: z.enum(['approve', 'deny']),
    comment: z.string().max(4000).default(''),
    /** Recording another approver's decision (given by e-mail, in a meeting): their e-mail, why it is recorded here, and the evidence reference. */
    onBehalfOf: z
      .object({
        approver: z.string().trim().email('the approver must be an e-mail address'),
        reason: z.string().trim().min(1, 'say why you record this decision for them').max(2000),
        evidence: z.string().trim().min(1, 'give an evidence reference (e.g. the e-mail message id)').max(2000),
      })
      .strict()
      .optional(),
  })
  .strict();

export const bulkDecisionInput = z
  .object({
    ids: z.array(id).min(1, 'no request picked').max(1000),
    decision: z.enum(['approve', 'deny']),
    comment: z.string().max(4000).default(''),
  })
  .strict();

export const extendInput = z
  .object({
    /** The approved request whose access is extended. */
    requestId: id,
    duration: z.enum(DURATION_OPTIONS as [DurationOption, ...DurationOption[]]),
    minutes: z.number().int().positive().max(MAX_CUSTOM_MINUTES).nullish(),
    endsAt: isoInstant.nullish(),
    justification: z.string().max(4000),
  })
  .strict();
export type ExtendInput = z.infer<typeof extendInput>;

export const settingsPatch = z
  .object({
    expiryNoticeHours: z.number().int().min(0).max(24 * 30).optional(),
    /** Hours a leaver's access may take to be removed before the evidence workbook flags it (default 24). */
    leaverDeadlineHours: z.number().int().min(1).max(24 * 30).optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof settingsPatch>;

/** One result of a bulk decision: each request is decided on its own. */
export type BulkDecisionResult = { id: number; ok: true; status: RequestRow['status'] } | { id: number; ok: false; error: string; code: string };

/** A CSV import: either every row became a request, or none did and each bad row is named. */
export type CsvImportResult = { created: number[]; errors: { row: number; message: string }[] };

/** One IdP account of the person a BeneficiaryOption stands for. */
export type BeneficiaryAccount = {
  connectionId: number;
  connectionName: string;
  kind: ConnectionKind;
  identityId: string;
  login: string;
  email: string | null;
  status: string;
};

/**
 * A person the "New request" form (and "Acting as") can pick: one per person
 * across IdPs. The fields describe the account that stands for them (their
 * first account that can receive access), which a request names; the engine
 * finds the person's account in each IdP the role maps groups in.
 */
export type BeneficiaryOption = {
  connectionId: number;
  connectionName: string;
  identityId: string;
  name: string;
  email: string | null;
  login: string;
  status: string;
  employeeType: string | null;
  department: string | null;
  title: string | null;
  managerName: string | null;
  /** Every account of the person, the standing one included, by connection. */
  accounts: BeneficiaryAccount[];
};

/** A role the form offers, with what the requester must know before asking. */
export type RequestableRole = {
  id: number;
  label: string;
  appName: string;
  name: string;
  description: string;
  risk: RiskTier;
  durations: DurationOption[];
  defaultDuration: DurationOption;
  maxDurationMinutes: number | null;
  autoApprove: boolean;
  steps: ApprovalStep[];
  /** Employee types (lower-case) that must give an end date for permanent access. */
  requireEndDateFor: string[];
  mappedGroups: number;
};

export type SettingsView = {
  expiryNoticeHours: number;
  leaverDeadlineHours: number;
};

/** The dashboard's governance counts (requests:governanceCounts); each card links to the list it counts. */
export type GovernanceCounts = {
  /** Requests waiting for an approval step. */
  pendingApprovals: number;
  /** Of those, the ones whose current step the operator may decide (null: no operator set). */
  waitingForOperator: number | null;
  /** Active grants with an end date. */
  activeTimeBound: number;
  /** Active grants ending within `expiringWithinHours`. */
  expiringSoon: number;
  expiringWithinHours: number;
  failedJobs: number;
  manualTasks: number;
  openDrift: number;
};

export const requestsChannels = {
  /** A page of requests: my approvals, all open, or all (by status), with search; newest first. */
  'requests:list': read<Page<RequestRow>>()(requestListQuery),
  /** Governance counts for the dashboard: pending approvals, active time-bound grants, grants expiring within a day, failed jobs, open manual tasks and drift. */
  'requests:governanceCounts': read<GovernanceCounts>()(z.object({}).strict()),
  /** One request with its approval steps, grants, jobs and full timeline. */
  'requests:get': read<RequestDetail>()(z.object({ id }).strict()),
  /** Files a request as the operator (for themselves or on behalf of someone); routes it or auto-approves it. */
  'requests:create': write<RequestRow>()(createRequestInput),
  /** Approves or denies the current step of a request as the operator. */
  'requests:decide': write<RequestRow>()(decisionInput),
  /** Decides many requests with one comment; each is decided on its own, so one refusal does not undo the others. */
  'requests:bulkDecide': write<{ results: BulkDecisionResult[] }>()(bulkDecisionInput),
  /** Withdraws a pending request. */
  'requests:cancel': write<RequestRow>()(z.object({ id, reason: z.string().max(2000).default('') }).strict()),
  /** Asks for more time on an approved request's active access: a new request (source 'extend') for the same role and person. */
  'requests:extend': write<RequestRow>()(extendInput),
  /** Imports requests from CSV text (beneficiary e-mail, app, role, duration, justification, requester): all rows or none. */
  'requests:importCsv': write<CsvImportResult>()(z.object({ csv: z.string().max(5_000_000) }).strict()),
  /** People (one entry per person across IdPs) the "New request" form and "Acting as" can pick, by name, e-mail or login. */
  'requests:searchBeneficiaries': read<BeneficiaryOption[]>()(
    z.object({ search: z.string().max(200).default(''), limit: z.number().int().min(1).max(50).default(20) }).strict(),
  ),
  /** Catalog roles that can be requested, with risk, durations and approval steps. */
  'requests:requestableRoles': read<RequestableRole[]>()(z.object({}).strict()),
  /** Workspace settings: who operates this console, expiry notice lead time. */
  'settings:get': read<SettingsView>()(z.object({}).strict()),
  /** Changes workspace settings (the expiry notice lead time). */
  'settings:set': write<SettingsView>()(settingsPatch),
} as const;
