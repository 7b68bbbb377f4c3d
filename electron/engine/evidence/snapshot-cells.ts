// Cell values of the snapshot sheets from the text SQLite stores: instants
// as Date (UTC), a Jira key with its link, yes/no.
import { issueUrl } from '../jira/issue-url.js';
import type { EvidenceCell } from './sheet-types.js';

/** A stored instant as a Date; NULL (and text that is no instant) as empty. */
export function dateCell(s: string | null | undefined): Date | null {
  if (s === null || s === undefined || s === '') return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t) : null;
}

/** A Jira key with its link to the site, the key alone when the site is unknown, empty when none. */
export function jiraCell(key: string | null, siteUrl: string | null): EvidenceCell {
  if (!key) return null;
  return siteUrl ? { text: key, link: issueUrl(siteUrl, key) } : key;
}

export const text = (s: string | null | undefined): string | null => (s === undefined || s === '' ? null : s);
