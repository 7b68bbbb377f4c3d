// Access reviews (#/reviews…): the campaign list, the editor, the preview before launch, a
// campaign's page, and "My reviews" (the signed-in reviewer's grid; without a campaign, the one
// with their open items, or a choice when there are several).
import { useEffect, type ReactNode } from 'react';
import type { ReviewsView } from '../lib/router.js';
import { formatRoute, routes } from '../lib/router.js';
import { useReviewsStore } from '../stores/reviews-store.js';
import { CampaignEditor } from './reviews/CampaignEditor.js';
import { CampaignList } from './reviews/CampaignList.js';
import { CampaignPage } from './reviews/CampaignPage.js';
import { CampaignPreview } from './reviews/CampaignPreview.js';
import { ReviewGrid } from './reviews/ReviewGrid.js';

function PickCampaign(): ReactNode {
  const campaigns = useReviewsStore((s) => s.campaigns);
  const load = useReviewsStore((s) => s.loadList);
  useEffect(() => {
    void load();
  }, [load]);
  const open = (campaigns ?? []).filter((c) => c.status === 'active' && c.mine > 0);
  const only = open.length === 1 ? open[0] : undefined;
  if (only) return <ReviewGrid campaignId={only.id} />;
  return (
    <div className="page">
      <header className="page-header">
        <h1>My reviews</h1>
      </header>
      {campaigns === null ? <p className="muted">Looking for your items…</p> : null}
      {campaigns !== null && open.length === 0 ? <p className="muted">Nothing for you to review right now.</p> : null}
      <ul className="rv-pick">
        {open.map((c) => (
          <li key={c.id}>
            <a className="link" href={formatRoute(routes.myReviews(c.id))}>
              {c.name}
            </a>{' '}
            <span className="muted">{c.mine.toLocaleString()} items to decide</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ReviewsPage({ route }: { route: ReviewsView }): ReactNode {
  switch (route.view) {
    case 'list':
      return <CampaignList />;
    case 'new':
      return <CampaignEditor key="new" campaignId={null} />;
    case 'edit':
      return <CampaignEditor key={route.campaignId} campaignId={route.campaignId} />;
    case 'preview':
      return <CampaignPreview campaignId={route.campaignId} />;
    case 'campaign':
      return <CampaignPage campaignId={route.campaignId} />;
    case 'mine':
      return route.campaignId === null ? <PickCampaign /> : <ReviewGrid campaignId={route.campaignId} />;
  }
}
