// A small organisation for the requests tests, on a real workspace file: an
// Okta connection with a manager tree, a contractor, a partner with no
// manager, a deprovisioned account; one person also in Entra (correlated, with
// another address) to test self-approval across accounts; catalog rows
// inserted directly (the catalog module is built separately).
import { createEventBus, type EventBus } from '../../electron/engine/workspace/workspace.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { defaultPolicyFor, type ApprovalPolicy, type DurationOption, type RiskTier } from '../../shared/governance.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

export const T0 = new Date('2026-03-02T09:00:00.000Z');

export type RequestsWorld = {
  ws: TempWorkspace;
  ctx: EngineContext;
  bus: EventBus;
  clock: { now: () => Date; set: (d: Date) => void; advanceHours: (h: number) => void };
  okta: number;
  entra: number;
  events: { area: string; ids: number[] }[];
};

export function buildWorld(): RequestsWorld {
  const ws = createTempWorkspace('latchkey-requests-');
  const okta = seedConnection(ws.db, {
    name: 'Okta',
    users: [
      { id: 'u-ceo', displayName: 'Cleo Chief', email: 'cleo@acme.example', employeeType: 'Employee', employeeNumber: 'E1' },
      { id: 'u-grace', displayName: 'Grace Hopper', email: 'grace@acme.example', managerId: 'u-ceo', employeeType: 'Employee', employeeNumber: 'E2' },
      { id: 'u-ada', displayName: 'Ada Lovelace', email: 'ada@acme.example', managerId: 'u-grace', employeeType: 'Employee', employeeNumber: 'E3' },
      { id: 'u-carl', displayName: 'Carl Contractor', email: 'carl@acme.example', managerId: 'u-grace', employeeType: 'CONTRACTOR', employeeNumber: 'C1' },
      { id: 'u-pat', displayName: 'Pat Partner', email: 'pat@partner.example', employeeType: 'Partner' },
      { id: 'u-dora', displayName: 'Dora Gone', email: 'dora@acme.example', status: 'DEPROVISIONED', managerId: 'u-grace' },
      { id: 'u-owen', displayName: 'Owen Owner', email: 'owen@acme.example', managerId: 'u-ceo', employeeType: 'Employee' },
      { id: 'u-nina', displayName: 'Nina Named', email: 'nina@acme.example', managerId: 'u-ceo' },
      { id: 'u-sam', displayName: 'Sam Security', email: 'sam@acme.example', managerId: 'u-ceo' },
      // The helpdesk operator: manages nobody, approves nothing by default.
      { id: 'u-hal', displayName: 'Hal Helpdesk', email: 'hal@acme.example', managerId: 'u-ceo', employeeType: 'Employee' },
      // Reports to Owen: for "the only approver is the beneficiary" cases.
      { id: 'u-ivy', displayName: 'Ivy Intern', email: 'ivy@acme.example', managerId: 'u-owen', employeeType: 'Employee' },
    ],
    groups: [
      { id: 'g-figma-ed', name: 'app-figma-editors' },
      { id: 'g-figma-view', name: 'app-figma-viewers' },
      { id: 'g-aws-admin', name: 'aws-admins' },
    ],
  });
  // Grace also has an Entra account under another address, matched by employee id.
  const entra = seedConnection(ws.db, {
    name: 'Entra',
    kind: 'entra',
    baseUrl: 'https://graph.microsoft.com',
    users: [{ id: 'e-grace', displayName: 'Grace Hopper', email: 'grace.hopper@acme.onmicrosoft.example', employeeNumber: 'E2' }],
  });
  refreshCorrelation(ws.db, { force: true });
  let now = T0;
  const clock = {
    now: () => now,
    set: (d: Date) => {
      now = d;
    },
    advanceHours: (h: number) => {
      now = new Date(now.getTime() + h * 3_600_000);
    },
  };
  const bus = createEventBus();
  const events: { area: string; ids: number[] }[] = [];
  bus.subscribe((event, payload) => {
    if (event === 'governance:changed') events.push(payload as { area: string; ids: number[] });
  });
  const ctx: EngineContext = {
    db: ws.db,
    dbPath: ws.file,
    readOnly: false,
    secrets: memorySecretStore(),
    clock,
    events: bus,
    actor: 'test:runner',
    transport: 'cli',
    sandbox: false,
  };
  return { ws, ctx, bus, clock, okta, entra, events };
}

export function addApp(db: Db, name: string, owner: string | null = null): number {
  const at = T0.toISOString();
  return Number(db.prepare('INSERT INTO catalog_apps (name, owner_email, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, owner, at, at).lastInsertRowid);
}

export function addRole(
  db: Db,
  o: {
    appId: number;
    name: string;
    risk?: RiskTier;
    policy?: Partial<ApprovalPolicy>;
    durations?: DurationOption[];
    defaultDuration?: DurationOption;
    max?: number | null;
    owner?: string | null;
    requestable?: boolean;
    groups?: { connectionId: number; groupId: string; groupName: string }[];
  },
): number {
  const at = T0.toISOString();
  const risk = o.risk ?? 'medium';
  const id = Number(
    db
      .prepare(
        `INSERT INTO catalog_roles (app_id, name, risk, approval_policy, durations, default_duration, max_duration_minutes, owner_email, requestable, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.appId,
        o.name,
        risk,
        JSON.stringify({ ...defaultPolicyFor(risk), ...o.policy }),
        JSON.stringify(o.durations ?? ['permanent', '24h', '7d', 'custom']),
        o.defaultDuration ?? '24h',
        o.max === undefined ? 43200 : o.max,
        o.owner ?? null,
        o.requestable === false ? 0 : 1,
        at,
        at,
      ).lastInsertRowid,
  );
  for (const g of o.groups ?? []) {
    db.prepare('INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (?, ?, ?, ?, ?)').run(id, g.connectionId, g.groupId, g.groupName, at);
  }
  return id;
}

/** Every governance table's rows (and the audit count), to compare before and after a refused call. */
export function snapshotTables(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['requests', 'approvals', 'grants', 'jobs', 'manual_tasks', 'settings']) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
  out.audit = [db.prepare('SELECT count(*) AS n FROM audit_events').get()];
  return out;
}
