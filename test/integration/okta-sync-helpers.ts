// Shared set-up for the Okta sync integration tests: a real sandbox tenant on
// loopback, a real SQLite workspace file in a temp dir, an engine context.
import { emptyScope } from '../../shared/domain.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { EventMap, EventName } from '../../shared/contract.js';
import type { ConnectionRecord, OktaCredential } from '../../electron/engine/connectors/types.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import type { Sandbox } from '../../electron/sandbox/sandbox.js';

export type Emitted = { event: EventName; payload: EventMap[EventName] };

let fileNo = 0;

export function workspace(dir: string, opts: { readOnly?: boolean } = {}): { ctx: EngineContext; db: Db; events: Emitted[] } {
  const file = path.join(dir, `ws-${process.pid}-${fileNo++}.latchkey`);
  const db = openDatabase(file);
  const events: Emitted[] = [];
  const ctx: EngineContext = {
    db,
    dbPath: file,
    readOnly: opts.readOnly ?? false,
    secrets: memorySecretStore(),
    clock: { now: () => new Date() },
    events: { emit: (event, payload) => events.push({ event, payload }) },
    actor: 'test',
    transport: 'cli',
    sandbox: true,
  };
  return { ctx, db, events };
}

export function addConnection(db: Db, sandbox: Sandbox, opts: { name?: string; budgetShare?: number; oauth?: boolean } = {}): ConnectionRecord {
  const name = opts.name ?? `okta-${fileNo++}`;
  const budgetShare = opts.budgetShare ?? 0.5;
  const oauth = opts.oauth ?? false;
  const id = Number(
    db
      .prepare(
        'INSERT INTO connections (name, kind, base_url, auth_type, client_id, scopes, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        name,
        'okta',
        sandbox.okta.url,
        oauth ? 'oauth' : 'token',
        oauth ? sandbox.okta.oauth.clientId : null,
        JSON.stringify(oauth ? sandbox.okta.oauth.scopes : []),
        JSON.stringify({ budgetShare }),
        new Date().toISOString(),
        new Date().toISOString(),
      ).lastInsertRowid,
  );
  return {
    id, name, kind: 'okta', baseUrl: sandbox.okta.url, authType: oauth ? 'oauth' : 'token', clientId: oauth ? sandbox.okta.oauth.clientId : null,
    scopes: oauth ? sandbox.okta.oauth.scopes : [], settings: { budgetShare, scope: emptyScope() }, orgName: null, liveGen: 0, createdAt: new Date().toISOString(),
  };
}

export const tokenOf = (sandbox: Sandbox): OktaCredential => ({ type: 'token', token: sandbox.okta.token });
export const oauthOf = (sandbox: Sandbox, scopes = sandbox.okta.oauth.scopes): OktaCredential => ({
  type: 'oauth',
  clientId: sandbox.okta.oauth.clientId,
  privateKeyPem: sandbox.okta.oauth.privateKeyPem,
  keyId: sandbox.okta.oauth.keyId,
  scopes,
});

/** What the generated org holds, counted the way a full sync should store it. */
export function expectedCounts(sandbox: Sandbox): { users: number; groups: number; memberships: number; apps: number; appAssignments: number } {
  const org = sandbox.org;
  return {
    // All statuses: the sync lists DEPROVISIONED users explicitly (plain listUsers omits them).
    users: org.users.length,
    groups: org.groups.length,
    memberships: org.memberships.total(),
    apps: org.apps.length,
    appAssignments: org.apps.reduce((n, a) => n + a.assignments.length, 0),
  };
}

/** A digest of the live snapshot's content (generation numbers excluded), to compare two syncs. */
export function snapshotDigest(db: Db, connectionId: number): string {
  const h = createHash('sha256');
  const dump = (sql: string): void => {
    for (const row of db.prepare(sql).iterate(connectionId)) h.update(JSON.stringify(row));
  };
  dump('SELECT id, login, email, display_name, status, department, title, manager_id, location, employee_type, employee_number, last_login, profile FROM cur_identities WHERE connection_id = ? ORDER BY id');
  dump('SELECT id, name, type, managed_by, managed_by_name FROM cur_groups WHERE connection_id = ? ORDER BY id');
  dump('SELECT group_id, identity_id FROM cur_memberships WHERE connection_id = ? ORDER BY group_id, identity_id');
  dump('SELECT id, name, label, status, sign_on_mode FROM cur_apps WHERE connection_id = ? ORDER BY id');
  dump('SELECT app_id, group_id, priority FROM cur_app_assignments WHERE connection_id = ? ORDER BY app_id, group_id');
  return h.digest('hex');
}

export function liveCounts(db: Db, connectionId: number): Record<string, number> {
  const n = (view: string): number => (db.prepare(`SELECT count(*) AS n FROM ${view} WHERE connection_id = ?`).get(connectionId) as { n: number }).n;
  return {
    users: n('cur_identities'),
    groups: n('cur_groups'),
    memberships: n('cur_memberships'),
    apps: n('cur_apps'),
    appAssignments: n('cur_app_assignments'),
  };
}
