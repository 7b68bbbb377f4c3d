// A request's full story in time order, merged from where each part lives:
// the request's own audit events (created, each step, escalation, expiry,
// cancellation: written by requests.ts with a human summary), the grants
// (provisioned, notice, revoked, expired), every job attempt (provisioning,
// revocation, Jira write-back), manual tasks, drift and the Jira link. Read
// from the tables rather than kept as a separate log, so it can never
// disagree with them.
import type { TimelineEntry } from '../../../shared/governance.js';
import { auditEventsOf } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { driftOfGrants } from '../jobs/drift.js';
import { jobAttemptsOf } from '../jobs/job-store.js';
import { tasksOfGrants } from '../jobs/manual-tasks.js';
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

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function requestTimeline(db: Db, parts: DetailParts): TimelineEntry[] {
  const { request, grants, jobs, connectionNames } = parts;
  const out: TimelineEntry[] = [];
  const where = (connectionId: number): string => connectionNames.get(connectionId) ?? `connection #${connectionId}`;

  for (const e of auditEventsOf(db, 'request', request.id)) {
    const kind = REQUEST_KINDS[e.action];
    if (!kind) continue;
    const d = e.details;
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
    for (const a of jobAttemptsOf(db, jobs.map((j) => j.id))) {
      const job = jobById.get(a.jobId);
      if (!job) continue;
      const outcome = a.outcome ?? 'running';
      const http = a.httpStatus !== null ? ` (HTTP ${a.httpStatus})` : '';
      out.push({
        at: a.finishedAt ?? a.startedAt,
        kind: job.kind === 'jira' ? 'jira' : 'job-attempt',
        actor: null,
        text: `${job.summary}: attempt ${a.attempt} ${outcome}${http}`,
        detail: a.error,
      });
    }
  }

  if (grantIds.length > 0) {
    for (const t of tasksOfGrants(db, grantIds)) {
      out.push({ at: t.createdAt, kind: 'manual-task', actor: null, text: `Manual task #${t.id} (${t.action}): ${t.reason}`, detail: t.instructions });
      if (t.completedAt) {
        out.push({
          at: t.completedAt,
          kind: 'manual-task',
          actor: t.completedBy,
          text: `Manual task #${t.id} ${t.status === 'done' ? 'done' : t.status}`,
          detail: t.evidence,
        });
      }
    }
    for (const d of driftOfGrants(db, grantIds)) {
      out.push({ at: d.detectedAt, kind: 'drift', actor: null, text: `Drift detected: ${d.kind} (group ${d.groupId})` });
      if (d.resolvedAt) out.push({ at: d.resolvedAt, kind: 'drift', actor: null, text: `Drift resolved: ${d.kind}`, detail: d.resolution });
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
