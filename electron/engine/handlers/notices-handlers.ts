// The handlers of the notices' channels (shared/contract-notices.ts).
import type { noticesChannels } from '../../../shared/contract-notices.js';
import type { EngineContext } from '../context.js';
import { listNotices, noticeSettings, previewNotices, testNoticeChannel, updateNoticeSettings } from '../notices/notice-admin.js';
import type { AreaHandlers } from './handler-types.js';

export function noticesHandlers(ctx: EngineContext): AreaHandlers<typeof noticesChannels> {
  return {
    'notices:list': (q) => listNotices(ctx, q),
    'notices:preview': ({ days }) => previewNotices(ctx, days),
    'notices:getSettings': () => noticeSettings(ctx),
    'notices:setSettings': (patch) => updateNoticeSettings(ctx, patch),
    'notices:test': (input) => testNoticeChannel(ctx, input),
  };
}
