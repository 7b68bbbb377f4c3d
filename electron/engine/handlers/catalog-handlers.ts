// The handlers of the catalog channels (shared/contract-catalog.ts).
import type { catalogChannels } from '../../../shared/contract-catalog.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';
import type { CatalogRoleDetail } from '../../../shared/contract-catalog.js';
import { deleteApp, deleteRole, getCatalogRole, listCatalog, mapGroup, saveApp, saveRole, unmapGroup, type CatalogRoleCore } from '../catalog/catalog.js';
import { roleRequestCounts } from '../requests/request-store.js';
import { decodeBase64, exportCatalog, importCatalogAndAnnounce } from '../catalog/catalog-io.js';
import { acceptSuggestion, catalogCoverage, catalogGroups, dismissSuggestions, listSuggestions, restoreDismissed } from '../catalog/suggestions.js';

export function catalogHandlers(ctx: EngineContext, _helpers: ApiHelpers): AreaHandlers<typeof catalogChannels> {
  const { db } = ctx;
  // A role's detail names how many requests use it; that count is the requests area's.
  const withUsage = (role: CatalogRoleCore): CatalogRoleDetail => ({ ...role, ...roleRequestCounts(db, role.id) });
  return {
    'catalog:list': ({ search }) => listCatalog(db, search),
    'catalog:role': ({ id }) => withUsage(getCatalogRole(db, id)),
    'catalog:saveApp': (input) => saveApp(ctx, input),
    'catalog:deleteApp': ({ id }) => {
      deleteApp(ctx, id);
      return { deleted: true as const };
    },
    'catalog:saveRole': (input) => withUsage(saveRole(ctx, input)),
    'catalog:deleteRole': ({ id }) => {
      deleteRole(ctx, id);
      return { deleted: true as const };
    },
    'catalog:map': ({ roleId, connectionId, groupId }) => withUsage(mapGroup(ctx, roleId, connectionId, groupId)),
    'catalog:unmap': ({ roleId, connectionId, groupId }) => withUsage(unmapGroup(ctx, roleId, connectionId, groupId)),
    'catalog:suggestions': () => listSuggestions(db),
    'catalog:acceptSuggestion': (input) => acceptSuggestion(ctx, input),
    'catalog:dismissSuggestion': ({ items }) => ({ dismissed: dismissSuggestions(ctx, items) }),
    'catalog:restoreDismissed': () => ({ restored: restoreDismissed(ctx) }),
    'catalog:coverage': ({ connectionId }) => catalogCoverage(db, connectionId),
    'catalog:groups': (q) => catalogGroups(db, q),
    'catalog:export': async ({ format }) => {
      const { bytes: _bytes, ...file } = await exportCatalog(db, format, ctx.clock.now());
      return file;
    },
    'catalog:import': ({ format, contentBase64 }) => importCatalogAndAnnounce(ctx, format, decodeBase64(contentBase64)),
  };
}
