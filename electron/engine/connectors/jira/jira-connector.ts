// Testing a Jira connection: the site and account the token belongs to
// (/myself), whether the project and the JSM request type exist, and whether
// the account may browse, create issues, comment and transition in the
// project (/mypermissions). Findings are reported, not thrown: the UI shows
// each one.
import type { ConnectionTestResult } from '../../../../shared/domain.js';
import { createJiraClient, type JiraClient, type JiraClientOptions } from './jira-client.js';
import { JiraApiError } from './jira-errors.js';
import { JIRA_STATUS_KEYS, jiraStatusesOf, statusServes, type JiraStatusMap } from './jira-fields.js';

export type JiraTarget = { projectKey: string; serviceDeskId: string | null; requestTypeId: string | null; statuses?: Partial<JiraStatusMap> | undefined };

/** The project permissions write-back needs, and what each is for. */
export const JIRA_NEEDED_PERMISSIONS = {
  BROWSE_PROJECTS: 'see issues',
  CREATE_ISSUES: 'create issues',
  ADD_COMMENTS: 'add comments',
  TRANSITION_ISSUES: 'transition issues',
} as const;

const STATUS_WORDS: Readonly<Record<keyof JiraStatusMap, string>> = { waiting: 'waiting for approval', approved: 'approved (work in progress)', done: 'done', declined: 'declined' };

/** Lists the project's workflow statuses and says which of the connection's status names has no status there (each a detail, not a failure: write-back then warns). */
async function checkStatuses(client: JiraClient, target: JiraTarget, details: string[]): Promise<void> {
  let statuses;
  try {
    statuses = await client.projectStatuses(target.projectKey);
  } catch (e) {
    details.push(`workflow statuses of ${target.projectKey}: ${(e as Error).message}`);
    return;
  }
  details.push(`workflow statuses of ${target.projectKey}: ${statuses.map((s) => `${s.name}${s.category ? ` (${s.category})` : ''}`).join(', ') || 'none'}`);
  const names = jiraStatusesOf(target.statuses);
  const missing = JIRA_STATUS_KEYS.filter((k) => !statuses.some((s) => statusServes(k, s, names)));
  if (missing.length === 0) details.push(`every status mapping has a status: ${JIRA_STATUS_KEYS.map((k) => `${k}=${names[k]}`).join(', ')}`);
  for (const k of missing) {
    details.push(`missing status mapping: ${k} (${STATUS_WORDS[k]}) — no status "${names[k]}" in ${target.projectKey}'s workflow; set it with --statuses ${k}=NAME or in the connection's settings (until then the issue is not moved there; a comment says so)`);
  }
}

export async function testJiraConnection(client: JiraClient, target: JiraTarget): Promise<ConnectionTestResult & { requestTypeName: string | null }> {
  const details: string[] = [];
  const problems: string[] = [];
  const problem = (text: string): void => {
    details.push(text);
    problems.push(text);
  };
  const base = { orgUrl: client.siteUrl, requestTypeName: null as string | null };
  let me;
  try {
    me = await client.myself();
  } catch (e) {
    const message = e instanceof JiraApiError ? e.message : (e as Error).message;
    return { ...base, ok: false, orgName: null, canRead: false, canWrite: false, details, error: message };
  }
  details.push(`signed in as ${me.displayName}${me.email ? ` <${me.email}>` : ''}`);
  const orgName = new URL(client.siteUrl).hostname;
  let projectOk = false;
  try {
    const p = await client.project(target.projectKey);
    projectOk = true;
    details.push(`project ${p.key} "${p.name}" found`);
    await checkStatuses(client, target, details);
  } catch (e) {
    problem(e instanceof JiraApiError && e.kind === 'not-found' ? `project ${target.projectKey} not found (or not visible to this account)` : `project ${target.projectKey}: ${(e as Error).message}`);
  }
  let requestTypeName: string | null = null;
  if (target.serviceDeskId && target.requestTypeId) {
    try {
      const t = await client.requestType(target.serviceDeskId, target.requestTypeId);
      requestTypeName = t.name;
      details.push(`request type ${t.id} "${t.name}" found in service desk ${target.serviceDeskId}: its portal requests are imported`);
    } catch (e) {
      problem(`request type ${target.requestTypeId} of service desk ${target.serviceDeskId}: ${e instanceof JiraApiError && e.messages.length ? e.messages.join('; ') : (e as Error).message}`);
    }
  } else details.push('no JSM request type configured: portal requests are not imported');
  let canRead = false;
  let canWrite: boolean | null = null;
  if (projectOk) {
    try {
      const have = await client.myPermissions(target.projectKey, Object.keys(JIRA_NEEDED_PERMISSIONS));
      canRead = have.BROWSE_PROJECTS === true;
      const missing = Object.entries(JIRA_NEEDED_PERMISSIONS).filter(([k]) => !have[k]).map(([k, what]) => `${k} (${what})`);
      canWrite = have.CREATE_ISSUES === true && have.ADD_COMMENTS === true && have.TRANSITION_ISSUES === true;
      details.push(missing.length === 0 ? `can create issues, comment and transition in ${target.projectKey}` : `missing permission in ${target.projectKey}: ${missing.join(', ')}`);
    } catch (e) {
      details.push(`permissions: ${(e as Error).message}`);
    }
  }
  const ok = problems.length === 0;
  return { ...base, requestTypeName, ok, orgName, canRead, canWrite, details, error: ok ? null : problems.join('; ') };
}

export const createJiraConnector = (options: JiraClientOptions): JiraClient => createJiraClient(options);
