// Channels of the joiner / mover / leaver orchestration plans, merged into
// shared/contract.ts: the plans (newest first, by status and kind), one
// plan's timeline (its steps by tier, each with what it did, when, and its
// error), and retrying a failed plan's failed steps.
import { z } from 'zod';
import { read, write } from './channel.js';

export const PLAN_KINDS = ['joiner', 'mover', 'leaver'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

/** waiting: before its effective time; rolling-back: a critical step failed and the plan's own additions are being removed; partial: done, with failed non-critical steps. */
export const PLAN_STATUSES = ['waiting', 'running', 'rolling-back', 'done', 'partial', 'failed', 'cancelled'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const STEP_KINDS = ['check', 'add', 'remove', 'suspend', 'manual', 'notice'] as const;
export type PlanStepKind = (typeof STEP_KINDS)[number];

export const STEP_STATUSES = ['waiting', 'running', 'done', 'failed', 'manual', 'skipped', 'cancelled', 'rolled-back'] as const;
export type PlanStepStatus = (typeof STEP_STATUSES)[number];

/** The tiers a plan runs in, in order (1..6). */
export const PLAN_TIERS = ['account checks', 'base access', 'department', 'role', 'manual steps', 'notices'] as const;

export type PlanSummary = {
  id: number;
  kind: PlanKind;
  status: PlanStatus;
  personId: string;
  personName: string;
  personEmail: string | null;
  hrEventId: string | null;
  effectiveDate: string;
  effectiveAt: string;
  policyVersions: { policyId: number; version: number }[];
  reason: string | null;
  stepCount: number;
  stepsDone: number;
  stepsFailed: number;
  jiraIssueKey: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Leaver: when the last removal landed, and the hours from the effective date to it. */
  lastRemovalAt: string | null;
  hoursToRemoval: number | null;
};

export type PlanStepView = {
  id: number;
  key: string;
  tier: number;
  tierName: string;
  kind: PlanStepKind;
  label: string;
  critical: boolean;
  dependsOn: string[];
  status: PlanStepStatus;
  note: string | null;
  error: string | null;
  policy: { policyId: number; version: number } | null;
  roleId: number | null;
  connectionId: number | null;
  groupName: string | null;
  assignee: string | null;
  notBefore: string | null;
  grantId: number | null;
  jobId: number | null;
  taskId: number | null;
  undoJobId: number | null;
  startedAt: string | null;
  finishedAt: string | null;
};

export type PlanView = PlanSummary & { steps: PlanStepView[] };

export const planListInput = z
  .object({
    status: z.enum([...PLAN_STATUSES, 'all', 'open']).default('all'),
    kind: z.enum([...PLAN_KINDS, 'all']).default('all'),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

const planId = z.number().int().positive();

export const planChannels = {
  /** Joiner, mover and leaver plans, newest first. */
  'plans:list': read<{ rows: PlanSummary[]; total: number }>()(planListInput),
  /** One plan with its steps by tier (the timeline). */
  'plans:get': read<PlanView>()(z.object({ planId }).strict()),
  /** Runs a failed or partial plan's failed steps again (their jobs re-queued); the plan resumes from them. */
  'plans:retry': write<PlanView>()(z.object({ planId }).strict()),
} as const;
