// Where the notice channels' secrets live: the keychain, one account per
// workspace and channel (a Slack or Teams incoming-webhook URL carries its
// own token; the SMTP password). Never in SQLite, the settings or a message.
import { workspaceId, type EngineContext } from '../context.js';

export type NoticeSecret = 'slack' | 'teams' | 'smtp';

export const noticeSecretAccount = (workspace: string, which: NoticeSecret): string => `workspace-${workspace}/notices-${which}`;

export function getNoticeSecret(ctx: EngineContext, which: NoticeSecret): Promise<string | null> {
  return ctx.secrets.get(noticeSecretAccount(workspaceId(ctx.db), which));
}

export async function setNoticeSecret(ctx: EngineContext, which: NoticeSecret, value: string | null): Promise<void> {
  const account = noticeSecretAccount(workspaceId(ctx.db), which);
  if (value === null || value === '') await ctx.secrets.delete(account);
  else await ctx.secrets.set(account, value);
}
