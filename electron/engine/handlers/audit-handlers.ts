// The handlers of the audit log channels (shared/contract-audit.ts): the
// filtered events, the chain's status, a verification on demand (in a worker
// thread; its result kept per open workspace, since re-running it over a
// million events takes tens of seconds) and the CSV export of the filtered events. All read: they answer
// on a read-only snapshot too (no keychain there: the keychain key is not
// compared).
import { createHash } from 'node:crypto';
import { AUDIT_EXPORT_MAX, type auditChannels, type AuditVerifyView } from '../../../shared/contract-audit.js';
import { auditActionCounts, auditEventsCsv, auditHead, listAuditEvents } from '../audit/audit-log.js';
import { listAnchors, listCheckpoints } from '../audit/checkpoint-store.js';
import { keychainKeyId } from '../audit/checkpoints.js';
import { verifyAuditOffThread } from '../audit/verify-thread.js';
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import type { AreaHandlers } from './handler-types.js';

/** The last verification of each open workspace (the console shows it until the user runs another). */
const lastVerify = new WeakMap<Db, AuditVerifyView>();

/** The export's file name: the period when one is given ("latchkey-audit-2026-05-01-to-2026-06-01.csv"). */
function exportName(from: string | undefined, to: string | undefined, now: Date): string {
  const day = (iso: string): string => new Date(iso).toISOString().slice(0, 10);
  const period = from || to ? `${from ? day(from) : 'start'}-to-${to ? day(to) : 'now'}` : now.toISOString().slice(0, 10);
  return `latchkey-audit-${period}.csv`;
}

export function auditHandlers(ctx: EngineContext): AreaHandlers<typeof auditChannels> {
  const { db } = ctx;
  return {
    'audit:events': (q) => listAuditEvents(db, q),
    'audit:actions': () => auditActionCounts(db),
    'audit:status': () => {
      const checkpoints = listCheckpoints(db);
      const latest = checkpoints[checkpoints.length - 1] ?? null;
      const anchors = listAnchors(db);
      return {
        // By seq: O(1); the count of a broken chain is verification's job.
        head: auditHead(db, { bySeq: true }),
        checkpoints: checkpoints.length,
        latestCheckpoint: latest && { id: latest.id, seq: latest.seq, count: latest.count, headHash: latest.headHash, at: latest.at, keyId: latest.keyId, reason: latest.reason },
        anchors: {
          total: anchors.length,
          latest: anchors
            .slice(-20)
            .reverse()
            .map((a) => ({ id: a.id, kind: a.kind, count: a.count, headHash: a.headHash, at: a.at, issueKey: a.issueKey, commentId: a.commentId, target: a.target })),
        },
        lastVerify: lastVerify.get(db) ?? null,
      };
    },
    'audit:verify': async () => {
      const keyId = await keychainKeyId(ctx);
      const started = performance.now();
      // In a worker thread: seconds to minutes over a million events, and the engine keeps answering meanwhile.
      const r = await verifyAuditOffThread(db, ctx.dbPath, keyId);
      const view: AuditVerifyView = {
        ok: r.ok,
        events: r.events,
        head: r.head,
        checkpoints: { total: r.checkpoints.total, valid: r.checkpoints.valid },
        anchors: r.anchors,
        findings: r.findings.map((f) => ({ code: f.code, message: f.message, ...(f.seq !== undefined ? { seq: f.seq } : {}) })),
        notes: r.notes,
        verifiedAt: ctx.clock.now().toISOString(),
        tookMs: Math.round(performance.now() - started),
      };
      lastVerify.set(db, view);
      return view;
    },
    'audit:export': (q) => {
      const { text, rows } = auditEventsCsv(db, q, AUDIT_EXPORT_MAX);
      const bytes = Buffer.from(text, 'utf8');
      return { filename: exportName(q.from, q.to, ctx.clock.now()), contentBase64: bytes.toString('base64'), rows, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
  };
}
