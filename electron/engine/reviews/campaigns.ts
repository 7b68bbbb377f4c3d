// Campaign lifecycle: create, edit and copy a draft, preview what launch
// would freeze, launch (the frozen population and its proof, population.ts),
// cancel, list, and the next campaign of a recurring one. Every change is an
// audit event in the same transaction, naming the actor and the channel.
import {
  CAMPAIGN_STATUSES,
  REMEDIATION_STATUSES,
  campaignDefinitionInput,
  type CampaignDefinition,
  type CampaignPreview,
  type CampaignStatus,
  type CampaignSummary,
  type CampaignView,
  type PopulationCount,
  type RemediationStatus,
} from '../../../shared/contract-reviews.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { addressIndex, normEmail } from '../directory/people-lookup.js';
import {
  campaignRecord,
  insertCampaign,
  listCampaignRecords,
  setCampaignDefinition,
  setCampaignLaunched,
  setCampaignStatus,
  setNextCampaign,
  type CampaignRecord,
} from './campaign-store.js';
import { campaignItemCounts, reviewersWithOpenItems } from './item-store.js';
import { decoratedRowsSql, dropLaunchTables, insertPopulation, type LaunchProgress, prepareReviewers, resolveScope, staleConnections, type ScopePlan, scopeParamsOf } from './population.js';
import { recommendationParams } from './recommendations.js';
import { remediationCounts } from './remediation-store.js';

const channelOf = (ctx: EngineContext): string => ctx.channel ?? 'system';

function audit(ctx: EngineContext, action: string, campaignId: number, details: Record<string, unknown>): void {
  appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel ?? 'system', action, targetType: 'review-campaign', targetId: campaignId, details }, ctx.clock.now());
}

function changed(ctx: EngineContext, id: number): void {
  ctx.events.emit('governance:changed', { area: 'reviews', ids: [id] });
}

function requireCampaign(db: Db, id: number): CampaignRecord {
  const c = campaignRecord(db, id);
  if (!c) throw new UserError(`review campaign #${id} does not exist`, 'not-found');
  return c;
}

export function definitionOf(c: CampaignRecord): CampaignDefinition {
  return campaignDefinitionInput.parse(JSON.parse(c.definition));
}

/** The definition checked against the workspace: every role, app, group and connection exists; dates are in the future. */
function validate(ctx: EngineContext, def: CampaignDefinition): ScopePlan {
  const now = ctx.clock.now();
  const due = Date.parse(def.dueAt);
  if (!(due > now.getTime())) throw new UserError(`the due date ${def.dueAt} is not in the future`, 'bad-input');
  const s2 = def.reviewers.stage2;
  if (s2) {
    if (s2.kind === 'named' && s2.named.length === 0) throw new UserError('stage two reviews by named people: name at least one', 'bad-input');
    if (s2.dueAt !== undefined && !(Date.parse(s2.dueAt) > due)) throw new UserError(`stage two's due date ${s2.dueAt} must come after stage one's (${def.dueAt})`, 'bad-input');
  }
  if (def.reviewers.stage1.kind === 'named' && def.reviewers.stage1.named.length === 0) throw new UserError('stage one reviews by named people: name at least one', 'bad-input');
  if (def.thresholds.inactiveRevokeDays < def.thresholds.inactiveLookDays) {
    throw new UserError(`inactiveRevokeDays (${def.thresholds.inactiveRevokeDays}) must not be shorter than inactiveLookDays (${def.thresholds.inactiveLookDays})`, 'bad-input');
  }
  // Named reviewers and the fallback are e-mails (the schema holds that); they need not be in the snapshot (an auditor, an outside owner).
  return resolveScope(ctx.db, def.scope);
}

const normalised = (def: CampaignDefinition): CampaignDefinition => ({
  ...def,
  reviewers: {
    ...def.reviewers,
    fallback: normEmail(def.reviewers.fallback) ?? def.reviewers.fallback,
    stage1: { ...def.reviewers.stage1, named: def.reviewers.stage1.named.map((n) => normEmail(n) ?? n) },
    ...(def.reviewers.stage2 ? { stage2: { ...def.reviewers.stage2, named: def.reviewers.stage2.named.map((n) => normEmail(n) ?? n) } } : {}),
  },
});

function summaryOf(ctx: EngineContext, c: CampaignRecord, me: string | null): CampaignSummary {
  const counts = c.status === 'draft' ? { items: 0, decided: 0, revokes: 0, mine: 0 } : campaignItemCounts(ctx.db, c.id, c.stage, me);
  const due = c.stage === 2 ? (c.stage_due_at ?? c.due_at) : c.due_at;
  const overdue = c.status === 'active' && due !== null && ctx.clock.now().getTime() > Date.parse(due) ? reviewersWithOpenItems(ctx.db, c.id, c.stage).length : 0;
  return {
    id: c.id,
    name: c.name,
    status: c.status as CampaignStatus,
    stage: c.stage === 2 ? 2 : 1,
    dueAt: c.due_at,
    createdAt: c.created_at,
    createdBy: c.created_by,
    launchedAt: c.launched_at,
    items: counts.items,
    decided: counts.decided,
    revokes: counts.revokes,
    overdueReviewers: overdue,
    mine: counts.mine,
  };
}

function viewOf(ctx: EngineContext, c: CampaignRecord, me: string | null): CampaignView {
  const rem = remediationCounts(ctx.db, c.id);
  const remediation = Object.fromEntries(REMEDIATION_STATUSES.map((s) => [s, rem.get(s) ?? 0])) as Record<RemediationStatus, number>;
  const stale = c.stale_override ? (JSON.parse(c.stale_override) as { reason: string; by: string }) : null;
  return {
    ...summaryOf(ctx, c, me),
    description: c.description,
    definition: definitionOf(c),
    parentId: c.parent_id,
    launchedBy: c.launched_by,
    launchedChannel: c.launched_channel,
    staleOverride: stale,
    population:
      c.population_hash !== null && c.population_count !== null
        ? { count: c.population_count, hash: c.population_hash, byConnection: JSON.parse(c.population_counts ?? '[]') as PopulationCount[] }
        : null,
    closedAt: c.closed_at,
    closedBy: c.closed_by,
    completedAt: c.completed_at,
    remediation,
    nextCampaignId: c.next_created_id,
  };
}

export function listCampaigns(ctx: EngineContext, q: { status: string }, me: string | null): CampaignSummary[] {
  const status = q.status === 'all' ? null : q.status;
  if (status !== null && !(CAMPAIGN_STATUSES as readonly string[]).includes(status)) throw new UserError(`unknown campaign status "${status}"`, 'bad-input');
  return listCampaignRecords(ctx.db, status).map((c) => summaryOf(ctx, c, normEmail(me)));
}

export function getCampaign(ctx: EngineContext, campaignId: number, me: string | null): CampaignView {
  return viewOf(ctx, requireCampaign(ctx.db, campaignId), normEmail(me));
}

function insertDraft(ctx: EngineContext, def: CampaignDefinition, parentId: number | null): number {
  return insertCampaign(
    ctx.db,
    {
      name: def.name,
      description: def.description,
      definition: JSON.stringify(def),
      dueAt: def.dueAt,
      stageDueAt: def.reviewers.stage2?.dueAt ?? null,
      parentId,
      createdBy: ctx.actor,
      createdChannel: channelOf(ctx),
    },
    ctx.clock.now(),
  );
}

export function createCampaign(ctx: EngineContext, input: CampaignDefinition): CampaignView {
  const def = normalised(campaignDefinitionInput.parse(input));
  validate(ctx, def);
  const id = ctx.db.transaction(() => {
    const id = insertDraft(ctx, def, null);
    audit(ctx, 'campaign.created', id, { name: def.name, dueAt: def.dueAt, scope: def.scope, reviewers: def.reviewers });
    return id;
  })();
  changed(ctx, id);
  return getCampaign(ctx, id, null);
}

export function updateCampaign(ctx: EngineContext, campaignId: number, input: CampaignDefinition): CampaignView {
  const def = normalised(campaignDefinitionInput.parse(input));
  const c = requireCampaign(ctx.db, campaignId);
  if (c.status !== 'draft') throw new UserError(`campaign #${campaignId} is ${c.status}: only a draft's definition can change`, 'conflict');
  validate(ctx, def);
  ctx.db.transaction(() => {
    setCampaignDefinition(ctx.db, campaignId, { name: def.name, description: def.description, definition: JSON.stringify(def), dueAt: def.dueAt, stageDueAt: def.reviewers.stage2?.dueAt ?? null }, ctx.clock.now());
    audit(ctx, 'campaign.updated', campaignId, { before: JSON.parse(c.definition) as unknown, after: def });
  })();
  changed(ctx, campaignId);
  return getCampaign(ctx, campaignId, null);
}

export function copyCampaign(ctx: EngineContext, campaignId: number, input: { name?: string | undefined; dueAt?: string | undefined }): CampaignView {
  const c = requireCampaign(ctx.db, campaignId);
  const from = definitionOf(c);
  const def: CampaignDefinition = { ...from, name: input.name ?? `Copy of ${from.name}`.slice(0, 200), dueAt: input.dueAt ?? from.dueAt };
  if (def.reviewers.stage2?.dueAt !== undefined && input.dueAt !== undefined) {
    // Keep stage two as far after stage one as it was.
    const gap = Date.parse(def.reviewers.stage2.dueAt) - Date.parse(from.dueAt);
    def.reviewers = { ...def.reviewers, stage2: { ...def.reviewers.stage2, dueAt: new Date(Date.parse(input.dueAt) + gap).toISOString() } };
  }
  validate(ctx, def);
  const id = ctx.db.transaction(() => {
    const id = insertDraft(ctx, def, campaignId);
    audit(ctx, 'campaign.copied', id, { from: campaignId, name: def.name, dueAt: def.dueAt });
    return id;
  })();
  changed(ctx, id);
  return getCampaign(ctx, id, null);
}

/** Adds calendar months to an ISO date, keeping the time (the 31st of a shorter month becomes its last day). */
export function addMonths(iso: string, months: number): string {
  const d = new Date(Date.parse(iso));
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString();
}

/**
 * The next campaign of a recurring one (close calls it): a draft with the
 * same definition, due N months after this one, linked both ways. Null when
 * the campaign does not recur; the existing one when already created.
 */
export function createNextFromRecurrence(ctx: EngineContext, campaignId: number): CampaignView | null {
  const c = requireCampaign(ctx.db, campaignId);
  if (c.next_created_id !== null) return getCampaign(ctx, c.next_created_id, null);
  const from = definitionOf(c);
  const n = from.recurrenceMonths;
  if (n === null) return null;
  const def: CampaignDefinition = {
    ...from,
    dueAt: addMonths(from.dueAt, n),
    reviewers: from.reviewers.stage2?.dueAt ? { ...from.reviewers, stage2: { ...from.reviewers.stage2, dueAt: addMonths(from.reviewers.stage2.dueAt, n) } } : from.reviewers,
  };
  const id = ctx.db.transaction(() => {
    const id = insertDraft(ctx, def, campaignId);
    setNextCampaign(ctx.db, campaignId, id, ctx.clock.now());
    audit(ctx, 'campaign.created', id, { recurrenceOf: campaignId, everyMonths: n, dueAt: def.dueAt });
    return id;
  })();
  changed(ctx, id);
  return getCampaign(ctx, id, null);
}

export function cancelCampaign(ctx: EngineContext, campaignId: number, input: { reason: string }): CampaignView {
  const c = requireCampaign(ctx.db, campaignId);
  if (c.status !== 'draft' && c.status !== 'active') throw new UserError(`campaign #${campaignId} is ${c.status}: only a draft or an active campaign can be cancelled`, 'conflict');
  ctx.db.transaction(() => {
    if (!setCampaignStatus(ctx.db, campaignId, 'cancelled', ['draft', 'active'], ctx.clock.now(), { cancelledReason: input.reason })) {
      throw new UserError(`campaign #${campaignId} changed meanwhile; look again`, 'conflict');
    }
    audit(ctx, 'campaign.cancelled', campaignId, { reason: input.reason, was: c.status });
  })();
  changed(ctx, campaignId);
  return getCampaign(ctx, campaignId, null);
}

/** What launch would freeze, without freezing it. */
export function previewCampaign(ctx: EngineContext, campaignId: number): CampaignPreview {
  const c = requireCampaign(ctx.db, campaignId);
  const def = definitionOf(c);
  const plan = resolveScope(ctx.db, def.scope);
  const now = ctx.clock.now();
  const stage = { kind: def.reviewers.stage1.kind, named: def.reviewers.stage1.named };
  const rows = ctx.db.transaction(() => {
    prepareReviewers(ctx.db, plan, stage, def.reviewers.fallback);
    try {
      return ctx.db
        .prepare(
          `SELECT d.connection_id, coalesce(d.app_label, 'Unmapped: ' || d.group_name) AS label, d.reviewer, d.reviewer_source = 'fallback' AS fb, d.recommendation, count(*) AS n
           FROM (${decoratedRowsSql(stage)}) d GROUP BY 1, 2, 3, 4, 5`,
        )
        .raw()
        .all({ ...scopeParamsOf(plan), ...recommendationParams(def.thresholds, now) }) as [number, string, string, number, 'revoke' | 'look' | 'keep', number][];
    } finally {
      dropLaunchTables(ctx.db);
    }
  })();
  const byConn = new Map<number, number>();
  const byApp = new Map<string, number>();
  const byReviewer = new Map<string, { items: number; viaFallback: number }>();
  const byRecommendation = { revoke: 0, look: 0, keep: 0 };
  let total = 0;
  for (const [conn, label, reviewer, fb, rec, n] of rows) {
    total += n;
    byConn.set(conn, (byConn.get(conn) ?? 0) + n);
    byApp.set(label, (byApp.get(label) ?? 0) + n);
    const r = byReviewer.get(reviewer) ?? { items: 0, viaFallback: 0 };
    r.items += n;
    if (fb) r.viaFallback += n;
    byReviewer.set(reviewer, r);
    byRecommendation[rec] += n;
  }
  const index = addressIndex(ctx.db);
  const nameOf = (r: string): string | null => index(r).find((a) => a.status === 'ACTIVE')?.name ?? index(r)[0]?.name ?? null;
  const reviewers = [...byReviewer.entries()]
    .map(([reviewer, v]) => ({ reviewer, name: nameOf(reviewer), items: v.items, viaFallback: v.viaFallback }))
    .sort((a, b) => b.items - a.items || (a.reviewer < b.reviewer ? -1 : 1));
  const stale = staleConnections(ctx.db, plan.connections, def.thresholds.staleSyncHours, now);
  const warnings: string[] = [];
  if (total === 0) warnings.push('the scope holds no memberships: launch would have nothing to review');
  for (const r of reviewers) {
    if (total > 0 && r.items / total > 0.25) warnings.push(`${r.reviewer} would review ${r.items} of ${total} items (${Math.round((r.items / total) * 100)}%)`);
  }
  const fallbackItems = byReviewer.get(def.reviewers.fallback)?.viaFallback ?? 0;
  if (fallbackItems > 0) warnings.push(`${fallbackItems} items go to the fallback reviewer ${def.reviewers.fallback}`);
  for (const s of stale) warnings.push(`${s.why}: launch refuses it without an override`);
  return {
    total,
    byConnection: plan.connections.map((cn) => ({ connectionId: cn.id, name: cn.name, items: byConn.get(cn.id) ?? 0 })),
    byApp: [...byApp.entries()].map(([label, items]) => ({ label, items })).sort((a, b) => b.items - a.items || (a.label < b.label ? -1 : 1)),
    byReviewer: reviewers,
    byRecommendation,
    topReviewers: reviewers.slice(0, 10).map(({ reviewer, name, items }) => ({ reviewer, name, items })),
    stale,
    warnings,
  };
}

/**
 * afterInsert, a test seam: runs inside the launch transaction after the items are inserted (the
 * kill-during-launch test waits there). progress: called as the launch moves (launch-thread.ts relays it).
 */
export type { LaunchProgress };
export type LaunchHooks = { afterInsert?: () => void; progress?: ((p: LaunchProgress) => void) | undefined };

/** Tells the console a campaign was launched (launch-thread.ts, after its worker committed). */
export function notifyLaunched(ctx: EngineContext, campaignId: number): void {
  changed(ctx, campaignId);
}

/**
 * Freezes the population and opens the campaign to its reviewers, in one
 * transaction: a crash leaves the draft as it was. Refuses stale data
 * unless `overrideStale` gives a reason (recorded on the campaign and in the
 * audit event).
 */
export function launchCampaign(ctx: EngineContext, campaignId: number, input: { overrideStale?: string | undefined }, hooks: LaunchHooks = {}): CampaignView {
  const c = requireCampaign(ctx.db, campaignId);
  if (c.status !== 'draft') throw new UserError(`campaign #${campaignId} is ${c.status}: only a draft can be launched`, 'conflict');
  const def = definitionOf(c);
  const plan = validate(ctx, def);
  const now = ctx.clock.now();
  const stale = staleConnections(ctx.db, plan.connections, def.thresholds.staleSyncHours, now);
  const reason = input.overrideStale?.trim();
  if (stale.length > 0 && !reason) {
    throw new UserError(`launch refused, the data is stale: ${stale.map((s) => s.why).join('; ')}. Sync first, or launch with an override and a reason`, 'conflict');
  }
  const override = stale.length > 0 && reason ? { reason, by: ctx.actor } : null;
  // IMMEDIATE: the write lock from the start, so a writer that commits meanwhile cannot fail the launch half-way (SQLITE_BUSY_SNAPSHOT).
  ctx.db.transaction(() => {
    const proof = insertPopulation(ctx.db, { campaignId, definition: def, plan, now }, hooks.progress);
    if (proof.count === 0) throw new UserError(`campaign #${campaignId}'s scope holds no memberships: nothing to launch`, 'bad-input');
    hooks.afterInsert?.();
    if (
      !setCampaignLaunched(
        ctx.db,
        campaignId,
        { launchedBy: ctx.actor, launchedChannel: channelOf(ctx), staleOverride: override ? JSON.stringify(override) : null, count: proof.count, hash: proof.hash, counts: JSON.stringify(proof.counts) },
        now,
      )
    ) {
      throw new UserError(`campaign #${campaignId} changed meanwhile; look again`, 'conflict');
    }
    audit(ctx, 'campaign.launched', campaignId, {
      items: proof.count,
      populationHash: proof.hash,
      byConnection: proof.counts,
      ...(override ? { staleOverride: override, stale: stale.map((s) => ({ connectionId: s.connectionId, why: s.why })) } : {}),
    });
  }).immediate();
  changed(ctx, campaignId);
  return getCampaign(ctx, campaignId, null);
}
