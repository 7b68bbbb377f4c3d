// The Entra ID connector: the official Microsoft Graph client
// (@microsoft/microsoft-graph-client) with client-credentials sign-in from
// @azure/identity, behind the small interface the sync needs.
//
// The middleware chain is the SDK's default one minus redirects, with our
// last link: AuthenticationHandler (bearer token from entra-auth.ts) ->
// RetryHandler (429/503/504, honouring Retry-After, up to 10 times) ->
// TelemetryHandler -> PinnedHttpsHandler (graph-transport.ts: the
// connection's CA, one origin only, a shared throttling gate, retries of
// network errors and 500/502).
//
// Paging follows @odata.nextLink ourselves rather than with PageIterator,
// for two reasons: the sync wants whole pages (it writes them in batches,
// and a page's member ids are one insert), and every link is checked
// against the connection's Graph origin before it is requested at all
// (threat: a forged nextLink/deltaLink collecting our token; the transport
// refuses such a request too, as a second line).
import https from 'node:https';
import tls from 'node:tls';
import { AuthenticationHandler, Client, GraphError, RetryHandler, RetryHandlerOptions, TelemetryHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import type { ConnectionTestResult } from '../../../../shared/domain.js';
import type { AppAssignmentRecord } from '../snapshot-model.js';
import type { Transport } from '../okta/request-executor.js';
import type { EntraCredential } from '../types.js';
import { createTokenSource } from './entra-auth.js';
import { EntraError, graphHttpError, redact, safeHost, type PermissionHint } from './entra-errors.js';
import {
  ENTERPRISE_APP_TAG,
  GROUP_PROPERTIES,
  groupAssignments,
  memberUserIds,
  SERVICE_PRINCIPAL_PROPERTIES,
  SIGN_IN_PROPERTY,
  USER_PROPERTIES,
} from './entra-normalise.js';
import { CallState, createThrottleGate, PinnedHttpsHandler, realSleep, type GraphHttpStats, type Sleep } from './graph-transport.js';

export type EntraConnectorOptions = {
  /** Graph endpoint, e.g. https://graph.microsoft.com (the sandbox: https://127.0.0.1:P). */
  graphUrl: string;
  /** Microsoft identity platform host, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: EntraCredential;
  /** Extra CA certificate(s) to trust for both hosts. */
  caPem?: string;
  /**
   * Share of Graph's throttling budget this connection may use. Graph's
   * identity budget is per app and tenant (not shared with other
   * integrations, unlike Okta's org-wide buckets) and Graph does not say
   * what is left of it, so this is not a pacing target: the sync stays
   * inside the budget by its bounded concurrency and by pausing every
   * request on the first 429 until Retry-After has passed.
   */
  budgetShare?: number;
  /** Member and app-assignment listings at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Items per page (1..999, default 999: fewer round trips, fewer resource units). */
  pageSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  sleep?: Sleep;
  transport?: Transport;
};

type Json = Record<string, unknown>;

/** What the permission names mean to Latchkey, and which higher permissions also grant them. */
export const ENTRA_PERMISSIONS = [
  { name: 'User.Read.All', purpose: 'read users', also: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
  { name: 'Group.Read.All', purpose: 'read groups and their members', also: ['Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
  { name: 'GroupMember.ReadWrite.All', purpose: 'change group membership (provisioning); without it the connection is read-only', also: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { name: 'AuditLog.Read.All', purpose: 'last sign-in times', also: [] },
  { name: 'Application.Read.All', purpose: 'enterprise apps and their group assignments', also: ['Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] },
] as const;

export type EntraPermission = (typeof ENTRA_PERMISSIONS)[number]['name'];

/** Whether the roles of a token grant a permission (itself or one that includes it). */
export function hasPermission(roles: ReadonlySet<string>, name: EntraPermission): boolean {
  const p = ENTRA_PERMISSIONS.find((x) => x.name === name);
  return roles.has(name) || (p?.also.some((a) => roles.has(a)) ?? false);
}

export type PageHandler = (items: Json[]) => Promise<void> | void;

export type EntraConnector = {
  readonly graphUrl: string;
  readonly concurrency: number;
  /** Tenant name (its verified domain), which permissions the app has, whether it can read and write; never throws for Entra errors. */
  testConnection: () => Promise<ConnectionTestResult>;
  /** The application permissions granted to the app (the `roles` of its access token). */
  grantedRoles: () => Promise<Set<string>>;
  /** GET one Graph resource (a path under /v1.0, or a URL on the Graph origin). */
  get: (pathOrUrl: string, hint: PermissionHint) => Promise<Json>;
  /** Pages of a collection, following @odata.nextLink on the Graph origin only; the final @odata.deltaLink when it is a delta round. */
  pages: (pathOrUrl: string, hint: PermissionHint, onPage: PageHandler) => Promise<{ deltaLink: string | null; pages: number }>;
  /** Every user with the synced properties and the manager's id ($expand=manager); signInActivity when asked (AuditLog.Read.All). */
  users: (opts: { signIns: boolean }, onPage: PageHandler) => Promise<number>;
  /** Every group, each with its user owners expanded (`owners`, at most 20: Graph's $expand limit). */
  groups: (onPage: PageHandler) => Promise<number>;
  /** The user members of a group (other member types left out), page by page. */
  groupMembers: (groupId: string, onPage: (userIds: string[]) => Promise<void> | void) => Promise<number>;
  /** Enterprise applications (service principals tagged as integrated apps). */
  servicePrincipals: () => Promise<Json[]>;
  /** An app's group assignments (appRoleAssignedTo with principalType Group). */
  appGroupAssignments: (servicePrincipalId: string) => Promise<AppAssignmentRecord[]>;
  /** Delta links positioned "now" ($deltatoken=latest), for users (with manager) and groups (with members). */
  latestDeltaLinks: () => Promise<{ users: string; groups: string }>;
  /**
   * A write (POST with a JSON body, or DELETE) to a path under /v1.0, for the
   * jobs' group writer (connectors/entra/entra-group-writer.ts): same client,
   * middleware, origin pinning and throttling gate as the sync. Throws an
   * EntraError carrying Graph's status and code.
   */
  write: (method: 'POST' | 'PATCH' | 'DELETE', path: string, body: Json | null, hint: PermissionHint) => Promise<void>;
  stats: () => GraphHttpStats;
  /** Frees the keep-alive sockets. */
  close: () => void;
};

const USERS_SELECT = USER_PROPERTIES.join(',');
const GROUPS_SELECT = GROUP_PROPERTIES.join(',');

/** The Graph origin of a connection URL (https only: the SDK sends tokens to https hosts only, and so do we). */
export function graphOrigin(graphUrl: string): string {
  const u = new URL(graphUrl);
  if (u.protocol !== 'https:') throw new EntraError(`the Graph endpoint must be https, not ${u.protocol.replace(':', '')}`, 'refused');
  return u.origin;
}

export function createEntraConnector(options: EntraConnectorOptions): EntraConnector {
  const origin = graphOrigin(options.graphUrl);
  const sleep = options.sleep ?? realSleep;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pageSize = Math.max(1, Math.min(999, options.pageSize ?? 999));
  // System CAs plus the connection's own (Node's `ca` replaces the defaults, so both go in), as ONE
  // secure context: passed as `ca`, the agent would parse ~150 certificates per connection and fold
  // their PEM text into its pool key on every request (profiled: the largest CPU cost of a sync).
  const secureContext = options.caPem ? tls.createSecureContext({ ca: [...tls.rootCertificates, options.caPem] }) : undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: Math.max(16, concurrency * 2), ...(secureContext ? { secureContext } : {}) });
  const tokens = createTokenSource({ authorityHost: options.authorityHost, tenantId: options.tenantId, clientId: options.clientId, credential: options.credential, agent });
  const stats: GraphHttpStats = { requests: 0, retries: 0, rateLimited: 0, throttledWaits: 0, resourceUnits: 0, timeouts: 0 };
  const gate = createThrottleGate(sleep);
  const secrets = options.credential.type === 'secret' ? [options.credential.clientSecret] : [options.credential.certificatePem];

  const chain: Middleware[] = [
    new AuthenticationHandler({ getAccessToken: async () => (await tokens.get()).token }),
    // 10 is the SDK's most; the delay only applies when a 503/504 carries no Retry-After.
    new RetryHandler(new RetryHandlerOptions(2, 10, () => !options.signal?.aborted)),
    new TelemetryHandler(),
    new PinnedHttpsHandler({
      origin,
      agent,
      gate,
      stats,
      sleep,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    }),
  ];
  const client = Client.initWithMiddleware({
    middleware: chain,
    baseUrl: `${origin}/`,
    defaultVersion: 'v1.0',
    // The SDK attaches the token to "Graph hosts" and these; PinnedHttpsHandler narrows it to our exact origin.
    customHosts: new Set([new URL(origin).hostname]),
  });

  const toUrl = (pathOrUrl: string): string => {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      let u: URL;
      try {
        u = new URL(pathOrUrl);
      } catch {
        throw new EntraError('Microsoft Graph returned a malformed link', 'bad-response');
      }
      if (u.origin !== origin) {
        throw new EntraError(`refused to follow a link to ${u.host}: the access token only goes to ${safeHost(origin)}, this connection's Graph endpoint`, 'refused');
      }
      return pathOrUrl;
    }
    return `${origin}/v1.0${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  };

  /** Runs one SDK call and turns what it throws into an EntraError (the transport's own, or Graph's answer). */
  const call = async <T>(hint: PermissionHint, run: (state: CallState) => Promise<T>): Promise<T> => {
    const state = new CallState();
    try {
      return await run(state);
    } catch (e) {
      if (state.failure !== null) {
        if (state.failure instanceof EntraError) throw state.failure;
        throw new EntraError(state.failure instanceof Error ? state.failure.message : 'the request failed', 'bad-response');
      }
      if (e instanceof EntraError) throw e;
      if (e instanceof GraphError) {
        const err = graphHttpError(e.statusCode, e.code, e.message, hint);
        throw new EntraError(redact(err.message, secrets), err.kind, err.details);
      }
      throw e;
    }
  };

  const get = async (pathOrUrl: string, hint: PermissionHint): Promise<Json> => {
    const url = toUrl(pathOrUrl);
    const body = await call(hint, async (state) => (await client.api(url).middlewareOptions([state]).get()) as unknown);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new EntraError(`Microsoft Graph answered ${hint.what} with something that is not a JSON object`, 'bad-response');
    return body as Json;
  };

  const write = async (method: 'POST' | 'PATCH' | 'DELETE', path: string, body: Json | null, hint: PermissionHint): Promise<void> => {
    const url = toUrl(path);
    await call(hint, async (state) => {
      const req = client.api(url).middlewareOptions([state]);
      if (method === 'POST') await req.post(body ?? {});
      else if (method === 'PATCH') await req.patch(body ?? {});
      else await req.delete();
    });
  };

  const pages = async (first: string, hint: PermissionHint, onPage: PageHandler): Promise<{ deltaLink: string | null; pages: number }> => {
    let next: string | null = first;
    let count = 0;
    for (;;) {
      const page: Json = await get(next, hint);
      count++;
      const value = page.value;
      if (!Array.isArray(value)) throw new EntraError(`Microsoft Graph answered ${hint.what} without a "value" list`, 'bad-response');
      await onPage(value.filter((v): v is Json => !!v && typeof v === 'object' && !Array.isArray(v)));
      const nextLink = page['@odata.nextLink'];
      if (typeof nextLink === 'string' && nextLink !== '') {
        // Checked before the request (toUrl): a link to anywhere else ends the sync.
        next = toUrl(nextLink);
        continue;
      }
      const deltaLink = page['@odata.deltaLink'];
      if (typeof deltaLink === 'string' && deltaLink !== '') return { deltaLink: toUrl(deltaLink), pages: count };
      return { deltaLink: null, pages: count };
    }
  };

  const grantedRoles = async (): Promise<Set<string>> => new Set((await tokens.get()).roles);

  const USERS_HINT: PermissionHint = { what: 'listing users', needs: 'User.Read.All' };
  const GROUPS_HINT: PermissionHint = { what: 'listing groups', needs: 'Group.Read.All (or GroupMember.Read.All)' };

  const connector: EntraConnector = {
    graphUrl: origin,
    concurrency,
    grantedRoles,
    get,
    pages,
    async users(opts, onPage) {
      const select = opts.signIns ? `${USERS_SELECT},${SIGN_IN_PROPERTY}` : USERS_SELECT;
      const hint = opts.signIns ? { what: 'listing users with their last sign-in', needs: 'User.Read.All and AuditLog.Read.All' } : USERS_HINT;
      return (await pages(`/users?$select=${select}&$expand=manager($select=id)&$top=${pageSize}`, hint, onPage)).pages;
    },
    async groups(onPage) {
      // Owners ride along ($expand: one more resource unit per page, no request per group); Graph expands at most 20 per group.
      return (await pages(`/groups?$select=${GROUPS_SELECT}&$expand=owners($select=id)&$top=${pageSize}`, GROUPS_HINT, onPage)).pages;
    },
    async groupMembers(groupId, onPage) {
      const hint = { what: `listing the members of group ${groupId}`, needs: 'GroupMember.Read.All (or Group.Read.All)' };
      return (await pages(`/groups/${encodeURIComponent(groupId)}/members?$select=id&$top=${pageSize}`, hint, (items) => onPage(memberUserIds(items).added))).pages;
    },
    async servicePrincipals() {
      const out: Json[] = [];
      const filter = encodeURIComponent(`tags/any(t:t eq '${ENTERPRISE_APP_TAG}')`);
      await pages(`/servicePrincipals?$select=${SERVICE_PRINCIPAL_PROPERTIES.join(',')}&$filter=${filter}&$top=${pageSize}`, { what: 'listing enterprise apps', needs: 'Application.Read.All' }, (items) => {
        out.push(...items);
      });
      return out;
    },
    async appGroupAssignments(servicePrincipalId) {
      const rows: Json[] = [];
      await pages(
        `/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignedTo?$select=principalId,principalType&$top=${pageSize}`,
        { what: `listing the assignments of app ${servicePrincipalId}`, needs: 'Application.Read.All' },
        (items) => {
          rows.push(...items);
        },
      );
      return groupAssignments(servicePrincipalId, rows);
    },
    async latestDeltaLinks() {
      const [users, groups] = await Promise.all([
        pages(`/users/delta?$select=${USERS_SELECT},manager&$deltatoken=latest`, { what: 'starting users delta', needs: 'User.Read.All' }, () => undefined),
        pages(`/groups/delta?$select=${GROUPS_SELECT},members&$deltatoken=latest`, { what: 'starting groups delta', needs: 'Group.Read.All (or GroupMember.Read.All)' }, () => undefined),
      ]);
      if (!users.deltaLink || !groups.deltaLink) throw new EntraError('Microsoft Graph gave no deltaLink for $deltatoken=latest', 'bad-response');
      return { users: users.deltaLink, groups: groups.deltaLink };
    },
    write,
    stats: () => ({ ...stats }),
    close: () => agent.destroy(),
    async testConnection() {
      const result: ConnectionTestResult = { ok: false, orgName: null, orgUrl: origin, canRead: false, canWrite: null, details: [], error: null };
      try {
        const token = await tokens.get();
        const roles = new Set(token.roles);
        const tenant = token.tenantId ?? options.tenantId;
        for (const p of ENTRA_PERMISSIONS) {
          const granted = hasPermission(roles, p.name);
          result.details.push(`${p.name} ${granted ? 'granted' : 'not granted'}: ${p.purpose}`);
        }
        // Reads prove what the token claims. The tenant's name: the domain of a member's UPN (guests keep
        // their home domain); Graph's /organization would need one more permission (Organization.Read.All).
        const users = await get(`/users?$top=1&$select=id,userPrincipalName&$filter=${encodeURIComponent("userType eq 'Member'")}`, USERS_HINT);
        await get('/groups?$top=1&$select=id', GROUPS_HINT);
        const first = Array.isArray(users.value) ? (users.value[0] as Json | undefined) : undefined;
        const upn = typeof first?.userPrincipalName === 'string' ? first.userPrincipalName : null;
        const domain = upn?.includes('@') ? upn.slice(upn.lastIndexOf('@') + 1) : null;
        result.orgName = domain ?? tenant;
        result.details.unshift(`tenant ${tenant}${domain ? ` (${domain})` : ''}`);
        result.canRead = true;
        result.canWrite = hasPermission(roles, 'GroupMember.ReadWrite.All');
        result.ok = true;
      } catch (e) {
        result.error = redact(e instanceof Error ? e.message : String(e), secrets);
        result.ok = false;
      }
      return result;
    },
  };
  return connector;
}
