// How a grant ended, in the ledger's own words, and whether a sync has
// confirmed the removal since: what the Access page shows for ended access.
//
// The end is read from the status and the end reason that ledger.ts and the
// request flow write ("expired at …", "revoked by … via console: …",
// "review: …", "cancelled by …: …", "superseded by request #…"). A removal
// counts as verified when the first successful sync of the connection that
// started after the grant ended ran and drift found no 'reappeared'
// membership for it (drift.ts compares every such run with the ledger); a
// drift finding names the run that saw it back.
import type { GrantEndHow, RemovalCheck } from '../../../shared/contract-jobs.js';
import type { Db } from '../db/database.js';
import { firstSucceededRunAfter } from '../sync/sync-runs.js';
import { reappearedOfGrants } from './drift.js';
import { SUPERSEDED_PREFIX, type GrantRecord } from './grant-store.js';

export type GrantEnd = { how: GrantEndHow; by: string | null; channel: string | null; note: string | null };

/** "revoked by ada@x via console: left", "cancelled by hal@x: wrong person": who (an e-mail or a name, never ": "), the channel, the words. */
const BY_NOTE = /^(?:revoked|cancelled) by (.+?)(?: via ([a-z]+))?: ([\s\S]*)$/;

/** How an ended grant ended (null while it is live). */
export function grantEnd(g: Pick<GrantRecord, 'status' | 'end_reason'>): GrantEnd | null {
  const reason = g.end_reason ?? '';
  switch (g.status) {
    case 'expired':
      return { how: 'expired', by: null, channel: null, note: reason || null };
    case 'revoked': {
      if (reason.startsWith('review:')) return { how: 'review', by: null, channel: null, note: reason.slice('review:'.length).trim() || null };
      const m = BY_NOTE.exec(reason);
      return m ? { how: 'revoked', by: m[1] ?? null, channel: m[2] ?? null, note: m[3] ?? null } : { how: 'revoked', by: null, channel: null, note: reason || null };
    }
    case 'cancelled': {
      if (reason.startsWith(SUPERSEDED_PREFIX)) return { how: 'extended', by: null, channel: null, note: reason };
      const m = BY_NOTE.exec(reason);
      return m ? { how: 'cancelled', by: m[1] ?? null, channel: m[2] ?? null, note: m[3] ?? null } : { how: 'cancelled', by: null, channel: null, note: reason || null };
    }
    default:
      return null;
  }
}

/**
 * Whether a sync confirmed each ended grant's removal. Only revoked and
 * expired grants that had been provisioned have a membership to remove; the
 * others get no entry.
 */
export function removalChecks(db: Db, grants: readonly GrantRecord[]): Map<number, RemovalCheck> {
  const removed = grants.filter((g) => (g.status === 'revoked' || g.status === 'expired') && g.ended_at !== null && g.provisioned_at !== null);
  const back = reappearedOfGrants(
    db,
    removed.map((g) => g.id),
  );
  const out = new Map<number, RemovalCheck>();
  for (const g of removed) {
    const seen = back.get(g.id);
    if (seen) {
      out.set(g.id, { state: 'reappeared', runId: seen.runId, at: seen.at });
      continue;
    }
    const run = firstSucceededRunAfter(db, g.connection_id, g.ended_at as string);
    out.set(g.id, run ? { state: 'verified', runId: run.id, at: run.startedAt } : { state: 'awaiting' });
  }
  return out;
}
