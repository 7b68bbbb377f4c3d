// Random, realistic change sets for the Entra side of the sandbox: what an
// IT team's week looks like in Entra ID (people added to and removed from
// groups by hand, movers with a new department, title or manager, accounts
// blocked, people deleted). Every change goes through the Graph server's
// mutations, so delta queries report it as Graph would. Used by the delta
// sync tests (randomised change sets) and the Entra bench. The choices are
// drawn from the seed: the same org, state and seed give the same changes.
import type { GraphServer } from './graph-server.js';
import { createRng } from './prng.js';

export const GRAPH_CHANGE_KINDS = ['membership-add', 'membership-remove', 'title', 'department', 'manager', 'block', 'delete-user'] as const;
export type GraphChangeKind = (typeof GRAPH_CHANGE_KINDS)[number];

/** The mix, as weights (hand-made membership changes dominate, deletions are rare). */
const WEIGHTS: Record<GraphChangeKind, number> = { 'membership-add': 35, 'membership-remove': 25, title: 12, department: 8, manager: 10, block: 6, 'delete-user': 4 };

export type GraphMutateRequest = {
  /** Changes as a share of the org's people (0.01 = one change per hundred people). */
  fraction?: number;
  /** Or an exact number of changes. */
  count?: number;
  seed?: number;
};

export type GraphMutateSummary = { total: number } & Partial<Record<GraphChangeKind, number>>;

const TITLES = ['Senior Engineer', 'Staff Engineer', 'Account Executive', 'Support Lead', 'Product Manager', 'Analyst', 'Director'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Marketing', 'Finance', 'Operations'];

export function applyRandomGraphChanges(server: Pick<GraphServer, 'directory' | 'mutations'>, request: GraphMutateRequest): GraphMutateSummary {
  const { directory: d, mutations: m } = server;
  const people = d.org.users.length;
  const count = request.count ?? Math.max(1, Math.round((request.fraction ?? 0.01) * people));
  const rng = createRng(request.seed ?? Date.now(), 'graph-mutate');
  const kinds = GRAPH_CHANGE_KINDS;
  const weights = kinds.map((k) => WEIGHTS[k]);
  // Hand-managed groups only: dynamic groups follow their rule, AD-synced ones change on premises.
  const manual = d.groups.filter((g) => !d.isDynamic(g) && d.group(g).onPremisesSyncEnabled !== true);
  const isManual = new Set(manual);
  const summary: GraphMutateSummary = { total: 0 };
  const livePerson = (): number | null => {
    for (let tries = 0; tries < 50; tries++) {
      const u = rng.int(people);
      if (!d.isDeleted(u)) return u;
    }
    return null;
  };
  for (let i = 0, guard = 0; i < count && guard < count * 20; guard++) {
    const kind = kinds[rng.weighted(weights)] ?? 'title';
    const u = livePerson();
    if (u === null) break;
    let done = false;
    switch (kind) {
      case 'membership-add': {
        const g = manual.length ? rng.pick(manual) : null;
        done = g !== null && m.addMember(g, u);
        break;
      }
      case 'membership-remove': {
        const groups = [...d.memberships.groupsOf(u)].filter((g) => isManual.has(g));
        done = groups.length > 0 && m.removeMember(rng.pick(groups), u);
        break;
      }
      case 'title':
        m.updateUser(u, { jobTitle: rng.pick(TITLES) });
        done = true;
        break;
      case 'department':
        m.updateUser(u, { department: rng.pick(DEPARTMENTS) });
        done = true;
        break;
      case 'manager': {
        const boss = livePerson();
        if (boss !== null && boss !== u) {
          m.updateUser(u, { managerIndex: boss });
          done = true;
        }
        break;
      }
      case 'block':
        m.updateUser(u, { accountEnabled: false });
        done = true;
        break;
      case 'delete-user':
        m.deleteUser(u);
        done = true;
        break;
    }
    if (done) {
      summary[kind] = (summary[kind] ?? 0) + 1;
      summary.total++;
      i++;
    }
  }
  return summary;
}
