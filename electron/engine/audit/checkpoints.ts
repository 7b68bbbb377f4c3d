// Signed checkpoints of the audit chain. The chain alone proves only that its
// rows agree with each other: whoever holds the file can cut its tail, empty
// it, or edit a row and recompute every hash after it. A checkpoint is the
// chain's head (seq, hash, count, time) signed with the workspace's Ed25519
// key, whose private half lives in the OS keychain only (never in SQLite,
// never in a log or an error): rewriting the chain then also needs the
// keychain of the machine that wrote it.
//
// When: every AUDIT_CHECKPOINT_INTERVAL events (in the transaction of the
// event that reaches it, once the signer is loaded), and at the end of every
// sync run and job-runner run (governance/ calls signCheckpoint). A
// read-only workspace has no key to sign with and says so.
//
// The key pair is made on the first checkpoint of a workspace; its public key
// is stored in audit_keys (and so travels in every copy) and its creation is
// an audit event, so a key added to the file later is not in the chain.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../context.js';
import { workspaceId } from '../context.js';
import type { Db } from '../db/database.js';
import { KeychainUnavailableError, type SecretStore } from '../secrets/secret-store.js';
import { appendAudit, auditHead, setAfterAppend } from './audit-log.js';
import { insertAuditKey, insertCheckpoint, latestCheckpoint, latestCheckpointSeqReader, listAuditKeys, type CheckpointReason, type CheckpointRow } from './checkpoint-store.js';

/** Events between two interval checkpoints. */
export const AUDIT_CHECKPOINT_INTERVAL = 100;

/** What signing needs from the engine context (a subset, so tests and the CLI pass what they have). */
export type SigningContext = { db: Db; secrets: SecretStore; clock: Clock; readOnly: boolean; actor: string };

/** Keychain account of a workspace's audit signing key (PKCS#8 DER, base64). */
export function auditKeyAccount(wsId: string): string {
  return `workspace-${wsId}/audit-signing-key`;
}

/** A key's id: the first 32 hex digits of the SHA-256 of its SubjectPublicKeyInfo. */
export function auditKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32);
}

export function publicKeyText(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

export function publicKeyFromText(text: string): KeyObject {
  return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

/** The exact text a checkpoint's signature covers: every stored field but its row id. */
export function checkpointPayload(c: Pick<CheckpointRow, 'seq' | 'count' | 'headHash' | 'at' | 'keyId' | 'reason'>): string {
  return ['latchkey-audit-checkpoint/1', `key ${c.keyId}`, `seq ${c.seq}`, `count ${c.count}`, `head ${c.headHash}`, `at ${c.at}`, `reason ${c.reason}`].join('\n');
}

export function signatureValid(c: CheckpointRow, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(checkpointPayload(c), 'utf8'), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

type Signer = { keyId: string; privateKey: KeyObject; interval: number };

/** Loaded signers, per database connection (the private key stays in this process's memory only). */
const signers = new WeakMap<Db, Signer>();

export type SignerStatus = { signing: true; keyId: string } | { signing: false; why: string };

/**
 * Loads the workspace's signing key from the keychain (making the pair on
 * first use) and turns on interval checkpoints for `ctx.db`. Never throws for
 * a missing keychain or a read-only workspace: it says why it cannot sign.
 */
export async function loadAuditSigner(ctx: SigningContext, opts: { interval?: number } = {}): Promise<SignerStatus> {
  const cached = signers.get(ctx.db);
  if (cached) {
    if (opts.interval !== undefined) cached.interval = opts.interval;
    return { signing: true, keyId: cached.keyId };
  }
  if (ctx.readOnly) return { signing: false, why: 'the workspace is open read-only: it has no signing key, so no checkpoint is signed here' };
  const account = auditKeyAccount(workspaceId(ctx.db));
  let privateKey: KeyObject;
  let created = false;
  try {
    const stored = await ctx.secrets.get(account);
    if (stored) {
      privateKey = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
    } else {
      privateKey = generateKeyPairSync('ed25519').privateKey;
      await ctx.secrets.set(account, privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'));
      created = true;
    }
  } catch (e) {
    // The keychain's message names the platform failure, never the key.
    const why = e instanceof KeychainUnavailableError ? e.message : `the signing key could not be read from the keychain (${(e as Error).name})`;
    return { signing: false, why };
  }
  const publicKey = createPublicKey(privateKey);
  const keyId = auditKeyId(publicKey);
  if (!listAuditKeys(ctx.db).some((k) => k.keyId === keyId)) {
    const now = ctx.clock.now();
    ctx.db
      .transaction(() => {
        insertAuditKey(ctx.db, { keyId, algorithm: 'ed25519', publicKey: publicKeyText(publicKey), createdAt: now.toISOString() });
        appendAudit(ctx.db, { actor: ctx.actor, action: created ? 'audit.key-created' : 'audit.key-registered', targetType: 'audit-key', targetId: keyId, details: { publicKey: publicKeyText(publicKey) } }, now);
      })
      .immediate();
  }
  const signer: Signer = { keyId, privateKey, interval: opts.interval ?? AUDIT_CHECKPOINT_INTERVAL };
  signers.set(ctx.db, signer);
  // One indexed lookup per event (prepared once); the signing happens once per interval.
  const lastSeq = latestCheckpointSeqReader(ctx.db);
  setAfterAppend(ctx.db, (db, head, now) => {
    if (head.seq - lastSeq() >= signer.interval) writeCheckpoint(db, signer, 'interval', now);
  });
  return { signing: true, keyId };
}

/** Forgets the loaded signer of `db` (closing a workspace, or a test dropping its key). */
export function unloadAuditSigner(db: Db): void {
  signers.delete(db);
  setAfterAppend(db, null);
}

function writeCheckpoint(db: Db, signer: Signer, reason: CheckpointReason, now: Date): CheckpointRow {
  // The interval checkpoint runs inside an append: O(1), not a count of the whole log.
  const head = auditHead(db, { bySeq: reason === 'interval' });
  const unsigned = { seq: head.seq, count: head.count, headHash: head.hash, at: now.toISOString(), keyId: signer.keyId, reason };
  const signature = sign(null, Buffer.from(checkpointPayload(unsigned), 'utf8'), signer.privateKey).toString('base64');
  const row = { ...unsigned, signature };
  return { id: insertCheckpoint(db, row), ...row };
}

export type CheckpointResult = { signed: true; checkpoint: CheckpointRow; fresh: boolean } | { signed: false; why: string };

/**
 * Signs a checkpoint of the chain's head now (the end of a sync run or a
 * job-runner run, or asked for). When the newest checkpoint already covers
 * this head, it is returned instead of a duplicate (fresh: false).
 */
export async function signCheckpoint(ctx: SigningContext, reason: CheckpointReason): Promise<CheckpointResult> {
  const status = await loadAuditSigner(ctx);
  const signer = signers.get(ctx.db);
  if (!status.signing || !signer) return { signed: false, why: status.signing ? 'no signer' : status.why };
  return ctx.db
    .transaction((): CheckpointResult => {
      const head = auditHead(ctx.db);
      const last = latestCheckpoint(ctx.db);
      if (last && last.count === head.count && last.headHash === head.hash && last.keyId === signer.keyId) return { signed: true, checkpoint: last, fresh: false };
      return { signed: true, checkpoint: writeCheckpoint(ctx.db, signer, reason, ctx.clock.now()), fresh: true };
    })
    .immediate();
}

/** The keychain's signing key id of this workspace, or null (none, read-only, or no keychain): verify compares it with the file's keys. */
export async function keychainKeyId(ctx: SigningContext): Promise<string | null> {
  const loaded = signers.get(ctx.db);
  if (loaded) return loaded.keyId;
  if (ctx.readOnly) return null;
  try {
    const stored = await ctx.secrets.get(auditKeyAccount(workspaceId(ctx.db)));
    if (!stored) return null;
    return auditKeyId(createPublicKey(createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' })));
  } catch {
    return null;
  }
}

export type DetachedSignature = { algorithm: 'ed25519'; keyId: string; publicKey: string; value: string };

/**
 * Signs `text` with the workspace's audit key when the keychain holds it (an
 * evidence manifest). Never makes a key and never writes: a read-only copy,
 * a missing keychain or a workspace that never signed a checkpoint gets the
 * reason instead.
 */
export async function signDetached(ctx: Pick<SigningContext, 'db' | 'secrets' | 'readOnly'>, text: string): Promise<{ signature: DetachedSignature } | { why: string }> {
  if (ctx.readOnly) return { why: 'the workspace was opened read-only (a saved copy has no keychain), so the manifest is not signed' };
  let stored: string | null;
  try {
    stored = await ctx.secrets.get(auditKeyAccount(workspaceId(ctx.db)));
  } catch (e) {
    return { why: e instanceof KeychainUnavailableError ? `the keychain is unavailable (${e.message}), so the manifest is not signed` : `the signing key could not be read from the keychain (${(e as Error).name}), so the manifest is not signed` };
  }
  if (!stored) return { why: 'the keychain holds no audit signing key for this workspace (none is made for an export), so the manifest is not signed' };
  const privateKey = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { signature: { algorithm: 'ed25519', keyId: auditKeyId(publicKey), publicKey: publicKeyText(publicKey), value: sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64') } };
}

/** Whether a detached signature holds for `text` under the public key it names (and that key's id is the one it claims). */
export function detachedSignatureValid(sig: DetachedSignature, text: string): boolean {
  try {
    const key = publicKeyFromText(sig.publicKey);
    return auditKeyId(key) === sig.keyId && verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(sig.value, 'base64'));
  } catch {
    return false;
  }
}
