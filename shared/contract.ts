// The one contract between the renderer and the engine. Every channel is
// `domain:verb` with a zod schema for its input and a type for its output.
// Both transports (Electron IPC and the local HTTP bridge) carry exactly this
// table and nothing else; neither holds logic.
import { z } from 'zod';
import type {
  AccountRef,
  AppDetail,
  AppInfo,
  AppRow,
  AuditEvent,
  ConnectionSummary,
  ConnectionTestResult,
  CorrelationIssue,
  DashboardSummary,
  GroupDetail,
  GroupRow,
  Page,
  RunDiff,
  SnapshotChange,
  ChangeCounts,
  SyncProgress,
  SyncRunSummary,
  UserDetail,
  UserRow,
} from './domain.js';

import { read, write } from './channel.js';
import { auditChannels } from './contract-audit.js';
import { catalogChannels } from './contract-catalog.js';
import { evidenceChannels, type EvidenceRunView } from './contract-evidence.js';
import { hrChannels } from './contract-hr.js';
import { noticesChannels } from './contract-notices.js';
import { jiraChannels, jiraStatusNamesInput } from './contract-jira.js';
import { operatorChannels } from './contract-operator.js';
import { policiesChannels } from './contract-policies.js';
import { planChannels } from './contract-plans.js';
import { jobsChannels } from './contract-jobs.js';
import { requestsChannels } from './contract-requests.js';
import { reviewsChannels } from './contract-reviews.js';

const empty = z.object({}).strict();
const connectionRef = z.object({ connectionId: z.number().int().positive() }).strict();
const objectRef = z
  .object({ connectionId: z.number().int().positive(), id: z.string().min(1).max(200) })
  .strict();
const sortDir = z.enum(['asc', 'desc']);
const paging = {
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
};

/** 127.0.0.0/8, ::1 or localhost, as `URL.hostname` spells them (IPv4 is normalised, IPv6 bracketed). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Why a connection URL may not carry a credential, or null: plain http is
 * refused except on loopback (the sandbox), since the API token, client
 * secret or bearer token sent to it would travel in clear.
 */
export function plainHttpProblem(url: string, what: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' || isLoopbackHost(u.hostname)) return null;
  return `use https:// for ${what}: plain http would send the credential in clear (http:// is allowed only on loopback: 127.0.0.1, ::1, localhost)`;
}

/** An http(s) URL; the message names an example of what is expected in this field. Plain http only on loopback. */
export const httpUrlLike = (example: string, what = 'a URL') =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, `not a URL: expected something like ${example}`)
    .superRefine((s, refinement) => {
      const problem = plainHttpProblem(s, what);
      if (problem) refinement.addIssue({ code: 'custom', message: problem });
    });

export const httpUrl = httpUrlLike('https://your-org.okta.com', 'an org URL');

export const addOktaConnectionInput = z
  .object({
    kind: z.literal('okta'),
    name: z.string().trim().min(1, 'a name is required').max(80),
    orgUrl: httpUrl,
    /** Share of each Okta rate-limit bucket the sync may use. */
    budgetShare: z.number().gt(0).max(1).default(0.5),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('token'), token: z.string().min(1, 'the API token is empty') }).strict(),
      z
        .object({
          type: z.literal('oauth'),
          clientId: z.string().min(1, 'the client id is empty'),
          privateKeyPem: z.string().includes('PRIVATE KEY', { message: 'not a PEM private key' }),
          scopes: z.array(z.string().min(1)).min(1).default([
            'okta.users.read',
            'okta.groups.read',
            'okta.apps.read',
            'okta.logs.read',
          ]),
        })
        .strict(),
    ]),
  })
  .strict();
export type AddOktaConnectionInput = z.infer<typeof addOktaConnectionInput>;

const pem = (what: string) => z.string().includes('-----BEGIN', { message: `not PEM: expected ${what}` });

/** An Entra ID (Microsoft Graph) app registration with application permissions, client credentials flow. */
export const addEntraConnectionInput = z
  .object({
    kind: z.literal('entra'),
    name: z.string().trim().min(1, 'a name is required').max(80),
    /** Directory (tenant) id or a verified domain. */
    tenantId: z.string().trim().min(1, 'the tenant id is required').max(200),
    clientId: z.string().trim().min(1, 'the application (client) id is required').max(200),
    /** Microsoft identity platform host; sovereign clouds and the sandbox differ. */
    authorityHost: httpUrlLike('https://login.microsoftonline.com', 'the authority host').default('https://login.microsoftonline.com'),
    /** Graph endpoint; sovereign clouds and the sandbox differ. */
    graphUrl: httpUrlLike('https://graph.microsoft.com', 'the Graph URL').default('https://graph.microsoft.com'),
    /** A CA certificate to trust for both hosts (TLS inspection, the sandbox); not a secret. */
    caPem: pem('a CA certificate').optional(),
    budgetShare: z.number().gt(0).max(1).default(0.5),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('secret'), clientSecret: z.string().min(1, 'the client secret is empty') }).strict(),
      z
        .object({
          type: z.literal('certificate'),
          /** The certificate and its private key, PEM, as uploaded to the app registration. */
          certificatePem: pem('the certificate and private key').refine((s) => s.includes('PRIVATE KEY'), 'the PEM has no private key'),
        })
        .strict(),
    ]),
  })
  .strict();
export type AddEntraConnectionInput = z.infer<typeof addEntraConnectionInput>;

/** A Jira Cloud site: account e-mail + API token (Basic auth), the project requests are recorded in, and optionally the JSM request type to import. */
const jiraFieldId = z.string().trim().regex(/^customfield_\d+$/, 'a custom field id looks like customfield_10050');

export const addJiraConnectionInput = z
  .object({
    kind: z.literal('jira'),
    name: z.string().trim().min(1, 'a name is required').max(80),
    siteUrl: httpUrlLike('https://your-site.atlassian.net', 'the site URL'),
    email: z.string().trim().email('not an e-mail address: the Atlassian account the API token belongs to'),
    apiToken: z.string().trim().min(1, 'the API token is empty'),
    projectKey: z
      .string()
      .trim()
      .regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'a project key is 2-10 capital letters or digits, starting with a letter (e.g. ACC)'),
    serviceDeskId: z.string().trim().regex(/^\d+$/, 'a service desk id is a number').nullable().default(null),
    requestTypeId: z.string().trim().regex(/^\d+$/, 'a request type id is a number').nullable().default(null),
    /** The portal request type's custom field ids, where the site's differ from Latchkey's defaults. */
    fields: z
      .object({
        beneficiaryEmail: jiraFieldId.optional(),
        access: jiraFieldId.optional(),
        duration: jiraFieldId.optional(),
        approvers: jiraFieldId.optional(),
      })
      .strict()
      .default({}),
    /** The workflow status names Latchkey moves issues through, where the project's differ from the defaults. */
    statuses: jiraStatusNamesInput.optional(),
  })
  .strict()
  .refine((v) => (v.serviceDeskId === null) === (v.requestTypeId === null), {
    message: 'give both the service desk id and the request type id (to import portal requests), or neither',
    path: ['requestTypeId'],
  });
export type AddJiraConnectionInput = z.infer<typeof addJiraConnectionInput>;

export const addConnectionInput = z.discriminatedUnion('kind', [addOktaConnectionInput, addEntraConnectionInput, addJiraConnectionInput]);
export type AddConnectionInput = z.infer<typeof addConnectionInput>;

export const syncScopeInput = z
  .object({
    groups: z
      .object({
        prefixes: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
        pattern: z
          .string()
          .max(500)
          .nullable()
          .default(null)
          .refine((p) => {
            if (p === null || p === '') return true;
            try {
              new RegExp(p, 'i');
              return true;
            } catch {
              return false;
            }
          }, 'not a valid regular expression'),
        types: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
      })
      .strict()
      .default({ prefixes: [], pattern: null, types: [] }),
    apps: z
      .object({ include: z.array(z.string().trim().min(1).max(200)).max(500).default([]) })
      .strict()
      .default({ include: [] }),
  })
  .strict();

const changeKind = z.enum([
  'joiner', 'leaver', 'status', 'attribute', 'membership-add', 'membership-remove', 'assignment-add', 'assignment-remove',
  'group-added', 'group-removed', 'group-changed', 'app-added', 'app-removed', 'app-changed',
]);

export const changesQuery = z
  .object({
    /** One run's changes; otherwise the newest across runs. */
    runId: z.number().int().positive().optional(),
    connectionId: z.number().int().positive().optional(),
    kind: z.array(changeKind).max(14).default([]),
    /** Matches subject or object name/id and the before/after values. */
    search: z.string().max(200).default(''),
    ...paging,
  })
  .strict();
export type ChangesQuery = z.infer<typeof changesQuery>;

export const diffQuery = z
  .object({
    fromRunId: z.number().int().positive(),
    toRunId: z.number().int().positive(),
    kind: z.array(changeKind).max(14).default([]),
    search: z.string().max(200).default(''),
    ...paging,
  })
  .strict();
export type DiffQuery = z.infer<typeof diffQuery>;

export const userQuery = z
  .object({
    search: z.string().max(200).default(''),
    status: z.array(z.string().max(40)).max(20).default([]),
    department: z.array(z.string().max(200)).max(200).default([]),
    connectionId: z.number().int().positive().optional(),
    sort: z
      .enum(['displayName', 'login', 'email', 'status', 'department', 'title', 'manager', 'lastLogin', 'groupCount'])
      .default('displayName'),
    dir: sortDir.default('asc'),
    ...paging,
  })
  .strict();
export type UserQuery = z.infer<typeof userQuery>;

export const groupQuery = z
  .object({
    search: z.string().max(200).default(''),
    managedBy: z.array(z.enum(['rule', 'external', 'latchkey', 'direct'])).default([]),
    type: z.array(z.string().max(40)).max(20).default([]),
    connectionId: z.number().int().positive().optional(),
    sort: z.enum(['name', 'type', 'managedBy', 'memberCount']).default('name'),
    dir: sortDir.default('asc'),
    ...paging,
  })
  .strict();
export type GroupQuery = z.infer<typeof groupQuery>;

export const appQuery = z
  .object({
    search: z.string().max(200).default(''),
    connectionId: z.number().int().positive().optional(),
    sort: z.enum(['label', 'status', 'groupCount']).default('label'),
    dir: sortDir.default('asc'),
    ...paging,
  })
  .strict();
export type AppQuery = z.infer<typeof appQuery>;

export const groupMembersQuery = objectRef
  .extend({ search: z.string().max(200).default(''), ...paging })
  .strict();
export type GroupMembersQuery = z.infer<typeof groupMembersQuery>;

export const contract = {
  /** Version, database path, transport and whether the workspace is read-only. */
  'app:info': read<AppInfo>()(empty),
  /** Counts for the dashboard and the most recent sync runs. */
  'dashboard:summary': read<DashboardSummary>()(empty),
  /** Every configured connection with its last sync run. */
  'connections:list': read<ConnectionSummary[]>()(empty),
  /** Adds an Okta, Entra or Jira connection; the credential goes to the OS keychain, never to the database. */
  'connections:add': write<ConnectionSummary>()(addConnectionInput),
  /** Sets what a connection syncs (group name prefixes/pattern/types, apps); applies from the next sync. */
  'connections:setScope': write<ConnectionSummary>()(z.object({ connectionId: z.number().int().positive(), scope: syncScopeInput }).strict()),
  /** Calls the IdP with the stored credential and reports org name and read/write ability. */
  'connections:test': write<ConnectionTestResult>()(connectionRef),
  /** Removes a connection, its snapshot and its keychain entry. */
  'connections:remove': write<{ removed: true }>()(connectionRef),
  /** Starts a sync in the background (incremental when it can, full when asked or needed); progress arrives as `sync:progress` events. */
  'sync:start': write<{ runId: number }>()(
    z.object({ connectionId: z.number().int().positive(), full: z.boolean().default(false) }).strict(),
  ),
  /** Sync run history, newest first (optionally for one connection). */
  'sync:runs': read<SyncRunSummary[]>()(
    z.object({ connectionId: z.number().int().positive().optional(), limit: z.number().int().min(1).max(500).default(50) }).strict(),
  ),
  /** Progress of runs still going, so a reloaded window can pick them up. */
  'sync:active': read<SyncProgress[]>()(empty),
  /** A page of users matching search, filters and sort. */
  'directory:users': read<Page<UserRow>>()(userQuery),
  /** Distinct statuses and departments with counts, for the filter menus. */
  'directory:userFacets': read<{ statuses: { value: string; count: number }[]; departments: { value: string; count: number }[] }>()(
    z.object({ connectionId: z.number().int().positive().optional() }).strict(),
  ),
  /** One user's profile, groups and the apps those groups give. */
  'directory:user': read<UserDetail>()(objectRef),
  /** A page of groups. */
  'directory:groups': read<Page<GroupRow>>()(groupQuery),
  /** One group with its assigned apps. */
  'directory:group': read<GroupDetail>()(objectRef),
  /** A page of a group's members. */
  'directory:groupMembers': read<Page<UserRow>>()(groupMembersQuery),
  /** A page of apps with their assigned group counts. */
  'directory:apps': read<Page<AppRow>>()(appQuery),
  /** One app with its assigned groups. */
  'directory:app': read<AppDetail>()(objectRef),
  /** People whose accounts could not be matched across IdPs without guessing. */
  'directory:correlationIssues': read<CorrelationIssue[]>()(empty),
  /** Every IdP account of the person an identity belongs to. */
  'directory:accounts': read<AccountRef[]>()(objectRef),
  /** Recorded changes (one run's, or the newest), filtered, with counts per kind. */
  'changes:list': read<Page<SnapshotChange> & { counts: ChangeCounts }>()(changesQuery),
  /** The net difference between two runs of one connection. */
  'changes:diff': read<RunDiff>()(diffQuery),
  /** The newest audit events and whether the hash chain verifies. */
  'audit:recent': read<{ events: AuditEvent[]; chainValid: boolean }>()(
    z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  ...catalogChannels,
  ...requestsChannels,
  ...jobsChannels,
  ...reviewsChannels,
  ...jiraChannels,
  ...operatorChannels,
  ...auditChannels,
  ...evidenceChannels,
  ...hrChannels,
  ...noticesChannels,
  ...policiesChannels,
  ...planChannels,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelArgs<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = Contract[C]['output'];

/** What every transport returns: a value, or an error message safe to show. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string; code: ErrorCode };
export type ErrorCode = 'bad-input' | 'not-found' | 'read-only' | 'unauthorized' | 'conflict' | 'failed';

/** Events pushed from the engine to the renderer. */
export type EventMap = {
  'sync:progress': SyncProgress;
  'sync:finished': SyncRunSummary;
  /** Requests, grants, jobs, manual tasks or the catalog changed (a job ran, expiry fired, a JSM request arrived): views refetch. */
  'governance:changed': { area: 'catalog' | 'requests' | 'jobs' | 'reviews' | 'plans'; ids: number[] };
  /** An evidence export moved on (rows written, a sheet done) or ended. */
  'evidence:progress': EvidenceRunView;
};
export type EventName = keyof EventMap;
export const eventNames = ['sync:progress', 'sync:finished', 'governance:changed', 'evidence:progress'] as const satisfies readonly EventName[];

/** The API the renderer sees, one function per channel, whichever transport carries it. */
/** What a renderer may say about a call besides its input: who the session acts as (sandbox workspaces only; the engine ignores it elsewhere). */
export type CallMeta = { actingAs: string | null };

export type RendererApi = {
  [C in Channel]: (input: ChannelInput<C>, meta?: CallMeta) => Promise<Result<ChannelOutput<C>>>;
} & {
  on: <E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) => () => void;
};

export const channelNames = Object.keys(contract) as Channel[];

/** Channels declared with `write`: refused on a read-only workspace. */
export type WriteChannel = { [C in Channel]: Contract[C]['writes'] extends true ? C : never }[Channel];

export const WRITE_CHANNELS: readonly WriteChannel[] = channelNames.filter((c): c is WriteChannel => contract[c].writes);

export function isWriteChannel(name: Channel): name is WriteChannel {
  return contract[name].writes;
}

/** Formats a zod failure as one line that names the offending field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
