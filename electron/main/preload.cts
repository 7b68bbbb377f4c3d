// The preload script: the renderer's only door to the main process. It is
// CommonJS and self-contained because Electron's sandboxed preloads can
// neither be ES modules nor require local files; it imports only types from
// shared/. Each contract channel is one explicit function (no generic
// "invoke anything" escape hatch), and the object `satisfies RendererApi`, so
// a channel added to the contract but not here is a compile error.
import type { CallMeta, Channel, ChannelInput, ChannelOutput, EventMap, EventName, RendererApi, Result } from '../../shared/contract.js';
// A .cts file under verbatimModuleSyntax must spell its runtime import this way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

/** The events main may push; anything else is refused. */
const EVENTS = ['sync:progress', 'sync:finished', 'governance:changed', 'evidence:progress'] as const satisfies readonly EventName[];
// Compile-time check that EVENTS lists every event of the contract.
const everyEventListed: Exclude<EventName, (typeof EVENTS)[number]> extends never ? true : false = true;
void everyEventListed;

function call<C extends Channel>(channel: C): (input: ChannelInput<C>, meta?: CallMeta) => Promise<Result<ChannelOutput<C>>> {
  // The call's meta (sandbox "acting as") travels as a second argument only when there is one.
  return (input, meta) => (meta ? ipcRenderer.invoke(channel, input, meta) : ipcRenderer.invoke(channel, input)) as Promise<Result<ChannelOutput<C>>>;
}

const api = {
  'app:info': call('app:info'),
  'dashboard:summary': call('dashboard:summary'),
  'connections:list': call('connections:list'),
  'connections:add': call('connections:add'),
  'connections:test': call('connections:test'),
  'connections:remove': call('connections:remove'),
  'connections:setScope': call('connections:setScope'),
  'sync:start': call('sync:start'),
  'sync:runs': call('sync:runs'),
  'sync:active': call('sync:active'),
  'directory:users': call('directory:users'),
  'directory:userFacets': call('directory:userFacets'),
  'directory:user': call('directory:user'),
  'directory:groups': call('directory:groups'),
  'directory:group': call('directory:group'),
  'directory:groupMembers': call('directory:groupMembers'),
  'directory:apps': call('directory:apps'),
  'directory:app': call('directory:app'),
  'directory:correlationIssues': call('directory:correlationIssues'),
  'directory:accounts': call('directory:accounts'),
  'changes:list': call('changes:list'),
  'changes:diff': call('changes:diff'),
  'audit:recent': call('audit:recent'),
  'audit:events': call('audit:events'),
  'audit:actions': call('audit:actions'),
  'audit:status': call('audit:status'),
  'audit:verify': call('audit:verify'),
  'audit:export': call('audit:export'),
  // catalog channels (shared/contract-catalog.ts)
  'catalog:list': call('catalog:list'),
  'catalog:role': call('catalog:role'),
  'catalog:saveApp': call('catalog:saveApp'),
  'catalog:deleteApp': call('catalog:deleteApp'),
  'catalog:saveRole': call('catalog:saveRole'),
  'catalog:deleteRole': call('catalog:deleteRole'),
  'catalog:map': call('catalog:map'),
  'catalog:unmap': call('catalog:unmap'),
  'catalog:suggestions': call('catalog:suggestions'),
  'catalog:acceptSuggestion': call('catalog:acceptSuggestion'),
  'catalog:dismissSuggestion': call('catalog:dismissSuggestion'),
  'catalog:restoreDismissed': call('catalog:restoreDismissed'),
  'catalog:coverage': call('catalog:coverage'),
  'catalog:groups': call('catalog:groups'),
  'catalog:export': call('catalog:export'),
  'catalog:import': call('catalog:import'),
  // HR source channels (shared/contract-hr.ts)
  'hr:status': call('hr:status'),
  'hr:import': call('hr:import'),
  'notices:list': call('notices:list'),
  'notices:preview': call('notices:preview'),
  'notices:getSettings': call('notices:getSettings'),
  'notices:setSettings': call('notices:setSettings'),
  'notices:test': call('notices:test'),
  // birthright policies channels (shared/contract-policies.ts)
  'policies:list': call('policies:list'),
  'policies:get': call('policies:get'),
  'policies:check': call('policies:check'),
  'policies:whatif': call('policies:whatif'),
  'policies:export': call('policies:export'),
  'policies:save': call('policies:save'),
  'policies:setMode': call('policies:setMode'),
  'policies:approve': call('policies:approve'),
  'policies:import': call('policies:import'),
  'policies:addException': call('policies:addException'),
  'policies:endException': call('policies:endException'),
  'policies:setApprovalPeople': call('policies:setApprovalPeople'),
  'plans:list': call('plans:list'),
  'plans:get': call('plans:get'),
  'plans:retry': call('plans:retry'),
  // requests channels (shared/contract-requests.ts)
  'requests:list': call('requests:list'),
  'requests:governanceCounts': call('requests:governanceCounts'),
  'requests:get': call('requests:get'),
  'requests:create': call('requests:create'),
  'requests:decide': call('requests:decide'),
  'requests:bulkDecide': call('requests:bulkDecide'),
  'requests:cancel': call('requests:cancel'),
  'requests:extend': call('requests:extend'),
  'requests:importCsv': call('requests:importCsv'),
  'requests:searchBeneficiaries': call('requests:searchBeneficiaries'),
  'requests:requestableRoles': call('requests:requestableRoles'),
  'settings:get': call('settings:get'),
  'settings:set': call('settings:set'),
  // jobs channels (shared/contract-jobs.ts)
  'jobs:list': call('jobs:list'),
  'jobs:attention': call('jobs:attention'),
  'jobs:retry': call('jobs:retry'),
  'jobs:cancel': call('jobs:cancel'),
  'jobs:manualTasks': call('jobs:manualTasks'),
  'jobs:completeTask': call('jobs:completeTask'),
  'jobs:cancelTask': call('jobs:cancelTask'),
  'jobs:drift': call('jobs:drift'),
  'jobs:resolveDrift': call('jobs:resolveDrift'),
  'jobs:grants': call('jobs:grants'),
  'jobs:revokeGrant': call('jobs:revokeGrant'),
  'jobs:clock': call('jobs:clock'),
  'jobs:advanceClock': call('jobs:advanceClock'),
  'reviews:list': call('reviews:list'),
  'reviews:get': call('reviews:get'),
  'reviews:create': call('reviews:create'),
  'reviews:update': call('reviews:update'),
  'reviews:copy': call('reviews:copy'),
  'reviews:preview': call('reviews:preview'),
  'reviews:launch': call('reviews:launch'),
  'reviews:cancel': call('reviews:cancel'),
  'reviews:items': call('reviews:items'),
  'reviews:grid': call('reviews:grid'),
  'reviews:item': call('reviews:item'),
  'reviews:decide': call('reviews:decide'),
  'reviews:submit': call('reviews:submit'),
  'reviews:reassign': call('reviews:reassign'),
  'reviews:progress': call('reviews:progress'),
  'reviews:close': call('reviews:close'),
  'reviews:exportWorkbook': call('reviews:exportWorkbook'),
  'reviews:importWorkbook': call('reviews:importWorkbook'),
  // jira channels (shared/contract-jira.ts)
  'jira:status': call('jira:status'),
  'jira:pollNow': call('jira:pollNow'),
  'jira:setStatuses': call('jira:setStatuses'),
  // operator channels (shared/contract-operator.ts)
  'operator:status': call('operator:status'),
  'operator:signIn': call('operator:signIn'),
  'operator:signOut': call('operator:signOut'),
  'operator:setSettings': call('operator:setSettings'),
  'evidence:export': call('evidence:export'),
  'evidence:runs': call('evidence:runs'),
  'evidence:cancel': call('evidence:cancel'),
  'evidence:reveal': call('evidence:reveal'),
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event "${String(event)}"`);
    // The IpcRendererEvent is not passed on: it would hand the page `sender`.
    const wrapped = (_event: unknown, payload: EventMap[E]): void => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
} satisfies RendererApi;

contextBridge.exposeInMainWorld('latchkey', api);
