// What counts as a change worth recording, shared by the two places that
// record them: the full sync's generation diff (SQL over old and new
// generation) and incremental sync's in-place patch. Both must agree, or the
// history would depend on which mode happened to run.
import type { ChangeKind } from '../../../shared/domain.js';

/** Statuses that mean the person has left (Okta deactivated, Entra sign-in blocked). */
export const LEAVER_STATUSES: ReadonlySet<string> = new Set(['DEPROVISIONED', 'DISABLED']);

/** Identity columns whose change is recorded as an 'attribute' change, with the field name used in the record. */
export const TRACKED_IDENTITY_FIELDS = [
  { column: 'department', field: 'department' },
  { column: 'title', field: 'title' },
  { column: 'manager_id', field: 'manager' },
  { column: 'email', field: 'email' },
  { column: 'employee_type', field: 'employeeType' },
  // Matters for correlation across IdPs (people.ts re-links on it).
  { column: 'employee_number', field: 'employeeNumber' },
] as const;

/** Group columns recorded as 'group-changed'. */
export const TRACKED_GROUP_FIELDS = [
  { column: 'name', field: 'name' },
  { column: 'description', field: 'description' },
  { column: 'type', field: 'type' },
  { column: 'managed_by', field: 'managedBy' },
] as const;

/** App columns recorded as 'app-changed'. */
export const TRACKED_APP_FIELDS = [
  { column: 'label', field: 'label' },
  { column: 'status', field: 'status' },
] as const;

/** The kind of a status change: into a leaver status is a 'leaver', anything else a 'status' change. */
export function statusChangeKind(before: string, after: string): ChangeKind {
  return LEAVER_STATUSES.has(after) && !LEAVER_STATUSES.has(before) ? 'leaver' : 'status';
}

/** Existence kinds come in add/remove pairs; a diff nets them out. */
export const EXISTENCE_PAIRS: Readonly<Record<string, { add: ChangeKind; remove: ChangeKind }>> = {
  user: { add: 'joiner', remove: 'leaver' },
  membership: { add: 'membership-add', remove: 'membership-remove' },
  assignment: { add: 'assignment-add', remove: 'assignment-remove' },
  group: { add: 'group-added', remove: 'group-removed' },
  app: { add: 'app-added', remove: 'app-removed' },
};
