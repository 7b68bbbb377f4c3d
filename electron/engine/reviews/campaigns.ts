// Campaign lifecycle: create, edit and copy a draft, preview what launch would freeze, launch, cancel, list.
import type { CampaignDefinition, CampaignPreview, CampaignSummary, CampaignView } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

export function listCampaigns(_ctx: EngineContext, _q: { status: string }, _me: string | null): CampaignSummary[] {
  return notBuilt('listing campaigns');
}
export function getCampaign(_ctx: EngineContext, _campaignId: number, _me: string | null): CampaignView {
  return notBuilt('showing a campaign');
}
export function createCampaign(_ctx: EngineContext, _def: CampaignDefinition): CampaignView {
  return notBuilt('creating a campaign');
}
export function updateCampaign(_ctx: EngineContext, _campaignId: number, _def: CampaignDefinition): CampaignView {
  return notBuilt('editing a campaign');
}
export function copyCampaign(_ctx: EngineContext, _campaignId: number, _input: { name?: string | undefined; dueAt?: string | undefined }): CampaignView {
  return notBuilt('copying a campaign');
}
export function previewCampaign(_ctx: EngineContext, _campaignId: number): CampaignPreview {
  return notBuilt('previewing a campaign');
}
export function launchCampaign(_ctx: EngineContext, _campaignId: number, _input: { overrideStale?: string | undefined }): CampaignView {
  return notBuilt('launching a campaign');
}
export function cancelCampaign(_ctx: EngineContext, _campaignId: number, _input: { reason: string }): CampaignView {
  return notBuilt('cancelling a campaign');
}
