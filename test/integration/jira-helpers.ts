// A workspace for the Jira tests: a small Okta snapshot (ada reports to bob;
// cy and dee), a catalog role "Figma / Editor" (manager approval, 7d / 24h /
// custom up to 30 days) mapped to app-figma-editors, and a Jira connection to
// a sandbox Jira server, credentials in an in-memory keychain.
import { addJiraConnectionInput } from '../../shared/contract.js';
import { addConnection } from '../../electron/engine/connections/connections.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { ClaimedJob } from '../../electron/engine/jobs/job-types.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import type { JiraServer } from '../../electron/sandbox/jira-server.js';
import { createTempWorkspace, seedConnection } from '../fixtures/seed-snapshot.js';

export type JiraWorkspace = { ctx: EngineContext; file: string; secrets: ReturnType<typeof memorySecretStore>; jiraConnectionId: number; roleId: number; oktaId: number; setNow: (d: Date) => void };

export async function jiraWorkspace(jira: JiraServer | { url: string; email: string; apiToken: string }, opts: { projectKey?: string; importRequests?: boolean } = {}): Promise<JiraWorkspace> {
  const ws = createTempWorkspace('latchkey-jira-');
  const oktaId = seedConnection(ws.db, {
    name: 'Okta',
    users: [
      { id: 'ada', displayName: 'Ada Lovelace', managerId: 'bob' },
      { id: 'bob', displayName: 'Bob Manager' },
      { id: 'cy', displayName: 'Cy Colleague', managerId: 'bob' },
      { id: 'dee', displayName: 'Dee Contractor', managerId: 'bob' },
    ],
    groups: [{ id: 'g-fe', name: 'app-figma-editors', members: ['bob'] }],
    apps: [{ id: 'a-figma', name: 'figma', label: 'Figma', groups: ['g-fe'] }],
  });
  const at = '2025-01-01T00:00:00.000Z';
  const app = ws.db.prepare(`INSERT INTO catalog_apps (name, description, owner_email, created_at, updated_at) VALUES ('Figma', '', 'dee@example.com', ?, ?) RETURNING id`).get(at, at) as { id: number };
  const policy = { autoApprove: false, steps: [{ kind: 'manager' }], requireEndDateFor: [], pendingTimeoutHours: 168, onTimeout: 'expire', escalateTo: [] };
  const role = ws.db
    .prepare(
      `INSERT INTO catalog_roles (app_id, name, risk, approval_policy, durations, default_duration, max_duration_minutes, owner_email, requestable, created_at, updated_at)
       VALUES (?, 'Editor', 'medium', ?, '["7d","24h","custom"]', '7d', 43200, 'dee@example.com', 1, ?, ?) RETURNING id`,
    )
    .get(app.id, JSON.stringify(policy), at, at) as { id: number };
  ws.db.prepare(`INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (?, ?, 'g-fe', 'app-figma-editors', ?)`).run(role.id, oktaId, at);
  ws.db.close();
  let now = new Date('2026-11-22T09:00:00.000Z');
  const secrets = memorySecretStore();
  const ctx = openWorkspace({ dbPath: ws.file, secrets, transport: 'cli', actor: 'tester', clock: { now: () => now } });
  const c = await addConnection(
    ctx,
    addJiraConnectionInput.parse({
      kind: 'jira',
      name: 'Jira',
      siteUrl: jira.url,
      email: jira.email,
      apiToken: jira.apiToken,
      projectKey: opts.projectKey ?? 'ACC',
      serviceDeskId: opts.importRequests === false ? null : '1',
      requestTypeId: opts.importRequests === false ? null : '10',
    }),
  );
  return { ctx, file: ws.file, secrets, jiraConnectionId: c.id, roleId: role.id, oktaId, setNow: (d) => (now = d) };
}

type JobDb = { id: number; kind: 'provision' | 'revoke' | 'jira'; grant_id: number | null; request_id: number | null; connection_id: number | null; payload: string; attempts: number; max_attempts: number; status: string };

/** The Jira jobs of a request, oldest first, as the runner would hand them to the executor (`attempt` = tries so far + 1). */
export function jiraJobs(ctx: EngineContext, requestId: number): (ClaimedJob & { status: string })[] {
  const rows = ctx.db.prepare(`SELECT * FROM jobs WHERE kind = 'jira' AND request_id = ? ORDER BY id`).all(requestId) as JobDb[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    grantId: r.grant_id,
    requestId: r.request_id,
    connectionId: r.connection_id,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    attempt: r.attempts + 1,
    maxAttempts: r.max_attempts,
    status: r.status,
  }));
}

/** A fast sleep that records what was asked. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}
