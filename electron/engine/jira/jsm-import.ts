// Imports new Jira Service Management portal requests of the configured
// request type as Latchkey requests linked to their issue. (Filled in with
// the Jira connector.)
import type { EngineContext } from '../context.js';

export type JsmImportResult = { imported: number[]; skipped: { issueKey: string; reason: string }[] };

/** Polls the configured JSM request type once; a no-op when no Jira connection is configured. */
export function pollJiraRequests(ctx: EngineContext): Promise<JsmImportResult> {
  void ctx;
  return Promise.resolve({ imported: [], skipped: [] });
}
