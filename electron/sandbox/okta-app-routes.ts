// The Okta apps endpoints of the sandbox: list (with `filter`, `q`,
// `includeNonDeleted` and the unpaged default of -1), get, and an app's group
// assignments.
import type { OrgApp, OrgGroup } from './org-model.js';
import { renderApp, renderAppGroupAssignment } from './okta-resources.js';
import { decode, invalidSearch, jsonReply, links, notFound, parseExpression, parseLimit, validation, type Reply, type RouteContext } from './okta-route-kit.js';
import { evaluateFilter, filterTerms, type AttributeValue } from './scim-filter.js';

function appAttribute(app: OrgApp, attr: string): AttributeValue {
  switch (attr) {
    case 'id': return app.id;
    case 'status': return app.status;
    case 'name': return app.name;
    case 'settings.slo.enabled': return false;
    default: return undefined;
  }
}
const FILTERABLE_APP_ATTRS: ReadonlySet<string> = new Set(['id', 'status', 'name', 'settings.slo.enabled', 'credentials.signing.kid']);

export function listApplications(ctx: RouteContext): Reply {
  const { state } = ctx;
  const apps = state.org.apps;
  const filter = ctx.query.get('filter');
  const q = ctx.query.get('q');
  const includeNonDeleted = ctx.query.get('includeNonDeleted') === 'true';
  const tests: ((a: OrgApp) => boolean)[] = [];
  let filtersStatus = false;
  if (filter !== null) {
    const node = parseExpression(filter, invalidSearch);
    for (const t of filterTerms(node)) {
      if (!FILTERABLE_APP_ATTRS.has(t.attr)) throw invalidSearch();
      if (t.attr === 'status') filtersStatus = true;
    }
    tests.push((a) => evaluateFilter(node, (attr) => appAttribute(a, attr), { caseInsensitive: false }));
  }
  if (q !== null) {
    const prefix = q.toLowerCase();
    tests.push((a) => a.name.toLowerCase().startsWith(prefix) || a.label.toLowerCase().startsWith(prefix));
  }
  // includeNonDeleted: "whether to include non-active, but not deleted apps".
  if (!includeNonDeleted && !filtersStatus) tests.push((a) => a.status === 'ACTIVE');
  // Default -1: every app in one response.
  const rawLimit = ctx.query.get('limit');
  const limit = rawLimit === '-1' ? -1 : parseLimit(rawLimit, -1, 200);
  const pageSize = limit < 0 ? Number.POSITIVE_INFINITY : limit;
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const i = state.appIndex(after);
    if (i === undefined) throw validation('after', 'The cursor is not valid.');
    start = i + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < apps.length && out.length < pageSize; i++) {
    const a = apps[i] as OrgApp;
    if (!tests.every((t) => t(a))) continue;
    out.push(renderApp(state.org, a, state.base()));
    last = i;
  }
  const more = out.length === pageSize && last < apps.length - 1;
  return jsonReply(out, { Link: links(ctx, limit < 0 ? null : limit, more ? (apps[last] as OrgApp).id : null) });
}

function needApp(ctx: RouteContext): OrgApp {
  const id = decode(ctx.params[0] ?? '');
  const i = ctx.state.appIndex(id);
  if (i === undefined) throw notFound(id, 'AppInstance');
  return ctx.state.org.apps[i] as OrgApp;
}

export function getApplication(ctx: RouteContext): Reply {
  return jsonReply(renderApp(ctx.state.org, needApp(ctx), ctx.state.base()));
}

export function listApplicationGroupAssignments(ctx: RouteContext): Reply {
  const { state } = ctx;
  const app = needApp(ctx);
  // The spec bounds this limit to 20..200 (default 20).
  const raw = ctx.query.get('limit');
  const limit = Math.max(20, parseLimit(raw, 20, 200));
  const q = ctx.query.get('q')?.toLowerCase() ?? null;
  const embedGroup = (ctx.query.get('expand') ?? '').split(',').includes('group');
  let start = 0;
  const after = ctx.query.get('after');
  if (after !== null) {
    const pos = app.assignments.findIndex((a) => (state.org.groups[a.group] as OrgGroup).id === after);
    if (pos < 0) throw validation('after', 'The cursor is not valid.');
    start = pos + 1;
  }
  const out: unknown[] = [];
  let last = -1;
  for (let i = start; i < app.assignments.length && out.length < limit; i++) {
    const a = app.assignments[i] as (typeof app.assignments)[number];
    const g = state.org.groups[a.group] as OrgGroup;
    if (q !== null && !g.name.toLowerCase().startsWith(q)) continue;
    out.push(renderAppGroupAssignment(state.org, app, a, state.base(), embedGroup));
    last = i;
  }
  const more = out.length === limit && last < app.assignments.length - 1;
  const nextAfter = more ? (state.org.groups[(app.assignments[last] as (typeof app.assignments)[number]).group] as OrgGroup).id : null;
  return jsonReply(out, { Link: links(ctx, limit, nextAfter) });
}
