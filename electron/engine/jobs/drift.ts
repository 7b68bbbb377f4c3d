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
import type { DriftKind } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { enqueueJiraUpdate } from './jira-outbox.js';

const DRIFT_ACTOR = 'latchkey:drift';
/** How long a past-expiry grant may still be a member before it counts as drift (its revocation is normally queued). */
const EXPIRY_GRACE_MS = 15 * 60_000;

type Finding = { kind: DriftKind; groupId: string; identityId: string; grantId: number; requestId: number | null; details: Record<string, unknown> };

const keyOf = (kind: string, groupId: string, identityId: string): string => `${kind}\u0000${groupId}\u0000${identityId}`;

export type DriftResult = { detected: number[]; resolved: number[] };

export function detectDrift(db: Db, connectionId: number, now: Date): DriftResult {
  const run = db
    .prepare("SELECT id, started_at FROM sync_runs WHERE connection_id = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1")
    .get(connectionId) as { id: number; started_at: string } | undefined;
  if (!run) return { detected: [], resolved: [] };
  const seenAt = run.started_at;
  const graceCut = new Date(Date.parse(seenAt) - EXPIRY_GRACE_MS).toISOString();
  const at = now.toISOString();

  return db
    .transaction((): DriftResult => {
      const findings: Finding[] = [];
      // Ended grants whose membership is back, with no other live grant covering that membership.
      const reappeared = db
        .prepare(
          `SELECT g.id, g.request_id, g.group_id, g.identity_id, g.status, g.ended_at, g.end_reason FROM grants g
           WHERE g.connection_id = @c AND g.status IN ('revoked', 'expired') AND g.ended_at IS NOT NULL AND g.ended_at < @seenAt AND g.identity_id != ''
             AND EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)
             AND NOT EXISTS (SELECT 1 FROM grants o WHERE o.connection_id = @c AND o.group_id = g.group_id AND o.identity_id = g.identity_id
                              AND o.status IN ('pending', 'active', 'manual', 'failed', 'revoking'))
           ORDER BY g.ended_at DESC, g.id DESC`,
        )
        .all({ c: connectionId, seenAt }) as { id: number; request_id: number | null; group_id: string; identity_id: string; status: string; ended_at: string; end_reason: string | null }[];
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
      const missing = db
        .prepare(
          `SELECT g.id, g.request_id, g.group_id, g.identity_id, g.provisioned_at FROM grants g
           WHERE g.connection_id = @c AND g.status = 'active' AND g.identity_id != '' AND coalesce(g.provisioned_at, g.starts_at) < @seenAt
             AND EXISTS (SELECT 1 FROM cur_groups cg WHERE cg.connection_id = @c AND cg.id = g.group_id)
             AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)`,
        )
        .all({ c: connectionId, seenAt }) as { id: number; request_id: number | null; group_id: string; identity_id: string; provisioned_at: string | null }[];
      for (const r of missing) {
        findings.push({ kind: 'missing', groupId: r.group_id, identityId: r.identity_id, grantId: r.id, requestId: r.request_id, details: { provisionedAt: r.provisioned_at, syncRunId: run.id } });
      }
      const stillMember = db
        .prepare(
          `SELECT g.id, g.request_id, g.group_id, g.identity_id, g.expires_at, g.status FROM grants g
           WHERE g.connection_id = @c AND g.status IN ('active', 'revoking', 'failed', 'manual') AND g.expires_at IS NOT NULL AND g.expires_at < @graceCut
             AND g.identity_id != ''
             AND EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = @c AND m.group_id = g.group_id AND m.identity_id = g.identity_id)`,
        )
        .all({ c: connectionId, graceCut }) as { id: number; request_id: number | null; group_id: string; identity_id: string; expires_at: string; status: string }[];
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
