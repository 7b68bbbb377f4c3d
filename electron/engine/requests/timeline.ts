// A request's full story in time order, merged from where each part lives:
// the request's own audit events (created, each step, escalation, expiry,
// cancellation: written by requests.ts with a human summary), the grants
// (provisioned, notice, revoked, expired), every job attempt (provisioning,
// revocation, Jira write-back), manual tasks, drift and the Jira link. Read
// from the tables rather than kept as a separate log, so it can never
// disagree with them.
import type { TimelineEntry } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';
import type { DetailParts } from './queries.js';

const REQUEST_KINDS: Record<string, TimelineEntry['kind']> = {
  'request.created': 'created',
  'request.step-opened': 'step-opened',
  'request.step-approved': 'approved',
  'request.approved': 'approved',
  'request.auto-approved': 'approved',
  'request.denied': 'denied',
  'request.escalated': 'escalated',
  'request.expired': 'expired',
  'request.cancelled': 'cancelled',
};

type AuditDbRow = { seq: number; at: string; actor: string; action: string; details: string };

const parse = (text: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function requestTimeline(db: Db, parts: DetailParts): TimelineEntry[] {
  const { request, grants, jobs, connectionNames } = parts;
  const out: TimelineEntry[] = [];
  const where = (connectionId: number): string => connectionNames.get(connectionId) ?? `connection #${connectionId}`;

  const events = db
    .prepare(`SELECT seq, at, actor, action, details FROM audit_events WHERE target_type = 'request' AND target_id = ? ORDER BY seq`)
    .all(String(request.id)) as AuditDbRow[];
  for (const e of events) {
    const kind = REQUEST_KINDS[e.action];
    if (!kind) continue;
    const d = parse(e.details);
    const by = str(d.by) ?? e.actor;
    out.push({ at: e.at, kind, actor: by, text: str(d.summary) ?? e.action, detail: str(d.comment) ?? str(d.note) ?? str(d.reason) ?? null });
  }

  for (const g of grants) {
    const target = `${g.groupName} (${where(g.connectionId)})`;
    if (g.provisionedAt) out.push({ at: g.provisionedAt, kind: 'provisioned', actor: null, text: `Added to ${target}${g.expiresAt ? `, until ${g.expiresAt}` : ', permanent'}` });
    if (g.noticeAt) out.push({ at: g.noticeAt, kind: 'notice', actor: null, text: `Expiry notice: access to ${target} ends ${g.expiresAt ?? 'soon'}` });
    if (g.endedAt) {
      const kind: TimelineEntry['kind'] = g.status === 'expired' ? 'grant-expired' : 'revoked';
      const verb = g.status === 'expired' ? 'Expired' : g.status === 'cancelled' ? 'Ended' : 'Removed';
      out.push({ at: g.endedAt, kind, actor: null, text: `${verb}: ${target}`, detail: g.endReason });
    }
  }

  const grantIds = grants.map((g) => g.id);
  const jobById = new Map(jobs.map((j) => [j.id, j]));
  if (jobs.length > 0) {
    const attempts = db
      .prepare(
        `SELECT job_id, attempt, started_at, finished_at, outcome, http_status, error FROM job_attempts
         WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY started_at, job_id, attempt`,
      )
      .all(JSON.stringify(jobs.map((j) => j.id))) as {
      job_id: number;
      attempt: number;
      started_at: string;
      finished_at: string | null;
      outcome: string | null;
      http_status: number | null;
      error: string | null;
    }[];
    for (const a of attempts) {
      const job = jobById.get(a.job_id);
      if (!job) continue;
      const outcome = a.outcome ?? 'running';
      const http = a.http_status !== null ? ` (HTTP ${a.http_status})` : '';
      out.push({
        at: a.finished_at ?? a.started_at,
        kind: job.kind === 'jira' ? 'jira' : 'job-attempt',
        actor: null,
        text: `${job.summary}: attempt ${a.attempt} ${outcome}${http}`,
        detail: a.error,
      });
    }
  }

  if (grantIds.length > 0) {
    const tasks = db
      .prepare(
        `SELECT id, action, reason, instructions, status, evidence, completed_by, completed_at, created_at FROM manual_tasks
         WHERE grant_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      .all(JSON.stringify(grantIds)) as {
      id: number;
      action: string;
      reason: string;
      instructions: string;
      status: string;
      evidence: string | null;
      completed_by: string | null;
      completed_at: string | null;
      created_at: string;
    }[];
    for (const t of tasks) {
      out.push({ at: t.created_at, kind: 'manual-task', actor: null, text: `Manual task #${t.id} (${t.action}): ${t.reason}`, detail: t.instructions });
      if (t.completed_at) {
        out.push({
          at: t.completed_at,
          kind: 'manual-task',
          actor: t.completed_by,
          text: `Manual task #${t.id} ${t.status === 'done' ? 'done' : t.status}`,
          detail: t.evidence,
        });
      }
    }
    const drift = db
      .prepare(
        `SELECT kind, group_id, identity_id, detected_at, resolved_at, resolution FROM drift
         WHERE grant_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      .all(JSON.stringify(grantIds)) as { kind: string; group_id: string; detected_at: string; resolved_at: string | null; resolution: string | null }[];
    for (const d of drift) {
      out.push({ at: d.detected_at, kind: 'drift', actor: null, text: `Drift detected: ${d.kind} (group ${d.group_id})` });
      if (d.resolved_at) out.push({ at: d.resolved_at, kind: 'drift', actor: null, text: `Drift resolved: ${d.kind}`, detail: d.resolution });
    }
  }

  if (request.jira_issue_key) {
    const firstJira = jobs.find((j) => j.kind === 'jira' && j.status === 'succeeded');
    const at = request.source === 'jira' ? request.created_at : (firstJira?.finishedAt ?? request.updated_at);
    out.push({
      at,
      kind: 'jira',
      actor: null,
      text: request.source === 'jira' ? `Imported from Jira issue ${request.jira_issue_key}` : `Recorded in Jira issue ${request.jira_issue_key}`,
    });
  }

  // Stable: entries of one instant keep the order they were gathered in (the request's own first).
  return out.map((e, i) => ({ e, i })).sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : a.i - b.i)).map((x) => x.e);
}
