// Recommendations: deterministic and explained. Each item gets every reason
// that holds (RecommendationReason codes, shared/contract-reviews.ts) and one
// recommendation: revoke when a revoke reason holds, else look when a "look
// closely" reason holds, else keep.
//
//   reason                  when                                                         weight
//   account-inactive        the account is SUSPENDED, DEPROVISIONED or DISABLED          revoke
//   no-sign-in              last sign-in at or before now − inactiveRevokeDays           revoke
//                           … at or before now − inactiveLookDays                        look
//   never-signed-in         no sign-in ever, account created at or before now − neverSignedInDays   look
//   outside-process         no grant behind the membership (and no expired one)          look
//   expired-grant-present   the grant behind it expired (status expired, or its end passed) — the IdP still has it   revoke
//   past-end-date           a Contractor or Partner whose end date (profile endDate, contractEndDate,
//                           terminationDate or employeeLeaveDateTime) is at or before now               revoke
//   peer-outlier            held by fewer than peerPercent % of the accounts with the same department
//                           and title in the connection, when that peer group has ≥ peerMinGroup accounts   look
//   moved-since-grant       a sync run started after the grant recorded a change of the account's
//                           department or manager (sync_changes)                         look
//   high-risk               the mapped catalog role's risk is critical or high           look
//   recently-approved       granted through a request approved within recentApprovalDays  (keep)
//
// Boundaries are inclusive at the exact instant ("no sign-in for 30 days"
// holds when the last sign-in is exactly 30 days before now). Timestamps are
// compared as UTC ISO strings with milliseconds (SQLite strftime('%f'), so
// Okta's and Graph's formats compare alike). Reason texts depend only on the
// data and the thresholds, never on "now", so a reason's text changes only
// when its facts do — what "changed since launch" compares.
//
// The same SQL computes them at launch (inside population.ts's INSERT …
// SELECT) and after each sync (refresh.ts), so the two can never disagree.
import type { RecommendationReasonCode, ReviewThresholds } from '../../../shared/contract-reviews.js';
import { reasonCodeSql, reasonJsonSql } from './reason-codes.js';

const DAY = 86_400_000;

/** The bound parameters the SQL below names (@rec_*). */
export function recommendationParams(t: ReviewThresholds, now: Date): Record<string, string | number> {
  const cut = (days: number): string => new Date(now.getTime() - days * DAY).toISOString();
  return {
    rec_now: now.toISOString(),
    rec_look_cut: cut(t.inactiveLookDays),
    rec_revoke_cut: cut(t.inactiveRevokeDays),
    rec_never_cut: cut(t.neverSignedInDays),
    rec_recent_cut: cut(t.recentApprovalDays),
    // Texts are bound as text: better-sqlite3 binds a JS number as REAL ("30.0 days").
    rec_look_days: String(t.inactiveLookDays),
    rec_revoke_days: String(t.inactiveRevokeDays),
    rec_never_days: String(t.neverSignedInDays),
    rec_recent_days: String(t.recentApprovalDays),
    rec_peer_percent_text: String(t.peerPercent),
    rec_peer_percent: t.peerPercent,
    rec_peer_min: t.peerMinGroup,
  };
}

/** An ISO timestamp in one comparable form (UTC, milliseconds), NULL when absent or not a date. */
export const isoMs = (expr: string): string => `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr})`;

/** The profile attributes read for a contractor's or partner's end date, first present wins. */
export const END_DATE_ATTRIBUTES = ['endDate', 'contractEndDate', 'terminationDate', 'employeeLeaveDateTime'] as const;
export const endDateSql = (profile: string): string => `coalesce(${END_DATE_ATTRIBUTES.map((a) => `json_extract(${profile}, '$.${a}')`).join(', ')})`;

/** What the SQL needs per row, as SQL expressions over the row's columns. */
export type RecommendationInputs = {
  status: string;
  /** isoMs(last sign-in) / isoMs(account created). */
  lastLogin: string;
  created: string;
  grantId: string;
  /** 1 when an expired grant is behind the membership (or the live one's end passed). */
  expiredGrant: string;
  employmentType: string;
  /** isoMs(end date) of a contractor/partner, else NULL. */
  endDate: string;
  peerSize: string;
  peerHolders: string;
  /** Comma-separated fields (department, manager) changed since the grant, else NULL. */
  moved: string;
  risk: string;
  /** The request's id when it was approved within recentApprovalDays, else NULL. */
  recentRequest: string;
};

/**
 * The reasons: each is NULL when it does not hold, and the list is one
 * concat_ws over the ten (it skips NULLs), which builds the text once
 * instead of growing it by one `||` per reason. Each reason's text comes
 * from its values (SQL here) through its template (reason-codes.ts), in
 * either stored form: the codes form (launch from now on: the letter and
 * the values, ~40 bytes an item) or the JSON form (what items launched
 * before hold, built by concatenation: the same bytes as
 * json_object('code', …, 'text', …); kept for refreshing their campaigns).
 * Safe only because no value can hold a character JSON escapes, nor '~' or
 * '/': every value spliced in is a fixed word chosen by its condition (a
 * status, a risk, an employment type, field names), digits, or an ISO date
 * (test/unit/review-reasons.test.ts holds it).
 */
type Branch = { when: string; values: string[] };
const reason = (code: RecommendationReasonCode, branches: Branch[], form: (code: RecommendationReasonCode, values: readonly string[]) => string): string =>
  `CASE ${branches.map((b) => `WHEN ${b.when} THEN ${form(code, b.values)}`).join(' ')} END`;

/** SQL for the conditions, the reasons (`reasons`: the JSON form; `reasonCodes`: the codes form), the recommendation and the peer percentage. */
export function recommendationSql(x: RecommendationInputs): { reasons: string; reasonCodes: string; recommendation: string; peerPct: string } {
  const c = {
    inactive: `${x.status} IN ('SUSPENDED', 'DEPROVISIONED', 'DISABLED')`,
    noSignInRevoke: `${x.lastLogin} IS NOT NULL AND ${x.lastLogin} <= @rec_revoke_cut`,
    noSignInLook: `${x.lastLogin} IS NOT NULL AND ${x.lastLogin} <= @rec_look_cut`,
    never: `${x.lastLogin} IS NULL AND ${x.created} IS NOT NULL AND ${x.created} <= @rec_never_cut`,
    expired: `${x.expiredGrant} = 1`,
    outside: `${x.grantId} IS NULL AND coalesce(${x.expiredGrant}, 0) = 0`,
    pastEnd: `${x.endDate} IS NOT NULL AND ${x.endDate} <= @rec_now AND lower(${x.employmentType}) IN ('contractor', 'partner')`,
    peer: `${x.peerSize} >= @rec_peer_min AND ${x.peerHolders} * 100.0 < @rec_peer_percent * ${x.peerSize}`,
    moved: `${x.moved} IS NOT NULL`,
    risk: `${x.risk} IN ('critical', 'high')`,
    recent: `${x.recentRequest} IS NOT NULL`,
  };
  const reasons: [RecommendationReasonCode, Branch[]][] = [
    ['account-inactive', [{ when: c.inactive, values: [`lower(${x.status})`] }]],
    [
      'no-sign-in',
      [
        { when: c.noSignInRevoke, values: ['@rec_revoke_days', `substr(${x.lastLogin}, 1, 10)`] },
        { when: c.noSignInLook, values: ['@rec_look_days', `substr(${x.lastLogin}, 1, 10)`] },
      ],
    ],
    ['never-signed-in', [{ when: c.never, values: [`substr(${x.created}, 1, 10)`, '@rec_never_days'] }]],
    ['outside-process', [{ when: c.outside, values: [] }]],
    ['expired-grant-present', [{ when: c.expired, values: [] }]],
    ['past-end-date', [{ when: c.pastEnd, values: [`lower(${x.employmentType})`, `substr(${x.endDate}, 1, 10)`] }]],
    ['peer-outlier', [{ when: c.peer, values: [x.peerHolders, x.peerSize, '@rec_peer_percent_text'] }]],
    ['moved-since-grant', [{ when: c.moved, values: [`replace(${x.moved}, ',', ' and ')`] }]],
    ['high-risk', [{ when: c.risk, values: [x.risk] }]],
    ['recently-approved', [{ when: c.recent, values: [x.recentRequest, '@rec_recent_days'] }]],
  ];
  return {
    reasons: `('[' || concat_ws(',', ${reasons.map(([code, b]) => reason(code, b, reasonJsonSql)).join(', ')}) || ']')`,
    reasonCodes: `('~' || concat_ws('~', ${reasons.map(([code, b]) => reason(code, b, reasonCodeSql)).join(', ')}))`,
    recommendation: `(CASE WHEN (${c.inactive}) OR (${c.noSignInRevoke}) OR (${c.expired}) OR (${c.pastEnd}) THEN 'revoke'
      WHEN (${c.noSignInLook}) OR (${c.never}) OR (${c.outside}) OR (${c.peer}) OR (${c.moved}) OR (${c.risk}) THEN 'look' ELSE 'keep' END)`,
    peerPct: `(CASE WHEN ${x.peerSize} > 0 THEN ${x.peerHolders} * 100.0 / ${x.peerSize} END)`,
  };
}
