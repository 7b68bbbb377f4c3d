// Review items as reviewers and the campaign page read them: filtered, sorted, with their decision and remediation.
import type { Page } from '../../../shared/domain.js';
import type { ReviewItemDetail, ReviewItemRow, ReviewItemsQuery } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

/** `me`: the person 'me' stands for (null when nobody is signed in). */
export function listItems(_ctx: EngineContext, _q: ReviewItemsQuery, _me: string | null): Page<ReviewItemRow> {
  return notBuilt('listing review items');
}
export function getItem(_ctx: EngineContext, _itemId: number): ReviewItemDetail {
  return notBuilt('showing a review item');
}
