// Baseline for bench/sync.ts: the straightforward dump an admin would write
// with the official SDK. Sequential `for await` over users, groups, then each
// group's members (and apps, app groups); one prepared insert per row, a
// transaction per page. Same SQLite schema as Latchkey, so the comparison is
// about how the work is done, not what is stored.
//
// Two deliberate deviations from "naive", both in the baseline's favour or
// for a like-for-like count: the SDK cache is off (it never expires and would
// hold every page in memory), and DEPROVISIONED users are listed too (plain
// listUsers omits them; Latchkey stores them).
//
//   LATCHKEY_BENCH_TOKEN=... node --import tsx bench/baseline-sdk-dump.ts --url http://127.0.0.1:PORT --db /tmp/x.latchkey
//
// Prints one JSON line: counts, durationMs, requests, maxRssMb.
import { Client } from '@okta/okta-sdk-nodejs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../electron/engine/db/database.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, db: { type: 'string' } } });
const token = process.env.LATCHKEY_BENCH_TOKEN;
if (!values.url || !values.db || !token) {
  console.error('usage: LATCHKEY_BENCH_TOKEN=... baseline-sdk-dump.ts --url URL --db FILE');
  process.exit(2);
}

const db = openDatabase(values.db);
const connectionId = Number(
  db
    .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('baseline', 'okta', ?, 'token', '', '')")
    .run(values.url).lastInsertRowid,
);
const client = new Client({ orgUrl: values.url, token, cacheMiddleware: null });
let requests = 0;
client.requestExecutor.on('request', () => requests++);

const PAGE = 200;
const insertUser = db.prepare(
  `INSERT OR REPLACE INTO identities (connection_id, gen, id, login, email, first_name, last_name, display_name, status, department, title,
     manager_id, location, employee_type, employee_number, last_login, created, last_updated, profile)
   VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertGroup = db.prepare(
  `INSERT OR REPLACE INTO groups (connection_id, gen, id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated)
   VALUES (?, 1, ?, ?, ?, ?, 'direct', NULL, ?, ?)`,
);
const insertMember = db.prepare('INSERT OR IGNORE INTO memberships (connection_id, gen, group_id, identity_id) VALUES (?, 1, ?, ?)');
const insertApp = db.prepare('INSERT OR REPLACE INTO apps (connection_id, gen, id, name, label, status, sign_on_mode) VALUES (?, 1, ?, ?, ?, ?, ?)');
const insertAssignment = db.prepare('INSERT OR IGNORE INTO app_assignments (connection_id, gen, app_id, group_id, priority) VALUES (?, 1, ?, ?, ?)');

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString() : typeof d === 'string' ? d : null);
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Inserts `rows` page by page, one transaction per page. */
async function dump<T>(items: AsyncIterable<T>, insert: (item: T) => void): Promise<number> {
  let page: T[] = [];
  let n = 0;
  const flush = db.transaction((rows: T[]) => {
    for (const r of rows) insert(r);
  });
  for await (const item of items) {
    page.push(item);
    if (page.length === PAGE) {
      flush(page);
      n += page.length;
      page = [];
    }
  }
  flush(page);
  return n + page.length;
}

type AnyUser = { id?: string; status?: unknown; lastLogin?: unknown; created?: unknown; lastUpdated?: unknown; profile?: Record<string, unknown> };
const userRow = (u: AnyUser): void => {
  const p = u.profile ?? {};
  insertUser.run(
    connectionId, u.id, s(p.login), s(p.email), s(p.firstName), s(p.lastName), s(p.displayName) ?? `${s(p.firstName) ?? ''} ${s(p.lastName) ?? ''}`,
    String(u.status), s(p.department), s(p.title), s(p.managerId), s(p.city), s(p.userType), s(p.employeeNumber),
    iso(u.lastLogin), iso(u.created), iso(u.lastUpdated), JSON.stringify(p),
  );
};

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let users = await dump((await client.userApi.listUsers({ limit: PAGE })) as AsyncIterable<AnyUser>, userRow);
users += await dump((await client.userApi.listUsers({ limit: PAGE, filter: 'status eq "DEPROVISIONED"' })) as AsyncIterable<AnyUser>, userRow);

const groupIds: string[] = [];
type AnyGroup = { id?: string; type?: unknown; lastMembershipUpdated?: unknown; lastUpdated?: unknown; profile?: { name?: unknown; description?: unknown } };
const groups = await dump((await client.groupApi.listGroups()) as AsyncIterable<AnyGroup>, (g) => {
  groupIds.push(String(g.id));
  insertGroup.run(connectionId, g.id, s(g.profile?.name) ?? String(g.id), s(g.profile?.description), String(g.type), iso(g.lastMembershipUpdated), iso(g.lastUpdated));
});

let memberships = 0;
for (const groupId of groupIds) {
  memberships += await dump((await client.groupApi.listGroupUsers({ groupId })) as AsyncIterable<AnyUser>, (u) => insertMember.run(connectionId, groupId, u.id));
}

const appIds: string[] = [];
type AnyApp = { id?: string; name?: string; label?: string; status?: string; signOnMode?: string };
const apps = await dump((await client.applicationApi.listApplications()) as AsyncIterable<AnyApp>, (a) => {
  appIds.push(String(a.id));
  insertApp.run(connectionId, a.id, a.name ?? a.id, a.label ?? a.id, a.status ?? 'ACTIVE', a.signOnMode ?? null);
});
let appAssignments = 0;
for (const appId of appIds) {
  appAssignments += await dump(
    (await client.applicationApi.listApplicationGroupAssignments({ appId })) as AsyncIterable<{ id?: string; priority?: number }>,
    (x) => insertAssignment.run(connectionId, appId, x.id, x.priority ?? null),
  );
}
const durationMs = Math.round(performance.now() - t0);
db.close();
console.log(
  JSON.stringify({
    tool: 'baseline-sdk-dump',
    users,
    groups,
    memberships,
    apps,
    appAssignments,
    requests,
    durationMs,
    cpuMs: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
