// Graph delta queries in the sandbox (/users/delta, /groups/delta): an
// initial round over every object, then change rounds from the directory's
// change log, each object once in its latest state; @odata.deltaLink at the
// end of a round, `$deltatoken=latest`, tokens that expire with 410
// syncStateNotFound, manager@delta, and members@delta split across pages for
// large groups. Separate from the plain listings because its paging state
// (round, change-log position, member offset) is its own.
import type { GraphObjectKind } from './graph-directory.js';
import { GraphHttpError, type GraphReply } from './graph-errors.js';
import { AUDIT_READ, badRequest, contextUrl, decodeToken, encodeToken, GROUP_PROPS, linkWith, parseSelect, parseTop, requirePermission, shapeGroup, shapeUser, USER_PROPS, USER_TYPE, type GraphRouteContext } from './graph-route-kit.js';

// Opaque tokens: base64url JSON (see graph-route-kit.ts).
/** A delta position: change-log sequence `s` (and `from` while paging changes), object offset `o`, member offset `m` within it. */
type DeltaState = { k: GraphObjectKind; s: number; t: number; phase: 'initial' | 'changes'; o: number; m?: number; from?: number };

/** One object of a delta round, with its member references (groups) read lazily, as a page needs them. */
type DeltaEntry = {
  id: string;
  object: () => Record<string, unknown>;
  refCount: number;
  ref: (i: number) => Record<string, unknown>;
  /** The initial round lists an empty members@delta for a group without members; a change round omits it. */
  emptyMembers: boolean;
};

/**
 * Fills one delta page from `entries` starting at object `o`, member `m` of
 * it: at most `top` objects and `cap` member references. A group whose
 * members do not fit continues on the next page as `{id, members@delta}`
 * (Graph splits a large group's members@delta across pages, so clients merge
 * them by group id).
 */
function deltaPage(count: number, entryAt: (i: number) => DeltaEntry | null, o: number, m: number, top: number, cap: number, withMembers: boolean): { items: Record<string, unknown>[]; next: { o: number; m: number } | null } {
  const items: Record<string, unknown>[] = [];
  let refs = 0;
  let i = o;
  let mm = m;
  while (i < count && items.length < top) {
    const e = entryAt(i);
    if (!e) {
      i++;
      mm = 0;
      continue;
    }
    if (!withMembers || e.refCount === 0) {
      const obj = e.object();
      if (withMembers && e.emptyMembers) obj['members@delta'] = [];
      items.push(obj);
      i++;
      mm = 0;
      continue;
    }
    const room = cap - refs;
    if (room <= 0) break;
    const take = Math.min(room, e.refCount - mm);
    const obj = mm === 0 ? e.object() : { id: e.id };
    obj['members@delta'] = Array.from({ length: take }, (_, k) => e.ref(mm + k));
    items.push(obj);
    refs += take;
    if (mm + take < e.refCount) {
      mm += take;
      return { items, next: { o: i, m: mm } };
    }
    i++;
    mm = 0;
  }
  // Look past objects that produce nothing, so the last page carries the deltaLink (as scan() does).
  while (i < count && mm === 0 && entryAt(i) === null) i++;
  return { items, next: i < count ? { o: i, m: mm } : null };
}

export function delta(ctx: GraphRouteContext, kind: GraphObjectKind): GraphReply {
  const { dir } = ctx;
  const entitySet = kind === 'user' ? 'users' : 'groups';
  // Delta tracks navigation properties through $select (manager, members), not $expand.
  if (ctx.query.has('$expand')) throw badRequest('Unsupported Query.', 'Request_UnsupportedQuery');
  const select = kind === 'user' ? parseSelect(ctx.query, USER_PROPS(dir), 'microsoft.graph.user', ['manager']) : parseSelect(ctx.query, GROUP_PROPS(dir), 'microsoft.graph.group', ['members']);
  if (kind === 'user' && select?.includes('signInActivity')) requirePermission(ctx.roles, AUDIT_READ);
  const withMembers = kind === 'group' && (select === null || select.includes('members'));
  const withManager = kind === 'user' && select !== null && select.includes('manager');
  // A delta answer always carries each object's id, $select or not (clients merge by it).
  const objectSelect = select ? ['id', ...select.filter((p) => p !== 'members' && p !== 'manager' && p !== 'id')] : null;
  const top = parseTop(ctx.query);
  const deltaToken = ctx.query.get('$deltatoken') ?? ctx.query.get('$deltaToken');
  const skipToken = ctx.query.get('$skiptoken');

  const deltaLink = (s: number): string => linkWith(ctx, '$deltatoken', encodeToken({ k: kind, s, t: ctx.now, phase: 'changes', o: 0 } satisfies DeltaState), ['$top']);
  const reply = (value: unknown[], next: DeltaState | null, s: number): GraphReply => ({
    status: 200,
    json: {
      '@odata.context': contextUrl(ctx, entitySet, select),
      ...(next ? { '@odata.nextLink': linkWith(ctx, '$skiptoken', encodeToken(next)) } : { '@odata.deltaLink': deltaLink(s) }),
      value,
    },
  });

  if (deltaToken !== null && deltaToken.toLowerCase() === 'latest') return reply([], null, dir.seq());

  let state: DeltaState;
  if (deltaToken !== null || skipToken !== null) {
    const raw = (deltaToken ?? skipToken) as string;
    const decoded = decodeToken<DeltaState>(raw);
    if (!decoded || decoded.k !== kind || !Number.isInteger(decoded.s) || !Number.isInteger(decoded.o) || typeof decoded.t !== 'number' || (decoded.m !== undefined && !Number.isInteger(decoded.m))) {
      throw badRequest(`Badly formed token: '${raw.slice(0, 40)}'.`);
    }
    if (ctx.now - decoded.t > ctx.deltaTokenMaxAgeMs) {
      throw new GraphHttpError(410, 'syncStateNotFound', 'The sync state generation is not found. The token has expired: restart the synchronization from the beginning without a token.');
    }
    state = decoded;
  } else {
    state = { k: kind, s: dir.seq(), t: ctx.now, phase: 'initial', o: 0 };
  }

  const memberRef = (user: number, removed: boolean): Record<string, unknown> => ({ '@odata.type': USER_TYPE, id: dir.userId(user), ...(removed ? { '@removed': { reason: 'deleted' } } : {}) });
  const currentManager = (u: number): number | null => {
    const m = dir.managerIndexOf(u);
    return m >= 0 && !dir.isDeleted(m) ? m : null;
  };
  const userObject = (u: number, initial: boolean): Record<string, unknown> => {
    const obj = shapeUser(dir, u, objectSelect);
    if (withManager) {
      const m = currentManager(u);
      const previous = initial ? null : dir.previousManager(u);
      // The current manager, or (in a change round) the removal of the one the user had.
      if (m !== null) obj['manager@delta'] = [memberRef(m, false)];
      else if (previous !== null) obj['manager@delta'] = [memberRef(previous, true)];
    }
    return obj;
  };
  const cap = Math.max(1, ctx.deltaMembersPerPage);
  const m0 = state.m ?? 0;

  if (state.phase === 'initial') {
    const count = kind === 'user' ? dir.org.users.length : dir.groups.length;
    const entryAt = (i: number): DeltaEntry | null => {
      if (kind === 'user') {
        if (dir.isDeleted(i)) return null;
        return { id: dir.userId(i), object: () => userObject(i, true), refCount: 0, ref: () => ({}), emptyMembers: false };
      }
      const g = dir.groups[i] ?? 0;
      const members = dir.memberships.members(g);
      return { id: dir.groupId(g), object: () => shapeGroup(dir, g, objectSelect), refCount: members.length, ref: (k) => memberRef(members[k] ?? 0, false), emptyMembers: true };
    };
    const { items, next } = deltaPage(count, entryAt, state.o, m0, top, cap, withMembers);
    return reply(items, next !== null ? { ...state, o: next.o, m: next.m } : null, state.s);
  }

  // Changes after the token's position, one entry per object (its latest state), in order of last change.
  const from = state.from ?? state.s;
  const upTo = state.from !== undefined ? state.s : dir.seq();
  const touched = new Map<number, Map<number, boolean>>();
  for (const c of dir.changes) {
    if (c.seq <= from || c.seq > upTo || c.kind !== kind) continue;
    const members = touched.get(c.index) ?? new Map<number, boolean>();
    touched.delete(c.index);
    touched.set(c.index, members);
    if (c.kind === 'group' && c.member) {
      members.delete(c.member.user);
      members.set(c.member.user, c.member.added);
    }
  }
  const entries = [...touched.entries()];
  const entryAt = (i: number): DeltaEntry | null => {
    const [index, members] = entries[i] ?? [0, new Map<number, boolean>()];
    if (kind === 'user') {
      const id = dir.userId(index);
      const object = dir.isDeleted(index) ? () => ({ id, '@removed': { reason: 'changed' } }) : () => userObject(index, false);
      return { id, object, refCount: 0, ref: () => ({}), emptyMembers: false };
    }
    const changes = [...members.entries()];
    return { id: dir.groupId(index), object: () => shapeGroup(dir, index, objectSelect), refCount: changes.length, ref: (k) => memberRef(changes[k]?.[0] ?? 0, !(changes[k]?.[1] ?? true)), emptyMembers: false };
  };
  const { items, next } = deltaPage(entries.length, entryAt, state.o, m0, top, cap, withMembers);
  return reply(items, next !== null ? { k: kind, s: upTo, from, t: state.t, phase: 'changes', o: next.o, m: next.m } : null, upTo);
}
