// Benchmark: the request queue UI with 50,000 requests, in real Chromium.
//
//   npm run bench -- request-queue [--requests 50000] [--users 5000] [--samples 5] [--seed 11] [--keep]
//
// 1. The sandbox (in-process, rate limits off, no Graph, no Jira) serves a
//    5,000-user Okta org; the engine fully syncs it into a workspace file.
// 2. Nine catalog roles (auto, manager, app owner, named, two-step; the
//    operator owns three and is a named approver on one) and `--requests`
//    requests are written in one transaction of prepared inserts into the real
//    tables: a year of decided requests (approved with grants, denied,
//    expired while pending, cancelled) and a last week that is mostly pending,
//    so "My approvals" holds thousands. Nothing is due: active grants end in
//    the future (notices already sent for those ending within two days),
//    pending requests are younger than their 7-day timeout, no job is queued,
//    so the scheduler of `latchkey serve` stays idle while we measure.
// 3. requests:list through the engine's handlers, in-process: each operation
//    with a fresh page cache (first call) and a warm one.
// 4. `latchkey serve` (the built console) in a child process, driven by
//    Chromium (headless, 1440x900). Timings are taken inside the page
//    (performance.now()): an action starts the clock; a MutationObserver sees
//    the expected rows in the DOM and the clock stops at the next animation
//    frame (the one that paints them). Jank: animation-frame gaps > 50 ms and
//    'longtask' entries in the same window.
//    - cold open: a new document at #/requests/all until its first rows;
//    - in-app open: #/ (dashboard) -> #/requests/all;
//    - tab switches: All -> My approvals -> All open -> All;
//    - search: typed at 8 keys/s; from the last keystroke until the filtered
//      rows (includes the list's 250 ms debounce);
//    - jump to rows 25,000 and 49,999 (like dragging the scrollbar);
//    - continuous scrolling: 3 s at ~120 px/frame (a brisk wheel) and 1.5 s
//      at 1,500 px/frame (a fling), with placeholder rows on screen counted.
//    Each browser-side call to requests:list is also timed (Resource Timing).
// Prints a markdown report and one JSON line. The recorded run is in
// bench/RESULTS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page as PwPage } from 'playwright-core';
import { requestListQuery, type RequestListQuery } from '../shared/contract-requests.js';
import type { Page } from '../shared/domain.js';
import { DURATION_MINUTES, defaultPolicyFor, type ApprovalPolicy, type ApprovalStepKind, type DurationOption, type RequestRow, type RiskTier } from '../shared/governance.js';
import { createHandlers } from '../electron/engine/api.js';
import { FOR_CALLER } from '../electron/engine/handlers/handler-types.js';
import { addConnection } from '../electron/engine/connections/connections.js';
import type { EngineContext } from '../electron/engine/context.js';
import { openDatabase } from '../electron/engine/db/database.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { syncAndReconcile } from '../electron/engine/governance/after-sync.js';
import { startSandbox } from '../electron/sandbox/sandbox.js';
import { seedRole } from '../test/fixtures/governance.js';
import { launchChromium, openPage } from '../test/helpers/chromium.js';
import { callBridge, openConsole, serveConsole } from '../test/helpers/serve-console.js';
import { seededRandom } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '50000' },
    users: { type: 'string', default: '5000' },
    samples: { type: 'string', default: '5' },
    seed: { type: 'string', default: '11' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.requests);
const USERS = Number(values.users);
const SAMPLES = Math.max(1, Number(values.samples));
const SEED = Number(values.seed);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROW_HEIGHT = 36; // RequestsList's rowHeight
const log = (m: string): void => void process.stderr.write(`${m}\n`);
const loadavg = (): string => os.loadavg().map((n) => n.toFixed(2)).join(' / ');
const loads: { at: string; load: string }[] = [];
const noteLoad = (at: string): void => void loads.push({ at, load: loadavg() });

const rand = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
function weighted<T>(xs: readonly (readonly [T, number])[]): T {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [x, w] of xs) if ((r -= w) < 0) return x;
  return (xs[xs.length - 1] as readonly [T, number])[0];
}

// ---------------------------------------------------------------- 1. workspace + sync
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-queue-'));
const file = path.join(dir, 'queue.latchkey');
noteLoad('start');
const tSetup = performance.now();
const sandbox = await startSandbox({ users: USERS, seed: SEED, port: 0, rateLimits: 'off', graph: false, jira: false });
const db0 = openDatabase(file);
const ctx: EngineContext = {
  db: db0,
  dbPath: file,
  readOnly: false,
  secrets: memorySecretStore(),
  clock: { now: () => new Date() },
  events: { emit: () => undefined },
  actor: 'bench',
  transport: 'cli',
  sandbox: true,
};
const okta = await addConnection(ctx, { kind: 'okta', name: 'Okta', orgUrl: sandbox.okta.url, budgetShare: 0.5, auth: { type: 'token', token: sandbox.okta.token } });
const sync = await (await syncAndReconcile(ctx, okta.id, { full: true })).done;
if (sync.status !== 'succeeded') throw new Error(`sync failed: ${sync.error ?? ''}`);
await sandbox.close();
const syncMs = performance.now() - tSetup;
log(`synced ${USERS} users in ${(syncMs / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------- 2. roles + requests
type Person = { id: string; email: string; name: string; managerEmail: string | null };
const people = (
  db0
    .prepare(
      `SELECT i.id, lower(i.email) AS email, i.display_name AS name, lower(m.email) AS managerEmail
       FROM cur_identities i LEFT JOIN cur_identities m ON m.connection_id = i.connection_id AND m.id = i.manager_id AND m.status = 'ACTIVE'
       WHERE i.connection_id = ? AND i.status = 'ACTIVE' AND i.email IS NOT NULL ORDER BY i.id`,
    )
    .all(okta.id) as Person[]
);
// The operator: the active person with the most direct reports (what the demo picks), so their team's manager steps are theirs too.
const operator = db0
  .prepare(
    `SELECT lower(m.email) FROM cur_identities m JOIN cur_identities r ON r.connection_id = m.connection_id AND r.manager_id = m.id AND r.status = 'ACTIVE'
     WHERE m.connection_id = ? AND m.status = 'ACTIVE' AND m.email IS NOT NULL GROUP BY m.id ORDER BY count(*) DESC, m.id LIMIT 1`,
  )
  .pluck()
  .get(okta.id) as string;
const beneficiaries = people.filter((p) => p.managerEmail !== null && p.email !== operator);
const others = people.filter((p) => p.email !== operator).slice(0, 4).map((p) => p.email);
const groups = db0
  .prepare(`SELECT id, name FROM cur_groups WHERE connection_id = ? AND managed_by = 'direct' ORDER BY id LIMIT 16`)
  .all(okta.id) as { id: string; name: string }[];
if (groups.length < 12 || beneficiaries.length < 100 || others.length < 4) throw new Error('the synced org is too small for this bench');

type RoleSpec = { app: string; role: string; risk: RiskTier; steps: { kind: ApprovalStepKind; approvers?: string[] }[]; owner: string; weight: number; groups: number };
const [o1, o2, o3, o4] = others as [string, string, string, string];
const ROLES: RoleSpec[] = [
  { app: 'Figma', role: 'Viewer', risk: 'low', steps: [], owner: o1, weight: 14, groups: 1 },
  { app: 'Figma', role: 'Editor', risk: 'medium', steps: [{ kind: 'manager' }], owner: o1, weight: 14, groups: 1 },
  { app: 'GitHub', role: 'Maintainer', risk: 'high', steps: [{ kind: 'manager' }, { kind: 'app-owner' }], owner: operator, weight: 16, groups: 1 },
  { app: 'GitHub', role: 'Admin', risk: 'critical', steps: [{ kind: 'manager' }, { kind: 'app-owner' }], owner: operator, weight: 6, groups: 2 },
  { app: 'AWS', role: 'ReadOnly', risk: 'medium', steps: [{ kind: 'named', approvers: [operator, o2] }], owner: o2, weight: 14, groups: 1 },
  { app: 'AWS', role: 'PowerUser', risk: 'high', steps: [{ kind: 'manager' }, { kind: 'app-owner' }], owner: o2, weight: 10, groups: 1 },
  { app: 'Salesforce', role: 'Analyst', risk: 'medium', steps: [{ kind: 'app-owner' }], owner: operator, weight: 14, groups: 1 },
  { app: 'Salesforce', role: 'Admin', risk: 'critical', steps: [{ kind: 'manager' }, { kind: 'named', approvers: [o3] }], owner: o3, weight: 6, groups: 2 },
  { app: 'Jira', role: 'Service Desk Agent', risk: 'medium', steps: [{ kind: 'manager' }], owner: o4, weight: 6, groups: 1 },
];
const now = new Date();
let g = 0;
const roles = ROLES.map((r) => {
  const mapped = groups.slice(g, g + r.groups).map((x) => ({ connectionId: okta.id, groupId: x.id, groupName: x.name }));
  g += r.groups;
  const policy: ApprovalPolicy = { ...defaultPolicyFor(r.risk), autoApprove: r.steps.length === 0, steps: r.steps };
  const id = seedRole(db0, { app: r.app, role: r.role, risk: r.risk, policy, owner: r.owner, groups: mapped, durations: ['permanent', '24h', '7d', '30d'] }, now);
  return { ...r, id, label: `${r.app} / ${r.role}`, mapped };
});

const JUSTIFICATIONS = [
  'Reviewing designs for the Q3 launch',
  'Joining the payments on-call rotation',
  'Needs to debug the billing pipeline in production',
  'Quarterly revenue report for the board',
  'Covering for a colleague on leave',
  'Migrating the team repositories',
  'Onboarding: standard access for the new role',
  'Incident follow-up, read-only is enough',
  'Customer escalation needs the account history',
  'Audit evidence collection',
];
const DURATIONS: readonly (readonly [DurationOption, number])[] = [['permanent', 30], ['24h', 15], ['7d', 25], ['30d', 30]];
const COMMENTS_DENY = ['Not needed for this role', 'Use the read-only role instead', 'Please ask your manager first', 'Duplicate request'];

const counts = { pending: 0, approved: 0, denied: 0, expired: 0, cancelled: 0, approvals: 0, grants: 0 };
const tSeed = performance.now();
db0.transaction(() => {
  const insReq = db0.prepare(
    `INSERT INTO requests (id, role_id, beneficiary_connection_id, beneficiary_identity_id, beneficiary_email, beneficiary_name, requester, duration,
       duration_minutes, justification, status, source, current_step, created_at, updated_at, decided_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insAppr = db0.prepare(
    `INSERT INTO approvals (request_id, step, kind, approvers, status, decided_by, decided_at, channel, comment, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insGrant = db0.prepare(
    `INSERT INTO grants (request_id, role_id, connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name, status, starts_at,
       expires_at, provisioned_at, ended_at, end_reason, notice_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const iso = (ms: number): string => new Date(ms).toISOString();
  const oldCount = Math.round(N * 0.8);
  const t0 = now.getTime() - 365 * DAY;
  const tRecent = now.getTime() - 6 * DAY + HOUR;
  const tEnd = now.getTime() - 5 * 60_000;
  for (let i = 0; i < N; i++) {
    const id = i + 1;
    // Ids in creation order: a year of history, then a busy last week.
    const created = i < oldCount ? t0 + ((tRecent - HOUR - t0) * i) / oldCount : tRecent + ((tEnd - tRecent) * (i - oldCount)) / (N - oldCount);
    const role = weighted(roles.map((r) => [r, r.weight] as const));
    const who = pick(beneficiaries);
    const requester = rand() < 0.7 ? who.email : (who.managerEmail ?? who.email);
    const duration = weighted(DURATIONS);
    const minutes = duration === 'permanent' || duration === 'custom' ? null : DURATION_MINUTES[duration];
    const approversOf = (s: { kind: ApprovalStepKind; approvers?: string[] }): string[] =>
      s.kind === 'manager' ? [who.managerEmail ?? o1] : s.kind === 'app-owner' ? [role.owner] : (s.approvers ?? []);
    let status: 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
    if (role.steps.length === 0) status = 'approved';
    else if (i < oldCount) status = weighted([['approved', 72], ['denied', 14], ['expired', 9], ['cancelled', 5]] as const);
    else status = weighted([['pending', 80], ['approved', 12], ['denied', 6], ['cancelled', 2]] as const);
    const decided = status === 'pending' ? null : status === 'expired' ? created + 168 * HOUR : Math.min(created + 10 * 60_000 + rand() * 2 * DAY, tEnd);
    // Which step is open (pending) or where it ended (denied/cancelled/expired); approved: all steps done.
    const stop = status === 'approved' ? role.steps.length : role.steps.length === 1 ? 0 : rand() < 0.55 ? 0 : 1;
    insReq.run(
      id, role.id, okta.id, who.id, who.email, who.name, requester, duration, minutes, `${pick(JUSTIFICATIONS)} (ITSM-${10_000 + i})`,
      status, rand() < 0.85 ? 'console' : 'csv', status === 'pending' ? stop + 1 : 0, iso(created), iso(decided ?? created), decided === null ? null : iso(decided),
    );
    counts[status]++;
    if (role.steps.length === 0) {
      insAppr.run(id, 1, 'auto', '[]', 'approved', 'policy', iso(created), 'auto', `auto-approved by the policy of ${role.label} (low risk)`, 'bench');
      counts.approvals++;
    }
    role.steps.forEach((s, k) => {
      const approvers = approversOf(s);
      const stepAt = iso(Math.min(created + (k + 1) * HOUR, decided ?? created + HOUR));
      let st: string;
      let by: string | null = null;
      let comment: string | null = null;
      if (k < stop) {
        st = 'approved';
        by = approvers[0] ?? null;
      } else if (k === stop) {
        st = status === 'pending' ? 'pending' : status === 'denied' ? 'denied' : status === 'approved' ? 'approved' : 'skipped';
        if (st === 'denied') {
          by = approvers[0] ?? null;
          comment = pick(COMMENTS_DENY);
        }
      } else st = status === 'pending' ? 'waiting' : 'skipped';
      insAppr.run(id, k + 1, s.kind, JSON.stringify(approvers), st, by, by ? stepAt : null, by ? 'console' : null, comment, by ? 'bench' : null);
      counts.approvals++;
    });
    if (status === 'approved' && decided !== null) {
      const expires = minutes === null ? null : decided + minutes * 60_000;
      for (const m of role.mapped) {
        let gs = 'active';
        let ended: string | null = null;
        let reason: string | null = null;
        let notice: string | null = null;
        if (expires !== null && expires <= now.getTime()) {
          gs = 'expired';
          ended = iso(expires + 30_000);
          reason = `expired at ${iso(expires)}`;
        } else if (expires === null && rand() < 0.03) {
          gs = 'revoked';
          ended = iso(decided + 30 * DAY);
          reason = 'revoked by an admin';
        } else if (expires !== null && expires < now.getTime() + 2 * DAY) {
          notice = iso(now.getTime() - HOUR); // already noticed: the scheduler must have nothing to do
        }
        insGrant.run(id, role.id, okta.id, m.groupId, m.groupName, who.id, who.email, who.name, gs, iso(decided), expires === null ? null : iso(expires),
          iso(decided + 5_000), ended, reason, notice, iso(decided), ended ?? iso(decided + 5_000));
        counts.grants++;
      }
    }
  }
})();
const seedMs = performance.now() - tSeed;
db0.pragma('wal_checkpoint(TRUNCATE)');
db0.close();
log(`seeded ${N} requests in ${Math.round(seedMs)} ms: ${JSON.stringify(counts)}; operator ${operator}`);

// ---------------------------------------------------------------- 3. requests:list in-process
type Op = { name: string; q: Partial<RequestListQuery> };
// A person's full name: two terms, each matched anywhere (a handful of rows).
const NARROW = beneficiaries[Math.floor(beneficiaries.length / 3)]?.name ?? 'a';
const ID_SEARCH = N >= 12_345 ? 12_345 : Math.ceil(N / 4);
const SEARCHES = [
  { label: `a full name ("${NARROW}")`, text: NARROW },
  { label: 'a surname-like word ("ross")', text: 'ross' },
  { label: 'app name ("github")', text: 'github' },
  { label: `request id ("#${ID_SEARCH}")`, text: `#${ID_SEARCH}` },
];
const OPS: Op[] = [
  { name: 'All, first page', q: { view: 'all' } },
  { name: 'My approvals, first page', q: { view: 'mine' } },
  { name: 'All open, first page', q: { view: 'open' } },
  { name: 'All, status approved+denied', q: { view: 'all', status: ['approved', 'denied'] } },
  // States derived from the grants (request-state.ts): the stored status narrows, the grants decide.
  { name: 'All, status expired (ran out or timed out)', q: { view: 'all', status: ['expired'] } },
  { name: 'All, status revoked+failed', q: { view: 'all', status: ['revoked', 'failed'] } },
  ...SEARCHES.map((s) => ({ name: `All, search ${s.label}`, q: { view: 'all' as const, search: s.text } })),
  { name: 'All, offset 25,000', q: { view: 'all', offset: 25_000 } },
  { name: 'All, offset 49,800', q: { view: 'all', offset: N - 200 } },
  { name: 'My approvals, offset 2,000', q: { view: 'mine', offset: 2_000 } },
];
type ServerRow = { op: string; coldMs: number; warmMedianMs: number; warmMaxMs: number; total: number; httpFirstMs?: number; httpMedianMs?: number };
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const worst = (xs: readonly number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));

noteLoad('in-process queries');
const server: ServerRow[] = [];
{
  const db = openDatabase(file);
  const qctx: EngineContext = { ...ctx, db };
  type ListHandler = (q: RequestListQuery) => Page<RequestRow> | Promise<Page<RequestRow>>;
  // The console's table for a browser session acting as the operator (the workspace is a sandbox one).
  const forOperator = async (): Promise<ListHandler> => {
    const handlers = createHandlers(qctx);
    const table = (await handlers[FOR_CALLER]?.({ channel: 'console', actingAs: operator }, 'requests:list')) ?? handlers;
    return table['requests:list'];
  };
  for (const op of OPS) {
    const q = requestListQuery.parse(op.q);
    const colds: number[] = [];
    let total = 0;
    for (let k = 0; k < 3; k++) {
      const h = (await forOperator()); // a fresh page cache: the first time this query runs
      const t = performance.now();
      total = (await h(q)).total;
      colds.push(performance.now() - t);
    }
    const h = (await forOperator());
    await h(q);
    const warm: number[] = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      await h({ ...q, offset: q.offset + (k % 2) * 200 });
      warm.push(performance.now() - t);
    }
    server.push({ op: op.name, coldMs: median(colds), warmMedianMs: median(warm), warmMaxMs: worst(warm), total });
  }
  db.close();
}
const totalOf = (name: string): number => server.find((s) => s.op === name)?.total ?? -1;
for (const s of server) log(`  ${s.op}: first ${s.coldMs.toFixed(1)} ms, then ${s.warmMedianMs.toFixed(1)} ms (${s.total})`);

// ---------------------------------------------------------------- 4. the console in Chromium
// In-page instruments, as a plain script: tsx's helpers must not leak into page functions.
const MONITOR = `(() => {
  const st = { longtasks: [], frames: null, armed: null };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) st.longtasks.push({ start: e.startTime, dur: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  const fmt = new Intl.NumberFormat('en-US');
  const grid = () => document.querySelector('[role="grid"][aria-label="Requests"]');
  const isRows = (e) => {
    const g = grid();
    if (!g || g.getAttribute('aria-busy') === 'true') return false;
    if (g.closest('.dg')?.classList.contains('is-refreshing')) return false;
    if (e.search !== undefined) {
      const input = document.querySelector('input[aria-label="Search requests"]');
      if (!input || input.value !== e.search) return false;
    }
    if (e.total !== undefined) {
      const c = document.querySelector('.toolbar-count');
      if (!c || c.textContent !== fmt.format(e.total) + (e.total === 1 ? ' request' : ' requests')) return false;
    }
    const index = e.index ?? 0;
    const row = g.querySelector('[role="row"][aria-rowindex="' + (index + 2) + '"]');
    if (!row || row.classList.contains('is-placeholder')) return false;
    if (e.firstId !== undefined && index === 0) {
      const cell = row.querySelectorAll('[role="gridcell"]')[1];
      if (!cell || cell.textContent !== '#' + e.firstId) return false;
    }
    return true;
  };
  const bench = {
    st,
    /** Resolves with performance.now() at the first animation frame after the expected rows are in the DOM. */
    arm(e) {
      const start = performance.now();
      st.armed = new Promise((resolve, reject) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          mo.disconnect();
          clearTimeout(timer);
          const dom = performance.now();
          requestAnimationFrame(() => resolve({ start, dom, painted: performance.now(), lastInput: bench.lastInput }));
        };
        const mo = new MutationObserver(() => { if (isRows(e)) finish(); });
        const timer = setTimeout(() => { mo.disconnect(); reject(new Error('timed out waiting for ' + JSON.stringify(e))); }, 60000);
        const watch = () => {
          if (done) return;
          if (!document.body) { setTimeout(watch, 5); return; }
          mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
          if (isRows(e)) finish();
        };
        watch();
      });
      return start;
    },
    lastInput: 0,
    /** Frame gaps from now on (stop with frameStop). */
    frameStart() {
      const frames = [];
      st.frames = frames;
      let last = 0;
      const loop = (t) => {
        if (st.frames !== frames) return;
        if (last) frames.push(t - last);
        last = t;
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      return performance.now();
    },
    frameStop(from) {
      const frames = st.frames || [];
      st.frames = null;
      const to = performance.now();
      const lt = st.longtasks.filter((x) => x.start + x.dur >= from && x.start <= to);
      return {
        frames: frames.length,
        over50: frames.filter((d) => d > 50).length,
        longestFrame: frames.length ? Math.max(...frames) : 0,
        longtasks: lt.length,
        longestTask: lt.length ? Math.max(...lt.map((x) => x.dur)) : 0,
      };
    },
    /** Scrolls the grid by px every animation frame for dur ms; counts frames showing a placeholder row mid-screen (what the user sees as blank). */
    scroll(px, dur) {
      return new Promise((resolve) => {
        const el = grid();
        const start = performance.now();
        let placeholderFrames = 0;
        let frames = 0;
        const step = () => {
          frames++;
          const box = el.getBoundingClientRect();
          const mid = document.elementFromPoint(box.left + 200, box.top + box.height / 2)?.closest('[role="row"]');
          if (mid?.classList.contains('is-placeholder')) placeholderFrames++;
          if (performance.now() - start >= dur) {
            resolve({ placeholderFrames, frames, endIndex: Math.floor(el.scrollTop / ${ROW_HEIGHT}) });
            return;
          }
          el.scrollTop += px;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
    },
    /** requests:list calls the page made since \`from\`: count and slowest (ms). */
    calls(from) {
      const es = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/requests%3Alist') && r.startTime >= from);
      return { calls: es.length, slowest: es.length ? Math.max(...es.map((r) => r.duration)) : 0, durations: es.map((r) => r.duration) };
    },
  };
  document.addEventListener('input', () => { bench.lastInput = performance.now(); }, true);
  window.__lkBench = bench;
})();`;

type Jank = { frames: number; over50: number; longestFrame: number; longtasks: number; longestTask: number };
type Calls = { calls: number; slowest: number; durations: number[] };
type Armed = { start: number; dom: number; painted: number; lastInput: number };
type Expect = { total?: number; firstId?: number; index?: number; search?: string };
type BenchWindow = {
  __lkBench: {
    arm: (e: Expect) => number;
    st: { armed: Promise<Armed> | null };
    frameStart: () => number;
    frameStop: (from: number) => Jank;
    calls: (from: number) => Calls;
    scroll: (px: number, dur: number) => Promise<{ placeholderFrames: number; frames: number; endIndex: number }>;
  };
};

type Sample = { ms: number; jank?: Jank; calls?: Calls };
const results = new Map<string, Sample[]>();
const add = (name: string, s: Sample): void => {
  results.set(name, [...(results.get(name) ?? []), s]);
};

const served = await serveConsole(file);
process.on('exit', () => served.child.kill());
// Let the served process's scheduler finish its start-up catch-up (nothing is due, but it reads).
await new Promise((r) => setTimeout(r, 2000));
const arm = (p: PwPage, e: Expect): Promise<number> => p.evaluate((x) => (window as unknown as BenchWindow).__lkBench.arm(x), e);
const armed = (p: PwPage): Promise<Armed> => p.evaluate(() => (window as unknown as BenchWindow).__lkBench.st.armed as Promise<Armed>);
const frameStart = (p: PwPage): Promise<number> => p.evaluate(() => (window as unknown as BenchWindow).__lkBench.frameStart());
const frameStop = (p: PwPage, from: number): Promise<Jank> => p.evaluate((f) => (window as unknown as BenchWindow).__lkBench.frameStop(f), from);
const calls = (p: PwPage, from: number): Promise<Calls> => p.evaluate((f) => (window as unknown as BenchWindow).__lkBench.calls(f), from);

// Expected results straight from the contract (also its HTTP time: first call cold in the served process, then warm).
const expectOf = async (q: Partial<RequestListQuery>, op: string | null): Promise<{ total: number; firstId: number }> => {
  const times: number[] = [];
  let p: Page<RequestRow> | null = null;
  for (let k = 0; k < (op ? 6 : 1); k++) {
    const t = performance.now();
    p = await callBridge<Page<RequestRow>>(served, 'requests:list', requestListQuery.parse(q), { 'X-Latchkey-Acting-As': operator });
    times.push(performance.now() - t);
  }
  const row = op ? server.find((s) => s.op === op) : undefined;
  if (row) {
    row.httpFirstMs = times[0] ?? NaN;
    row.httpMedianMs = median(times.slice(1));
  }
  return { total: p?.total ?? 0, firstId: p?.rows[0]?.id ?? 0 };
};
noteLoad('served (HTTP timings)');
for (const op of OPS) await expectOf(op.q, op.name);
const exp = {
  all: await expectOf({ view: 'all' }, null),
  mine: await expectOf({ view: 'mine' }, null),
  open: await expectOf({ view: 'open' }, null),
};
log(`bridge: all ${exp.all.total}, mine ${exp.mine.total}, open ${exp.open.total}`);
// Chromium starts after the HTTP timings so its start-up does not compete with them.
const browser = await launchChromium();
const { page, consoleErrors } = await openPage(browser);
await page.addInitScript(MONITOR);
// The session cookie (callBridge above opened the one-time link) goes into this browser once.
await openConsole(page, served);
const base = `${served.origin}/#`;

try {
  // Warm-up: the first document pays for loading and compiling the bundle (reported separately).
  await page.goto('about:blank');
  await page.goto(`${base}/requests/all`);
  await arm(page, { total: exp.all.total, firstId: exp.all.firstId });
  const warmup = await armed(page);
  add('cold open #/requests/all (first document, bundle not cached)', { ms: warmup.painted });

  noteLoad('browser: open');
  for (let k = 0; k < SAMPLES; k++) {
    await page.goto('about:blank');
    await page.goto(`${base}/requests/all`);
    await arm(page, { total: exp.all.total, firstId: exp.all.firstId });
    const a = await armed(page);
    add('cold open #/requests/all (new document)', { ms: a.painted, calls: await calls(page, 0) });
  }
  for (let k = 0; k < SAMPLES; k++) {
    await page.evaluate(() => (location.hash = '#/'));
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForTimeout(400);
    const t = await page.evaluate((x) => {
      const b = (window as unknown as BenchWindow).__lkBench;
      const from = b.frameStart();
      b.arm(x);
      location.hash = '#/requests/all';
      return from;
    }, { total: exp.all.total, firstId: exp.all.firstId } as Expect);
    const a = await armed(page);
    add('in-app open: Dashboard -> All', { ms: a.painted - t, jank: await frameStop(page, t), calls: await calls(page, t) });
  }

  noteLoad('browser: tabs');
  const tab = async (filter: 'mine' | 'open' | 'all', name: string, e: { total: number; firstId: number }): Promise<void> => {
    const t = await page.evaluate(
      ({ f, x }) => {
        const b = (window as unknown as BenchWindow).__lkBench;
        const from = b.frameStart();
        b.arm(x);
        (document.querySelector(`a.tabnav-item[href="#/requests${f === 'mine' ? '' : `/${f}`}"]`) as HTMLAnchorElement).click();
        return from;
      },
      { f: filter, x: { total: e.total, firstId: e.firstId } },
    );
    const a = await armed(page);
    add(name, { ms: a.painted - t, jank: await frameStop(page, t), calls: await calls(page, t) });
    await page.waitForTimeout(300);
  };
  const href = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLAnchorElement>('a.tabnav-item'), (a) => a.getAttribute('href')));
  if (!href.includes('#/requests')) throw new Error(`tab links are ${JSON.stringify(href)}`);
  for (let k = 0; k < SAMPLES; k++) {
    await tab('mine', 'tab: All -> My approvals', exp.mine);
    await tab('open', 'tab: My approvals -> All open', exp.open);
    await tab('all', 'tab: All open -> All', exp.all);
  }

  noteLoad('browser: search');
  const box = page.getByRole('searchbox', { name: 'Search requests' });
  for (const s of SEARCHES) {
    const e = await expectOf({ view: 'all', search: s.text }, null);
    for (let k = 0; k < SAMPLES; k++) {
      await box.click();
      const t = await frameStart(page);
      await arm(page, { total: e.total, firstId: e.firstId, search: s.text });
      await page.keyboard.type(s.text, { delay: 125 });
      const a = await armed(page);
      add(`search ${s.label}: last key -> rows (incl. 250 ms debounce)`, { ms: a.painted - a.lastInput, jank: await frameStop(page, t), calls: await calls(page, t) });
      // Clear (Escape) and wait for the whole list again.
      await arm(page, { total: exp.all.total, firstId: exp.all.firstId, search: '' });
      await box.press('Escape');
      await armed(page);
      await page.waitForTimeout(300);
    }
  }

  noteLoad('browser: scroll');
  const jump = async (index: number, name: string): Promise<void> => {
    // A fresh view each time (All open -> All), so the rows are not in the grid's page cache yet.
    await tab('open', 'tab: My approvals -> All open', exp.open);
    await tab('all', 'tab: All open -> All', exp.all);
    const t = await page.evaluate(
      ({ i, h }) => {
        const b = (window as unknown as BenchWindow).__lkBench;
        const from = b.frameStart();
        b.arm({ index: i });
        const el = document.querySelector('[role="grid"][aria-label="Requests"]') as HTMLElement;
        el.scrollTop = i * h;
        return from;
      },
      { i: index, h: ROW_HEIGHT },
    );
    const a = await armed(page);
    add(name, { ms: a.painted - t, jank: await frameStop(page, t), calls: await calls(page, t) });
  };
  for (let k = 0; k < SAMPLES; k++) {
    await jump(Math.floor(exp.all.total / 2), `jump to row ${Math.floor(exp.all.total / 2).toLocaleString('en-US')} (middle): rendered`);
    await jump(exp.all.total - 1, `jump to row ${(exp.all.total - 1).toLocaleString('en-US')} (last): rendered`);
  }

  // Continuous scrolling from the top: px per frame for a duration, driven by the page's own frames.
  const scroll = async (pxPerFrame: number, ms: number, name: string): Promise<void> => {
    await tab('open', 'tab: My approvals -> All open', exp.open);
    await tab('all', 'tab: All open -> All', exp.all);
    const t = await frameStart(page);
    const r = await page.evaluate(({ px, dur }) => (window as unknown as BenchWindow).__lkBench.scroll(px, dur), { px: pxPerFrame, dur: ms });
    await arm(page, { index: r.endIndex + 3 });
    const settled = await armed(page);
    const jank = await frameStop(page, t);
    add(name, { ms: settled.painted - settled.start, jank, calls: await calls(page, t) });
    const ph = results.get(`${name}: frames with a placeholder row mid-screen`) ?? [];
    results.set(`${name}: frames with a placeholder row mid-screen`, [...ph, { ms: (100 * r.placeholderFrames) / Math.max(1, r.frames) }]);
  };
  for (let k = 0; k < SAMPLES; k++) {
    await scroll(120, 3000, 'scroll 3 s at 120 px/frame: rows after stop');
    await scroll(1500, 1500, 'fling 1.5 s at 1,500 px/frame: rows after stop');
  }
  noteLoad('browser: done');
  const shot = path.join(dir, 'request-queue.png');
  await page.screenshot({ path: shot });
  log(`screenshot ${shot}`);
} finally {
  await browser.close();
  served.child.kill();
}

// ---------------------------------------------------------------- report
const cpu = os.cpus();
const machine = `${cpu[0]?.model.trim() ?? 'cpu'} x${cpu.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const fmtMs = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '—');
const ui = [...results.entries()].map(([name, ss]) => {
  const ms = ss.map((s) => s.ms);
  const jank = ss.flatMap((s) => (s.jank ? [s.jank] : []));
  const cs = ss.flatMap((s) => (s.calls ? [s.calls] : []));
  return {
    name,
    samples: ss.length,
    medianMs: median(ms),
    worstMs: worst(ms),
    framesOver50: jank.length ? jank.reduce((n, j) => n + j.over50, 0) : null,
    frames: jank.length ? jank.reduce((n, j) => n + j.frames, 0) : null,
    longestFrameMs: jank.length ? worst(jank.map((j) => j.longestFrame)) : null,
    longtasks: jank.length ? jank.reduce((n, j) => n + j.longtasks, 0) : null,
    longestTaskMs: jank.length ? worst(jank.map((j) => j.longestTask)) : null,
    listCalls: cs.length ? median(cs.map((c) => c.calls)) : null,
    slowestCallMs: cs.length ? worst(cs.map((c) => c.slowest)) : null,
  };
});
const isPercent = (n: string): boolean => n.includes('placeholder');
const lines: string[] = [];
lines.push(`request queue: ${N.toLocaleString('en-US')} requests (${Object.entries(counts).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}), ${USERS} users, operator ${operator}`);
lines.push(`${machine}, ${new Date().toISOString().slice(0, 16)}Z; load average (1/5/15 min): ${loads.map((l) => `${l.at} ${l.load}`).join('; ')}`);
lines.push(`setup: sandbox + full sync ${(syncMs / 1000).toFixed(1)} s, seeding ${Math.round(seedMs)} ms`);
lines.push('');
lines.push('| UI (Chromium, in-page clock) | samples | median ms | worst ms | frames > 50 ms / frames | longest frame ms | long tasks (longest ms) | requests:list calls (slowest ms) |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of ui) {
  const unit = isPercent(r.name) ? '%' : '';
  lines.push(
    `| ${r.name} | ${r.samples} | ${fmtMs(r.medianMs)}${unit} | ${fmtMs(r.worstMs)}${unit} | ${r.frames === null ? '' : `${r.framesOver50} / ${r.frames}`} | ${r.longestFrameMs === null ? '' : fmtMs(r.longestFrameMs)} | ${r.longtasks === null ? '' : `${r.longtasks} (${fmtMs(r.longestTaskMs ?? 0)})`} | ${r.listCalls === null ? '' : `${r.listCalls} (${fmtMs(r.slowestCallMs ?? 0)})`} |`,
  );
}
lines.push('');
lines.push('| requests:list | rows total | in-process, first (fresh cache) ms | in-process, warm median / max ms | HTTP via bridge, first / median ms |');
lines.push('| --- | ---: | ---: | ---: | ---: |');
for (const s of server) {
  lines.push(`| ${s.op} | ${s.total.toLocaleString('en-US')} | ${fmtMs(s.coldMs)} | ${fmtMs(s.warmMedianMs)} / ${fmtMs(s.warmMaxMs)} | ${fmtMs(s.httpFirstMs ?? NaN)} / ${fmtMs(s.httpMedianMs ?? NaN)} |`);
}
if (consoleErrors.length > 0) lines.push('', `console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
console.log(lines.join('\n'));
console.log(JSON.stringify({ bench: 'request-queue', date: new Date().toISOString(), machine, loads, requests: N, users: USERS, counts, operator, syncMs, seedMs, ui, server, totals: { all: totalOf('All, first page'), mine: exp.mine.total, open: exp.open.total }, consoleErrors }));
if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
else log(`kept ${dir}`);
