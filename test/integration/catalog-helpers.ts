// A small hybrid org for the catalog tests, on a real SQLite workspace file:
// an Okta connection with app-named groups (direct, rule-managed, AD-imported,
// built-in) assigned to apps, and an Entra connection with a dynamic group and
// a second "Figma" app. resync() writes the live snapshot again as a new
// generation (what a later sync does), optionally changed on the way.
import type { EventMap, EventName } from '../../shared/contract.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

export const NOW = new Date('2025-03-01T10:00:00.000Z');

export type Emitted = { event: EventName; payload: EventMap[EventName] };

export function seedCatalogOrg(db: Db): { okta: number; entra: number } {
  const users = ['ada', 'bob', 'cy', 'dee'].map((id) => ({ id, displayName: id }));
  const okta = seedConnection(db, {
    name: 'Okta',
    users,
    groups: [
      { id: 'g-fe', name: 'app-figma-editors', members: ['ada', 'bob'] },
      { id: 'g-fv', name: 'Figma Viewers', members: ['cy'] },
      { id: 'g-fa', name: 'figma-admins', members: ['dee'] },
      { id: 'g-eng', name: 'dept-engineering', managedBy: 'rule', managedByName: 'Engineering', members: ['ada'] },
      { id: 'g-vpn', name: 'SG-VPN-Users', type: 'APP_GROUP', managedBy: 'external', managedByName: 'Active Directory', members: ['bob'] },
      { id: 'g-every', name: 'Everyone', type: 'BUILT_IN', managedBy: 'external', managedByName: 'Okta (built-in)', members: ['ada', 'bob', 'cy', 'dee'] },
      { id: 'g-sf', name: 'app-salesforce-users', members: ['bob'] },
      { id: 'g-plain', name: 'project-apollo', members: ['cy'] },
    ],
    apps: [
      { id: 'a-figma', name: 'figma', label: 'Figma', groups: ['g-fe', 'g-fv', 'g-fa'] },
      { id: 'a-gh', name: 'githubcloud', label: 'GitHub Enterprise Cloud', groups: ['g-eng'] },
      { id: 'a-sf', name: 'salesforce', label: 'Salesforce', groups: ['g-sf'] },
      { id: 'a-vpn', name: 'vpn', label: 'VPN', groups: ['g-vpn'] },
      { id: 'a-zoom', name: 'zoomus', label: 'Zoom', groups: ['g-every'] },
      { id: 'a-old', name: 'legacy', label: 'Legacy Wiki', status: 'INACTIVE', groups: ['g-plain'] },
    ],
  });
  const entra = seedConnection(db, {
    name: 'Entra',
    kind: 'entra',
    baseUrl: 'https://graph.microsoft.com',
    users: users.map((u) => ({ ...u, id: `e-${u.id}` })),
    groups: [
      { id: 'e-fe', name: 'app-figma-editors', type: 'Security', members: ['e-ada'] },
      { id: 'e-dyn', name: 'Sales Dynamic', type: 'Dynamic', managedBy: 'rule', managedByName: 'user.department -eq "Sales"', members: ['e-bob'] },
    ],
    apps: [
      { id: 'sp-figma', name: 'Figma', label: 'Figma (SAML)', groups: ['e-fe'] },
      { id: 'sp-sf', name: 'Salesforce', label: 'Salesforce', groups: ['e-dyn'] },
    ],
  });
  return { okta, entra };
}

export type CatalogWorkspace = TempWorkspace & { ctx: EngineContext; events: Emitted[]; ids: { okta: number; entra: number } };

/** A fresh workspace with the catalog org, opened through openWorkspace with a fixed clock and an event recorder. */
export function catalogWorkspace(opts: { readOnly?: boolean; seed?: boolean } = {}): CatalogWorkspace {
  const ws = createTempWorkspace('latchkey-catalog-');
  const ids = opts.seed === false ? { okta: 0, entra: 0 } : seedCatalogOrg(ws.db);
  ws.db.close();
  const events: Emitted[] = [];
  const ctx = openWorkspace({
    dbPath: ws.file,
    readOnly: opts.readOnly ?? false,
    secrets: memorySecretStore(),
    transport: 'cli',
    actor: 'tester',
    clock: { now: () => NOW },
    events: { emit: (event, payload) => events.push({ event, payload }) },
  });
  ws.db = ctx.db;
  return { ...ws, ctx, events, ids };
}

/** What a later sync does: the live snapshot copied to a new generation, `change` applied to it, then made live. */
export function resync(db: Db, connectionId: number, change: (gen: number) => void = () => undefined): void {
  db.transaction(() => {
    const live = db.prepare('SELECT live_gen FROM connections WHERE id = ?').pluck().get(connectionId) as number;
    const next = (db.prepare('SELECT max(gen) FROM groups WHERE connection_id = ?').pluck().get(connectionId) as number) + 1;
    for (const t of ['identities', 'groups', 'memberships', 'apps', 'app_assignments']) {
      const cols = (db.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[]).filter((c) => c !== 'gen');
      db.prepare(`INSERT INTO ${t} (gen, ${cols.join(', ')}) SELECT ?, ${cols.join(', ')} FROM ${t} WHERE connection_id = ? AND gen = ?`).run(
        next,
        connectionId,
        live,
      );
    }
    change(next);
    db.prepare('UPDATE connections SET live_gen = ? WHERE id = ?').run(next, connectionId);
  })();
}
