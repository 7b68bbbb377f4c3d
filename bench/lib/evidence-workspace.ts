// The evidence bench's workspace: the synthetic org of
// test/fixtures/seed-snapshot.ts (100k users, 5k groups, ~1M memberships:
// seconds to build, where a sandbox sync takes minutes on 2 cores), ten
// catalog roles on ten of its groups, a generated ledger of ~1.25M rows at
// the default 250,000 requests (requests, their approval steps, grants and
// provisioning jobs with their attempt, spread over the period, with a few of each kind of exception an
// auditor looks for), and one completed access review over every membership
// (~1M items, each decided). The ledger is generated with plain INSERTs, not
// through the request workflow: the bench measures the export, not how the
// rows came to be.
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { createCampaign } from '../../electron/engine/reviews/campaigns.js';
import { FROZEN_COLUMNS, populationRowsSql, resolveScope, scopeParamsOf } from '../../electron/engine/reviews/population.js';
import { campaignDefinitionInput } from '../../shared/contract-reviews.js';
import { seedRole } from '../../test/fixtures/governance.js';
import { seededRandom, seedSynthetic } from '../../test/fixtures/seed-snapshot.js';

export type EvidenceWorkspace = { connectionId: number; from: string; to: string; requests: number; items: number };

const DAY = 86_400_000;

/** Builds the workspace in `db` (a fresh file); the period is the 90 days before `now`. */
export function seedEvidenceWorkspace(ctx: EngineContext, o: { users: number; perUser: number; requests: number; now: Date }): EvidenceWorkspace {
  const db: Db = ctx.db;
  const rnd = seededRandom(7);
  const end = o.now.getTime();
  const start = end - 90 * DAY;
  const at = (ms: number): string => new Date(ms).toISOString();
  const cid = seedSynthetic(db, { users: o.users, groups: Math.max(10, Math.round(o.users / 20)), memberships: o.users * o.perUser, now: new Date(start - 400 * DAY) });
  db.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at) VALUES (?, 'full', 'succeeded', 1, ?, ?)").run(cid, at(end - DAY), at(end - DAY + 60_000));

  const roles: { id: number; groupId: string; groupName: string }[] = [];
  for (let r = 0; r < 10; r++) {
    const groupId = `00g${String(r * 3).padStart(8, '0')}`;
    const groupName = (db.prepare('SELECT name FROM groups WHERE connection_id = ? AND id = ? LIMIT 1').pluck().get(cid, groupId) as string | undefined) ?? `g${r}`;
    const id = seedRole(db, { app: `Bench App ${r % 3}`, role: `Role ${r}`, risk: r % 4 === 0 ? 'critical' : 'medium', owner: 'owner@example.com', groups: [{ connectionId: cid, groupId, groupName }] }, new Date(start - DAY));
    roles.push({ id, groupId, groupName });
  }

  // The ledger: one request per account (round robin over the roles), its approval, its grant and its provisioning job with one attempt.
  const people = db.prepare('SELECT id, email, display_name FROM cur_identities WHERE connection_id = ? ORDER BY id LIMIT ?').all(cid, o.requests) as { id: string; email: string | null; display_name: string }[];
  // More requests than accounts: people ask more than once (each round robin over the roles).
  const asks = Array.from({ length: o.requests }, (_, i) => people[i % people.length]!);
  const request = db.prepare(
    `INSERT INTO requests (role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_email, beneficiary_name, requester, duration, duration_minutes,
                           justification, status, source, jira_issue_key, created_at, updated_at, decided_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?, ?) RETURNING id`,
  );
  const approval = db.prepare(
    `INSERT INTO approvals (request_id, step, kind, approvers, status, decided_by, decided_at, channel, comment)
     VALUES (?, 0, 'manager', ?, 'approved', ?, ?, ?, ?)`,
  );
  const grant = db.prepare(
    `INSERT INTO grants (request_id, role_id, connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name, status,
                         starts_at, expires_at, provisioned_at, ended_at, end_reason, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const job = db.prepare(
    `INSERT INTO jobs (kind, grant_id, request_id, connection_id, status, attempts, run_after, idempotency_key, created_at, updated_at, finished_at)
     VALUES ('provision', ?, ?, ?, 'succeeded', 1, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const attempt = db.prepare("INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome, http_status) VALUES (?, 1, ?, ?, 'succeeded', 204)");
  db.transaction(() => {
    asks.forEach((p, i) => {
      const role = roles[i % roles.length]!;
      const created = start + Math.floor(rnd() * 85 * DAY);
      const requester = i % 50 === 0 ? (p.email ?? 'self@example.com') : `requester${i % 200}@example.com`;
      // Exceptions on purpose: 1% without a justification, 1 in 500 approved by the requester, 1 in 1000 provisioned before approval.
      const justification = i % 100 === 7 ? '' : `needed for project ${i % 97}`;
      const approver = i % 500 === 3 ? requester : `manager${i % 300}@example.com`;
      const decided = created + 3_600_000 + Math.floor(rnd() * DAY);
      const provisioned = i % 1000 === 11 ? decided - 600_000 : decided + 60_000;
      const timeBound = i % 3 === 0;
      const expires = timeBound ? provisioned + 7 * DAY : null;
      const ended = expires !== null && expires < end ? expires + 120_000 : i % 40 === 5 ? provisioned + 2 * DAY : null;
      const status = ended === null ? 'active' : expires !== null && expires < end ? 'expired' : 'revoked';
      const reason = status === 'expired' ? 'expired' : status === 'revoked' ? 'revoked by admin@example.com: no longer needed' : null;
      const jira = i % 4 === 0 ? null : `ACC-${i + 1}`;
      const { id: requestId } = request.get(role.id, cid, p.id, p.email, p.display_name, requester, timeBound ? 'custom' : 'permanent', timeBound ? 7 * 1440 : null, justification, jira ? 'jira' : 'console', jira, at(created), at(decided), at(decided)) as { id: number };
      approval.run(requestId, JSON.stringify([approver]), approver, at(decided), jira ? 'jira' : 'console', i % 10 === 0 ? 'ok' : null);
      const { id: grantId } = grant.get(requestId, role.id, cid, role.groupId, role.groupName, p.id, p.email, p.display_name, status, at(decided), expires === null ? null : at(expires), at(provisioned), ended === null ? null : at(ended), reason, at(decided), at(ended ?? provisioned)) as { id: number };
      const { id: jobId } = job.get(grantId, requestId, cid, at(decided), `bench-provision-${grantId}`, at(decided), at(provisioned), at(provisioned)) as { id: number };
      attempt.run(jobId, at(provisioned - 800), at(provisioned));
    });
  })();

  // One completed review over every membership: the frozen rows as launch copies them (constants for hash and recommendation), each decided.
  const def = campaignDefinitionInput.parse({ name: 'Quarterly review', scope: {}, reviewers: { stage1: { kind: 'manager' }, fallback: 'fallback@example.com' }, dueAt: at(end + 14 * DAY) });
  const campaignId = createCampaign(ctx, def).id;
  const plan = resolveScope(db, def.scope);
  const items = db.transaction(() => {
    const n = db
      .prepare(
        `INSERT INTO review_items (campaign_id, ${FROZEN_COLUMNS.join(', ')}, row_hash, recommendation, launch_recommendation, reviewer, reviewer_source)
         SELECT @campaign_id, ${FROZEN_COLUMNS.map((c) => `r.${c}`).join(', ')}, lower(hex(randomblob(32))), 'keep', 'keep', coalesce(r.manager_email, 'fallback@example.com'), 'manager'
         FROM (${populationRowsSql(false)}) r`,
      )
      .run({ ...scopeParamsOf(plan), campaign_id: campaignId }).changes;
    db.prepare(
      `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, state, decided_by, channel, applied_by_default, decided_at)
       SELECT id, 1, campaign_id, CASE WHEN id % 20 = 0 THEN 'revoke' ELSE 'keep' END, CASE WHEN id % 20 = 0 THEN 'left-team' ELSE 'still-needed' END,
              NULL, 'submitted', reviewer, CASE id % 3 WHEN 0 THEN 'console' WHEN 1 THEN 'workbook' ELSE 'jira' END, CASE WHEN id % 50 = 0 THEN 1 ELSE 0 END, ?
       FROM review_items WHERE campaign_id = ?`,
    ).run(at(end - 25 * DAY), campaignId);
    db.prepare(
      `UPDATE review_campaigns SET status = 'complete', due_at = ?, launched_by = 'bench', launched_channel = 'console', launched_at = ?, population_count = ?,
              population_hash = lower(hex(randomblob(32))), closed_by = 'bench', closed_channel = 'console', closed_at = ?, completed_at = ? WHERE id = ?`,
    ).run(at(end - 20 * DAY), at(end - 40 * DAY), n, at(end - 20 * DAY), at(end - 19 * DAY), campaignId);
    return n;
  })();
  return { connectionId: cid, from: at(start), to: at(end), requests: asks.length, items };
}
