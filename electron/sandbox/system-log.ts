// The sandbox's System Log: an append-only list of events, queried the way
// GET /api/v1/logs is (since/until/after/limit/sortOrder/filter/q), and
// rendered as Okta LogEvent objects. Incremental sync polls it for
// membership and lifecycle changes, so the polling contract matters most:
// events in `published` order, and in polling mode (no `until`, ascending)
// a `next` link on every page, even an empty one, that resumes exactly after
// the last event the client has seen.

export type LogParty = {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  /** What changed on this target (LogTarget.changeDetails), for profile updates. */
  changeDetails?: { from: Record<string, unknown>; to: Record<string, unknown> };
};

export type LogRecord = {
  seq: number;
  published: number;
  eventType: string;
  actor: LogParty;
  targets: LogParty[];
  outcome: 'SUCCESS' | 'FAILURE';
  severity: 'INFO' | 'WARN';
  uuid: string;
  transactionId: string;
  /** The API request that caused it, when one did. */
  requestUri: string | null;
  /** Who acted: an admin in a browser, an API client, or Okta itself. */
  via: 'browser' | 'api' | 'system';
};

export type LogGeo = { city: string; state: string | null; country: string; postalCode: string; lat: number; lon: number };

export type LogQuery = {
  since: number;
  /** Exclusive upper bound. */
  until: number;
  /** Resume after (ascending) / before (descending) this sequence number. */
  afterSeq: number | null;
  limit: number;
  descending: boolean;
  /** Polling: ascending with no `until` given; the next link is always present. */
  polling: boolean;
  predicate: (r: LogRecord) => boolean;
};

export type LogPage = { events: LogRecord[]; next: string | null };

export type SystemLog = {
  append: (event: Omit<LogRecord, 'seq'>) => LogRecord;
  query: (q: LogQuery) => LogPage;
  size: () => number;
  all: () => readonly LogRecord[];
};

/** What Okta shows for each event type the sandbox records. */
export const EVENT_TYPES: Readonly<Record<string, { displayMessage: string; legacyEventType: string }>> = {
  'user.lifecycle.create': { displayMessage: 'Create Okta user', legacyEventType: 'core.user.config.user_creation.success' },
  'user.lifecycle.activate': { displayMessage: 'Activate Okta user', legacyEventType: 'core.user.config.user_activated' },
  'user.lifecycle.reactivate': { displayMessage: 'Reactivate Okta user', legacyEventType: 'core.user.config.user_reactivated' },
  'user.lifecycle.suspend': { displayMessage: 'Suspend Okta user', legacyEventType: 'core.user.config.user_status.suspended' },
  'user.lifecycle.unsuspend': { displayMessage: 'Unsuspend Okta user', legacyEventType: 'core.user.config.user_status.unsuspended' },
  'user.lifecycle.deactivate': { displayMessage: 'Deactivate Okta user', legacyEventType: 'core.user.config.user_deactivated' },
  'user.account.lock': { displayMessage: 'Max sign in attempts exceeded', legacyEventType: 'core.user.account.locked' },
  'user.account.unlock_by_admin': { displayMessage: 'Unlock user account by admin', legacyEventType: 'core.user.account.unlock_by_admin' },
  'user.account.expire_password': { displayMessage: 'Expire user password', legacyEventType: 'core.user.config.password_expired' },
  'user.account.reset_password': { displayMessage: 'Reset user password', legacyEventType: 'core.user.config.password_reset' },
  'user.account.update_profile': { displayMessage: 'Update user profile for Okta', legacyEventType: 'core.user.config.profile_update.success' },
  'user.lifecycle.delete.initiated': { displayMessage: 'Delete Okta user initiated', legacyEventType: 'core.user.config.user_deletion.initiated' },
  'user.lifecycle.delete.completed': { displayMessage: 'Delete Okta user completed', legacyEventType: 'core.user.config.user_deletion.completed' },
  'group.user_membership.add': { displayMessage: 'Add user to group membership', legacyEventType: 'core.user_group_member.user_add' },
  'group.user_membership.remove': { displayMessage: 'Remove user from group membership', legacyEventType: 'core.user_group_member.user_remove' },
  'group.lifecycle.create': { displayMessage: 'Create Okta group', legacyEventType: 'core.user_group.created' },
  'group.lifecycle.delete': { displayMessage: 'Delete Okta group', legacyEventType: 'core.user_group.deleted' },
  'group.profile.update': { displayMessage: 'Okta group profile updated', legacyEventType: 'core.user_group.profile_updated' },
  'group.application_assignment.add': { displayMessage: 'Add assigned application to group', legacyEventType: 'app.generic.config.app_group_assignment.add' },
  'group.application_assignment.remove': { displayMessage: 'Remove assigned application from group', legacyEventType: 'app.generic.config.app_group_assignment.remove' },
};

/** Okta-style `after` cursor: `<published ms>_<sequence>`; only the sequence is read back. */
export function encodeLogCursor(r: Pick<LogRecord, 'published' | 'seq'>): string {
  return `${r.published}_${r.seq}`;
}

export function decodeLogCursor(after: string): number | null {
  const m = /^\d+_(\d+)$/.exec(after);
  return m ? Number(m[1]) : null;
}

export function createSystemLog(): SystemLog {
  const records: LogRecord[] = [];

  /** Index of the first record with published >= t. */
  const firstAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((records[mid] as LogRecord).published < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    append: (event) => {
      const last = records.at(-1);
      // The log is ordered by `published`; a clock that steps back (an
      // injected test clock) must not break that order.
      const published = last && event.published < last.published ? last.published : event.published;
      const record: LogRecord = { ...event, published, seq: (last?.seq ?? 0) + 1 };
      records.push(record);
      return record;
    },
    size: () => records.length,
    all: () => records,
    query: (q) => {
      const out: LogRecord[] = [];
      if (!q.descending) {
        // seq is 1-based and dense, so position = seq - 1.
        let i = q.afterSeq !== null ? Math.max(q.afterSeq, 0) : firstAtOrAfter(q.since);
        let lastScanned: LogRecord | null = q.afterSeq !== null ? (records[q.afterSeq - 1] ?? null) : (records[i - 1] ?? null);
        let more = false;
        for (; i < records.length; i++) {
          const r = records[i] as LogRecord;
          if (r.published >= q.until) break;
          if (r.published < q.since && q.afterSeq === null) continue;
          if (out.length >= q.limit) {
            more = true;
            break;
          }
          lastScanned = r;
          if (q.predicate(r)) out.push(r);
        }
        if (q.polling) {
          // Resume after what was scanned (returned or filtered out); with
          // nothing scanned yet, resume where the window starts.
          const cursor = lastScanned ? encodeLogCursor(lastScanned) : `${q.since}_0`;
          return { events: out, next: cursor };
        }
        return { events: out, next: more && lastScanned ? encodeLogCursor(lastScanned) : null };
      }
      let i = q.afterSeq !== null ? q.afterSeq - 2 : firstAtOrAfter(q.until) - 1;
      let lastScanned: LogRecord | null = null;
      let more = false;
      for (; i >= 0; i--) {
        const r = records[i] as LogRecord;
        if (r.published < q.since) break;
        if (r.published >= q.until) continue;
        if (out.length >= q.limit) {
          more = true;
          break;
        }
        lastScanned = r;
        if (q.predicate(r)) out.push(r);
      }
      return { events: out, next: more && lastScanned ? encodeLogCursor(lastScanned) : null };
    },
  };
}

const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36';
const API_UA = 'okta-sdk-nodejs/8.1.0 node/20.19.0 linux/6.1.0';

/** The LogEvent JSON of a record, per the LogEvent schema (field order as Okta sends it). */
export function renderLogEvent(r: LogRecord, geo: LogGeo, ipAddress: string): Record<string, unknown> {
  const meta = EVENT_TYPES[r.eventType] ?? { displayMessage: r.eventType, legacyEventType: r.eventType };
  const geographicalContext = {
    city: geo.city,
    state: geo.state ?? geo.city,
    country: geo.country,
    postalCode: geo.postalCode,
    geolocation: { lat: geo.lat, lon: geo.lon },
  };
  const system = r.via === 'system';
  return {
    actor: { ...r.actor },
    client: system
      ? { userAgent: { rawUserAgent: 'UNKNOWN', os: 'Unknown', browser: 'UNKNOWN' }, zone: 'null', device: 'Unknown' }
      : {
          userAgent: r.via === 'browser' ? { rawUserAgent: BROWSER_UA, os: 'Mac OS X', browser: 'CHROME' } : { rawUserAgent: API_UA, os: 'Linux', browser: 'UNKNOWN' },
          zone: 'null',
          device: r.via === 'browser' ? 'Computer' : 'Unknown',
          ipAddress,
          geographicalContext,
        },
    authenticationContext: { authenticationStep: 0, externalSessionId: system ? 'unknown' : `trs${r.transactionId.slice(0, 19)}` },
    displayMessage: meta.displayMessage,
    eventType: r.eventType,
    outcome: { result: r.outcome },
    published: new Date(r.published).toISOString(),
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    severity: r.severity,
    debugContext: { debugData: r.requestUri ? { requestId: r.transactionId, requestUri: r.requestUri, url: r.requestUri } : { requestId: r.transactionId } },
    legacyEventType: meta.legacyEventType,
    transaction: { type: system ? 'JOB' : 'WEB', id: r.transactionId, detail: {} },
    uuid: r.uuid,
    version: '0',
    request: { ipChain: system ? [] : [{ ip: ipAddress, geographicalContext, version: 'V4' }] },
    target: r.targets.map((t) => ({ ...t })),
  };
}
