// The 'jira' job executor: creates the request's issue if it has none, adds
// the update's comment and applies its transition. (Filled in with the Jira
// connector.)
import type { JobExecutor } from '../jobs/job-types.js';

export const runJiraJob: JobExecutor = () =>
  Promise.resolve({ status: 'retry', error: 'the Jira connector is not available in this build yet', retryAfterMs: 60_000 });
