// Closing a stage or a campaign: defaults applied, revokes become revocations through the jobs, Jira gets the summary.
import type { CampaignView } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

export function closeCampaign(_ctx: EngineContext, _campaignId: number): CampaignView {
  return notBuilt('closing a campaign');
}
