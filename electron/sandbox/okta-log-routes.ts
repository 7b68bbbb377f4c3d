// The Okta System Log endpoint of the sandbox: `since` / `until`, sort
// order, `filter` and `q` keywords, paged by an opaque cursor; polling (no
// `until`, ascending) follows the System Log's own rules (system-log.ts).
import { jsonReply, links, parseExpression, parseLimit, validation, type OktaHttpError, type Reply, type RouteContext } from './okta-route-kit.js';
import { evaluateFilter, filterTerms, type AttributeValue } from './scim-filter.js';
import { decodeLogCursor, renderLogEvent, type LogRecord } from './system-log.js';

function logAttribute(r: LogRecord, attr: string): AttributeValue {
  switch (attr) {
    case 'eventType': return r.eventType;
    case 'severity': return r.severity;
    case 'uuid': return r.uuid;
    case 'published': return new Date(r.published).toISOString();
    case 'outcome.result': return r.outcome;
    case 'transaction.id': return r.transactionId;
    case 'actor.id': return r.actor.id;
    case 'actor.type': return r.actor.type;
    case 'actor.alternateId': return r.actor.alternateId;
    case 'actor.displayName': return r.actor.displayName;
    case 'target.id': return r.targets.map((t) => t.id);
    case 'target.type': return r.targets.map((t) => t.type);
    case 'target.alternateId': return r.targets.map((t) => t.alternateId);
    case 'target.displayName': return r.targets.map((t) => t.displayName);
    default: return undefined;
  }
}
const LOG_FILTER_ATTRS: ReadonlySet<string> = new Set([
  'eventType', 'severity', 'uuid', 'published', 'outcome.result', 'transaction.id', 'actor.id', 'actor.type', 'actor.alternateId',
  'actor.displayName', 'target.id', 'target.type', 'target.alternateId', 'target.displayName',
]);

function parseTime(raw: string, param: string): number {
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || !Number.isFinite(t)) throw validation(param, 'The value must be an ISO 8601 timestamp.');
  return t;
}

export function listLogEvents(ctx: RouteContext): Reply {
  const { state } = ctx;
  const now = ctx.clock.now().getTime();
  const q = ctx.query;
  const untilRaw = q.get('until');
  const until = untilRaw !== null ? parseTime(untilRaw, 'until') : now + 1;
  const sinceRaw = q.get('since');
  const since = sinceRaw !== null ? parseTime(sinceRaw, 'since') : until - 7 * 86_400_000;
  if (since > until) throw validation('since', 'The value must be before until.');
  const order = q.get('sortOrder') ?? 'ASCENDING';
  if (order !== 'ASCENDING' && order !== 'DESCENDING') throw validation('sortOrder', 'The value must be ASCENDING or DESCENDING.');
  const limit = parseLimit(q.get('limit'), 100, 1000, 0);
  let afterSeq: number | null = null;
  const after = q.get('after');
  if (after !== null) {
    afterSeq = decodeLogCursor(after);
    if (afterSeq === null || afterSeq > state.log.size()) throw validation('after', 'The cursor is not valid.');
  }
  const tests: ((r: LogRecord) => boolean)[] = [];
  const filter = q.get('filter');
  if (filter !== null) {
    const bad = (): OktaHttpError => validation('filter', 'Invalid filter expression.');
    const node = parseExpression(filter, bad);
    if (filterTerms(node).some((t) => !LOG_FILTER_ATTRS.has(t.attr))) throw bad();
    tests.push((r) => evaluateFilter(node, (a) => logAttribute(r, a), { caseInsensitive: false }));
  }
  const keywords = (q.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (keywords.length > 10 || keywords.some((k) => k.length > 40)) throw validation('q', 'At most 10 keywords of at most 40 characters.');
  if (keywords.length > 0) {
    tests.push((r) => {
      const text = [r.eventType, r.actor.alternateId, r.actor.displayName, ...r.targets.flatMap((t) => [t.alternateId, t.displayName])].join(' ').toLowerCase();
      return keywords.every((k) => text.includes(k));
    });
  }
  const descending = order === 'DESCENDING';
  const page = state.log.query({
    since,
    until,
    afterSeq,
    limit,
    descending,
    polling: untilRaw === null && !descending,
    predicate: (r) => tests.every((t) => t(r)),
  });
  const body = page.events.map((r) => renderLogEvent(r, state.geo, r.via === 'browser' ? state.adminIp : state.apiIp));
  return jsonReply(body, { Link: links(ctx, limit, page.next) });
}
