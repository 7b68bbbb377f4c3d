// The handlers of the reviews channels (shared/contract-reviews.ts). The
// console acts as the caller: a reviewer decides and submits their own items
// (the operator signed in through the IdP; in a sandbox, who the browser
// session acts as), through channel 'console'.
import type { reviewsChannels } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';
import { schedulerOf } from '../governance/scheduler.js';
import { personOf, requirePerson } from '../operator/caller.js';
import { cancelCampaign, copyCampaign, createCampaign, getCampaign, listCampaigns, previewCampaign, updateCampaign } from '../reviews/campaigns.js';
import { closeCampaign } from '../reviews/close.js';
import { decideItems, reassignItems, submitDecisions } from '../reviews/decisions.js';
import { gridView } from '../reviews/grid-view.js';
import { getItem, listItems } from '../reviews/items.js';
import { launchCampaignOffThread } from '../reviews/launch-thread.js';
import { campaignProgress } from '../reviews/progress.js';
import { exportReviewerWorkbook, importReviewerWorkbook } from '../reviews/workbook.js';

export function reviewsHandlers(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof reviewsChannels> {
  const { caller } = helpers;
  const me = (): string | null => personOf(caller);
  const reviewer = (): string => requirePerson(caller, 'who is reviewing?');
  // Launch and close queue Jira issues and revocations: run them now, not at the next tick.
  const thenRunJobs = <T>(value: T): T => {
    void schedulerOf(ctx)?.tick();
    return value;
  };
  return {
    'reviews:list': ({ status }) => listCampaigns(ctx, { status }, me()),
    'reviews:get': ({ campaignId }) => getCampaign(ctx, campaignId, me()),
    'reviews:create': (def) => createCampaign(ctx, def),
    'reviews:update': ({ campaignId, definition }) => updateCampaign(ctx, campaignId, definition),
    'reviews:copy': ({ campaignId, name, dueAt }) => copyCampaign(ctx, campaignId, { name, dueAt }),
    'reviews:preview': ({ campaignId }) => previewCampaign(ctx, campaignId),
    // In a worker thread: a 1M-item launch must not stop this thread answering (launch-thread.ts).
    'reviews:launch': async ({ campaignId, overrideStale }) => thenRunJobs(await launchCampaignOffThread(ctx, campaignId, { overrideStale })),
    'reviews:cancel': ({ campaignId, reason }) => cancelCampaign(ctx, campaignId, { reason }),
    'reviews:items': (q) => listItems(ctx, q, me()),
    'reviews:grid': ({ campaignId, first }) => gridView(ctx, campaignId, me(), first),
    'reviews:item': ({ itemId }) => getItem(ctx, itemId),
    'reviews:decide': (input) => decideItems(ctx, input, { reviewer: reviewer() }),
    'reviews:submit': ({ campaignId }) => submitDecisions(ctx, campaignId, { reviewer: reviewer() }),
    // Who moves the items: the signed-in person (their own items moved = delegated), else the transport's actor.
    'reviews:reassign': (input) => reassignItems(ctx, input, me() ?? ctx.actor),
    'reviews:progress': ({ campaignId }) => campaignProgress(ctx, campaignId),
    'reviews:close': async ({ campaignId }) => thenRunJobs(await closeCampaign(ctx, campaignId)),
    'reviews:exportWorkbook': ({ campaignId, reviewer: who }) => exportReviewerWorkbook(ctx, campaignId, who),
    'reviews:importWorkbook': ({ campaignId, contentBase64 }) => importReviewerWorkbook(ctx, campaignId, Buffer.from(contentBase64, 'base64')),
  };
}
