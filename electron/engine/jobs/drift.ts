// Drift: where the IdP (the synced snapshot) and the grant ledger disagree,
// checked after every successful sync of a connection:
// - 'reappeared': a membership Latchkey revoked or let expire is back. It is
//   flagged, never re-granted and never taken as permanent access: the grant
//   stays ended; someone decides (remove it again, or request it properly).
// - 'missing': an active grant's membership is not in the IdP any more.
// - 'expired-still-member': a grant is past its expiry, its revocation has
//   not gone through, and the person is still in the group.
// Open rows whose condition no longer holds are resolved. Sync itself never
// changes grant rows; only this comparison reads both sides.
//
// Only what the snapshot can vouch for is compared: the sync run that just
// finished started at `started_at`, so changes Latchkey made after that may
// not be in it (a membership added or removed during the sync) and are left
// for the next one.
//
// This module owns the drift table: detection, the list Needs attention
// shows, and resolving a finding by hand.
import type { DriftKind, DriftRow } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { liveGroupNames, liveIdentityNames } from '../directory/snapshot-lookups.js';
import { lastSucceededRun } from '../sync/sync-runs.js';
import { activeGrantsMissingFromSnapshot, endedGrantsBackInSnapshot, expiredGrantsStillInSnapshot } from './grant-store.js';
import { enqueueJiraUpdate } from './jira-outbox.js';
import { connectionLabel } from './ledger.js';

const DRIFT_ACTOR = 'latchkey:drift';
/** How long a past-expiry grant may still be a member before it counts as drift (its revocation is normally queued). */
const EXPIRY_GRACE_MS = 15 * 60_000;

type Finding = { kind: DriftKind; groupId: string; identityId: string; grantId: number; requestId: number | null; details: Record<string, unknown> };

const keyOf = (kind: string, groupId: string, identityId: string): string => `${kind}\u0000${groupId}\u0000${identityId}`;

export type DriftResult = { detected: number[]; resolved: number[] };

export function detectDrift(db: Db, connectionId: number, now: Date): DriftResult {
  const run = lastSucceededRun(db, connectionId);
  if (!run) return { detected: [], resolved: [] };
  const seenAt = run.startedAt;
  const graceCut = new Date(Date.parse(seenAt) - EXPIRY_GRACE_MS).toISOString();
  const at = now.toISOString();

  return db
    .transaction((): DriftResult => {
      const findings: Finding[] = [];
      // Ended grants whose membership is back, with no other live grant covering that membership.
      const reappeared = endedGrantsBackInSnapshot(db, connectionId, seenAt);
      for (const r of reappeared) {
        findings.push({
          kind: 'reappeared',
          groupId: r.group_id,
          identityId: r.identity_id,
          grantId: r.id,
          requestId: r.request_id,
          details: { grantStatus: r.status, endedAt: r.ended_at, endReason: r.end_reason, syncRunId: run.id },
        });
      }
      const missing = activeGrantsMissingFromSnapshot(db, connectionId, seenAt);
      for (const r of missing) {
        findings.push({ kind: 'missing', groupId: r.group_id, identityId: r.identity_id, grantId: r.id, requestId: r.request_id, details: { provisionedAt: r.provisioned_at, syncRunId: run.id } });
      }
      const stillMember = expiredGrantsStillInSnapshot(db, connectionId, graceCut);
      for (const r of stillMember) {
        findings.push({
          kind: 'expired-still-member',
          groupId: r.group_id,
          identityId: r.identity_id,
          grantId: r.id,
          requestId: r.request_id,
          details: { expiresAt: r.expires_at, grantStatus: r.status, syncRunId: run.id },
        });
      }

      const open = db.prepare('SELECT id, kind, group_id, identity_id FROM drift WHERE connection_id = ? AND resolved_at IS NULL').all(connectionId) as {
        id: number;
        kind: DriftKind;
        group_id: string;
        identity_id: string;
      }[];
      const openKeys = new Map(open.map((o) => [keyOf(o.kind, o.group_id, o.identity_id), o.id]));
      // Findings someone looked at and accepted (resolveDrift 'accept') stay accepted for that grant.
      const accepted = new Set(
        (db.prepare("SELECT kind, grant_id FROM drift WHERE connection_id = ? AND resolution LIKE 'accepted%' AND grant_id IS NOT NULL").all(connectionId) as { kind: string; grant_id: number }[]).map(
          (r) => `${r.kind}:${r.grant_id}`,
        ),
      );
      const current = new Set<string>();
      const detected: number[] = [];
      const insert = db.prepare('INSERT INTO drift (kind, connection_id, group_id, identity_id, grant_id, details, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const f of findings) {
        const k = keyOf(f.kind, f.groupId, f.identityId);
        if (current.has(k)) continue; // several ended grants of one membership: the newest one speaks for it
        if (accepted.has(`${f.kind}:${f.grantId}`)) continue;
        current.add(k);
        if (openKeys.has(k)) continue;
        const id = Number(insert.run(f.kind, connectionId, f.groupId, f.identityId, f.grantId, JSON.stringify(f.details), at).lastInsertRowid);
        detected.push(id);
        appendAudit(
          db,
          { actor: DRIFT_ACTOR, action: 'drift.detected', targetType: 'drift', targetId: id, details: { kind: f.kind, connectionId, groupId: f.groupId, identityId: f.identityId, grantId: f.grantId, ...f.details } },
          now,
        );
        if (f.requestId !== null && f.kind === 'reappeared') {
          enqueueJiraUpdate(
            db,
            f.requestId,
            {
              event: 'drift',
              comment: `Drift: the membership removed by Latchkey (grant #${f.grantId}) is back in the IdP (seen by sync run #${run.id}). It was not re-granted; review it in Latchkey's "Needs attention".`,
              discriminator: id,
            },
            now,
          );
        }
      }
      const resolved: number[] = [];
      for (const o of open) {
        if (current.has(keyOf(o.kind, o.group_id, o.identity_id))) continue;
        db.prepare('UPDATE drift SET resolved_at = ?, resolution = ? WHERE id = ?').run(at, `no longer holds after sync run #${run.id}`, o.id);
        appendAudit(db, { actor: DRIFT_ACTOR, action: 'drift.resolved', targetType: 'drift', targetId: o.id, details: { kind: o.kind, syncRunId: run.id, how: 'no longer holds' } }, now);
        resolved.push(o.id);
      }
      return { detected, resolved };
    })
    .immediate();
}

type DriftDb = {
  id: number;
  kind: DriftRow['kind'];
  connection_id: number;
  group_id: string;
  identity_id: string;
  grant_id: number | null;
  details: string;
  detected_at: string;
  resolved_at: string | null;
  resolution: string | null;
  group_name: string | null;
  identity_name: string | null;
};

function driftMessage(db: Db, r: DriftDb): string {
  const raw = JSON.parse(r.details) as Record<string, unknown>;
  const d = (k: string): string | null => (typeof raw[k] === 'string' ? raw[k] : null);
  const whom = r.identity_name ?? r.identity_id;
  const group = r.group_name ?? r.group_id;
  const where = connectionLabel(db, r.connection_id);
  switch (r.kind) {
    case 'reappeared':
      return `${whom} is a member of "${group}" in ${where} again, although Latchkey ended that access (grant #${r.grant_id ?? '?'}: ${d('endReason') ?? d('grantStatus') ?? 'ended'}). It was not re-granted: someone added it outside Latchkey. Remove it, or have it requested.`;
    case 'missing':
      return `${whom} should be a member of "${group}" in ${where} (active grant #${r.grant_id ?? '?'}), but the last sync did not find the membership: it was removed outside Latchkey.`;
    case 'expired-still-member':
      return `${whom}'s access to "${group}" in ${where} expired at ${d('expiresAt') ?? '?'} (grant #${r.grant_id ?? '?'}, ${d('grantStatus') ?? ''}) but the last sync still found the membership: its revocation has not gone through.`;
  }
}

/** Drift rows with the group's and the person's names from the live snapshot (one lookup per page). */
function driftRows(db: Db, rows: readonly Omit<DriftDb, 'group_name' | 'identity_name'>[]): DriftRow[] {
  const groups = liveGroupNames(db, rows.map((r) => [r.connection_id, r.group_id] as const));
  const people = liveIdentityNames(db, rows.map((r) => [r.connection_id, r.identity_id] as const));
  return rows.map((r) =>
    toDriftRow(db, { ...r, group_name: groups.get(`${r.connection_id}\u0000${r.group_id}`) ?? null, identity_name: people.get(`${r.connection_id}\u0000${r.identity_id}`) ?? null }),
  );
}

const toDriftRow = (db: Db, r: DriftDb): DriftRow => ({
  id: r.id,
  kind: r.kind,
  connectionId: r.connection_id,
  groupId: r.group_id,
  groupName: r.group_name,
  identityId: r.identity_id,
  identityName: r.identity_name,
  grantId: r.grant_id,
  detectedAt: r.detected_at,
  resolvedAt: r.resolved_at,
  message: driftMessage(db, r),
});

export function listDrift(ctx: EngineContext, q: { open?: boolean; limit?: number } = {}): DriftRow[] {
  const rows = ctx.db
    .prepare('SELECT * FROM drift WHERE (@open = 0 OR resolved_at IS NULL) ORDER BY id DESC LIMIT @limit')
    .all({ open: q.open === false ? 0 : 1, limit: q.limit ?? 500 }) as DriftDb[];
  return driftRows(ctx.db, rows);
}

export function countOpenDrift(db: Db): number {
  return db.prepare('SELECT count(*) FROM drift WHERE resolved_at IS NULL').pluck().get() as number;
}

/** Drift findings about some grants (the request timeline), oldest first. */
export function driftOfGrants(db: Db, grantIds: readonly number[]): { kind: DriftKind; groupId: string; detectedAt: string; resolvedAt: string | null; resolution: string | null }[] {
  if (grantIds.length === 0) return [];
  return (
    db.prepare('SELECT kind, group_id, detected_at, resolved_at, resolution FROM drift WHERE grant_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify([...grantIds])) as {
      kind: DriftKind;
      group_id: string;
      detected_at: string;
      resolved_at: string | null;
      resolution: string | null;
    }[]
  ).map((d) => ({ kind: d.kind, groupId: d.group_id, detectedAt: d.detected_at, resolvedAt: d.resolved_at, resolution: d.resolution }));
}

/** Closes a drift row by hand. 'accept': the finding is known and stays accepted for that grant (not flagged again). */
export function resolveDrift(ctx: EngineContext, driftId: number, input: { resolution: 'fixed' | 'accept'; note: string; by?: string }): DriftRow {
  const by = input.by ?? ctx.actor;
  const now = ctx.clock.now();
  if (input.note.trim() === '') throw new UserError('a note is required: say what was done or why it is accepted', 'bad-input');
  ctx.db
    .transaction(() => {
      const d = ctx.db.prepare('SELECT * FROM drift WHERE id = ?').get(driftId) as DriftDb | undefined;
      if (!d) throw new UserError(`drift #${driftId} does not exist`, 'not-found');
      if (d.resolved_at !== null) throw new UserError(`drift #${driftId} was already resolved at ${d.resolved_at} (${d.resolution ?? ''})`, 'conflict');
      const resolution = `${input.resolution === 'accept' ? 'accepted' : 'fixed'} by ${by}: ${input.note.trim()}`;
      ctx.db.prepare('UPDATE drift SET resolved_at = ?, resolution = ? WHERE id = ?').run(now.toISOString(), resolution, d.id);
      appendAudit(ctx.db, { actor: by, channel: ctx.channel, action: 'drift.resolved', targetType: 'drift', targetId: d.id, details: { kind: d.kind, grantId: d.grant_id, resolution } }, now);
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [driftId] });
  const row = ctx.db.prepare('SELECT * FROM drift WHERE id = ?').get(driftId) as DriftDb | undefined;
  if (!row) throw new UserError(`drift #${driftId} does not exist`, 'not-found');
  return driftRows(ctx.db, [row])[0] as DriftRow;
}

/** The first 'reappeared' finding of each of these grants: the sync run that saw the membership back, and when. */
export function reappearedOfGrants(db: Db, grantIds: readonly number[]): Map<number, { runId: number; at: string }> {
  if (grantIds.length === 0) return new Map();
  const rows = db
    .prepare("SELECT grant_id, details ->> 'syncRunId' AS run_id, detected_at FROM drift WHERE kind = 'reappeared' AND grant_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC")
    .all(JSON.stringify([...grantIds])) as { grant_id: number; run_id: number | null; detected_at: string }[];
  // Newest first, so the oldest finding of a grant is the one kept.
  return new Map(rows.map((r) => [r.grant_id, { runId: r.run_id ?? 0, at: r.detected_at }]));
}
