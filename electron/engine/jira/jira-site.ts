// A configured Jira connection opened for use: its record, its project and
// request type, and a jira.js-backed client built from the keychain entry.
// Shared by the write-back executor, the JSM import and the status channel.
import { createJiraClient, type JiraClient, type JiraClientOptions } from '../connectors/jira/jira-client.js';
import { isJiraCredential, type ConnectionRecord, type JiraPollState, type JiraSettings } from '../connectors/types.js';
import { appendAudit } from '../audit/audit-log.js';
import { jiraStatusesOf, type JiraStatusMap } from '../connectors/jira/jira-fields.js';
import { getConnectionRecord, loadCredential, patchConnectionSettings } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';

/** What callers may tune (tests pass a fast sleep; the runner passes its abort signal). */
export type JiraClientTuning = Pick<JiraClientOptions, 'sleep' | 'maxRetries' | 'maxWaitMs' | 'timeoutMs' | 'signal' | 'nowMs'>;

export type JiraSite = { connection: ConnectionRecord; settings: JiraSettings; client: JiraClient };

export async function openJiraSite(ctx: EngineContext, connectionId: number, tuning: JiraClientTuning = {}): Promise<JiraSite> {
  const connection = getConnectionRecord(ctx.db, connectionId);
  if (connection.kind !== 'jira' || !connection.settings.jira) throw new UserError(`"${connection.name}" is not a Jira connection`, 'bad-input');
  const credential = await loadCredential(ctx, connection);
  if (!isJiraCredential(credential)) throw new UserError(`the keychain entry of "${connection.name}" is not a Jira credential; add the connection again`, 'unauthorized');
  const client = createJiraClient({ siteUrl: connection.baseUrl, email: credential.email, apiToken: credential.apiToken, ...tuning });
  return { connection, settings: connection.settings.jira, client };
}

export const EMPTY_POLL_STATE: JiraPollState = { position: null, lastPollAt: null, lastError: null, requestTypeName: null, timeZone: null, handledApprovals: [], rejectedIssues: [] };

export function pollState(c: ConnectionRecord): JiraPollState {
  return { ...EMPTY_POLL_STATE, ...(c.settings.jiraPoll ?? {}) };
}

/**
 * Writes the JSM import's progress into the connection's settings. Read and
 * written in one statement's transaction so a concurrent scope or name change
 * is not lost; not audited (bookkeeping, not a state change anyone decided).
 */
export function savePollState(db: Db, connectionId: number, patch: Partial<JiraPollState>, now: Date): JiraPollState {
  const saved = patchConnectionSettings(
    db,
    connectionId,
    (settings) => {
      const next: JiraPollState = { ...EMPTY_POLL_STATE, ...((settings.jiraPoll as Partial<JiraPollState> | undefined) ?? {}), ...patch };
      // Bounded: the oldest handled answers belong to requests long closed.
      if (next.handledApprovals.length > 2000) next.handledApprovals = next.handledApprovals.slice(-2000);
      return { settings: { ...settings, jiraPoll: next }, value: next };
    },
    now,
  );
  return saved ?? { ...EMPTY_POLL_STATE, ...patch };
}

/**
 * Sets the workflow status names a Jira connection moves issues through
 * (a name left out goes back to its default); audited with before and
 * after. Applies from the next write-back.
 */
export function setJiraStatuses(ctx: EngineContext, connectionId: number, statuses: Partial<JiraStatusMap>): JiraStatusMap {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only (a copied snapshot): connections cannot be changed', 'read-only');
  const c = getConnectionRecord(ctx.db, connectionId);
  if (c.kind !== 'jira' || !c.settings.jira) throw new UserError(`"${c.name}" is not a Jira connection: it has no workflow statuses`, 'bad-input');
  const own = Object.fromEntries(Object.entries(statuses).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '').map(([k, v]) => [k, v.trim()])) as Partial<JiraStatusMap>;
  const before = jiraStatusesOf(c.settings.jira.statuses);
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      patchConnectionSettings(
        ctx.db,
        c.id,
        (settings) => {
          const jira = { ...((settings.jira as Record<string, unknown> | undefined) ?? {}) };
          if (Object.keys(own).length > 0) jira.statuses = own;
          else delete jira.statuses;
          return { settings: { ...settings, jira }, value: null };
        },
        now,
      );
      appendAudit(
        ctx.db,
        { actor: ctx.actor, channel: ctx.channel, action: 'connection.jira_statuses_changed', targetType: 'connection', targetId: c.id, details: { before, after: jiraStatusesOf(own), summary: `Jira status names of "${c.name}" set` } },
        now,
      );
    })
    .immediate();
  return jiraStatusesOf(own);
}
