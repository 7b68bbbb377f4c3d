// Benchmark: what the anchored audit chain costs per event. Each variant
// appends N events, one transaction each (as every state change does), to
// its own fresh workspace file (WAL, synchronous=NORMAL):
//   - format 1: the append as it was before migration 5 (hash of the previous
//     hash + canonical JSON of the parsed content), reproduced here as the
//     baseline;
//   - format 2: appendAudit today (every stored field hashed), no signer;
//   - format 2 + checkpoints: the signer loaded, so every 100th event also
//     signs (Ed25519) and stores a checkpoint in the same transaction.
// Then `audit verify` (the chain, every signature) over the signed file.
//
//   node --import tsx bench/audit-append.ts [--events 20000] [--rounds 3] [--memory]
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appendAudit, canonicalJson, GENESIS_HASH } from '../electron/engine/audit/audit-log.js';
import { AUDIT_CHECKPOINT_INTERVAL, loadAuditSigner } from '../electron/engine/audit/checkpoints.js';
import { verifyAudit } from '../electron/engine/audit/verify.js';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, memory: { type: 'boolean', default: false } } });
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-audit-'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const event = (i: number) => ({
  actor: 'console:ada@example.com',
  channel: 'console' as const,
  action: 'request.approved',
  targetType: 'request',
  targetId: i,
  details: { step: 1, comment: 'fine for the sprint', approvers: ['bob@example.com'], summary: `Approved request #${i}` },
});

/** The format-1 append, as audit-log.ts did it before migration 5 (the baseline). */
function appendFormat1(db: Db, e: ReturnType<typeof event>, now: Date): void {
  const last = db.prepare('SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
  const prev = last?.hash ?? GENESIS_HASH;
  const row = { at: now.toISOString(), actor: e.actor, action: e.action, target_type: e.targetType, target_id: String(e.targetId), details: canonicalJson(e.details) };
  const content = canonicalJson({ at: row.at, actor: row.actor, action: row.action, targetType: row.target_type, targetId: row.target_id, details: JSON.parse(row.details) as unknown });
  const hash = createHash('sha256').update(prev).update(content).digest('hex');
  db.prepare(
    `INSERT INTO audit_events (at, actor, action, target_type, target_id, details, prev_hash, hash) VALUES (@at, @actor, @action, @target_type, @target_id, @details, @prev_hash, @hash)`,
  ).run({ ...row, prev_hash: prev, hash });
}

type Variant = 'format 1 (before)' | 'format 2' | 'format 2 + checkpoints';

async function round(variant: Variant, r: number): Promise<{ ms: number; file: string; db: Db }> {
  const file = path.join(dir, `${variant.replace(/\W+/g, '-')}-${r}.latchkey`);
  // --memory: no file I/O, so the CPU cost of hashing and signing is what differs.
  const db = openDatabase(values.memory ? ':memory:' : file);
  if (variant === 'format 2 + checkpoints') {
    const s = await loadAuditSigner({ db, secrets: memorySecretStore(), clock: { now: () => new Date() }, readOnly: false, actor: 'bench' });
    if (!s.signing) throw new Error(s.why);
  }
  const t = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const e = event(i);
    db.transaction(() => (variant === 'format 1 (before)' ? appendFormat1(db, e, new Date()) : appendAudit(db, e, new Date())))();
  }
  return { ms: performance.now() - t, file, db };
}

const variants: Variant[] = ['format 1 (before)', 'format 2', 'format 2 + checkpoints'];
const times = new Map<Variant, number[]>(variants.map((v) => [v, []]));
let signed: Db | null = null;
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved, so a noisy neighbour hits every variant alike.
  for (const v of variants) {
    const res = await round(v, r);
    times.get(v)?.push(res.ms);
    if (v === 'format 2 + checkpoints' && r === ROUNDS - 1) signed = res.db;
    else res.db.close();
  }
}

const base = median(times.get('format 1 (before)') ?? [0]);
console.log(`${EVENTS} events, one transaction each, ${values.memory ? 'in memory' : 'WAL file'}, median of ${ROUNDS} rounds (checkpoint every ${AUDIT_CHECKPOINT_INTERVAL} events)`);
console.log('| variant | total | per event | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const v of variants) {
  const ms = median(times.get(v) ?? [0]);
  console.log(`| ${v} | ${(ms / 1000).toFixed(2)} s | ${((ms * 1000) / EVENTS).toFixed(1)} µs | ${(ms / base).toFixed(2)}× |`);
}
if (signed) {
  const t = performance.now();
  const report = verifyAudit(signed);
  const ms = performance.now() - t;
  console.log(`audit verify of the signed file: ${report.events} events, ${report.checkpoints.valid}/${report.checkpoints.total} checkpoints, ok=${String(report.ok)}: ${(ms / 1000).toFixed(2)} s`);
  signed.close();
}
fs.rmSync(dir, { recursive: true, force: true });
