// Hash routes, so reloads and deep links work both from disk (Electron) and
// from the bridge. The bridge's `#token=` fragment is consumed before any of
// this runs (see api/bridge-token.ts).

export type DirectoryTab = 'users' | 'groups' | 'apps';
export type ObjectRef = { connectionId: number; id: string };

export type Route =
  | { page: 'dashboard' }
  | { page: 'directory'; tab: DirectoryTab; detail: ObjectRef | null }
  | { page: 'connections'; adding: boolean }
  | { page: 'not-found'; path: string };

const tabs: readonly DirectoryTab[] = ['users', 'groups', 'apps'];

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const path = raw.split('?')[0] ?? '';
  const parts = path.split('/').filter((p) => p !== '');
  const [head, second, third, fourth, ...extra] = parts;
  if (head === undefined || head === 'dashboard') {
    return parts.length <= 1 ? { page: 'dashboard' } : { page: 'not-found', path };
  }
  if (head === 'connections') {
    if (second === undefined) return { page: 'connections', adding: false };
    if (second === 'new' && third === undefined) return { page: 'connections', adding: true };
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

export function formatRoute(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return '#/dashboard';
    case 'connections':
      return route.adding ? '#/connections/new' : '#/connections';
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
  connections: (adding = false): Route => ({ page: 'connections', adding }),
  directory: (tab: DirectoryTab, detail: ObjectRef | null = null): Route => ({ page: 'directory', tab, detail }),
};

export function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (window.location.hash !== hash) window.location.hash = hash;
}
