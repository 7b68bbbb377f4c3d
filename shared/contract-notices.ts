// Notices outside the console (issue 14): the notice types, where each goes
// (channels, recipients, digest), quiet hours, and the SMTP server — the
// workspace's notice settings. Secrets (webhook URLs, the SMTP password) are
// never here: they live in the keychain and the console only learns whether
// one is set.

/** The notice types a route can be set for ('finding-new-high' and 'partner-contract-ending' are reserved for later). */
export const NOTICE_TYPES = [
  'approval-needed',
  'decision-made',
  'access-granted',
  'access-ending-soon',
  'access-ended',
  'review-assigned',
  'review-reminder',
  'job-failed',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** Types that ask someone to act: only they make a daily digest go out. */
export const ACTION_NOTICE_TYPES: readonly NoticeType[] = ['approval-needed', 'review-assigned', 'review-reminder'];

export const ROUTED_CHANNELS = ['email', 'slack', 'teams', 'jira-comment'] as const;
export type RoutedChannel = (typeof ROUTED_CHANNELS)[number];

/** Who a notice goes to: the people of the request (or review), or fixed addresses. */
export const NOTICE_AUDIENCES = ['requester', 'approvers', 'beneficiary', 'reviewer', 'fixed'] as const;
export type NoticeAudience = (typeof NOTICE_AUDIENCES)[number];

export type NoticeRoute = {
  channels: RoutedChannel[];
  to: NoticeAudience[];
  /** With 'fixed': e-mail addresses (Slack and Teams post to their one webhook's channel whoever the recipient). */
  fixed: string[];
  /** Held for the daily digest instead of sent at once. */
  digest: boolean;
};

/** Quiet hours on the UTC clock ("22:00"–"07:00" wraps midnight); a notice due inside is held until they end. */
export type QuietHours = { start: string; end: string };

export type SmtpSecurity = 'starttls' | 'tls' | 'none';

export type SmtpSettings = {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** The account to sign in as (its password is in the keychain); null: no authentication. */
  user: string | null;
  from: string;
  /** PEM of a private CA to trust for this server (the sandbox's), null: the system's. */
  caPem: string | null;
};

export type NoticeSettings = {
  routes: Partial<Record<NoticeType, NoticeRoute>>;
  quietHours: QuietHours | null;
  /** "HH:MM" UTC when the daily digest goes out. */
  digestAt: string;
  /** Where message links point: 'latchkey://' (the desktop app) or the bridge's URL. */
  consoleUrl: string;
  smtp: SmtpSettings | null;
  /** Whether a Slack / Teams webhook URL is in the keychain (the URL itself never leaves it). */
  webhooks: { slack: boolean; teams: boolean };
};

export const DEFAULT_NOTICE_SETTINGS: NoticeSettings = {
  routes: {
    'approval-needed': { channels: ['email'], to: ['approvers'], fixed: [], digest: false },
    'decision-made': { channels: ['email'], to: ['requester'], fixed: [], digest: false },
    'access-granted': { channels: ['email'], to: ['beneficiary'], fixed: [], digest: false },
    'access-ending-soon': { channels: ['email'], to: ['beneficiary'], fixed: [], digest: false },
    'access-ended': { channels: ['email'], to: ['beneficiary'], fixed: [], digest: true },
    'review-assigned': { channels: ['email'], to: ['reviewer'], fixed: [], digest: false },
    'review-reminder': { channels: ['jira-comment'], to: ['reviewer'], fixed: [], digest: false },
    'job-failed': { channels: [], to: ['fixed'], fixed: [], digest: false },
  },
  quietHours: null,
  digestAt: '08:00',
  consoleUrl: 'latchkey://',
  smtp: null,
  webhooks: { slack: false, teams: false },
};
