// What the ledger's evidence sheets (requests, approvals, grants, leavers,
// reviews) share: the period as the stored ISO text compares (every instant
// in the workspace is written by Date.toISOString(), so text order is time
// order and the bounds are inclusive at the exact millisecond), hours between
// two instants, and the names the sheets show for
// a connection and the Jira links, read once per sheet through their owners.
import type { Db } from '../db/database.js';
import { listConnectionRecords } from '../connections/connections.js';
import type { EvidenceCell, EvidenceInput } from './sheet-types.js';
import { jiraCell } from './snapshot-cells.js';

/** The period's bounds as stored text, both inclusive: an event at `to` is in, one 1 ms later is not. */
export function periodOf(input: Pick<EvidenceInput, 'from' | 'to'>): { from: string; to: string } {
  return { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() };
}


/** Hours from one instant to another, to two decimals (an auditor's reading; the exact instants are in their own columns). */
export function hoursBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.round((Date.parse(to) - Date.parse(from)) / 36_000) / 100;
}

/** Connection names by id (a removed connection keeps its id, named as removed). */
export function connectionNames(db: Db): (id: number) => string {
  const names = new Map(listConnectionRecords(db).map((c) => [c.id, c.name]));
  return (id) => names.get(id) ?? `connection #${id} (removed)`;
}

/** The Jira key as a link to its issue (text only when the Jira connection is gone). */
export function jiraLinks(db: Db): (connectionId: number | null, key: string | null) => EvidenceCell {
  const bases = new Map(
    listConnectionRecords(db)
      .filter((c) => c.kind === 'jira')
      .map((c) => [c.id, c.baseUrl]),
  );
  return (connectionId, key) => jiraCell(key, (connectionId !== null ? bases.get(connectionId) : undefined) ?? null);
}

/** Same address, whatever the case and surrounding spaces (approver = requester checks). */
export const sameAddress = (a: string | null, b: string | null): boolean => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
