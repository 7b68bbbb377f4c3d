// The plans and plan_steps tables (migration 12): every statement on them.
// A plan is inserted with all of its steps in the transaction that processes
// its trigger (the HR event), so a crash never leaves a plan without steps
// or an event marked processed without its plan; the advance (advance.ts)
// moves steps and plans one transaction per change, with the audit event.
import type { PlanKind, PlanStatus, PlanStepKind, PlanStepStatus } from '../../../shared/contract-plans.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';

export type PlanRecord = {
  id: number;
  kind: PlanKind;
  trigger_key: string;
  person_id: string;
  person_name: string;
  person_email: string | null;
  hr_event_id: number | null;
  effective_date: string;
  effective_at: string;
  policy_versions: string;
  status: PlanStatus;
  reason: string | null;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
  jira_issue_id: string | null;
  last_removal_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
};

export type StepRecord = {
  id: number;
  plan_id: number;
  step_key: string;
  tier: number;
  kind: PlanStepKind;
  label: string;
  depends_on: string;
  critical: 0 | 1;
  role_id: number | null;
  policy_id: number | null;
  policy_version: number | null;
  connection_id: number | null;
  group_id: string | null;
  group_name: string | null;
  identity_id: string | null;
  assignee: string | null;
  not_before: string | null;
  grace_days: number | null;
  duration_days: number | null;
  status: PlanStepStatus;
  note: string | null;
  error: string | null;
  grant_id: number | null;
  job_id: number | null;
  task_id: number | null;
  undo_job_id: number | null;
  started_at: string | null;
  finished_at: string | null;
};

export type NewPlan = Pick<PlanRecord, 'kind' | 'trigger_key' | 'person_id' | 'person_name' | 'person_email' | 'hr_event_id' | 'effective_date' | 'effective_at' | 'status'> & {
  policyVersions: { policyId: number; version: number }[];
};

export type NewStep = Pick<StepRecord, 'step_key' | 'tier' | 'kind' | 'label'> &
  Partial<Pick<StepRecord, 'role_id' | 'policy_id' | 'policy_version' | 'connection_id' | 'group_id' | 'group_name' | 'identity_id' | 'assignee' | 'not_before' | 'grace_days' | 'duration_days' | 'note'>> & {
    dependsOn?: string[];
    critical?: boolean;
  };

/** Inserts a plan and its steps (all 'waiting'); returns the plan's id, or null when its trigger was planned already. */
export function insertPlan(db: Db, p: NewPlan, steps: readonly NewStep[], now: Date): number | null {
  const at = now.toISOString();
  const row = db
    .prepare(
      `INSERT INTO plans (kind, trigger_key, person_id, person_name, person_email, hr_event_id, effective_date, effective_at, policy_versions, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trigger_key) DO NOTHING RETURNING id`,
    )
    .get(p.kind, p.trigger_key, p.person_id, p.person_name, p.person_email, p.hr_event_id, p.effective_date, p.effective_at, JSON.stringify(p.policyVersions), p.status, at, at) as
    | { id: number }
    | undefined;
  if (!row) return null;
  const ins = db.prepare(
    `INSERT INTO plan_steps (plan_id, step_key, tier, kind, label, depends_on, critical, role_id, policy_id, policy_version, connection_id, group_id, group_name,
       identity_id, assignee, not_before, grace_days, duration_days, note, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting')`,
  );
  for (const s of steps) {
    ins.run(
      row.id, s.step_key, s.tier, s.kind, s.label, JSON.stringify(s.dependsOn ?? []), s.critical ? 1 : 0, s.role_id ?? null, s.policy_id ?? null, s.policy_version ?? null,
      s.connection_id ?? null, s.group_id ?? null, s.group_name ?? null, s.identity_id ?? null, s.assignee ?? null, s.not_before ?? null, s.grace_days ?? null, s.duration_days ?? null, s.note ?? null,
    );
  }
  return row.id;
}

export function planRecord(db: Db, id: number): PlanRecord | null {
  return (cachedStatement(db, 'SELECT * FROM plans WHERE id = ?').get(id) as PlanRecord | undefined) ?? null;
}

export function stepsOf(db: Db, planId: number): StepRecord[] {
  return cachedStatement(db, 'SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY tier, id').all(planId) as StepRecord[];
}

/** Plans the advance has to look at: waiting ones due by `now`, and every running or rolling-back one. */
export function plansToAdvance(db: Db, now: Date): number[] {
  return db
    .prepare("SELECT id FROM plans WHERE status IN ('running', 'rolling-back') OR (status = 'waiting' AND effective_at <= ?) ORDER BY effective_at, id")
    .pluck()
    .all(now.toISOString()) as number[];
}

/** The open plans (waiting, running, rolling back) of a person, oldest first. */
export function openPlansOfPerson(db: Db, personId: string): PlanRecord[] {
  return db.prepare("SELECT * FROM plans WHERE person_id = ? AND status IN ('waiting', 'running', 'rolling-back') ORDER BY id").all(personId) as PlanRecord[];
}

export type PlanPatch = Partial<Pick<PlanRecord, 'status' | 'reason' | 'started_at' | 'finished_at' | 'last_removal_at' | 'jira_connection_id' | 'jira_issue_key' | 'jira_issue_id'>>;

export function setPlan(db: Db, id: number, patch: PlanPatch, now: Date): void {
  const cols = Object.keys(patch) as (keyof PlanPatch)[];
  if (cols.length === 0) return;
  cachedStatement(db, `UPDATE plans SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, updated_at: now.toISOString(), id });
}

export type StepPatch = Partial<Pick<StepRecord, 'status' | 'note' | 'error' | 'grant_id' | 'job_id' | 'task_id' | 'undo_job_id' | 'started_at' | 'finished_at'>>;

export function setStep(db: Db, id: number, patch: StepPatch): void {
  const cols = Object.keys(patch) as (keyof StepPatch)[];
  if (cols.length === 0) return;
  cachedStatement(db, `UPDATE plan_steps SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...patch, id });
}

export type PlanFilter = { status?: PlanStatus | 'all' | 'open'; kind?: PlanKind | 'all'; limit?: number };

/** A page of plans, newest first, with their step counts, and how many match. */
export function listPlanRecords(db: Db, q: PlanFilter): { rows: (PlanRecord & { steps: number; done: number; failed: number })[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit ?? 200 };
  if (q.status === 'open') where.push("status IN ('waiting', 'running', 'rolling-back')");
  else if (q.status && q.status !== 'all') {
    where.push('status = @status');
    params.status = q.status;
  }
  if (q.kind && q.kind !== 'all') {
    where.push('kind = @kind');
    params.kind = q.kind;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare(`SELECT count(*) FROM plans ${w}`).pluck().get(params) as number;
  const rows = db
    .prepare(
      `SELECT p.*, (SELECT count(*) FROM plan_steps s WHERE s.plan_id = p.id) AS steps,
              (SELECT count(*) FROM plan_steps s WHERE s.plan_id = p.id AND s.status IN ('done', 'skipped')) AS done,
              (SELECT count(*) FROM plan_steps s WHERE s.plan_id = p.id AND s.status = 'failed') AS failed
       FROM plans p ${w} ORDER BY p.id DESC LIMIT @limit`,
    )
    .all(params) as (PlanRecord & { steps: number; done: number; failed: number })[];
  return { rows, total };
}

export type LeaverPlanRow = PlanRecord & { removals: number; removed: number; open: number; memberships_removed: number };

/**
 * Leaver plans effective in [from, to] (instants), with their removal steps
 * counted: for the evidence workbook's Leavers sheet. A workspace file from
 * before plans (opened read-only, never migrated) has none.
 */
export function leaverPlansBetween(db: Db, from: string, to: string): LeaverPlanRow[] {
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'plans'").get() === undefined) return [];
  return db
    .prepare(
      `SELECT p.*, count(s.id) AS removals, coalesce(sum(s.status IN ('done', 'skipped')), 0) AS removed,
              coalesce(sum(s.status NOT IN ('done', 'skipped')), 0) AS open,
              coalesce(sum(s.status = 'done' AND s.step_key LIKE 'remove:member:%'), 0) AS memberships_removed
       FROM plans p LEFT JOIN plan_steps s ON s.plan_id = p.id AND s.kind = 'remove'
       WHERE p.kind = 'leaver' AND p.effective_at >= ? AND p.effective_at <= ? GROUP BY p.id ORDER BY p.effective_at, p.id`,
    )
    .all(from, to) as LeaverPlanRow[];
}

/** The plan step a job belongs to (its job, or its rollback's), or null. */
export function stepOfJob(db: Db, jobId: number): StepRecord | null {
  return (db.prepare('SELECT * FROM plan_steps WHERE job_id = ? OR undo_job_id = ? LIMIT 1').get(jobId, jobId) as StepRecord | undefined) ?? null;
}

/** The birthright access a person holds through plans: each 'add' step done, with its policy, grace days and grant (live or not: the caller checks). */
export function birthrightStepsOfPerson(db: Db, personId: string): StepRecord[] {
  return db
    .prepare(
      `SELECT s.* FROM plan_steps s JOIN plans p ON p.id = s.plan_id
       WHERE p.person_id = ? AND s.kind = 'add' AND s.status = 'done' AND s.grant_id IS NOT NULL AND s.role_id IS NOT NULL ORDER BY s.id`,
    )
    .all(personId) as StepRecord[];
}
