// The policies' tables (migration 12): policies, policy_versions,
// policy_approvals, policy_exceptions. The only SQL on them; the operations
// (policies.ts: validation, approval, audit) call these inside their own
// transactions, and the evaluation (birthright.ts, whatif.ts) reads through
// currentPolicies and activeExceptionPairs, one query each.
import type { Condition, PolicyApproval, PolicyDefinition, PolicyGrant, PolicyMode, PolicyVersionView, WhatIfCounts } from '../../../shared/contract-policies.js';
import type { Db } from '../db/database.js';

/** What a version stores besides its name (the mode is the one asked for with it; the policy's own mode is in `policies`). */
type StoredDefinition = { description: string; when: Condition; grants: PolicyGrant[]; graceDays: number; mode: PolicyMode };

export type PolicyRecord = { id: number; name: string; currentVersion: number; mode: PolicyMode; createdAt: string; updatedAt: string };
type PolicyDbRow = { id: number; name: string; current_version: number; mode: PolicyMode; created_at: string; updated_at: string };
const toPolicy = (r: PolicyDbRow): PolicyRecord => ({ id: r.id, name: r.name, currentVersion: r.current_version, mode: r.mode, createdAt: r.created_at, updatedAt: r.updated_at });

export type VersionRecord = { policyId: number; version: number; state: PolicyVersionView['state']; createdAt: string; createdBy: string; channel: string; definition: PolicyDefinition };
type VersionDbRow = { policy_id: number; version: number; name: string; definition: string; state: PolicyVersionView['state']; created_at: string; created_by: string; channel: string };
const toVersion = (r: VersionDbRow): VersionRecord => {
  const d = JSON.parse(r.definition) as StoredDefinition;
  return {
    policyId: r.policy_id,
    version: r.version,
    state: r.state,
    createdAt: r.created_at,
    createdBy: r.created_by,
    channel: r.channel,
    definition: { name: r.name, description: d.description, when: d.when, grants: d.grants, graceDays: d.graceDays, mode: d.mode },
  };
};

/** The definition as stored (key order fixed, so equal definitions store equal text). */
export const definitionText = (d: PolicyDefinition): string =>
  JSON.stringify({ description: d.description, when: d.when, grants: d.grants.map((g) => ({ roleId: g.roleId, days: g.days })), graceDays: d.graceDays, mode: d.mode });

// --- policies -----------------------------------------------------------------------------------

export function listPolicyRecords(db: Db): PolicyRecord[] {
  return (db.prepare('SELECT * FROM policies ORDER BY name COLLATE NOCASE, id').all() as PolicyDbRow[]).map(toPolicy);
}

export function policyRecord(db: Db, id: number): PolicyRecord | null {
  const r = db.prepare('SELECT * FROM policies WHERE id = ?').get(id) as PolicyDbRow | undefined;
  return r ? toPolicy(r) : null;
}

export function policyRecordByName(db: Db, name: string): PolicyRecord | null {
  const r = db.prepare('SELECT * FROM policies WHERE name = ?').get(name.trim()) as PolicyDbRow | undefined;
  return r ? toPolicy(r) : null;
}

export function insertPolicy(db: Db, name: string, mode: PolicyMode, at: string): number {
  return Number(db.prepare('INSERT INTO policies (name, current_version, mode, created_at, updated_at) VALUES (?, 1, ?, ?, ?)').run(name, mode, at, at).lastInsertRowid);
}

export function updatePolicy(db: Db, id: number, v: { name: string; currentVersion: number; mode: PolicyMode }, at: string): void {
  db.prepare('UPDATE policies SET name = ?, current_version = ?, mode = ?, updated_at = ? WHERE id = ?').run(v.name, v.currentVersion, v.mode, at, id);
}

// --- versions -----------------------------------------------------------------------------------

export function insertVersion(db: Db, policyId: number, version: number, d: PolicyDefinition, o: { state: VersionRecord['state']; at: string; by: string; channel: string }): void {
  db.prepare('INSERT INTO policy_versions (policy_id, version, name, definition, state, created_at, created_by, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    policyId,
    version,
    d.name,
    definitionText(d),
    o.state,
    o.at,
    o.by,
    o.channel,
  );
}

export function setVersionState(db: Db, policyId: number, version: number, state: VersionRecord['state']): void {
  db.prepare('UPDATE policy_versions SET state = ? WHERE policy_id = ? AND version = ?').run(state, policyId, version);
}

export function versionRecord(db: Db, policyId: number, version: number): VersionRecord | null {
  const r = db.prepare('SELECT * FROM policy_versions WHERE policy_id = ? AND version = ?').get(policyId, version) as VersionDbRow | undefined;
  return r ? toVersion(r) : null;
}

export function versionsOf(db: Db, policyId: number): VersionRecord[] {
  return (db.prepare('SELECT * FROM policy_versions WHERE policy_id = ? ORDER BY version').all(policyId) as VersionDbRow[]).map(toVersion);
}

export const latestVersion = (db: Db, policyId: number): number => (db.prepare('SELECT max(version) FROM policy_versions WHERE policy_id = ?').pluck().get(policyId) as number | null) ?? 0;

/** Every policy with the definition of its version in effect, one query: what an evaluation starts from. */
export function currentPolicies(db: Db): { policy: PolicyRecord; definition: PolicyDefinition }[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.name, p.current_version, p.mode, p.created_at, p.updated_at, v.name AS version_name, v.definition
       FROM policies p JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.current_version ORDER BY p.id`,
    )
    .all() as (PolicyDbRow & { version_name: string; definition: string })[];
  return rows.map((r) => {
    const d = JSON.parse(r.definition) as StoredDefinition;
    return { policy: toPolicy(r), definition: { name: r.version_name, description: d.description, when: d.when, grants: d.grants, graceDays: d.graceDays, mode: r.mode } };
  });
}

// --- approvals ----------------------------------------------------------------------------------

type ApprovalDbRow = {
  id: number; policy_id: number; version: number; kind: 'enforce' | 'edit'; requested_by: string; requested_channel: string; requested_at: string;
  reasons: string; counts: string; state: PolicyApproval['state']; decided_by: string | null; decided_channel: string | null; decided_at: string | null;
};
const toApproval = (r: ApprovalDbRow): PolicyApproval & { policyId: number } => ({
  id: r.id,
  policyId: r.policy_id,
  kind: r.kind,
  version: r.version,
  requestedBy: r.requested_by,
  requestedChannel: r.requested_channel,
  requestedAt: r.requested_at,
  reasons: JSON.parse(r.reasons) as string[],
  counts: JSON.parse(r.counts) as WhatIfCounts,
  state: r.state,
  decidedBy: r.decided_by,
  decidedChannel: r.decided_channel,
  decidedAt: r.decided_at,
});

export function insertApproval(
  db: Db,
  a: { policyId: number; version: number; kind: 'enforce' | 'edit'; by: string; channel: string; at: string; reasons: string[]; counts: WhatIfCounts },
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO policy_approvals (policy_id, version, kind, requested_by, requested_channel, requested_at, reasons, counts, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting')`,
      )
      .run(a.policyId, a.version, a.kind, a.by, a.channel, a.at, JSON.stringify(a.reasons), JSON.stringify(a.counts)).lastInsertRowid,
  );
}

export function waitingApproval(db: Db, policyId: number): (PolicyApproval & { policyId: number }) | null {
  const r = db.prepare("SELECT * FROM policy_approvals WHERE policy_id = ? AND state = 'waiting'").get(policyId) as ApprovalDbRow | undefined;
  return r ? toApproval(r) : null;
}

export function approvalRecord(db: Db, id: number): (PolicyApproval & { policyId: number }) | null {
  const r = db.prepare('SELECT * FROM policy_approvals WHERE id = ?').get(id) as ApprovalDbRow | undefined;
  return r ? toApproval(r) : null;
}

/** Ids of the policies with a change waiting for a second operator. */
export function policiesAwaitingApproval(db: Db): Set<number> {
  return new Set(db.prepare("SELECT policy_id FROM policy_approvals WHERE state = 'waiting'").pluck().all() as number[]);
}

/** Closes a waiting approval (approved or withdrawn); false when it was not waiting any more. */
export function decideApproval(db: Db, id: number, state: 'approved' | 'withdrawn', by: string, channel: string, at: string): boolean {
  return (
    db.prepare("UPDATE policy_approvals SET state = ?, decided_by = ?, decided_channel = ?, decided_at = ? WHERE id = ? AND state = 'waiting'").run(state, by, channel, at, id).changes === 1
  );
}

// --- exceptions ---------------------------------------------------------------------------------

type ExceptionDbRow = {
  id: number; policy_id: number; person_id: string; person_label: string; owner: string; reason: string; ends_at: string;
  created_at: string; created_by: string; channel: string; ended_at: string | null; ended_by: string | null;
};
export type ExceptionRecord = {
  id: number; policyId: number; personId: string; person: string; owner: string; reason: string; endsAt: string; createdAt: string; createdBy: string; endedAt: string | null;
};
const toException = (r: ExceptionDbRow): ExceptionRecord => ({
  id: r.id, policyId: r.policy_id, personId: r.person_id, person: r.person_label, owner: r.owner, reason: r.reason, endsAt: r.ends_at, createdAt: r.created_at, createdBy: r.created_by, endedAt: r.ended_at,
});

export function insertException(
  db: Db,
  e: { policyId: number; personId: string; person: string; owner: string; reason: string; endsAt: string; at: string; by: string; channel: string },
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO policy_exceptions (policy_id, person_id, person_label, owner, reason, ends_at, created_at, created_by, channel)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.policyId, e.personId, e.person, e.owner, e.reason, e.endsAt, e.at, e.by, e.channel).lastInsertRowid,
  );
}

export function exceptionRecord(db: Db, id: number): ExceptionRecord | null {
  const r = db.prepare('SELECT * FROM policy_exceptions WHERE id = ?').get(id) as ExceptionDbRow | undefined;
  return r ? toException(r) : null;
}

export function exceptionsOf(db: Db, policyId: number): ExceptionRecord[] {
  return (db.prepare('SELECT * FROM policy_exceptions WHERE policy_id = ? ORDER BY ends_at DESC, id DESC').all(policyId) as ExceptionDbRow[]).map(toException);
}

/** Ends an exception at `at`; false when it had ended already. */
export function endExceptionRow(db: Db, id: number, by: string, at: string): boolean {
  return db.prepare('UPDATE policy_exceptions SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL').run(at, by, id).changes === 1;
}

/**
 * Exceptions in force at `at` (ISO instant): [policyId, personId]. One ends
 * at its exact `ends_at`: in force while at < ends_at. Instants are compared
 * as numbers (Date), not as text, so differently written instants agree.
 */
export function activeExceptionPairs(db: Db, at: Date): [number, string][] {
  const rows = db.prepare('SELECT policy_id, person_id, ends_at FROM policy_exceptions WHERE ended_at IS NULL').raw().all() as [number, string, string][];
  const now = at.getTime();
  return rows.filter((r) => Date.parse(r[2]) > now).map(([p, person]) => [p, person]);
}

/** Exceptions in force at `at`, per policy. */
export function activeExceptionCounts(db: Db, at: Date): Map<number, number> {
  const out = new Map<number, number>();
  for (const [p] of activeExceptionPairs(db, at)) out.set(p, (out.get(p) ?? 0) + 1);
  return out;
}
