// A connection's sync scope as the UI reads and edits it: one line for the
// card, the group types an admin can pick per IdP, and list fields typed as
// comma- or newline-separated text.
import type { ConnectionKind, SyncScope } from '../../../shared/domain.js';

/** Group types each IdP's sync stores, in the words the admin console uses. */
export const groupTypeChoices: Record<ConnectionKind, { value: string; label: string }[]> = {
  okta: [
    { value: 'OKTA_GROUP', label: 'Okta groups' },
    { value: 'APP_GROUP', label: 'App groups (imported, e.g. from AD)' },
    { value: 'BUILT_IN', label: 'Built-in (Everyone)' },
  ],
  entra: [
    { value: 'Security', label: 'Security groups' },
    { value: 'MailEnabledSecurity', label: 'Mail-enabled security groups' },
    { value: 'Microsoft365', label: 'Microsoft 365 groups' },
    { value: 'Dynamic', label: 'Dynamic membership groups' },
    { value: 'Distribution', label: 'Distribution lists' },
  ],
  jira: [],
};

export function isUnlimited(scope: SyncScope): boolean {
  return (
    scope.groups.prefixes.length === 0 &&
    (scope.groups.pattern === null || scope.groups.pattern === '') &&
    scope.groups.types.length === 0 &&
    scope.apps.include.length === 0
  );
}

const quoteList = (xs: readonly string[]): string => xs.map((x) => `“${x}”`).join(', ');

/** e.g. "Groups starting with “App-”, “SG-” or matching /^sec/i · types OKTA_GROUP · apps “Slack”, “Zoom”". */
export function describeScope(scope: SyncScope): string {
  if (isUnlimited(scope)) return 'Everything: all groups and apps';
  const groups: string[] = [];
  if (scope.groups.prefixes.length > 0) groups.push(`starting with ${quoteList(scope.groups.prefixes)}`);
  if (scope.groups.pattern) groups.push(`matching /${scope.groups.pattern}/i`);
  const parts: string[] = [];
  if (groups.length > 0) parts.push(`Groups ${groups.join(' or ')}`);
  if (scope.groups.types.length > 0) parts.push(`${groups.length > 0 ? 'of type' : 'Groups of type'} ${scope.groups.types.join(', ')}`);
  if (parts.length === 0) parts.push('All groups');
  parts.push(scope.apps.include.length > 0 ? `apps ${quoteList(scope.apps.include)}` : 'all apps');
  return parts.join(' · ');
}

/** "App-, SG-\nTeam-" → ["App-", "SG-", "Team-"]: trimmed, blanks and repeats dropped. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const t = part.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Why a pattern would be refused, or null when it is a valid (case-insensitive) regular expression. */
export function patternError(pattern: string): string | null {
  if (pattern.trim() === '') return null;
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (error) {
    return `not a valid regular expression${error instanceof Error && error.message ? ` (${error.message})` : ''}`;
  }
}
