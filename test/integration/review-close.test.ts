// Closing an access review against the sandbox Okta over real HTTP (the
// official SDK, real SQLite): defaults applied and marked, a revoke becomes a
// revocation job, the membership is gone in Okta, the next sync verifies it
// naming the run; access held outside the process is adopted on the ledger
// then revoked; a rule-managed group becomes a manual task; a group deleted
// in Okta before close is verified as "no access remains"; "keep, but make it
// time-bound" sets the grant's end date; two stages; closing at the due date;
// the campaign complete only when everything is verified or done by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { completeManualTask } from '../../electron/engine/jobs/manual-tasks.js';
import { closeCampaignNow, closeDueCampaigns, DEFAULT_DECIDER } from '../../electron/engine/reviews/close.js';
import { decideItems, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { decisionsOfItems } from '../../electron/engine/reviews/decision-store.js';
import { remediationOfItem } from '../../electron/engine/reviews/remediation-store.js';
import { syncRemediationStates } from '../../electron/engine/reviews/remediation.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { insertCampaign, insertItem, itemForMembership } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, grantOf, insertGrant, jobsWorkspace, liveMember, oktaMember, pickTarget, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-review-close-');
let sandbox: Sandbox;
let w: JobsWorkspace;
const used = new Set<string>();
const GRACE = 'grace@example.com';

const decideAndSubmit = (campaignId: number, itemIds: number[], decision: 'keep' | 'revoke', extra: Record<string, unknown> = {}, reviewer = GRACE): void => {
  const r = decideItems(w.ctx, decideInput.parse({ campaignId, itemIds, decision, reasonCode: decision === 'revoke' ? 'left-team' : 'still-needed', ...extra }), { reviewer });
  expect(r.refused).toEqual([]);
  submitDecisions(w.ctx, campaignId, { reviewer });
};

const sync = async (): Promise<number> => {
  const s = await (await syncAndReconcile(w.ctx, w.okta.id)).done;
  expect(s.status).toBe('succeeded');
  return s.id;
};

/** A member of a directly managed group with an active grant behind the membership (as provisioning leaves it). */
function grantedMember(): { target: ReturnType<typeof pickTarget>; grantId: number } {
  const target = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
  const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...target }, { status: 'active', job: false });
  w.db.prepare('UPDATE grants SET provisioned_at = starts_at WHERE id = ?').run(grantId);
  return { target, grantId };
}

const campaignStatus = (id: number): string => w.db.prepare('SELECT status FROM review_campaigns WHERE id = ?').pluck().get(id) as string;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 11, graph: false, jira: false });
  w = await jobsWorkspace(dir, sandbox, { entra: false });
  w.ctx.channel = 'console';
}, 60_000);
afterAll(async () => {
  await sandbox.close();
});

describe('close and verified remediation', () => {
  it('revoke → job → gone in Okta → verified by the next sync naming the run; outside-process access adopted first; rule-managed → manual task; complete only when all are finished', async () => {
    const c = insertCampaign(w.db, { name: 'Q1 Okta' });
    const granted = grantedMember();
    const withGrant = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: granted.target.groupId, identityId: granted.target.userId, reviewer: GRACE, grantId: granted.grantId });
    const outside = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
    const outsideItem = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: outside.groupId, identityId: outside.userId, reviewer: GRACE });
    const rule = pickTarget(w.db, w.okta.id, { managedBy: 'rule', member: true, skip: used });
    const ruleItem = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: rule.groupId, identityId: rule.userId, reviewer: GRACE, heldVia: 'group-rule' });
    const kept = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
    const keptItem = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: kept.groupId, identityId: kept.userId, reviewer: GRACE });
    decideAndSubmit(c, [withGrant, outsideItem, ruleItem], 'revoke', { comment: 'moved to sales' });
    decideAndSubmit(c, [keptItem], 'keep');

    const closed = await closeCampaignNow(w.ctx, c, 'admin@example.com');
    // No Jira connection: no summary job.
    expect(closed).toMatchObject({ final: true, revocations: 3, timeBound: 0, defaults: 0, status: 'remediating', summaryJobId: null });
    expect(campaignStatus(c)).toBe('remediating');
    expect(grantOf(w.db, granted.grantId).status).toBe('revoking');
    expect(remediationOfItem(w.db, withGrant)).toMatchObject({ kind: 'revoke', status: 'queued', grant_id: granted.grantId });
    expect(remediationOfItem(w.db, keptItem)).toBeNull();
    // Outside the process: a ledger grant for the membership as it is, adopted for revocation.
    const adopted = remediationOfItem(w.db, outsideItem)?.grant_id as number;
    expect(grantOf(w.db, adopted)).toMatchObject({ request_id: null, status: 'revoking', identity_id: outside.userId, group_id: outside.groupId });
    const adoptedEvent = w.db.prepare("SELECT details FROM audit_events WHERE action = 'grant.adopted' AND target_id = ?").get(String(adopted)) as { details: string };
    expect(JSON.parse(adoptedEvent.details)).toMatchObject({ campaignId: c, itemId: outsideItem, how: expect.stringContaining('adopted for revocation by review') as unknown });

    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, granted.target.groupId, granted.target.userId)).toBe(false);
    expect(oktaMember(sandbox, outside.groupId, outside.userId)).toBe(false);
    expect(oktaMember(sandbox, rule.groupId, rule.userId)).toBe(true);
    expect(oktaMember(sandbox, kept.groupId, kept.userId)).toBe(true);
    const g = grantOf(w.db, granted.grantId);
    expect(g.status).toBe('revoked');
    expect(g.end_reason).toBe(`review: campaign #${c} "Q1 Okta" — revoked by ${GRACE} (left-team: moved to sales)`);
    expect(grantOf(w.db, adopted).status).toBe('revoked');
    // runJobs reconciled: done (not verified: nothing has looked at Okta since).
    expect(remediationOfItem(w.db, withGrant)).toMatchObject({ status: 'done', verified_run_id: null });
    expect(remediationOfItem(w.db, outsideItem)?.status).toBe('done');
    const manual = remediationOfItem(w.db, ruleItem);
    expect(manual).toMatchObject({ status: 'manual' });
    expect(manual?.task_id).not.toBeNull();

    const runId = await sync();
    for (const i of [withGrant, outsideItem]) {
      const r = remediationOfItem(w.db, i);
      expect(r).toMatchObject({ status: 'verified', verified_run_id: runId });
      expect(r?.note).toContain(`sync run #${runId}`);
    }
    // The manual task is still open: not complete.
    expect(campaignStatus(c)).toBe('remediating');
    completeManualTask(w.ctx, manual?.task_id as number, { evidence: 'CHG-77: removed from the rule', by: 'it@example.com' });
    syncRemediationStates(w.ctx);
    expect(remediationOfItem(w.db, ruleItem)).toMatchObject({ status: 'manual-done' });
    expect(campaignStatus(c)).toBe('complete');
    expect(w.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'review.campaign_completed' AND target_id = ?").pluck().get(String(c))).toBe(1);
    expect(verifyAuditChain(w.db).valid).toBe(true);
  });

  it('undecided items get the default at close, marked applied by default, channel system; drafts do not count', async () => {
    const c = insertCampaign(w.db, { definition: { defaultOutcome: 'recommendation' } });
    const rec = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'revoke', connectionId: w.okta.id, groupId: 'gone-group' });
    const look = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'look' });
    const drafted = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'keep' });
    const changed = insertItem(w.db, c, { reviewer: GRACE, recommendation: 'keep' });
    decideAndSubmit(c, [changed], 'keep');
    decideItems(w.ctx, decideInput.parse({ campaignId: c, itemIds: [drafted, changed], decision: 'revoke', reasonCode: 'left-team' }), { reviewer: GRACE });
    const r = await closeCampaignNow(w.ctx, c);
    expect(r).toMatchObject({ defaults: 3, draftsRestored: 1, draftsDropped: 1, revocations: 1 });
    const words = decisionsOfItems(w.db, 1, [rec, look, drafted, changed]);
    for (const [id, decision] of [
      [rec, 'revoke'],
      [look, 'keep'],
      [drafted, 'keep'],
    ] as const) {
      expect(words.get(id)).toMatchObject({ decision, applied_by_default: 1, channel: 'system', state: 'submitted', decided_by: DEFAULT_DECIDER });
    }
    // The draft that changed a submitted word is dropped: the submitted keep stands.
    expect(words.get(changed)).toMatchObject({ decision: 'keep', applied_by_default: 0, state: 'submitted', channel: 'console' });
    // A revoke of access whose group is not in the snapshot: nothing to remove, verified by the next sync.
    expect(remediationOfItem(w.db, rec)).toMatchObject({ status: 'done', note: expect.stringContaining('no longer exists') as unknown });
  });

  it('a group deleted in Okta before close: the removal finds nothing and the next sync verifies "no access remains"', async () => {
    const groupId = sandbox.mutations.createGroup({ name: 'Doomed project', description: 'deleted before close' });
    const userId = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used }).userId;
    sandbox.mutations.addMembership(groupId, userId);
    await sync();
    expect(liveMember(w.db, w.okta.id, groupId, userId)).toBe(true);
    const c = insertCampaign(w.db);
    const item = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId, identityId: userId, reviewer: GRACE });
    decideAndSubmit(c, [item], 'revoke');
    sandbox.mutations.deleteGroup(groupId);
    await closeCampaignNow(w.ctx, c);
    await runJobs(w.ctx, FAST);
    expect(remediationOfItem(w.db, item)?.status).toBe('done');
    const runId = await sync();
    const r = remediationOfItem(w.db, item);
    expect(r).toMatchObject({ status: 'verified', verified_run_id: runId });
    expect(r?.note).toBe(`no access remains: the group "Doomed project" no longer exists in Okta (Okta) (sync run #${runId})`);
    expect(campaignStatus(c)).toBe('complete');
  });

  it('keep, but make it time-bound: the grant gets the end date (an outside membership is adopted with it)', async () => {
    const c = insertCampaign(w.db);
    const granted = grantedMember();
    const a = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: granted.target.groupId, identityId: granted.target.userId, reviewer: GRACE, grantId: granted.grantId });
    const outside = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
    const b = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: outside.groupId, identityId: outside.userId, reviewer: GRACE });
    const until = new Date(w.ctx.clock.now().getTime() + 30 * 86_400_000).toISOString();
    decideAndSubmit(c, [a, b], 'keep', { reasonCode: 'temporary', keepUntil: until });
    const r = await closeCampaignNow(w.ctx, c);
    expect(r).toMatchObject({ timeBound: 2, revocations: 0, status: 'complete', nextCampaignId: null });
    expect(grantOf(w.db, granted.grantId)).toMatchObject({ status: 'active', expires_at: until });
    const adopted = remediationOfItem(w.db, b)?.grant_id as number;
    expect(grantOf(w.db, adopted)).toMatchObject({ status: 'active', expires_at: until, request_id: null });
    expect(remediationOfItem(w.db, a)).toMatchObject({ kind: 'time-bound', status: 'done' });
  });

  it('two stages: what stage one kept goes to the stage-two reviewer (never the person under review), the rest is final', async () => {
    // The named stage-2 reviewer is in the snapshot and is also under review in this campaign.
    const self = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
    const c = insertCampaign(w.db, { definition: { reviewers: { stage1: { kind: 'manager', named: [] }, fallback: 'fallback@example.com', stage2: { kind: 'named', named: [self.email], outcomes: ['keep'] } } } });
    const k = insertItem(w.db, c, { reviewer: GRACE, groupId: 'g-two-1', identityId: 'u-two-1' });
    const v = insertItem(w.db, c, { reviewer: GRACE, groupId: 'g-two-2', identityId: 'u-two-2' });
    const own = itemForMembership(w.db, c, { connectionId: w.okta.id, groupId: self.groupId, identityId: self.userId, reviewer: GRACE });
    decideAndSubmit(c, [k, own], 'keep');
    decideAndSubmit(c, [v], 'revoke');
    const r = await closeCampaignNow(w.ctx, c);
    expect(r).toMatchObject({ final: false, stage: 1, movedToStage2: 2, status: 'active' });
    expect(w.db.prepare('SELECT stage, reviewer, reviewer_source FROM review_items WHERE id = ?').get(k)).toEqual({ stage: 2, reviewer: self.email, reviewer_source: 'named' });
    const ownRow = w.db.prepare('SELECT stage, reviewer, reviewer_source, reviewer_note FROM review_items WHERE id = ?').get(own) as Record<string, unknown>;
    expect(ownRow).toMatchObject({ stage: 2, reviewer: 'fallback@example.com', reviewer_source: 'fallback' });
    expect(ownRow.reviewer_note).toContain('is the person under review');
    expect(w.db.prepare('SELECT stage, reviewer FROM review_items WHERE id = ?').get(v)).toEqual({ stage: 1, reviewer: GRACE });
    expect(w.db.prepare('SELECT stage FROM review_campaigns WHERE id = ?').pluck().get(c)).toBe(2);
    // Stage 1 is over for Grace; the owner decides stage 2; the final close takes each item's last stage.
    expect(decideItems(w.ctx, decideInput.parse({ campaignId: c, itemIds: [v], decision: 'keep', reasonCode: 'still-needed' }), { reviewer: GRACE }).refused[0]?.why).toMatch(/stage 1 is closed/);
    decideAndSubmit(c, [k], 'revoke', {}, self.email);
    const f = await closeCampaignNow(w.ctx, c);
    // k (revoked at stage 2) and v (revoked at stage 1); own got the default at stage 2 (no change).
    expect(f).toMatchObject({ final: true, stage: 2, revocations: 2, defaults: 1 });
  });

  it('closes at the due date, at the exact instant and not a millisecond before', async () => {
    const now = w.ctx.clock.now();
    const due = new Date(now.getTime() + 1);
    const c = insertCampaign(w.db, { dueAt: due.toISOString(), definition: { recurrenceMonths: 3 } });
    insertItem(w.db, c, { reviewer: GRACE, recommendation: 'keep' });
    const saved = w.ctx.clock;
    try {
      w.ctx.clock = { now: () => new Date(due.getTime() - 1) };
      expect((await closeDueCampaigns(w.ctx)).map((x) => x.campaignId)).not.toContain(c);
      w.ctx.clock = { now: () => due };
      const closed = (await closeDueCampaigns(w.ctx)).find((x) => x.campaignId === c);
      expect(closed).toMatchObject({ final: true, defaults: 1, status: 'complete' });
      expect(w.db.prepare('SELECT closed_by FROM review_campaigns WHERE id = ?').pluck().get(c)).toBe('latchkey:review-due');
      // Recurring: the next campaign is a draft due three months later.
      expect(closed?.nextCampaignId).not.toBeNull();
      expect(w.db.prepare('SELECT status, parent_id FROM review_campaigns WHERE id = ?').get(closed?.nextCampaignId)).toEqual({ status: 'draft', parent_id: c });
    } finally {
      w.ctx.clock = saved;
    }
  });
});
