// How old a stored sync position may be before a run falls back to a full
// sync, at the exact limit, on a fixed clock: Okta's System Log position at
// 90 days (the log's retention) and Entra's delta links at 7 days. The
// integration tests look at 91 and 8 days; a `>` / `>=` flip at the limit
// passed them (issue 9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getConnectionRecord } from '../../electron/engine/connections/connections.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { DELTA_LINK_MAX_AGE_MS, encodeEntraCursor } from '../../electron/engine/sync/entra-run.js';
import { decideEntraMode } from '../../electron/engine/sync/entra-sync.js';
import { encodeCursor, LOG_RETENTION_MS } from '../../electron/engine/sync/okta-incremental.js';
import { normaliseScope } from '../../electron/engine/connections/scope.js';
import { decideOktaMode } from '../../electron/engine/sync/okta-sync.js';
import { createEventBus } from '../../electron/engine/workspace/workspace.js';
import { createTempWorkspace, seedConnection, seedSyncRun, type TempWorkspace } from '../fixtures/seed-snapshot.js';

const DAY = 86_400_000;
/** When the stored position was last brought up to date (our clock). */
const READ_AT = new Date('2026-01-10T08:30:00.000Z');

let ws: TempWorkspace;
let now: Date;
let ctx: EngineContext;
beforeEach(() => {
  ws = createTempWorkspace('latchkey-position-age-');
  now = READ_AT;
  ctx = { db: ws.db, dbPath: ws.file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => now }, events: createEventBus(), actor: 'test', transport: 'cli', sandbox: false };
});
afterEach(() => ws.cleanup());

/** A connection whose last successful run left `cursor`. */
function withCursor(spec: Parameters<typeof seedConnection>[1], cursor: string): number {
  const id = seedConnection(ws.db, spec);
  const run = seedSyncRun(ws.db, { connectionId: id, startedAt: '2026-01-10T08:00:00.000Z', finishedAt: READ_AT.toISOString() });
  ws.db.prepare('UPDATE sync_runs SET cursor = ? WHERE id = ?').run(cursor, run);
  return id;
}

describe('the age of a stored sync position, at the limit', () => {
  it("Okta: a System Log position exactly 90 days old is still used; 1 ms older means a full sync, and the note says why", () => {
    const id = withCursor(
      { name: 'Okta', baseUrl: 'https://acme.okta.com' },
      encodeCursor({ since: '2026-01-10T08:29:00.000Z', seen: [], readAt: READ_AT.toISOString(), scope: normaliseScope(undefined), orgUrl: 'https://acme.okta.com' }),
    );
    expect(LOG_RETENTION_MS).toBe(90 * DAY);
    now = new Date(READ_AT.getTime() + 90 * DAY);
    expect(decideOktaMode(ctx, getConnectionRecord(ws.db, id), false)).toMatchObject({ mode: 'incremental' });
    now = new Date(READ_AT.getTime() + 90 * DAY + 1);
    expect(decideOktaMode(ctx, getConnectionRecord(ws.db, id), false)).toEqual({ mode: 'full', note: "the System Log position is 90 days old, beyond Okta's 90-day retention: full sync" });
  });

  it('Entra: delta links exactly 7 days old are still used; 1 ms older means a full sync, and the note says why', () => {
    const graph = 'https://graph.microsoft.com';
    const id = withCursor(
      { name: 'Entra', kind: 'entra', baseUrl: graph },
      encodeEntraCursor({
        users: `${graph}/v1.0/users/delta?$deltatoken=u1`,
        groups: `${graph}/v1.0/groups/delta?$deltatoken=g1`,
        issuedAt: READ_AT.toISOString(),
        scope: normaliseScope(undefined),
        signIns: false,
        apps: false,
      }),
    );
    expect(DELTA_LINK_MAX_AGE_MS).toBe(7 * DAY);
    now = new Date(READ_AT.getTime() + 7 * DAY);
    expect(decideEntraMode(ctx, getConnectionRecord(ws.db, id), false)).toMatchObject({ mode: 'incremental' });
    now = new Date(READ_AT.getTime() + 7 * DAY + 1);
    expect(decideEntraMode(ctx, getConnectionRecord(ws.db, id), false)).toEqual({ mode: 'full', note: 'the delta links are 7 days old, beyond the 7 days Entra keeps changes: full sync' });
  });
});
