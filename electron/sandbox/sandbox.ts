// Starts the embedded sandbox tenant: a generated organisation behind an
// Okta-compatible server on loopback, with an admin API token, a read-only
// admin API token and an OAuth service app (private_key_jwt). Used by
// `npm start` without a tenant (the demo), `latchkey sandbox`, the tests and
// the benchmarks.
//
// The organisation is deterministic (same seed and size, same people, ids,
// groups and memberships). The credentials are not: tokens and the service
// app's key pair are random per start, because a sandbox left running on a
// shared machine should not answer to a token anyone can derive from the
// seed. Scripts read them from the JSON line printed by `latchkey sandbox`.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Faults } from './faults.js';
import { generateOrg, type Org } from './org-generator.js';
import { startOktaServer, type Clock } from './okta-server.js';
import type { OktaMutations } from './okta-state.js';
import type { RateLimitMode } from './rate-limits.js';
import type { SystemLog } from './system-log.js';

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
};

export type Sandbox = {
  okta: SandboxOkta;
  org: Org;
  faults: Faults;
  /** Changes made "outside Latchkey" (in Okta), each with its System Log events. */
  mutations: OktaMutations;
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
  const org = generateOrg({ users: options.users ?? 2000, seed: options.seed ?? 1, anchor, ...(options.domain ? { domain: options.domain } : {}) });

  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
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
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    rateLimits: options.rateLimits ?? 'off',
    clock,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  return {
    okta: {
      url: server.url,
      token,
      readOnlyToken,
      oauth: { clientId, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId, scopes: [...SANDBOX_OAUTH_SCOPES] },
    },
    org,
    faults: server.faults,
    mutations: server.mutations,
    log: server.log,
    close: server.close,
  };
}

/**
 * The one line `latchkey sandbox` prints on stdout:
 * {"okta":{"url":"http://127.0.0.1:41234","token":"00…","readOnlyToken":"00…","oauth":{"clientId":"0oa…","privateKeyPem":"-----BEGIN PRIVATE KEY-----\n…","keyId":"…","scopes":["okta.users.read",…]}}}
 */
export function sandboxInfoLine(sandbox: Pick<Sandbox, 'okta'>): string {
  const { url, token, readOnlyToken, oauth } = sandbox.okta;
  return JSON.stringify({ okta: { url, token, readOnlyToken, oauth: { clientId: oauth.clientId, privateKeyPem: oauth.privateKeyPem, keyId: oauth.keyId, scopes: oauth.scopes } } });
}
