// Group owners in a full Okta sync: which groups to ask about, and asking.
//
// Okta has no bulk listing of owners: one GET /api/v1/groups/{id}/owners per
// group, in the groups rate-limit bucket the member listings already use (500
// a minute by default, our share of it). Asking for every group of a large
// org would double the sync's longest phase, for groups nobody reviews. So:
//   - an org with at most OWNERS_ALL_GROUPS groups in scope: every group;
//   - a larger one: the groups assigned to an app (where reviewed access
//     lives) and the groups the catalog maps (the caller passes them), at
//     most OWNERS_MAX_GROUPS of them; the run's note says when some were
//     left out.
// Calls go through the connector's rate budget like every other request.
//
// The API needs Okta Identity Governance. An org without it answers 401
// E0000015 or 403: the run then stores no owners, says why in its note and
// succeeds (reviews fall back to their other reviewers). Any other failure
// fails the sync, as a failed member listing does: a snapshot is complete
// or not committed. Entra's owners come with its groups listing
// (entra-sync.ts) at no extra request.
import type { GroupOwnerRecord } from '../connectors/snapshot-model.js';
import { OktaError } from '../connectors/okta/okta-errors.js';
import type { OktaConnector } from '../connectors/okta/okta-connector.js';
import { allOrAbort, feedQueue } from './run-lifecycle.js';

/** Up to this many groups in scope, the owners of every group are read. */
export const OWNERS_ALL_GROUPS = 500;
/** Above it, at most this many groups (app-assigned and catalog-mapped) have their owners read. */
export const OWNERS_MAX_GROUPS = 1500;

export type OwnerGroupChoice = { groupIds: string[]; note: string | null };

/**
 * Which groups' owners a full Okta sync reads: all of them in a small org,
 * else the app-assigned and catalog-mapped ones (stored groups only), capped.
 */
export function chooseOwnerGroups(stored: readonly string[], appAssigned: ReadonlySet<string>, mapped: ReadonlySet<string>): OwnerGroupChoice {
  if (stored.length <= OWNERS_ALL_GROUPS) return { groupIds: [...stored], note: null };
  const wanted = stored.filter((id) => mapped.has(id) || appAssigned.has(id));
  // Mapped groups first: they are the ones Latchkey's reviews and requests name.
  wanted.sort((a, b) => Number(mapped.has(b)) - Number(mapped.has(a)));
  const groupIds = wanted.slice(0, OWNERS_MAX_GROUPS);
  const left = stored.length - groupIds.length;
  const capped = wanted.length > groupIds.length ? `, capped at ${OWNERS_MAX_GROUPS}` : '';
  return {
    groupIds,
    note: `group owners read for ${groupIds.length} app-assigned or catalog-mapped groups of ${stored.length}${capped}; ${left} not asked`,
  };
}

export type OwnerReadResult = { groups: number; owners: number; unavailable: string | null };

/** Whether an error means "this org has no Group Owners API for us", not a failed request. */
function ownersUnavailable(e: unknown): string | null {
  if (!(e instanceof OktaError)) return null;
  if (e.details.errorCode === 'E0000015') return 'the org does not offer the Group Owners API (Okta Identity Governance)';
  if (e.kind === 'forbidden') return `Okta refused to list group owners (${e.details.missingScope ?? `HTTP ${e.details.status ?? 403}`})`;
  return null;
}

/**
 * Reads the owners of `groupIds` with `concurrency` listings at once and
 * hands each page to `add`. Stops asking at the first "not available" answer.
 */
export async function readOktaOwners(
  connector: OktaConnector,
  groupIds: readonly string[],
  opts: { concurrency: number; internal: AbortController; check: () => void; add: (rows: GroupOwnerRecord[]) => void; onGroup?: () => void },
): Promise<OwnerReadResult> {
  const result: OwnerReadResult = { groups: 0, owners: 0, unavailable: null };
  const queue = feedQueue<string>();
  // Probe with the first group alone: an org without the API answers once, not `concurrency` times.
  const [first, ...rest] = groupIds;
  if (first === undefined) return result;
  const readOne = async (groupId: string): Promise<void> => {
    for await (const rows of connector.groupOwners(groupId)) {
      opts.check();
      opts.add(rows);
      result.owners += rows.length;
    }
    result.groups++;
    opts.onGroup?.();
  };
  try {
    await readOne(first);
  } catch (e) {
    const why = ownersUnavailable(e);
    if (why === null) throw e;
    result.unavailable = why;
    return result;
  }
  queue.push(rest);
  queue.close();
  await allOrAbort(opts.internal, Array.from({ length: Math.max(1, Math.min(opts.concurrency, rest.length)) }, () => queue.work(opts.check, readOne)));
  return result;
}
