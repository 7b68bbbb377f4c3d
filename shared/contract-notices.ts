// Notices outside the console (issue 14): the notice types, where each goes
// (channels, recipients, digest), quiet hours, and the SMTP server — the
// workspace's notice settings. Secrets (webhook URLs, the SMTP password) are
// never here: they live in the keychain and the console only learns whether
// one is set.
import { z } from 'zod';
import { read, write } from './channel.js';

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

// --- channels (merged into shared/contract.ts) ------------------------------------------------------

/** A notice as the console and `latchkey notices` show it (never a secret: messages carry none). */
export type NoticeRow = {
  id: number;
  kind: string;
  channel: RoutedChannel;
  recipient: string;
  subject: string;
  dueAt: string;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  sentAt: string | null;
  reference: string | null;
  attempts: number;
  lastError: string | null;
  cancelledWhy: string | null;
  about: string | null;
};

export type NoticeTestResult = { ok: true; noticeId: number; reference: string } | { ok: false; noticeId: number; error: string };

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (UTC)');
const email = z.string().trim().min(3).max(320).regex(/^[^@\s]+@[^@\s]+$/, 'an e-mail address');
const noticeRoute = z
  .object({
    channels: z.array(z.enum(ROUTED_CHANNELS)).max(4),
    to: z.array(z.enum(NOTICE_AUDIENCES)).max(5),
    fixed: z.array(email).max(50).default([]),
    digest: z.boolean().default(false),
  })
  .strict();

export const noticeSettingsPatch = z
  .object({
    routes: z.partialRecord(z.enum(NOTICE_TYPES), noticeRoute).optional(),
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().nullable().optional(),
    digestAt: hhmm.optional(),
    consoleUrl: z.string().trim().max(500).regex(/^(latchkey:\/\/|https?:\/\/\S+)$/, 'latchkey:// or the bridge URL (http(s)://…)').optional(),
    smtp: z
      .object({ host: z.string().trim().min(1).max(255), port: z.number().int().min(1).max(65535), security: z.enum(['starttls', 'tls', 'none']), user: z.string().max(320).nullable(), from: email, caPem: z.string().max(20_000).nullable().default(null) })
      .strict()
      .nullable()
      .optional(),
    /** Secrets: written to the keychain only (null removes); never echoed back. */
    smtpPassword: z.string().max(1000).nullable().optional(),
    slackWebhookUrl: z.string().url().max(2000).nullable().optional(),
    teamsWebhookUrl: z.string().url().max(2000).nullable().optional(),
  })
  .strict();
export type NoticeSettingsPatch = z.infer<typeof noticeSettingsPatch>;

export const noticesChannels = {
  /** The newest notices (any status, or one), what was planned and what went out. */
  'notices:list': read<NoticeRow[]>()(z.object({ status: z.enum(['pending', 'sent', 'failed', 'cancelled', 'all']).default('all'), limit: z.number().int().min(1).max(1000).default(200) }).strict()),
  /** What the outbox will send in the next days (default 7), as planned now. */
  'notices:preview': read<NoticeRow[]>()(z.object({ days: z.number().int().min(1).max(31).default(7) }).strict()),
  'notices:getSettings': read<NoticeSettings>()(z.object({}).strict()),
  'notices:setSettings': write<NoticeSettings>()(noticeSettingsPatch),
  /** Sends a test message through one channel now (to `to`, or the operator for e-mail), recorded like any notice. */
  'notices:test': write<NoticeTestResult>()(z.object({ channel: z.enum(['email', 'slack', 'teams']), to: email.optional() }).strict()),
};
