// `audit verify`: the chain, its signed checkpoints and its anchors, checked
// together. Each finding is named (a code and a sentence) and, where it is
// one event's fault, carries that event's seq:
// - the chain (audit-log.ts): an edited field, a removed row, a renumbered
//   row, a format downgrade, a details text that is not JSON;
// - each bulk review submission's event (submission-digest.ts): its digest
//   recomputed from the decision log, so a decision changed, removed or
//   added after it was submitted is named by its submission;
// - the keys: a public key that is not what its id says, a key whose
//   creation is not in the chain, the keychain's key missing from the file;
// - each checkpoint: a signature that does not verify (forged or altered), a
//   key that is not the workspace's, a chain shorter than it (a cut tail, an
//   emptied table) or no longer holding its head (a rewritten chain, every
//   later hash recomputed);
// - each anchor (recorded in the file, given with --anchor, read back from
//   Jira): the same two containment checks.
import type { KeyObject } from 'node:crypto';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { auditEventsOf, auditHashAtCount, auditHead, scanAuditChain, type ChainFault } from './audit-log.js';
import { listAnchors, listAuditKeys, listCheckpoints, type AnchorRow, type CheckpointRow } from './checkpoint-store.js';
import { auditKeyId, publicKeyFromText, signatureValid } from './checkpoints.js';
import { checkSubmissionDigests } from './submission-digest.js';

export type AuditFindingCode =
  | 'event-altered'
  | 'event-unlinked'
  | 'event-renumbered'
  | 'event-details-not-json'
  | 'event-format'
  | 'submission-digest'
  | 'key-invalid'
  | 'key-not-in-chain'
  | 'keychain-key-missing'
  | 'checkpoint-signature'
  | 'checkpoint-unknown-key'
  | 'chain-cut'
  | 'chain-emptied'
  | 'chain-rewritten';

export type AuditFinding = {
  code: AuditFindingCode;
  message: string;
  /** The event at fault, when it is one event's. */
  seq?: number;
  checkpointId?: number;
  /** Where an anchor came from: 'anchor #3 (jira-checkpoint OPS-1)', '--anchor', 'Jira OPS-1 comment 10021'. */
  anchor?: string;
  /** The review submission whose decisions no longer match its event's digest. */
  submissionId?: number;
};

/** An anchor from outside the file: a head hash and the number of events it closed. */
export type ExternalAnchor = { hash: string; count: number; source: string };

export type AuditVerifyReport = {
  ok: boolean;
  events: number;
  head: { seq: number; hash: string; count: number };
  keys: { keyId: string; createdAt: string }[];
  checkpoints: { total: number; valid: number; latest: CheckpointRow | null };
  anchors: { checked: number; held: number };
  findings: AuditFinding[];
  /** Not failures: what this verification could not cover (no checkpoint yet, events after the last one). */
  notes: string[];
};

const EVENT_CODES: [RegExp, AuditFindingCode][] = [
  [/^previous hash/, 'event-unlinked'],
  [/^seq /, 'event-renumbered'],
  [/^details is not JSON/, 'event-details-not-json'],
  [/format/, 'event-format'],
];

function eventFinding(f: ChainFault): AuditFinding {
  const code = EVENT_CODES.find(([re]) => re.test(f.reason))?.[1] ?? 'event-altered';
  return { code, seq: f.seq, message: `event ${f.seq}: ${f.reason}` };
}

/** A head claimed by a checkpoint or an anchor, checked against the chain as it is. */
function containment(db: Db, events: number, claim: { count: number; hash: string }, what: string): Omit<AuditFinding, 'checkpointId' | 'anchor'> | null {
  if (claim.count > events) {
    if (events === 0) return { code: 'chain-emptied', message: `the audit log is empty, but ${what} records ${claim.count} events: the table was emptied` };
    return { code: 'chain-cut', message: `the chain has ${events} events, fewer than the ${claim.count} ${what} records: events were removed from its end` };
  }
  const at = auditHashAtCount(db, claim.count);
  if (at !== claim.hash) {
    return {
      code: 'chain-rewritten',
      message: `event number ${claim.count} is not the one ${what} records (hash ${at?.slice(0, 12) ?? 'none'}…, recorded ${claim.hash.slice(0, 12)}…): the chain was rewritten up to there`,
    };
  }
  return null;
}

function anchorName(a: AnchorRow): string {
  const where = a.issueKey ? ` ${a.issueKey}${a.commentId ? ` comment ${a.commentId}` : ''}` : a.target ? ` ${a.target}` : '';
  return `anchor #${a.id} (${a.kind}${where})`;
}

export function verifyAudit(db: Db, opts: { anchors?: readonly ExternalAnchor[]; keychainKeyId?: string | null } = {}): AuditVerifyReport {
  const findings: AuditFinding[] = [];
  const notes: string[] = [];
  const scan = scanAuditChain(db);
  findings.push(...scan.faults.map(eventFinding));
  // Bulk review submissions: each event's digest against the decisions the log holds now.
  for (const f of checkSubmissionDigests(db).faults) findings.push({ code: 'submission-digest', seq: f.seq, message: f.message, ...(f.submissionId !== null ? { submissionId: f.submissionId } : {}) });
  const head = auditHead(db);
  const events = scan.count;

  // Keys: each is what its id says, and its creation is an event of the chain.
  const keys = new Map<string, KeyObject>();
  const keyRows = listAuditKeys(db);
  for (const k of keyRows) {
    let key: KeyObject;
    try {
      key = publicKeyFromText(k.publicKey);
    } catch {
      findings.push({ code: 'key-invalid', message: `key ${k.keyId} is not a public key` });
      continue;
    }
    if (key.asymmetricKeyType !== 'ed25519' || auditKeyId(key) !== k.keyId) {
      findings.push({ code: 'key-invalid', message: `key ${k.keyId} is not the key its id names` });
      continue;
    }
    keys.set(k.keyId, key);
    const introduced = auditEventsOf(db, 'audit-key', k.keyId).some(
      (e) => (e.action === 'audit.key-created' || e.action === 'audit.key-registered') && e.details.publicKey === k.publicKey,
    );
    if (!introduced) findings.push({ code: 'key-not-in-chain', message: `key ${k.keyId} is in the file but its creation is not in the audit chain: it was added afterwards` });
  }
  if (opts.keychainKeyId && !keys.has(opts.keychainKeyId)) {
    findings.push({ code: 'keychain-key-missing', message: `this workspace's signing key in the keychain (${opts.keychainKeyId}) is not among the file's keys: the keys were replaced` });
  }

  // Checkpoints: signed by a key of the workspace, and still contained in the chain.
  const checkpoints = listCheckpoints(db);
  let valid = 0;
  for (const c of checkpoints) {
    const key = keys.get(c.keyId);
    if (!key) {
      findings.push({ code: 'checkpoint-unknown-key', checkpointId: c.id, message: `checkpoint #${c.id} is signed by key ${c.keyId}, which is not this workspace's` });
      continue;
    }
    if (!signatureValid(c, key)) {
      findings.push({ code: 'checkpoint-signature', checkpointId: c.id, message: `checkpoint #${c.id}: the signature does not verify: it was forged or altered` });
      continue;
    }
    valid++;
    const held = containment(db, events, { count: c.count, hash: c.headHash }, `checkpoint #${c.id} (signed ${c.at})`);
    if (held) findings.push({ ...held, checkpointId: c.id });
  }

  // Anchors: recorded here when written, and any given from outside.
  const all: { claim: { count: number; hash: string }; name: string }[] = [
    ...listAnchors(db).map((a) => ({ claim: { count: a.count, hash: a.headHash }, name: anchorName(a) })),
    ...(opts.anchors ?? []).map((a) => ({ claim: a, name: `the anchor from ${a.source}` })),
  ];
  let held = 0;
  for (const a of all) {
    const f = containment(db, events, a.claim, a.name);
    if (f) findings.push({ ...f, anchor: a.name });
    else held++;
  }

  const latest = checkpoints[checkpoints.length - 1] ?? null;
  if (checkpoints.length === 0) notes.push('no signed checkpoint yet: a cut tail or a rewritten chain can only be caught by an anchor');
  else if (latest && head.count > latest.count) notes.push(`${head.count - latest.count} events after the newest checkpoint are covered by the chain alone until the next one`);
  if (all.length === 0) notes.push('no anchor to check: give one with --anchor HASH:COUNT or read them from Jira with --from-jira');

  return {
    ok: findings.length === 0,
    events,
    head,
    keys: keyRows.map((k) => ({ keyId: k.keyId, createdAt: k.createdAt })),
    checkpoints: { total: checkpoints.length, valid, latest },
    anchors: { checked: all.length, held },
    findings,
    notes,
  };
}

/** Parses `HASH:COUNT` (a 64-hex-digit head hash and the number of events it closed). */
export function parseAnchor(text: string, source = '--anchor'): ExternalAnchor {
  const m = /^([0-9a-f]{64}):(\d+)$/i.exec(text.trim());
  if (!m) throw new UserError(`${source}: expected HASH:COUNT (a 64-hex-digit hash, a colon, a number of events), got "${text}"`, 'bad-input');
  return { hash: (m[1] as string).toLowerCase(), count: Number(m[2]), source };
}
