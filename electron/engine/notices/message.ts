// What a notice says outside the console: its subject and body, a link into
// the console (a `latchkey://` deep link for the desktop app, else the
// bridge's URL with the page's hash route) and one to the Jira issue. Secrets
// are never put in a notice; `redact` is the last guard, applied to every
// message and every error a sender keeps, against the secrets it holds.
import type { NoticeRecord } from './notice-store.js';

/** What a notice's target may name besides the Jira comment's issue: the console page and the Jira issue's browse URL. */
export type NoticeLinks = { link?: string; jiraUrl?: string };

export type RenderedNotice = { subject: string; text: string; consoleUrl: string | null; jiraUrl: string | null };

/** The console page `path` (a hash route without "#/", e.g. "requests/12") under `base`. */
export function consoleLink(base: string, path: string): string {
  const p = path.replace(/^[#/]+/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\/$/i.test(base)) return `${base}${p}`;
  return `${base.replace(/[/#]+$/, '')}/#/${p}`;
}

export function targetLinks(n: Pick<NoticeRecord, 'target'>): NoticeLinks {
  try {
    const t = JSON.parse(n.target) as Record<string, unknown>;
    return { ...(typeof t.link === 'string' ? { link: t.link } : {}), ...(typeof t.jiraUrl === 'string' ? { jiraUrl: t.jiraUrl } : {}) };
  } catch {
    return {};
  }
}

export function renderNotice(n: Pick<NoticeRecord, 'subject' | 'body' | 'target'>, base: string): RenderedNotice {
  const links = targetLinks(n);
  const consoleUrl = links.link !== undefined ? consoleLink(base, links.link) : null;
  const jiraUrl = links.jiraUrl ?? null;
  const lines = [n.body];
  if (consoleUrl) lines.push('', `Open in Latchkey: ${consoleUrl}`);
  if (jiraUrl) lines.push(`Jira: ${jiraUrl}`);
  return { subject: n.subject, text: lines.join('\n'), consoleUrl, jiraUrl };
}

/** Replaces every occurrence of each secret (and of a URL secret's path, which carries its token) with "[redacted]". */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    const parts = [s];
    try {
      const u = new URL(s);
      if (u.pathname.length > 4) parts.push(u.pathname);
      if (u.search.length > 4) parts.push(u.search);
    } catch {
      // not a URL: the secret alone
    }
    for (const p of parts) out = out.split(p).join('[redacted]');
  }
  return out;
}
