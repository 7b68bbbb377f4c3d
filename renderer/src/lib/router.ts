// Hash routes, so reloads and deep links work both from disk (Electron) and
// from the bridge (whose one-time link redirects to `/`, keeping the fragment).

/** `unmatched`: accounts the correlation would not match across IdPs without guessing. */
export type DirectoryTab = 'users' | 'groups' | 'apps' | 'unmatched';
export type ObjectRef = { connectionId: number; id: string };

/** What the Changes page shows: one run's changes (null: the newest across runs), or the net diff of two runs. */
export type ChangesView =
  | { mode: 'run'; runId: number | null }
  | { mode: 'compare'; fromRunId: number; toRunId: number }
  | { mode: 'compare'; fromRunId: null; toRunId: null };

export type CatalogTab = 'apps' | 'suggestions' | 'coverage';
export type RequestFilter = 'mine' | 'open' | 'all';
/** One section of Needs attention, shown alone (a dashboard card lands there). */
export type AttentionSection = 'failed' | 'tasks' | 'drift' | 'expiring';
/** The access ledger's filters: active with an end date, ending within some hours, every active grant, ended ones, all. */
export type AccessFilter = 'time-bound' | 'expiring' | 'active' | 'ended' | 'all';
/** Access reviews: the campaign list, a new or edited draft, its preview, a campaign, a reviewer's grid (null: pick the campaign). */
export type ReviewsView =
  | { view: 'list' }
  | { view: 'new' }
  | { view: 'edit'; campaignId: number }
  | { view: 'preview'; campaignId: number }
  | { view: 'campaign'; campaignId: number }
  | { view: 'mine'; campaignId: number | null };

export type Route =
  | { page: 'dashboard' }
  | { page: 'catalog'; tab: CatalogTab; roleId: number | null }
  | { page: 'requests'; filter: RequestFilter; requestId: number | null }
  | { page: 'attention'; section: AttentionSection | null }
  /** `withinHours` (filter 'expiring' only): null means the workspace's notice window. */
  | { page: 'access'; filter: AccessFilter; withinHours: number | null }
  | { page: 'directory'; tab: DirectoryTab; detail: ObjectRef | null }
  | { page: 'changes'; view: ChangesView }
  | { page: 'connections'; adding: boolean }
  | ({ page: 'reviews' } & ReviewsView)
  /** The audit log: events, the chain's status, the export (filters live in the audit store). */
  | { page: 'audit' }
  /** The evidence workbook for auditors: a period, the export's progress and its result. */
  | { page: 'evidence' }
  /** The HR feed: import an HR export or events, the last import, who matched, pending and due events. */
  | { page: 'hr' }
  /** Notifications outside the console: routes per notice type, channels (Slack, Teams, SMTP), the next 7 days, what was sent. */
  | { page: 'notifications' }
  /** Birthright policies: the list, a new one ('new') or one policy (its id). */
  | { page: 'policies'; policyId: number | 'new' | null }
  /** Joiner, mover and leaver plans; with a plan, its timeline. */
  | { page: 'plans'; planId: number | null }
  | { page: 'not-found'; path: string };

const tabs: readonly DirectoryTab[] = ['users', 'groups', 'apps', 'unmatched'];
const catalogTabs: readonly CatalogTab[] = ['apps', 'suggestions', 'coverage'];
const requestFilters: readonly RequestFilter[] = ['mine', 'open', 'all'];
const attentionSections: readonly AttentionSection[] = ['failed', 'tasks', 'drift', 'expiring'];
const accessFilters: readonly AccessFilter[] = ['time-bound', 'expiring', 'active', 'ended', 'all'];
const MAX_WITHIN_HOURS = 24 * 400;

/** A run id from the path: a positive integer written plainly, or null. */
function runIdOf(part: string | undefined): number | null {
  if (part === undefined || !/^[1-9]\d{0,15}$/.test(part)) return null;
  const n = Number(part);
  return Number.isSafeInteger(n) ? n : null;
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?');
  const parts = path.split('/').filter((p) => p !== '');
  const [head, second, third, fourth, ...extra] = parts;
  if (head === undefined || head === 'dashboard') {
    return parts.length <= 1 ? { page: 'dashboard' } : { page: 'not-found', path };
  }
  if (head === 'catalog') {
    if (second === undefined) return { page: 'catalog', tab: 'apps', roleId: null };
    if (second === 'role' && fourth === undefined) {
      const roleId = runIdOf(third);
      if (roleId !== null) return { page: 'catalog', tab: 'apps', roleId };
    }
    if (catalogTabs.includes(second as CatalogTab) && third === undefined) return { page: 'catalog', tab: second as CatalogTab, roleId: null };
    return { page: 'not-found', path };
  }
  if (head === 'requests') {
    if (second === undefined) return { page: 'requests', filter: 'mine', requestId: null };
    if (requestFilters.includes(second as RequestFilter) && third === undefined) return { page: 'requests', filter: second as RequestFilter, requestId: null };
    const requestId = runIdOf(second);
    if (requestId !== null && third === undefined) return { page: 'requests', filter: 'all', requestId };
    return { page: 'not-found', path };
  }
  if (head === 'attention') {
    if (second === undefined) return { page: 'attention', section: null };
    if (attentionSections.includes(second as AttentionSection) && third === undefined) return { page: 'attention', section: second as AttentionSection };
    return { page: 'not-found', path };
  }
  if (head === 'access') {
    if (second === undefined) return { page: 'access', filter: 'time-bound', withinHours: null };
    if (!accessFilters.includes(second as AccessFilter) || third !== undefined) return { page: 'not-found', path };
    const within = second === 'expiring' ? new URLSearchParams(query).get('within') : null;
    // A bad "within" is ignored (the notice window applies), not a dead end.
    const hours = within !== null && /^[1-9]\d{0,4}$/.test(within) && Number(within) <= MAX_WITHIN_HOURS ? Number(within) : null;
    return { page: 'access', filter: second as AccessFilter, withinHours: hours };
  }
  if (head === 'reviews') {
    if (second === undefined) return { page: 'reviews', view: 'list' };
    if (second === 'new' && third === undefined) return { page: 'reviews', view: 'new' };
    if (second === 'mine' && fourth === undefined) {
      if (third === undefined) return { page: 'reviews', view: 'mine', campaignId: null };
      const campaignId = runIdOf(third);
      if (campaignId !== null) return { page: 'reviews', view: 'mine', campaignId };
      return { page: 'not-found', path };
    }
    const campaignId = runIdOf(second);
    if (campaignId !== null && fourth === undefined) {
      if (third === undefined) return { page: 'reviews', view: 'campaign', campaignId };
      if (third === 'edit') return { page: 'reviews', view: 'edit', campaignId };
      if (third === 'preview') return { page: 'reviews', view: 'preview', campaignId };
    }
    return { page: 'not-found', path };
  }
  if (head === 'audit') return parts.length === 1 ? { page: 'audit' } : { page: 'not-found', path };
  if (head === 'evidence') return parts.length === 1 ? { page: 'evidence' } : { page: 'not-found', path };
  if (head === 'hr') return parts.length === 1 ? { page: 'hr' } : { page: 'not-found', path };
  if (head === 'notifications') return parts.length === 1 ? { page: 'notifications' } : { page: 'not-found', path };
  if (head === 'policies') {
    if (second === undefined) return { page: 'policies', policyId: null };
    if (third === undefined && second === 'new') return { page: 'policies', policyId: 'new' };
    const policyId = runIdOf(second);
    return policyId !== null && third === undefined ? { page: 'policies', policyId } : { page: 'not-found', path };
  }
  if (head === 'plans') {
    if (second === undefined) return { page: 'plans', planId: null };
    const planId = runIdOf(second);
    return planId !== null && third === undefined ? { page: 'plans', planId } : { page: 'not-found', path };
  }
  if (head === 'connections') {
    if (second === undefined) return { page: 'connections', adding: false };
    if (second === 'new' && third === undefined) return { page: 'connections', adding: true };
    return { page: 'not-found', path };
  }
  if (head === 'changes') {
    if (second === undefined) return { page: 'changes', view: { mode: 'run', runId: null } };
    if (second === 'run' && fourth === undefined) {
      const runId = runIdOf(third);
      if (runId !== null) return { page: 'changes', view: { mode: 'run', runId } };
    }
    if (second === 'compare' && extra.length === 0) {
      if (third === undefined) return { page: 'changes', view: { mode: 'compare', fromRunId: null, toRunId: null } };
      const fromRunId = runIdOf(third);
      const toRunId = runIdOf(fourth);
      if (fromRunId !== null && toRunId !== null) return { page: 'changes', view: { mode: 'compare', fromRunId, toRunId } };
    }
    return { page: 'not-found', path };
  }
  if (head === 'directory') {
    const tab = (second ?? 'users') as DirectoryTab;
    if (!tabs.includes(tab)) return { page: 'not-found', path };
    if (third === undefined) return { page: 'directory', tab, detail: null };
    const connectionId = Number(third);
    const id = fourth === undefined ? null : decode(fourth);
    if (!Number.isInteger(connectionId) || connectionId <= 0 || id === null || id === '' || extra.length > 0) {
      return { page: 'not-found', path };
    }
    return { page: 'directory', tab, detail: { connectionId, id } };
  }
  return { page: 'not-found', path };
}

function reviewsPath(route: ReviewsView): string {
  switch (route.view) {
    case 'list':
      return '#/reviews';
    case 'new':
      return '#/reviews/new';
    case 'mine':
      return route.campaignId === null ? '#/reviews/mine' : `#/reviews/mine/${route.campaignId}`;
    case 'campaign':
      return `#/reviews/${route.campaignId}`;
    case 'edit':
      return `#/reviews/${route.campaignId}/edit`;
    case 'preview':
      return `#/reviews/${route.campaignId}/preview`;
  }
}

export function formatRoute(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return '#/dashboard';
    case 'catalog':
      return route.roleId !== null ? `#/catalog/role/${route.roleId}` : route.tab === 'apps' ? '#/catalog' : `#/catalog/${route.tab}`;
    case 'requests':
      return route.requestId !== null ? `#/requests/${route.requestId}` : route.filter === 'mine' ? '#/requests' : `#/requests/${route.filter}`;
    case 'attention':
      return route.section === null ? '#/attention' : `#/attention/${route.section}`;
    case 'access':
      if (route.filter === 'expiring' && route.withinHours !== null) return `#/access/expiring?within=${route.withinHours}`;
      return route.filter === 'time-bound' ? '#/access' : `#/access/${route.filter}`;
    case 'reviews':
      return reviewsPath(route);
    case 'audit':
      return '#/audit';
    case 'evidence':
      return '#/evidence';
    case 'hr':
      return '#/hr';
    case 'notifications':
      return '#/notifications';
    case 'policies':
      return route.policyId === null ? '#/policies' : `#/policies/${route.policyId}`;
    case 'plans':
      return route.planId === null ? '#/plans' : `#/plans/${route.planId}`;
    case 'connections':
      return route.adding ? '#/connections/new' : '#/connections';
    case 'changes': {
      const v = route.view;
      if (v.mode === 'run') return v.runId === null ? '#/changes' : `#/changes/run/${v.runId}`;
      return v.fromRunId === null ? '#/changes/compare' : `#/changes/compare/${v.fromRunId}/${v.toRunId}`;
    }
    case 'directory':
      return route.detail
        ? `#/directory/${route.tab}/${route.detail.connectionId}/${encodeURIComponent(route.detail.id)}`
        : `#/directory/${route.tab}`;
    case 'not-found':
      return `#/${route.path}`;
  }
}

export const routes = {
  dashboard: (): Route => ({ page: 'dashboard' }),
  catalog: (tab: CatalogTab = 'apps'): Route => ({ page: 'catalog', tab, roleId: null }),
  role: (roleId: number): Route => ({ page: 'catalog', tab: 'apps', roleId }),
  requests: (filter: RequestFilter = 'mine'): Route => ({ page: 'requests', filter, requestId: null }),
  request: (requestId: number): Route => ({ page: 'requests', filter: 'all', requestId }),
  attention: (section: AttentionSection | null = null): Route => ({ page: 'attention', section }),
  access: (filter: AccessFilter = 'time-bound', withinHours: number | null = null): Route => ({ page: 'access', filter, withinHours: filter === 'expiring' ? withinHours : null }),
  reviews: (): Route => ({ page: 'reviews', view: 'list' }),
  newCampaign: (): Route => ({ page: 'reviews', view: 'new' }),
  campaign: (campaignId: number): Route => ({ page: 'reviews', view: 'campaign', campaignId }),
  editCampaign: (campaignId: number): Route => ({ page: 'reviews', view: 'edit', campaignId }),
  previewCampaign: (campaignId: number): Route => ({ page: 'reviews', view: 'preview', campaignId }),
  /** The signed-in reviewer's grid (null: the campaign with their open items is picked there). */
  myReviews: (campaignId: number | null = null): Route => ({ page: 'reviews', view: 'mine', campaignId }),
  audit: (): Route => ({ page: 'audit' }),
  evidence: (): Route => ({ page: 'evidence' }),
  hr: (): Route => ({ page: 'hr' }),
  notifications: (): Route => ({ page: 'notifications' }),
  policies: (): Route => ({ page: 'policies', policyId: null }),
  newPolicy: (): Route => ({ page: 'policies', policyId: 'new' }),
  policy: (policyId: number): Route => ({ page: 'policies', policyId }),
  plans: (): Route => ({ page: 'plans', planId: null }),
  plan: (planId: number): Route => ({ page: 'plans', planId }),
  connections: (adding = false): Route => ({ page: 'connections', adding }),
  directory: (tab: DirectoryTab, detail: ObjectRef | null = null): Route => ({ page: 'directory', tab, detail }),
  /** One run's changes; without a run, the newest changes across runs. */
  changes: (runId: number | null = null): Route => ({ page: 'changes', view: { mode: 'run', runId } }),
  compare: (fromRunId: number | null = null, toRunId: number | null = null): Route =>
    fromRunId !== null && toRunId !== null
      ? { page: 'changes', view: { mode: 'compare', fromRunId, toRunId } }
      : { page: 'changes', view: { mode: 'compare', fromRunId: null, toRunId: null } },
};

export function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (window.location.hash !== hash) window.location.hash = hash;
}
