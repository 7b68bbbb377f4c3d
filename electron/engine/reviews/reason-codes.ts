// How an item's recommendation reasons are stored (review_items.reasons and
// launch_reasons), and read back as the texts every reader shows.
//
// Two forms, told apart by their first character:
// - JSON (items launched before this form, and the refresh of their
//   campaigns): '[' — an array of {"code": …, "text": …} objects, as
//   recommendations.ts built it.
// - Codes (launches from now on): '~' — each reason that holds as '~', its
//   letter (REASON_LETTERS) and its values separated by '/', in the order
//   recommendations.ts lists the reasons; no reason at all is '~' alone.
//   e.g. '~asuspended~n90/2025-01-02~o' is [account-inactive "the account is
//   suspended in the identity provider", no-sign-in "no sign-in for 90 days or
//   more (last 2025-01-02)", outside-process "no grant behind this membership:
//   access held outside the process"]. The text is the reason's template
//   (REASON_TEMPLATES) with the values put in: the same characters the JSON
//   form holds, ~40 bytes instead of ~300 per item and no text built per item
//   at launch. No value can hold '~' or '/' (each is a fixed word chosen by
//   the reason's condition — a status, a risk, an employment type, changed
//   field names —, digits, an ISO date, or a threshold's decimal text), so a
//   code is found by '~' and its letter alone (reasonFilterSql).
// '' (item-store.ts SAME_AS_REASONS) is neither form: launch_reasons' "same as reasons".
// The JSON of a codes-form value (reasonsJson) is byte for byte what the JSON form held for the same facts.
import type { RecommendationReason, RecommendationReasonCode } from '../../../shared/contract-reviews.js';

/** Each reason code's letter in the codes form (never change one: stored items name them). */
export const REASON_LETTERS: Readonly<Record<RecommendationReasonCode, string>> = {
  'account-inactive': 'a',
  'no-sign-in': 'n',
  'never-signed-in': 'c',
  'outside-process': 'o',
  'expired-grant-present': 'x',
  'past-end-date': 'e',
  'peer-outlier': 'p',
  'moved-since-grant': 'm',
  'high-risk': 'h',
  'recently-approved': 'r',
};

/** A reason's text: literal pieces and, as numbers, the index of the value put there. */
export type ReasonTemplate = readonly (string | number)[];

/** Each reason's text, from its values (recommendations.ts passes the values as SQL, in this order). */
export const REASON_TEMPLATES: Readonly<Record<RecommendationReasonCode, ReasonTemplate>> = {
  // values: the status, lower-cased
  'account-inactive': ['the account is ', 0, ' in the identity provider'],
  // values: the threshold's days, the last sign-in's date
  'no-sign-in': ['no sign-in for ', 0, ' days or more (last ', 1, ')'],
  // values: the account's creation date, the threshold's days
  'never-signed-in': ['never signed in; the account was created ', 0, ', over ', 1, ' days ago'],
  'outside-process': ['no grant behind this membership: access held outside the process'],
  'expired-grant-present': ['the grant behind this membership has expired, but the identity provider still has it'],
  // values: the employment type, lower-cased; the end date
  'past-end-date': [0, ' past their end date (', 1, ')'],
  // values: holders, peer group size, the threshold's percent
  'peer-outlier': ['held by ', 0, ' of ', 1, ' people with the same department and title (under ', 2, '%)'],
  // values: the changed fields joined by ' and '
  'moved-since-grant': ['the ', 0, ' changed since the access was granted'],
  // values: the risk
  'high-risk': [0, '-risk role'],
  // values: the request id, the threshold's days
  'recently-approved': ['granted through request #', 0, ', approved within ', 1, ' days'],
};

const CODE_OF_LETTER = new Map(Object.entries(REASON_LETTERS).map(([code, letter]) => [letter, code as RecommendationReasonCode]));
const VALUE_COUNT = new Map(Object.entries(REASON_TEMPLATES).map(([code, t]) => [code, t.filter((p) => typeof p === 'number').length]));

const render = (template: ReasonTemplate, values: readonly string[]): string => template.map((p) => (typeof p === 'number' ? values[p] : p)).join('');

/** The reasons a stored value (either form) stands for, in stored order. Throws on a value of neither form, as JSON.parse did. */
export function decodeReasons(stored: string): RecommendationReason[] {
  if (stored.startsWith('[')) return JSON.parse(stored) as RecommendationReason[];
  if (!stored.startsWith('~')) throw new Error(`not a stored reasons value: ${JSON.stringify(stored.slice(0, 40))}`);
  const out: RecommendationReason[] = [];
  for (const part of stored.slice(1).split('~')) {
    if (part === '') continue;
    const code = CODE_OF_LETTER.get(part[0] as string);
    if (code === undefined) throw new Error(`unknown reason letter in ${JSON.stringify(stored.slice(0, 80))}`);
    const values = part.length > 1 ? part.slice(1).split('/') : [];
    if (values.length !== VALUE_COUNT.get(code)) throw new Error(`reason ${code} with ${values.length} values in ${JSON.stringify(stored.slice(0, 80))}`);
    out.push({ code, text: render(REASON_TEMPLATES[code], values) });
  }
  return out;
}

/** The JSON form of a stored value: what items launched before the codes form hold for the same facts, byte for byte. */
export function reasonsJson(stored: string): string {
  return stored.startsWith('[') ? stored : JSON.stringify(decodeReasons(stored));
}

/** Whether two stored values (of either form) stand for the same reasons. */
export function sameReasons(a: string, b: string): boolean {
  return a === b || (a[0] !== b[0] && reasonsJson(a) === reasonsJson(b));
}

/**
 * SQL true when the stored reasons `column` (either form) hold reason `code`,
 * with the parameters it names (`name`_json, `name`_codes). In the JSON form
 * the code appears exactly as "code":"<code>" (no text holds a quote); in the
 * codes form as '~' and its letter.
 */
export function reasonFilterSql(column: string, name: string, code: string): { sql: string; params: Record<string, string> } {
  const json = `"code":"${code}"`;
  const letter = (REASON_LETTERS as Readonly<Record<string, string>>)[code];
  return {
    sql: `(CASE WHEN substr(${column}, 1, 1) = '~' THEN instr(${column}, @${name}_codes) ELSE instr(${column}, @${name}_json) END > 0)`,
    // An unknown code matches nothing in the codes form (it never holds a quote).
    params: { [`${name}_json`]: json, [`${name}_codes`]: letter === undefined ? json : `~${letter}` },
  };
}

/** SQL of one reason's text in the JSON form: {"code":…,"text":…} built by concatenation over `values` (SQL expressions). */
export function reasonJsonSql(code: RecommendationReasonCode, values: readonly string[]): string {
  const text = REASON_TEMPLATES[code].map((p) => (typeof p === 'number' ? (values[p] as string) : `'${p}'`)).join(' || ');
  return `'{"code":"${code}","text":"' || ${text} || '"}'`;
}

/** SQL of one reason in the codes form (without its leading '~': the list joins them with it). */
export function reasonCodeSql(code: RecommendationReasonCode, values: readonly string[]): string {
  return values.length === 0 ? `'${REASON_LETTERS[code]}'` : `'${REASON_LETTERS[code]}' || ${values.join(" || '/' || ")}`;
}
