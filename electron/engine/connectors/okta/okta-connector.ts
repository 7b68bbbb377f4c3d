// The Okta connector: the official SDK (@okta/okta-sdk-nodejs) behind the
// small interface the sync needs.
//
// The SDK does authentication (SSWS tokens, OAuth service apps with a
// private-key JWT, DPoP) and every request goes through its HTTP layer and our
// BudgetedRequestExecutor (rate budget, retries, time-outs). For the bulk
// listings we ask the SDK's http client for the raw JSON pages and follow the
// Link headers ourselves instead of iterating its typed collections: those
// build an SDK model object per user (one million membership entries are one
// million full user objects) while we need a few fields; profiled at 20k
// users, ObjectSerializer.parse/deserialize took ~6 s of the baseline dump's
// 16 s of CPU. Its response cache is switched off: it never expires and
// would serve a stale directory on the next sync.
import { Client } from '@okta/okta-sdk-nodejs';
import type { ConnectionTestResult } from '../../../../shared/domain.js';
import { systemClock } from '../../context.js';
import type { AppAssignmentRecord, AppRecord, GroupOwnerRecord } from '../snapshot-model.js';
import { extractIds } from './json-ids.js';
import { OktaError, redact, toOktaError } from './okta-errors.js';
import {
  normaliseApp,
  normaliseAppGroup,
  normaliseGroup,
  normaliseGroupOwner,
  normaliseGroupRule,
  normaliseLogEvent,
  normaliseUsers,
  type OktaGroup,
  type OktaGroupRule,
  type OktaLogEvent,
  type UserPage,
} from './okta-normalise.js';
import { createRateBudget, realSleep } from './rate-budget.js';
import { BudgetedRequestExecutor, RETRY_LIMIT, type BufferedResponse } from './request-executor.js';
import { DEFAULT_PAGE_SIZES, type OktaConnector, type OktaConnectorOptions, type PageSizes } from './okta-connector-types.js';

export { DEFAULT_PAGE_SIZES, MAX_PAGE_SIZES, type ConnectorStats, type OktaConnector, type OktaConnectorOptions, type PageSizes } from './okta-connector-types.js';

/** Ids per `search=id eq "…" or …` request: keeps the URL well under the 4 KB proxies allow. */
const IDS_PER_SEARCH = 40;

/** The next page from an RFC 8288 Link header, e.g. `<https://x/api/v1/users?after=00u1>; rel="next"`. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel="?next"?/i.test(m[2] ?? '')) return m[1] ?? null;
  }
  return null;
}

const WRITE_ROLES = new Set(['SUPER_ADMIN', 'ORG_ADMIN', 'GROUP_MEMBERSHIP_ADMIN']);

/** Member ids from a parsed listGroupUsers page (the fallback when the byte scan declines). */
function memberIds(items: unknown): string[] {
  if (!Array.isArray(items)) throw new TypeError('expected a JSON array of users');
  const ids: string[] = [];
  for (const u of items as { id?: unknown }[]) {
    if (u && typeof u.id === 'string') ids.push(u.id);
  }
  return ids;
}

export function createOktaConnector(options: OktaConnectorOptions): OktaConnector {
  const orgUrl = new URL(options.orgUrl).origin;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const sizes: PageSizes = { ...DEFAULT_PAGE_SIZES, ...options.pageSizes };
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const credential = options.credential;
  const secrets = credential.type === 'token' ? [credential.token] : [credential.privateKeyPem];

  const budget = createRateBudget({ share: options.budgetShare ?? 0.5, clock, sleep });
  const executor = new BudgetedRequestExecutor({
    budget,
    clock,
    sleep,
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.maxRateLimitRetries !== undefined ? { maxRateLimitRetries: options.maxRateLimitRetries } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.baseBackoffMs !== undefined ? { baseBackoffMs: options.baseBackoffMs } : {}),
    ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
  });

  // Every config field is given explicitly: the SDK otherwise merges
  // ~/.okta/okta.yaml and OKTA_CLIENT_* variables into its configuration.
  const client =
    credential.type === 'token'
      ? new Client({
          orgUrl,
          authorizationMode: 'SSWS',
          token: credential.token,
          cacheMiddleware: null,
          requestExecutor: executor,
        })
      : new Client({
          orgUrl,
          authorizationMode: 'PrivateKey',
          clientId: credential.clientId,
          scopes: credential.scopes,
          privateKey: credential.privateKeyPem,
          ...(credential.keyId ? { keyId: credential.keyId } : {}),
          cacheMiddleware: null,
          requestExecutor: executor,
        });

  const fail = (e: unknown, url: string): OktaError => {
    const err = toOktaError(e, { method: 'GET', url });
    err.message = redact(err.message, secrets);
    return err;
  };

  // The OAuth token is fetched once up front; otherwise the first burst of
  // concurrent requests would each ask /oauth2/v1/token for one.
  let tokenReady: Promise<void> | null = null;
  const tokenUrl = `${orgUrl}/oauth2/v1/token`;
  const fetchToken = async (): Promise<void> => {
    let answer: unknown;
    try {
      answer = await client.oauth.getAccessToken();
    } catch (e) {
      throw fail(e, tokenUrl);
    }
    // SDK 8.1's OAuth class does not check the token answer's status (its
    // `Http.errorFilter` reference resolves to undefined), so a refusal comes
    // back as a "token" without access_token and every call would then fail
    // as "Invalid token provided". Catch it here and say what Okta said.
    const t = (answer ?? {}) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (typeof t.access_token !== 'string' || t.access_token === '') {
      client.oauth.clearCachedAccessToken();
      const what = [t.error, t.error_description].filter((x): x is string => typeof x === 'string' && x !== '').join(': ');
      throw new OktaError(
        redact(
          `Okta refused the OAuth service app's token request${what ? ` (${what})` : ''}: check the client id, private key, key id and the scopes granted to the app`,
          secrets,
        ),
        'unauthorized',
        { path: '/oauth2/v1/token' },
      );
    }
  };
  const ensureToken = (): Promise<void> => {
    if (credential.type !== 'oauth') return Promise.resolve();
    tokenReady ??= fetchToken().catch((e: unknown) => {
      tokenReady = null;
      throw e;
    });
    return tokenReady;
  };

  // Okta's time (Date header), for System Log positions: the local clock may be off.
  const serverTime: { first: number | null; last: number | null } = { first: null, last: null };
  const get = async (url: string, retries?: number): Promise<BufferedResponse> => {
    await ensureToken();
    let res: BufferedResponse;
    try {
      const request: Record<string, unknown> = { method: 'get', headers: { Accept: 'application/json' } };
      if (retries !== undefined) request[RETRY_LIMIT] = retries;
      // BufferedResponse is what our executor returns; the SDK types it as node-fetch's Response.
      const answer: unknown = await client.http.http(url, request);
      res = answer as BufferedResponse;
    } catch (e) {
      throw fail(e, url);
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(date)) {
      serverTime.first ??= date;
      serverTime.last = date;
    }
    return res;
  };

  /** A single object, or null on 404 (deleted meanwhile). */
  const getOne = async (path: string): Promise<unknown> => {
    const at = url(path);
    try {
      return parse(await get(at), at);
    } catch (e) {
      if (e instanceof OktaError && e.kind === 'not-found') return null;
      throw e;
    }
  };

  const parse = (res: BufferedResponse, url: string): unknown => {
    try {
      return JSON.parse(res.body.toString('utf8')) as unknown;
    } catch {
      const type = res.headers.get('content-type') ?? 'no content type';
      throw new OktaError(`${new URL(url).pathname} on ${new URL(url).host} did not answer with JSON (${type}): is this an Okta org URL?`, 'not-okta', {
        path: new URL(url).pathname,
      });
    }
  };

  const url = (path: string, query: Record<string, string | number> = {}): string => {
    const u = new URL(path, orgUrl);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
    return u.href;
  };

  const asList = (res: BufferedResponse, at: string): unknown[] => {
    const body = parse(res, at);
    if (!Array.isArray(body)) {
      throw new OktaError(`${new URL(at).pathname} answered with something other than a list`, 'bad-response', { path: new URL(at).pathname });
    }
    return body;
  };

  /** Follows Link: rel="next" from `first`, yielding each page's JSON array. */
  async function* pages(first: string): AsyncGenerator<unknown[]> {
    for await (const { res, url: at } of rawPages(first)) yield asList(res, at);
  }

  /** The same walk, yielding each page's response unparsed. */
  async function* rawPages(first: string): AsyncGenerator<{ res: BufferedResponse; url: string }> {
    let next: string | null = first;
    const seen = new Set<string>();
    while (next) {
      const current: string = next;
      seen.add(current);
      const res = await get(current);
      next = nextLink(res.headers.get('link'));
      if (next) {
        // Threat: a next link pointing elsewhere would carry our Authorization header to that host.
        if (new URL(next, orgUrl).origin !== orgUrl) {
          throw new OktaError(`Okta's next-page link points outside ${orgUrl}; refusing to follow it`, 'bad-response');
        }
        next = new URL(next, orgUrl).href;
        if (seen.has(next)) throw new OktaError(`pagination of ${new URL(current).pathname} loops back to a page already read`, 'bad-response');
      }
      yield { res, url: current };
    }
  }

  async function* users(): AsyncGenerator<UserPage> {
    // listUsers without a filter leaves DEPROVISIONED users out (spec: "This
    // operation omits users that have a status of DEPROVISIONED"); governance
    // needs them (a deactivated account still holding app access is drift),
    // so they come from a second, filtered listing.
    const queries: Record<string, string | number>[] = [{ limit: sizes.users }, { limit: sizes.users, filter: 'status eq "DEPROVISIONED"' }];
    for (const query of queries) {
      for await (const page of pages(url('/api/v1/users', query))) yield normaliseUsers(page);
    }
  }

  async function* groups(): AsyncGenerator<OktaGroup[]> {
    for await (const page of pages(url('/api/v1/groups', { limit: sizes.groups, expand: 'stats' }))) {
      yield page.map(normaliseGroup).filter((g): g is OktaGroup => g !== null);
    }
  }

  async function* groupRules(): AsyncGenerator<OktaGroupRule[]> {
    for await (const page of pages(url('/api/v1/groups/rules', { limit: sizes.rules }))) {
      yield page.map(normaliseGroupRule).filter((r): r is OktaGroupRule => r !== null);
    }
  }

  async function* groupMembers(groupId: string): AsyncGenerator<string[]> {
    for await (const { res, url: at } of rawPages(url(`/api/v1/groups/${encodeURIComponent(groupId)}/users`, { limit: sizes.groupMembers }))) {
      yield extractIds(res.body) ?? memberIds(asList(res, at));
    }
  }

  async function* apps(): AsyncGenerator<AppRecord[]> {
    for await (const page of pages(url('/api/v1/apps', { limit: sizes.apps }))) {
      yield page.map(normaliseApp).filter((a): a is AppRecord => a !== null);
    }
  }

  async function* appGroups(appId: string): AsyncGenerator<AppAssignmentRecord[]> {
    for await (const page of pages(url(`/api/v1/apps/${encodeURIComponent(appId)}/groups`, { limit: sizes.appGroups }))) {
      yield page.map((x) => normaliseAppGroup(appId, x)).filter((a): a is AppAssignmentRecord => a !== null);
    }
  }

  // listGroupOwners exists in the SDK (groupApi.listGroupOwners), but its
  // Collection follows any next link (no same-origin or loop check) and builds
  // a model per owner; the raw walk keeps both guards every listing here has.
  async function* groupOwners(groupId: string): AsyncGenerator<GroupOwnerRecord[]> {
    try {
      for await (const page of pages(url(`/api/v1/groups/${encodeURIComponent(groupId)}/owners`, { limit: sizes.groupOwners }))) {
        yield page.map((x) => normaliseGroupOwner(groupId, x)).filter((o): o is GroupOwnerRecord => o !== null);
      }
    } catch (e) {
      // The group was deleted since it was listed: it has no owners to store.
      if (e instanceof OktaError && e.kind === 'not-found' && e.details.errorCode === 'E0000007') return;
      throw e;
    }
  }

  async function* logEvents(query: { since: string; filter?: string }): AsyncGenerator<OktaLogEvent[]> {
    const q: Record<string, string | number> = { since: query.since, sortOrder: 'ASCENDING', limit: sizes.logs };
    if (query.filter) q.filter = query.filter;
    // Polling form: Okta always sends a next link (the position to poll
    // from later), so the walk ends at the first empty page, not at a
    // missing link, and the loop guard of rawPages does not apply.
    let next: string | null = url('/api/v1/logs', q);
    const seen = new Set<string>();
    while (next) {
      const at: string = next;
      seen.add(at);
      const res = await get(at);
      const page = asList(res, at);
      if (page.length === 0) return;
      const link = nextLink(res.headers.get('link'));
      yield page.map(normaliseLogEvent).filter((e): e is OktaLogEvent => e !== null);
      next = link ? new URL(link, orgUrl).href : null;
      if (next && new URL(next).origin !== orgUrl) throw new OktaError(`Okta's next-page link points outside ${orgUrl}; refusing to follow it`, 'bad-response');
      if (next && seen.has(next)) throw new OktaError('System Log polling returned the same position twice for a non-empty page', 'bad-response');
    }
  }

  async function* usersUpdatedSince(since: string): AsyncGenerator<UserPage> {
    for await (const page of pages(url('/api/v1/users', { limit: sizes.users, search: `lastUpdated gt "${since}"` }))) yield normaliseUsers(page);
  }

  async function* usersByIds(ids: readonly string[]): AsyncGenerator<UserPage> {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += IDS_PER_SEARCH) {
      const search = unique
        .slice(i, i + IDS_PER_SEARCH)
        .map((id) => `id eq "${id.replace(/["\\]/g, '')}"`)
        .join(' or ');
      for await (const page of pages(url('/api/v1/users', { limit: sizes.users, search }))) yield normaliseUsers(page);
    }
  }

  async function group(groupId: string): Promise<OktaGroup | null> {
    const body = await getOne(`/api/v1/groups/${encodeURIComponent(groupId)}?expand=stats`);
    return body === null ? null : normaliseGroup(body);
  }

  async function app(appId: string): Promise<AppRecord | null> {
    const body = await getOne(`/api/v1/apps/${encodeURIComponent(appId)}`);
    return body === null ? null : normaliseApp(body);
  }

  async function testConnection(): Promise<ConnectionTestResult> {
    const result: ConnectionTestResult = { ok: false, orgName: null, orgUrl, canRead: false, canWrite: null, details: [], error: null };
    // A connection test answers in seconds: one retry, not the sync's patience.
    const probe = async (path: string): Promise<{ ok: true; body: unknown } | { ok: false; error: OktaError }> => {
      try {
        const u = url(path);
        const res = await get(u, 1);
        return { ok: true, body: parse(res, u) };
      } catch (e) {
        return { ok: false, error: e instanceof OktaError ? e : fail(e, url(path)) };
      }
    };
    /** Errors that make every further call pointless. */
    const fatal = (e: OktaError): boolean => ['unauthorized', 'unreachable', 'tls', 'not-okta', 'timeout', 'aborted'].includes(e.kind);

    try {
      await ensureToken();
    } catch (e) {
      result.error = (e instanceof OktaError ? e : fail(e, tokenUrl)).message;
      return result;
    }

    const org = await probe('/api/v1/org');
    if (org.ok) {
      const o = (org.body ?? {}) as { companyName?: unknown; subdomain?: unknown; id?: unknown };
      if (typeof o !== 'object' || Array.isArray(o) || (o.companyName === undefined && o.subdomain === undefined && o.id === undefined)) {
        result.error = `${new URL(orgUrl).host} answered /api/v1/org, but not like an Okta org: is this the right URL?`;
        return result;
      }
      result.orgName = typeof o.companyName === 'string' && o.companyName ? o.companyName : typeof o.subdomain === 'string' ? o.subdomain : null;
    } else if (fatal(org.error)) {
      result.error = org.error.message;
      return result;
    } else {
      // Reading org settings needs okta.orgs.read, which a sync credential need not have.
      result.details.push(`org settings not readable (${org.error.details.missingScope ?? `HTTP ${org.error.details.status ?? '?'}`}); showing the host name`);
    }
    result.orgName ??= new URL(orgUrl).hostname.split('.')[0] ?? new URL(orgUrl).hostname;

    const reads: Record<string, boolean> = {};
    for (const [what, path] of [
      ['users', '/api/v1/users?limit=1'],
      ['groups', '/api/v1/groups?limit=1'],
      ['apps', '/api/v1/apps?limit=1'],
      ['logs', '/api/v1/logs?limit=1'],
    ] as const) {
      const r = await probe(path);
      if (r.ok) {
        if (!Array.isArray(r.body)) {
          result.error = `${path.split('?')[0]} did not answer with a list: is this an Okta org URL?`;
          return result;
        }
        reads[what] = true;
        result.details.push(`can read ${what}`);
      } else {
        if (fatal(r.error)) {
          result.error = r.error.message;
          return result;
        }
        reads[what] = false;
        result.details.push(
          r.error.kind === 'forbidden'
            ? `cannot read ${what}: ${r.error.details.missingScope ?? 'permission'} not granted`
            : `cannot read ${what}: ${r.error.message}`,
        );
      }
    }
    result.canRead = Boolean(reads.users && reads.groups && reads.apps);

    if (credential.type === 'oauth') {
      // The token answer lists the scopes Okta actually granted (it may grant fewer than requested).
      const scope: unknown = (client.oauth.accessToken as { scope?: unknown } | null)?.scope;
      const granted = (typeof scope === 'string' ? scope : credential.scopes.join(' ')).split(/\s+/).filter(Boolean);
      result.canWrite = granted.includes('okta.groups.manage');
      result.details.push(
        result.canWrite ? 'okta.groups.manage granted: can change group membership' : 'okta.groups.manage not granted: read-only',
      );
    } else {
      const me = await probe('/api/v1/users/me');
      const id = me.ok ? (me.body as { id?: unknown } | null)?.id : null;
      if (typeof id === 'string') {
        const roles = await probe(`/api/v1/users/${encodeURIComponent(id)}/roles`);
        if (roles.ok && Array.isArray(roles.body)) {
          const types = (roles.body as { type?: unknown }[]).map((r) => (typeof r.type === 'string' ? r.type : '')).filter(Boolean);
          result.canWrite = types.some((t) => WRITE_ROLES.has(t));
          result.details.push(
            types.length
              ? `token's admin roles: ${types.join(', ')}${result.canWrite ? ' (can change group membership)' : ' (read-only)'}`
              : 'the token has no admin role',
          );
          if (!types.length) result.canWrite = false;
        } else {
          result.details.push(`admin roles not readable${roles.ok ? '' : ` (${roles.error.message})`}; write ability unknown`);
        }
      } else {
        result.details.push(`token owner not readable${me.ok ? '' : ` (${me.error.message})`}; write ability unknown`);
      }
    }
    result.ok = result.canRead;
    if (!result.ok) result.error = `the credential cannot read ${['users', 'groups', 'apps'].filter((w) => !reads[w]).join(', ')}`;
    return result;
  }

  return {
    orgUrl,
    concurrency,
    testConnection,
    users,
    groups,
    groupRules,
    groupMembers,
    apps,
    appGroups,
    groupOwners,
    logEvents,
    usersUpdatedSince,
    usersByIds,
    group,
    app,
    serverTime: () => ({ ...serverTime }),
    sdk: client,
    ready: ensureToken,
    describeError: (e, method, at) => {
      const err = toOktaError(e, { method, url: at });
      err.message = redact(err.message, secrets);
      return err;
    },
    stats: () => {
      const b = budget.stats();
      return {
        requests: executor.stats.requests,
        retries: executor.stats.retries,
        rateLimited: executor.stats.rateLimited,
        throttledWaits: b.throttledWaits,
        timeouts: executor.stats.timeouts,
        bytes: executor.stats.bytes,
        requestsByBucket: { ...executor.stats.byBucket },
        budget: b.buckets,
        tightest: budget.tightest(),
      };
    },
  };
}
