// `latchkey review ...`: access-review campaigns from the terminal. Parsing
// and output only; the engine does the work. --json prints the contract's
// types (CampaignView, CampaignPreview, CampaignSummary[], Page<ReviewItemRow>)
// with their stable field names. Changes are recorded with channel 'cli' and
// the OS user (cli.ts gives the context).
// Exit codes: 0 done, 1 refused with the reason (nothing changed), 2 usage.
//
// Layout: the campaign verbs (create, preview, launch, list, show, items,
// cancel) first; the reviewer verbs (decide, submit, close, workbook) go in
// their own section below.
import fs from 'node:fs';
import {
  CLOSE_OUTCOMES,
  RECOMMENDATIONS,
  REVIEWER_KINDS,
  campaignDefinitionInput,
  reviewItemsQuery,
  reviewScopeInput,
  type CampaignPreview,
  type CampaignSummary,
  type CampaignView,
  type ReviewItemRow,
  type ReviewScope,
} from '../../shared/contract-reviews.js';
import { appRecordByName } from '../engine/catalog/catalog-store.js';
import { getConnectionRecord, listConnectionRecords } from '../engine/connections/connections.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { liveGroup, liveGroupIdsByName } from '../engine/directory/snapshot-lookups.js';
import { cancelCampaign, createCampaign, getCampaign, launchCampaign, listCampaigns, previewCampaign } from '../engine/reviews/campaigns.js';
import { listItems } from '../engine/reviews/items.js';
import { idpAppIdsByLabel } from '../engine/reviews/population.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo, printResult } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const REVIEW_USAGE = `  review create --name N (--scope-file F.json | [--app A] [--group G] [--connection C] [--department D])
                --reviewer manager|owner|group-owner|EMAIL[,EMAIL...] [--fallback EMAIL] [--due DATE]
                [--default no-change|revoke|recommendation] [--description T] [--every-months N] [--json]
                                          a draft access-review campaign (nothing is asked of anyone until launch);
                                          --fallback defaults to $LATCHKEY_OPERATOR or the signed-in operator,
                                          --due to 14 days from now
  review preview ID [--json]              what launch would freeze: counts by connection, app, reviewer, recommendation
  review launch ID [--override-stale REASON] [--json]
                                          freeze the population and ask the reviewers (refuses stale data without a reason)
  review cancel ID --reason TEXT [--json]
  review list [--status S] [--json]       campaigns, newest first
  review show ID [--json]                 a campaign with its population proof (count, SHA-256, counts per connection)
  review items ID [--reviewer EMAIL|me] [--recommendation R] [--decision D] [--limit N] [--json]
                                          the campaign's items with their recommendation and reasons
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const REVIEW_READ_VERBS: readonly string[] = ['list', 'show', 'preview', 'items'];

function campaignId(s: string | undefined): number {
  if (s === undefined) throw new UsageError('the campaign id is missing (see `latchkey review list`)');
  return positiveInt(s.replace(/^#/, ''), 'the campaign id');
}

export function describeCampaign(c: CampaignSummary): string {
  const counts = c.status === 'draft' ? '' : ` · ${c.decided}/${c.items} decided, ${c.revokes} revoke${c.revokes === 1 ? '' : 's'}${c.overdueReviewers ? `, ${c.overdueReviewers} reviewers overdue` : ''}`;
  return `#${c.id} ${c.status}${c.status === 'active' ? ` (stage ${c.stage})` : ''} ${c.name} · due ${c.dueAt ?? '-'}${counts}`;
}

function describeView(v: CampaignView): string {
  const lines = [describeCampaign(v)];
  lines.push(`  scope: ${JSON.stringify(v.definition.scope)}`);
  lines.push(`  reviewers: ${v.definition.reviewers.stage1.kind}${v.definition.reviewers.stage1.named.length ? ` (${v.definition.reviewers.stage1.named.join(', ')})` : ''}, fallback ${v.definition.reviewers.fallback}`);
  if (v.launchedAt) lines.push(`  launched ${v.launchedAt} by ${v.launchedBy ?? '?'} (${v.launchedChannel ?? '?'})`);
  if (v.staleOverride) lines.push(`  launched on stale data: "${v.staleOverride.reason}" (${v.staleOverride.by})`);
  if (v.population) {
    lines.push(`  population: ${v.population.count} items, SHA-256 ${v.population.hash}`);
    for (const c of v.population.byConnection) lines.push(`    ${c.name}: ${c.items} items, snapshot ${c.snapshotTotal} (sync run #${c.syncRunId ?? '-'} ${c.syncedAt ?? ''})`);
  }
  return `${lines.join('\n')}\n`;
}

function describePreview(p: CampaignPreview): string {
  const lines = [`${p.total} items: ${p.byRecommendation.revoke} revoke, ${p.byRecommendation.look} look closely, ${p.byRecommendation.keep} keep`];
  for (const c of p.byConnection) lines.push(`  ${c.name}: ${c.items}`);
  lines.push('  busiest reviewers:');
  for (const r of p.topReviewers) lines.push(`    ${r.reviewer}${r.name ? ` (${r.name})` : ''}: ${r.items}`);
  lines.push('  by app:');
  for (const a of p.byApp.slice(0, 10)) lines.push(`    ${a.label}: ${a.items}`);
  if (p.byApp.length > 10) lines.push(`    … ${p.byApp.length - 10} more`);
  for (const w of p.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function describeItem(r: ReviewItemRow): string {
  const access = r.access.roleLabel ?? r.access.groupName;
  const grant = r.grant ? `grant #${r.grant.grantId}${r.grant.jiraKey ? ` ${r.grant.jiraKey}` : ''}` : 'outside the process';
  const decision = r.decision ? ` · ${r.decision.decision} (${r.decision.state})` : '';
  return `#${r.id} ${r.recommendation.padEnd(6)} ${r.person.name}${r.person.email ? ` <${r.person.email}>` : ''} · ${access} (${r.access.heldVia}) · ${grant} · reviewer ${r.reviewer}${decision}\n${r.reasons.map((x) => `      ${x.code}: ${x.text}\n`).join('')}`;
}

function readScopeFile(file: string): ReviewScope {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`--scope-file ${file}: ${(e as Error).message}`, 'bad-input');
  }
  const parsed = reviewScopeInput.safeParse(raw);
  if (!parsed.success) throw new UserError(`--scope-file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`, 'bad-input');
  return parsed.data;
}

/** The scope from --app / --group / --connection / --department. */
function scopeFromFlags(ctx: EngineContext, v: { app?: string | undefined; group?: string | undefined; connection?: string | undefined; department?: string | undefined }): ReviewScope {
  const conn = v.connection ? getConnectionRecord(ctx.db, v.connection) : null;
  if (conn && conn.kind === 'jira') throw new UserError(`--connection ${v.connection}: a Jira connection has no directory to review`, 'bad-input');
  const idps = conn ? [conn] : listConnectionRecords(ctx.db).filter((c) => c.kind !== 'jira');
  const scope: ReviewScope = reviewScopeInput.parse({});
  if (conn) scope.connectionIds = [conn.id];
  if (v.app) {
    // A catalog app by name; else an IdP app by label (its assigned groups).
    const app = appRecordByName(ctx.db, v.app);
    if (app) scope.appIds = [app.id];
    else {
      const found = idps.flatMap((c) => idpAppIdsByLabel(ctx.db, c.id, v.app as string).map((appId) => ({ connectionId: c.id, appId })));
      if (found.length === 0) throw new UserError(`--app "${v.app}": no catalog app or identity-provider app by that name`, 'not-found');
      scope.idpApps = found;
    }
  }
  if (v.group) {
    const found = idps.flatMap((c) => (liveGroup(ctx.db, c.id, v.group as string) ? [v.group as string] : liveGroupIdsByName(ctx.db, c.id, v.group as string)).map((groupId) => ({ connectionId: c.id, groupId })));
    if (found.length === 0) throw new UserError(`--group "${v.group}": no group with that id or name${conn ? ` in ${conn.name}` : ''}`, 'not-found');
    if (found.length > 1 && !conn) throw new UserError(`--group "${v.group}" is in several connections: add --connection`, 'bad-input');
    scope.groups = found;
  }
  if (v.department) scope.people.departments = [v.department];
  return scope;
}

function reviewersFrom(reviewer: string | undefined): { kind: (typeof REVIEWER_KINDS)[number]; named: string[] } {
  if (!reviewer) throw new UsageError(`--reviewer is required: ${REVIEWER_KINDS.filter((k) => k !== 'named').join(', ')}, or an e-mail (several, comma-separated)`);
  if ((REVIEWER_KINDS as readonly string[]).includes(reviewer) && reviewer !== 'named') return { kind: reviewer as 'manager' | 'owner' | 'group-owner', named: [] };
  return { kind: 'named', named: reviewer.split(',').map((s) => s.trim()).filter(Boolean) };
}

export function runReviewCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo, signedIn: string | null = null): Promise<number> {
  // Through a promise so a refusal thrown by a synchronous verb reaches the caller the same way as an async verb's.
  return Promise.resolve().then(() => reviewVerb(ctx, bus, args, io, signedIn));
}

function reviewVerb(ctx: EngineContext, _bus: EventBus, args: string[], io: CliIo, signedIn: string | null): number | Promise<number> {
  const [verb, ...rest] = args;
  const out = (json: boolean | undefined, value: unknown, text: string, code = 0): number => printResult(io, json, value, text, code);
  switch (verb) {
    case 'create': {
      const { values } = parseCommandArgs(rest, {
        name: { type: 'string' },
        description: { type: 'string' },
        'scope-file': { type: 'string' },
        app: { type: 'string' },
        group: { type: 'string' },
        connection: { type: 'string' },
        department: { type: 'string' },
        reviewer: { type: 'string' },
        fallback: { type: 'string' },
        due: { type: 'string' },
        default: { type: 'string' },
        'every-months': { type: 'string' },
        json: { type: 'boolean' },
      });
      if (!values.name) throw new UsageError('--name is required');
      if (values['scope-file'] && (values.app || values.group || values.connection || values.department)) {
        throw new UsageError('--scope-file or --app/--group/--connection/--department: not both');
      }
      if (values.default && !(CLOSE_OUTCOMES as readonly string[]).includes(values.default)) throw new UsageError(`--default takes ${CLOSE_OUTCOMES.join(', ')}`);
      const fallback = values.fallback?.trim() || io.env.LATCHKEY_OPERATOR?.trim() || signedIn;
      if (!fallback) throw new UserError('who is the fallback reviewer? Pass --fallback EMAIL, set LATCHKEY_OPERATOR, or sign in from the console', 'bad-input');
      const scope = values['scope-file'] ? readScopeFile(values['scope-file']) : scopeFromFlags(ctx, values);
      const due = values.due ?? new Date(ctx.clock.now().getTime() + 14 * 86_400_000).toISOString();
      const parsed = campaignDefinitionInput.safeParse({
        name: values.name,
        description: values.description ?? '',
        scope,
        reviewers: { stage1: reviewersFrom(values.reviewer), fallback },
        dueAt: due,
        ...(values.default ? { defaultOutcome: values.default } : {}),
        ...(values['every-months'] ? { recurrenceMonths: positiveInt(values['every-months'], '--every-months') } : {}),
      });
      if (!parsed.success) throw new UserError(parsed.error.issues.map((i) => `${i.path.join('.') || '(definition)'}: ${i.message}`).join('; '), 'bad-input');
      const v = createCampaign(ctx, parsed.data);
      return out(values.json, v, describeView(v));
    }
    case 'preview': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const p = previewCampaign(ctx, campaignId(positionals[0]));
      return out(values.json, p, describePreview(p));
    }
    case 'launch': {
      const { values, positionals } = parseCommandArgs(rest, { 'override-stale': { type: 'string' }, json: { type: 'boolean' } }, 1);
      const v = launchCampaign(ctx, campaignId(positionals[0]), { overrideStale: values['override-stale'] });
      return out(values.json, v, describeView(v));
    }
    case 'cancel': {
      const { values, positionals } = parseCommandArgs(rest, { reason: { type: 'string' }, json: { type: 'boolean' } }, 1);
      if (!values.reason?.trim()) throw new UsageError('--reason is required');
      const v = cancelCampaign(ctx, campaignId(positionals[0]), { reason: values.reason.trim() });
      return out(values.json, v, describeView(v));
    }
    case 'list': {
      const { values } = parseCommandArgs(rest, { status: { type: 'string' }, json: { type: 'boolean' } });
      const list = listCampaigns(ctx, { status: values.status ?? 'all' }, signedIn);
      return out(values.json, list, list.length ? list.map((c) => `${describeCampaign(c)}\n`).join('') : 'no campaigns\n');
    }
    case 'show': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const v = getCampaign(ctx, campaignId(positionals[0]), signedIn);
      return out(values.json, v, describeView(v));
    }
    case 'items': {
      const { values, positionals } = parseCommandArgs(
        rest,
        { reviewer: { type: 'string' }, recommendation: { type: 'string' }, decision: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
        1,
      );
      if (values.recommendation && !(RECOMMENDATIONS as readonly string[]).includes(values.recommendation)) throw new UsageError(`--recommendation takes ${RECOMMENDATIONS.join(', ')}`);
      const parsed = reviewItemsQuery.safeParse({
        campaignId: campaignId(positionals[0]),
        ...(values.reviewer ? { reviewer: values.reviewer } : {}),
        ...(values.recommendation ? { recommendation: values.recommendation } : {}),
        ...(values.decision ? { decision: values.decision } : {}),
        limit: values.limit ? positiveInt(values.limit, '--limit') : 1000,
      });
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const me = io.env.LATCHKEY_OPERATOR?.trim() || signedIn;
      const page = listItems(ctx, parsed.data, me);
      return out(values.json, page, page.rows.map(describeItem).join('') + (page.total > page.rows.length ? `(${page.rows.length} of ${page.total}; --limit to see more)\n` : ''));
    }
    // --- reviewer verbs (decide, submit, close, workbook): helper B / C add them here ---
    default:
      throw new UsageError(verb ? `unknown review verb "${verb}"` : 'review needs a verb: create, preview, launch, cancel, list, show, items');
  }
}
