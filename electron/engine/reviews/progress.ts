// A campaign's progress: decided / total per reviewer and per app, revokes, overdue reviewers, burndown, rubber-stamp warnings.
import type { CampaignProgress } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

export function campaignProgress(_ctx: EngineContext, _campaignId: number): CampaignProgress {
  return notBuilt('campaign progress');
}
