// The handlers of the catalog channels (shared/contract-catalog.ts).
import type { catalogChannels } from '../../../shared/contract-catalog.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';
import { deleteApp, deleteRole, getCatalogRole, listCatalog, mapGroup, saveApp, saveRole, unmapGroup } from './catalog.js';
import { decodeBase64, exportCatalog, importCatalogAndAnnounce } from './catalog-io.js';
import { acceptSuggestion, catalogCoverage, catalogGroups, dismissSuggestions, listSuggestions, restoreDismissed } from './suggestions.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const CATALOG_WRITE_CHANNELS = [
  'catalog:saveApp',
  'catalog:deleteApp',
  'catalog:saveRole',
  'catalog:deleteRole',
  'catalog:map',
  'catalog:unmap',
  'catalog:acceptSuggestion',
  'catalog:dismissSuggestion',
  'catalog:restoreDismissed',
  'catalog:import',
] as const;

export function catalogApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof catalogChannels> {
  const { db } = ctx;
  const { writable } = helpers;
  return {
    'catalog:list': ({ search }) => listCatalog(db, search),
    'catalog:role': ({ id }) => getCatalogRole(db, id),
    'catalog:saveApp': (input) => {
      writable();
      return saveApp(ctx, input);
    },
    'catalog:deleteApp': ({ id }) => {
      writable();
      deleteApp(ctx, id);
      return { deleted: true as const };
    },
    'catalog:saveRole': (input) => {
      writable();
      return saveRole(ctx, input);
    },
    'catalog:deleteRole': ({ id }) => {
      writable();
      deleteRole(ctx, id);
      return { deleted: true as const };
    },
    'catalog:map': ({ roleId, connectionId, groupId }) => {
      writable();
      return mapGroup(ctx, roleId, connectionId, groupId);
    },
    'catalog:unmap': ({ roleId, connectionId, groupId }) => {
      writable();
      return unmapGroup(ctx, roleId, connectionId, groupId);
    },
    'catalog:suggestions': () => listSuggestions(db),
    'catalog:acceptSuggestion': (input) => {
      writable();
      return acceptSuggestion(ctx, input);
    },
    'catalog:dismissSuggestion': ({ items }) => {
      writable();
      return { dismissed: dismissSuggestions(ctx, items) };
    },
    'catalog:restoreDismissed': () => {
      writable();
      return { restored: restoreDismissed(ctx) };
    },
    'catalog:coverage': ({ connectionId }) => catalogCoverage(db, connectionId),
    'catalog:groups': (q) => catalogGroups(db, q),
    'catalog:export': async ({ format }) => {
      const { bytes: _bytes, ...file } = await exportCatalog(db, format, ctx.clock.now());
      return file;
    },
    'catalog:import': ({ format, contentBase64 }) => {
      writable();
      return importCatalogAndAnnounce(ctx, format, decodeBase64(contentBase64));
    },
  };
}
