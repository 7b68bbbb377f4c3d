// Starts the embedded sandbox tenant: a generated organisation behind an
// Okta-compatible server on loopback, with an admin API token, a read-only
// admin API token and an OAuth service app (private_key_jwt), and (unless
// `graph: false`) a Microsoft Graph-compatible HTTPS server over the Entra
// view of the same people, with a client-credentials app registration, and
// (unless `jira: false`) a Jira Cloud / Jira Service Management-compatible
// server with project ACC, service desk 1 and request type 10. Used by
// `npm start` without a tenant (the demo), `latchkey sandbox`, the tests and
// the benchmarks.
//
// The organisation is deterministic (same seed and size, same people, ids,
// groups and memberships). The credentials are not: tokens, the service
// app's key pair, the Graph client secret and the TLS CA are random per
// start, because a sandbox left running on a shared machine should not answer
// to a token anyone can derive from the seed. Scripts read them from the JSON line printed by `latchkey sandbox`.
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Faults } from './faults.js';
import { SANDBOX_GRAPH_ROLES, startGraphServer, type GraphServer } from './graph-server.js';
import { JIRA_PROJECT, JIRA_REQUEST_TYPE, JIRA_SERVICE_DESK, startJiraServer, type JiraQuirks, type JiraServer } from './jira-server.js';
import { generateHrFeed, type HrFeed } from './hr-feed.js';
import { generateOrg } from './org-generator.js';
import type { Org } from './org-model.js';
import { startOktaServer, type Clock, type OktaServerStats } from './okta-server.js';
import type { MutateRequest, MutateSummary } from './okta-mutate.js';
import type { OktaMutations } from './okta-mutations.js';
import type { OktaState } from './okta-state.js';
import type { RateLimitMode } from './rate-limits.js';
import type { SystemLog } from './system-log.js';
import { generateAppCertificate, generateSandboxTls, type TlsMaterial } from './tls.js';
import { createFaults } from './faults.js';
import { startSmtpMailbox, type SmtpMailbox } from './smtp-mailbox.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

/**
 * The demo that `npm start` and the desktop app run when no tenant is
 * configured: Okta and Graph over one hybrid organisation (the same people in
 * both, so the Directory shows them correlated), no rate limits, a fixed
 * organisation.
 */
export const DEMO_SANDBOX_OPTIONS = { users: 2000, seed: 1, port: 0, rateLimits: 'off', graph: true, graphOrg: 'hybrid' } as const;

export type SandboxOptions = {
  /** People in the organisation (default 2000). */
  users?: number;
  seed?: number;
  port?: number;
  host?: string;
  /** 'okta' enforces Okta's per-minute buckets with 429s; 'off' never refuses (default). */
  rateLimits?: RateLimitMode;
  clock?: Clock;
  /** E-mail domain of the organisation (default derived from the seed). */
  domain?: string;
  /** How 'slow' faults wait (tests inject one). */
  sleep?: (ms: number) => Promise<void>;
  /** Also start the Microsoft Graph sandbox over TLS (default true; it adds well under a second, mostly key generation overlapped with org generation). */
  graph?: boolean;
  /**
   * 'hybrid' (default): Entra holds the same people as Okta (same e-mails and
   * employee ids, different object ids). 'separate': Entra holds another
   * generated organisation (seed + 1, its own domain).
   */
  graphOrg?: 'hybrid' | 'separate';
  /** Graph delta tokens older than this get 410 (default 7 days). */
  graphDeltaTokenMaxAgeMs?: number;
  /** Application permissions granted to the Graph app registration (default SANDBOX_GRAPH_ROLES). */
  graphRoles?: readonly string[];
  /** Most member references per groups/delta page (default 1000). */
  graphDeltaMembersPerPage?: number;
  /** Graph throttling (on when rateLimits is not 'off'): resource units per window (default by tenant size) and the window (default 10 s). */
  graphThrottle?: { budget?: number; windowMs?: number };
  /** Also start the Jira sandbox (default true; it costs a few milliseconds). */
  jira?: boolean;
  /** Jira rate limit (a fixed window) when set; Jira Cloud publishes no per-endpoint budget. */
  jiraRateLimit?: { requests: number; windowMs: number };
  /** How the Jira site differs from the default one (JiraQuirks in jira-state.ts). */
  jiraQuirks?: JiraQuirks;
  /** Also start the notice receivers: a Slack/Teams-style webhook receiver and an SMTP mailbox (default true). */
  notices?: boolean;
  /** Seconds the webhook receiver's 429 fault asks to wait (default 1). */
  webhookRetryAfterSeconds?: number;
};

/** Where notices go in the sandbox: the incoming-webhook URLs (their tokens are their secret) and the read-out. */
export type SandboxWebhook = { url: string; slack: string; teams: string; messages: string; mailbox: string; faults: string };
/** The sandbox mailbox's SMTP server: STARTTLS (trust `caPem`) when the Graph sandbox's TLS is there, else plain. */
export type SandboxSmtp = { host: string; port: number; security: 'starttls' | 'none'; user: string; password: string; from: string; caPem: string | null };

/** The Jira site Latchkey writes back to: Basic auth with `email` + `apiToken`, the project, service desk and request type to use. */
export type SandboxJira = {
  /** http://127.0.0.1:P, what jira.js takes as `host`. */
  url: string;
  email: string;
  apiToken: string;
  projectKey: string;
  serviceDeskId: string;
  requestTypeId: string;
};

export type SandboxOktaOAuth = { clientId: string; privateKeyPem: string; keyId: string; scopes: string[] };

export type SandboxOkta = {
  url: string;
  /** SSWS API token of a super admin. */
  token: string;
  /** SSWS API token of a read-only admin: reads work, writes get 403 E0000006. */
  readOnlyToken: string;
  /** An OAuth 2.0 service app granted `scopes`, authenticating with private_key_jwt. */
  oauth: SandboxOktaOAuth;
  /** The OIDC native app operators sign in to (public client, authorization code + PKCE, loopback redirect). */
  signIn: SandboxSignInApp;
};

/** An app users sign in to: its client id (no secret) and the redirect URI registered for it (loopback: any port). */
export type SandboxSignInApp = { clientId: string; redirectUri: string };

/** What the sandbox registers for operator sign-in, on Okta and on Entra. */
export const SANDBOX_SIGN_IN_REDIRECT = 'http://127.0.0.1/callback';

/** The Graph sandbox and the app registration it trusts (client credentials with a client secret). */
export type SandboxGraph = {
  /** https://127.0.0.1:P: Graph at `${url}/v1.0`, tokens at `${url}/${tenantId}/oauth2/v2.0/token`. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The per-start CA that signed the server certificate: the only certificate a client should trust for `url`. */
  caPem: string;
  /**
   * The app's certificate credential: certificate + private key PEM (what
   * certificate auth is configured with). Not in the JSON line: the client
   * secret already gives scripts a credential.
   */
  certificatePem: string;
  /** The public client app registration operators sign in to. */
  signIn: SandboxSignInApp;
};

export type Sandbox = {
  okta: SandboxOkta;
  /** Absent when started with `graph: false`. */
  graph?: SandboxGraph;
  /** The Graph server itself (directory, faults, mutations "made in Entra"). */
  graphServer?: GraphServer;
  /** Absent when started with `jira: false`. */
  jira?: SandboxJira;
  /** The Jira server itself (issues, comments, approvals, site users, faults). */
  jiraServer?: JiraServer;
  /** Absent when started with `notices: false`. */
  webhook?: SandboxWebhook;
  smtp?: SandboxSmtp;
  /** The receivers themselves (what they got, their faults). */
  webhookReceiver?: WebhookReceiver;
  mailbox?: SmtpMailbox;
  org: Org;
  /**
   * The organisation's HR feed: a BambooHR-style CSV of every person and HR events (JSON lines). Made on
   * first read (about a second at 100,000 people, which benchmarks never pay): read it before mutating
   * the org (`latchkey sandbox` does at once) for the feed of the organisation as generated.
   */
  readonly hr: HrFeed;
  faults: Faults;
  /** Changes made "outside Latchkey" (in Okta), each with its System Log events. */
  mutations: OktaMutations;
  /** Random realistic changes through `mutations` (as POST /__sandbox/mutate): `{ fraction: 0.01, seed: 7 }` or `{ count: 50 }`. */
  mutate: (request: MutateRequest) => MutateSummary;
  /** The Okta server's live state (lookups, the org as served). */
  oktaState: OktaState;
  /** Requests the Okta server answered and how many it refused with 429 (rate limits). */
  oktaStats: OktaServerStats;
  log: SystemLog;
  close: () => Promise<void>;
};

/** Scopes granted to the sandbox's service app: read everything Latchkey syncs, manage group membership. */
export const SANDBOX_OAUTH_SCOPES: readonly string[] = [
  'okta.users.read',
  'okta.groups.read',
  'okta.apps.read',
  'okta.logs.read',
  'okta.orgs.read',
  'okta.roles.read',
  'okta.groups.manage',
];

const generateKeyPairAsync = promisify(generateKeyPair);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomOktaId(prefix: string): string {
  const bytes = randomBytes(17);
  let id = prefix;
  for (const b of bytes) id += BASE62[b % 62] ?? '0';
  return id;
}

/** Okta API tokens are 42 characters, starting with "00". */
const randomApiToken = (): string => `00${randomBytes(30).toString('base64url')}`;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? { now: () => new Date() };
  const now = clock.now();
  // History is generated up to the start of today (UTC): stable all day, and
  // "stale for 90 days" keeps its meaning whenever the demo runs.
  const anchor = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const withGraph = options.graph ?? true;
  // Key generation runs on libuv's thread pool: start it before the (synchronous) org generation so the two overlap.
  // Certificate validity follows the real clock, not the injected one: TLS clients check it against theirs.
  const tlsPromise = withGraph ? Promise.all([generateSandboxTls(), generateAppCertificate('Latchkey')]) : null;
  // Its failure is reported where it is awaited, below; this only stops Node flagging it as unhandled meanwhile.
  tlsPromise?.catch(() => undefined);
  const org = generateOrg({ users: options.users ?? 2000, seed: options.seed ?? 1, anchor, ...(options.domain ? { domain: options.domain } : {}) });

  const [{ publicKey, privateKey }, oidcKey] = await Promise.all([generateKeyPairAsync('rsa', { modulusLength: 2048 }), generateKeyPairAsync('rsa', { modulusLength: 2048 })]);
  const signInClientId = randomOktaId('0oa');
  const clientId = randomOktaId('0oa');
  const keyId = randomBytes(32).toString('base64url');
  const token = randomApiToken();
  const readOnlyToken = randomApiToken();

  const server = await startOktaServer({
    org,
    apiTokens: [
      { token, user: org.admins.superAdmin, role: 'SUPER_ADMIN' },
      { token: readOnlyToken, user: org.admins.readOnlyAdmin, role: 'READ_ONLY_ADMIN' },
    ],
    oauthClients: [{ clientId, label: 'Latchkey', publicKey, keyId, grantedScopes: SANDBOX_OAUTH_SCOPES }],
    oidcClients: [{ clientId: signInClientId, label: 'Latchkey console', redirectUris: [SANDBOX_SIGN_IN_REDIRECT] }],
    oidcSigningKey: oidcKey.privateKey,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    rateLimits: options.rateLimits ?? 'off',
    clock,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  let graph: { info: SandboxGraph; server: GraphServer } | null = null;
  let sandboxTls: TlsMaterial | null = null;
  if (tlsPromise) {
    try {
      const [tls, appCertificate] = await tlsPromise;
      sandboxTls = tls;
      const graphOrg =
        options.graphOrg === 'separate' ? generateOrg({ users: options.users ?? 2000, seed: (options.seed ?? 1) + 1, anchor }) : org;
      const clientId = randomUUID();
      // Entra client secret values look like "abc8Q~" followed by 34 characters.
      const clientSecret = `${randomBytes(3).toString('base64url').slice(0, 3)}8Q~${randomBytes(26).toString('base64url').slice(0, 34)}`;
      const graphSignInClientId = randomUUID();
      const graphServer = await startGraphServer({
        org: graphOrg,
        tls,
        oidcClients: [{ clientId: graphSignInClientId, label: 'Latchkey console', redirectUris: [SANDBOX_SIGN_IN_REDIRECT] }],
        clients: [{ clientId, clientSecret, displayName: 'Latchkey', roles: options.graphRoles ?? SANDBOX_GRAPH_ROLES, certificates: [appCertificate.certPem] }],
        host: options.host ?? '127.0.0.1',
        throttling: (options.rateLimits ?? 'off') !== 'off',
        clock,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.graphDeltaTokenMaxAgeMs !== undefined ? { deltaTokenMaxAgeMs: options.graphDeltaTokenMaxAgeMs } : {}),
        ...(options.graphDeltaMembersPerPage !== undefined ? { deltaMembersPerPage: options.graphDeltaMembersPerPage } : {}),
        ...(options.graphThrottle?.budget !== undefined ? { throttleBudget: options.graphThrottle.budget } : {}),
        ...(options.graphThrottle?.windowMs !== undefined ? { throttleWindowMs: options.graphThrottle.windowMs } : {}),
      });
      graph = { info: { url: graphServer.url, tenantId: graphServer.tenantId, clientId, clientSecret, caPem: tls.caPem, certificatePem: appCertificate.pem, signIn: { clientId: graphSignInClientId, redirectUri: SANDBOX_SIGN_IN_REDIRECT } }, server: graphServer };
    } catch (e) {
      await server.close();
      throw e;
    }
  }

  let jiraServer: JiraServer | null = null;
  if (options.jira ?? true) {
    try {
      jiraServer = await startJiraServer({
        host: options.host ?? '127.0.0.1',
        clock,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.jiraRateLimit ? { rateLimit: options.jiraRateLimit } : {}),
        ...(options.jiraQuirks ? { quirks: options.jiraQuirks } : {}),
      });
    } catch (e) {
      await Promise.all([server.close(), graph?.server.close()]);
      throw e;
    }
  }
  const jira: SandboxJira | null = jiraServer
    ? { url: jiraServer.url, email: jiraServer.email, apiToken: jiraServer.apiToken, projectKey: JIRA_PROJECT.key, serviceDeskId: JIRA_SERVICE_DESK.id, requestTypeId: JIRA_REQUEST_TYPE.id }
    : null;

  let notices: { webhook: WebhookReceiver; mailbox: SmtpMailbox } | null = null;
  if (options.notices ?? true) {
    try {
      const noticeFaults = createFaults();
      const host = options.host ?? '127.0.0.1';
      const mailbox = await startSmtpMailbox({ host, faults: noticeFaults, ...(sandboxTls ? { tls: sandboxTls } : {}), ...(options.sleep ? { sleep: options.sleep } : {}) });
      const webhook = await startWebhookReceiver({ host, faults: noticeFaults, mailbox: () => mailbox.messages, ...(options.webhookRetryAfterSeconds !== undefined ? { retryAfterSeconds: options.webhookRetryAfterSeconds } : {}), ...(options.sleep ? { sleep: options.sleep } : {}) });
      notices = { webhook, mailbox };
    } catch (e) {
      await Promise.all([server.close(), graph?.server.close(), jiraServer?.close()]);
      throw e;
    }
  }

  let hrFeed: HrFeed | undefined;
  return {
    ...(graph ? { graph: graph.info, graphServer: graph.server } : {}),
    ...(jira && jiraServer ? { jira, jiraServer } : {}),
    ...(notices
      ? {
          webhook: { url: notices.webhook.url, slack: notices.webhook.slackUrl, teams: notices.webhook.teamsUrl, messages: `${notices.webhook.url}/__sandbox/messages`, mailbox: `${notices.webhook.url}/__sandbox/mailbox`, faults: `${notices.webhook.url}/__sandbox/faults` },
          smtp: { host: notices.mailbox.host, port: notices.mailbox.port, security: notices.mailbox.security, user: notices.mailbox.user, password: notices.mailbox.password, from: `latchkey@${org.company.domain}`, caPem: sandboxTls?.caPem ?? null },
          webhookReceiver: notices.webhook,
          mailbox: notices.mailbox,
        }
      : {}),
    okta: {
      url: server.url,
      token,
      readOnlyToken,
      oauth: { clientId, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId, scopes: [...SANDBOX_OAUTH_SCOPES] },
      signIn: { clientId: signInClientId, redirectUri: SANDBOX_SIGN_IN_REDIRECT },
    },
    org,
    get hr(): HrFeed {
      return (hrFeed ??= generateHrFeed(org));
    },
    faults: server.faults,
    mutations: server.mutations,
    mutate: server.mutate,
    oktaState: server.state,
    oktaStats: server.stats,
    log: server.log,
    close: async () => {
      await Promise.all([server.close(), graph?.server.close(), jiraServer?.close(), notices?.webhook.close(), notices?.mailbox.close()]);
    },
  };
}

/**
 * The one line `latchkey sandbox` prints on stdout:
 * {"okta":{"url":"http://127.0.0.1:41234","token":"00…","readOnlyToken":"00…","oauth":{"clientId":"0oa…","privateKeyPem":"-----BEGIN PRIVATE KEY-----\n…","keyId":"…","scopes":["okta.users.read",…]},"signIn":{"clientId":"0oa…","redirectUri":"http://127.0.0.1/callback"}},
 *  "graph":{"url":"https://127.0.0.1:41235","tenantId":"…","clientId":"…","clientSecret":"…","caPem":"-----BEGIN CERTIFICATE-----\n…","signIn":{"clientId":"…","redirectUri":"http://127.0.0.1/callback"}},
 *  "jira":{"url":"http://127.0.0.1:41236","email":"latchkey-bot@example.com","apiToken":"ATATT…","projectKey":"ACC","serviceDeskId":"1","requestTypeId":"10"}}
 *  "webhook":{"url":"http://127.0.0.1:41237","slack":"…/slack/T…","teams":"…/teams/…","messages":"…/__sandbox/messages","mailbox":"…/__sandbox/mailbox","faults":"…/__sandbox/faults"},
 *  "smtp":{"host":"127.0.0.1","port":41238,"security":"starttls","user":"latchkey-notices","password":"…","from":"latchkey@…","caPem":"…"},
 *  "hr":{"csv":"/tmp/latchkey-sandbox-hr-…/employees.csv","events":"/tmp/latchkey-sandbox-hr-…/hr-events.jsonl"}}
 * ("graph" and "jira" only when those sandboxes run; "hr" when the caller wrote the HR feed's files.)
 */
export function sandboxInfoLine(sandbox: Pick<Sandbox, 'okta'> & Partial<Pick<Sandbox, 'graph' | 'jira' | 'webhook' | 'smtp'>>, hrFiles?: { csv: string; events: string }): string {
  const { url, token, readOnlyToken, oauth, signIn } = sandbox.okta;
  const graph = sandbox.graph ? { url: sandbox.graph.url, tenantId: sandbox.graph.tenantId, clientId: sandbox.graph.clientId, clientSecret: sandbox.graph.clientSecret, caPem: sandbox.graph.caPem, signIn: sandbox.graph.signIn } : undefined;
  return JSON.stringify({ okta: { url, token, readOnlyToken, oauth: { clientId: oauth.clientId, privateKeyPem: oauth.privateKeyPem, keyId: oauth.keyId, scopes: oauth.scopes }, signIn }, ...(graph ? { graph } : {}), ...(sandbox.jira ? { jira: { ...sandbox.jira } } : {}), ...(sandbox.webhook ? { webhook: { ...sandbox.webhook } } : {}), ...(sandbox.smtp ? { smtp: { ...sandbox.smtp } } : {}), ...(hrFiles ? { hr: hrFiles } : {}) });
}
