// Benchmark: 10,000 notices through the sandbox Slack webhook, which allows
// `rate` messages per second and answers 429 with Retry-After beyond.
//
//   npm run bench -- notices-webhook [--notices 10000] [--rate 500]
//
// Baseline (same run, same receiver settings, a fresh receiver): a bare loop
// POSTing the same number of messages one after another that sleeps exactly
// the Retry-After it is given — the floor the rate limit sets on this
// machine. Then Latchkey: the notices planned in the outbox, sent by
// sendDueNotices (what the governance tick runs) until none is pending,
// sleeping while the channel is paused. Reported: wall time of each and the
// ratio, 429s received, requests that came back before their Retry-After ran
// out (must be 0: the rate honoured), messages received vs notices (must be
// equal, each once). Sandbox in this process: pacing, not CPU, is measured.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_NOTICE_SETTINGS } from '../shared/contract-notices.js';
import { setNoticeSecret } from '../electron/engine/notices/notice-secrets.js';
import { countPendingNotices, dueNotices, planNotice } from '../electron/engine/notices/notice-store.js';
import { channelPausedUntil, sendDueNotices } from '../electron/engine/notices/outbox.js';
import { createWebhookSender } from '../electron/engine/notices/webhook-sender.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { putSettings } from '../electron/engine/settings/settings.js';
import { createEventBus, openWorkspace } from '../electron/engine/workspace/workspace.js';
import { startWebhookReceiver } from '../electron/sandbox/webhook-receiver.js';

const { values } = parseArgs({ options: { notices: { type: 'string', default: '10000' }, rate: { type: 'string', default: '500' } } });
const n = Number(values.notices);
const rate = Number(values.rate);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`;
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const log = (s: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function baseline(): Promise<{ ms: number; refusals: number; early: number; received: number }> {
  const rx = await startWebhookReceiver({ rateLimit: { requests: rate, windowMs: 1000 } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    for (;;) {
      const res = await fetch(rx.slackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `baseline ${i}` }) });
      await res.text();
      if (res.status !== 429) break;
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
    }
  }
  const ms = performance.now() - t0;
  const out = { ms, refusals: rx.refusals.length, early: rx.earlyReturns, received: rx.messages.length };
  await rx.close();
  return out;
}

async function latchkey(): Promise<{ ms: number; refusals: number; early: number; received: number; unique: number; pendingLeft: number }> {
  const rx = await startWebhookReceiver({ rateLimit: { requests: rate, windowMs: 1000 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-notices-'));
  const ctx = openWorkspace({ dbPath: path.join(dir, 'ws.latchkey'), readOnly: false, secrets: memorySecretStore(), transport: 'cli', events: createEventBus() });
  putSettings(ctx.db, { notices: { ...DEFAULT_NOTICE_SETTINGS, webhooks: { slack: true, teams: false } } });
  await setNoticeSecret(ctx, 'slack', rx.slackUrl);
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    for (let i = 0; i < n; i++) planNotice(ctx.db, { dedupKey: `bench:${i}`, kind: 'approval-needed', recipient: 'ops', channel: 'slack', target: { link: `requests/${i}` }, subject: `Approval needed #${i}.`, body: `Request ${i} waits on you.`, dueAt: now }, now);
  })();
  const senders = { slack: createWebhookSender('slack') };
  const t0 = performance.now();
  while (countPendingNotices(ctx.db) > 0) {
    const run = await sendDueNotices(ctx, senders, { limit: 1000 });
    if (run.sent.length === 0) {
      const paused = channelPausedUntil(ctx, 'slack');
      const next = dueNotices(ctx.db, new Date(8.64e15), 1)[0];
      const until = Math.min(paused?.getTime() ?? Infinity, next ? Date.parse(next.due_at) : Infinity);
      await sleep(Math.max(5, Math.min(1000, until - Date.now())));
    }
  }
  const ms = performance.now() - t0;
  const subjects = rx.messages.map((m) => JSON.stringify(m.body).match(/Approval needed #(\d+)\./)?.[1]);
  const out = { ms, refusals: rx.refusals.length, early: rx.earlyReturns, received: rx.messages.length, unique: new Set(subjects).size, pendingLeft: countPendingNotices(ctx.db) };
  ctx.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await rx.close();
  return out;
}

log(`notices-webhook: ${n} notices, receiver limit ${rate}/s; load ${load()}; ${machine}`);
const b = await baseline();
log(`baseline (bare loop honouring Retry-After): ${(b.ms / 1000).toFixed(1)} s, ${b.refusals} 429s, ${b.early} early returns, ${b.received} received; load ${load()}`);
const l = await latchkey();
log(`latchkey outbox: ${(l.ms / 1000).toFixed(1)} s, ${l.refusals} 429s, ${l.early} early returns, ${l.received} received (${l.unique} distinct), ${l.pendingLeft} pending left; load ${load()}`);
const ok = l.received === n && l.unique === n && l.early === 0 && l.pendingLeft === 0;
console.log(JSON.stringify({ notices: n, rate, baselineS: +(b.ms / 1000).toFixed(2), latchkeyS: +(l.ms / 1000).toFixed(2), ratio: +(l.ms / b.ms).toFixed(2), boundS: n / rate, refusals429: l.refusals, earlyReturns: l.early, received: l.received, distinct: l.unique, ok, load: load() }));
process.exit(ok ? 0 : 1);
