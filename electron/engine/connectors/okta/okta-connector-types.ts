// The Okta connector's port: the interface the sync, the jobs and the tests
// call (OktaConnector), its options, its stats and the page sizes it asks
// for. The SDK-backed implementation is okta-connector.ts; keeping the
// contract apart keeps that file about the SDK and the HTTP walk.
import type { Client } from '@okta/okta-sdk-nodejs';
import type { ConnectionTestResult } from '../../../../shared/domain.js';
import type { Clock } from '../../context.js';
import type { AppAssignmentRecord, AppRecord, GroupOwnerRecord } from '../snapshot-model.js';
import type { OktaCredential } from '../types.js';
import type { OktaError } from './okta-errors.js';
import type { OktaGroup, OktaGroupRule, OktaLogEvent, UserPage } from './okta-normalise.js';
import type { BucketName, BucketSnapshot, Sleep } from './rate-budget.js';
import type { ResponseInfo, Transport } from './request-executor.js';

export type PageSizes = { users: number; groups: number; groupMembers: number; apps: number; appGroups: number; rules: number; logs: number; groupOwners: number };

/** Largest page each endpoint allows (management API spec): fewer round trips, fewer budget calls. */
export const MAX_PAGE_SIZES: PageSizes = { users: 200, groups: 10_000, groupMembers: 1000, apps: 200, appGroups: 200, rules: 200, logs: 1000, groupOwners: 1000 };
/** What we ask for: groups at 1000 rather than 10k keeps each answer (and its time-out risk) moderate. */
export const DEFAULT_PAGE_SIZES: PageSizes = { users: 200, groups: 1000, groupMembers: 1000, apps: 200, appGroups: 200, rules: 200, logs: 1000, groupOwners: 1000 };


export type OktaConnectorOptions = {
  orgUrl: string;
  credential: OktaCredential;
  /** Share of each rate-limit bucket we may use (Okta limits are shared by every integration of the org). */
  budgetShare?: number;
  clock?: Clock;
  sleep?: Sleep;
  maxRetries?: number;
  maxRateLimitRetries?: number;
  timeoutMs?: number;
  /** First back-off step after a 5xx or network error (doubles per attempt). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How many group-member (and app-group) listings the sync runs at once. */
  concurrency?: number;
  pageSizes?: Partial<PageSizes>;
  signal?: AbortSignal;
  transport?: Transport;
  onResponse?: (info: ResponseInfo) => void;
};

export type ConnectorStats = {
  requests: number;
  retries: number;
  rateLimited: number;
  throttledWaits: number;
  timeouts: number;
  bytes: number;
  requestsByBucket: Partial<Record<BucketName, number>>;
  budget: BucketSnapshot[];
  tightest: BucketSnapshot | null;
};

export type OktaConnector = {
  readonly orgUrl: string;
  readonly concurrency: number;
  /** Org name, read ability per resource and write ability of the credential; never throws for Okta errors. */
  testConnection: () => Promise<ConnectionTestResult>;
  /** Every user, DEPROVISIONED included (listUsers omits those unless asked by filter). */
  users: () => AsyncIterable<UserPage>;
  groups: () => AsyncIterable<OktaGroup[]>;
  groupRules: () => AsyncIterable<OktaGroupRule[]>;
  /** Member user ids of one group, page by page. */
  groupMembers: (groupId: string) => AsyncIterable<string[]>;
  apps: () => AsyncIterable<AppRecord[]>;
  appGroups: (appId: string) => AsyncIterable<AppAssignmentRecord[]>;
  /**
   * The owners of one group (Group Owners API, `okta.groups.read`), page by
   * page; nothing when the group is gone (404). Throws the OktaError when
   * the org does not offer the API (no Identity Governance: 401 E0000015 or
   * 403): the sync decides what that means.
   */
  groupOwners: (groupId: string) => AsyncIterable<GroupOwnerRecord[]>;
  /**
   * System Log events published at or after `since`, oldest first, in
   * polling form (`sortOrder=ASCENDING`, no `until`), following the `next`
   * links until a page comes back empty. `filter` is a System Log filter
   * expression (e.g. `eventType sw "group."`).
   */
  logEvents: (query: { since: string; filter?: string }) => AsyncIterable<OktaLogEvent[]>;
  /** Users (DEPROVISIONED included) whose lastUpdated is after `since` (ISO 8601): one search, paged. */
  usersUpdatedSince: (since: string) => AsyncIterable<UserPage>;
  /** These users, batched into `id eq` searches (a missing id is a user that no longer exists). */
  usersByIds: (ids: readonly string[]) => AsyncIterable<UserPage>;
  /** One group, or null when Okta says it does not exist (404). */
  group: (groupId: string) => Promise<OktaGroup | null>;
  /** One app, or null when it does not exist (404). */
  app: (appId: string) => Promise<AppRecord | null>;
  /** The org's clock: the Date header of the first and of the latest response (ms), null before any. */
  serverTime: () => { first: number | null; last: number | null };
  stats: () => ConnectorStats;
  /**
   * The SDK client behind this connector (same executor, budget and
   * credential), for the jobs' group writer (jobs/okta-group-writer.ts):
   * membership changes then share the connection's rate budget.
   */
  readonly sdk: Client;
  /** Resolves once an OAuth access token is in hand (at once for API tokens). */
  ready: () => Promise<void>;
  /** What an SDK call threw, as an OktaError with the credential redacted. */
  describeError: (e: unknown, method: string, url: string) => OktaError;
};
