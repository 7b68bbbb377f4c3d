// The Jira account and project endpoints of the sandbox: who the caller is
// (/myself), what they may do in the project (/mypermissions) and the project
// itself (/project/{key}).
import { fail, issueTypeJson, jiraError, p0, projectRef, statusJson, userJson, type Ctx, type JiraReply, type Json } from './jira-route-kit.js';
import { ISSUE_TYPES, JIRA_PERMISSIONS, JIRA_PROJECT as PROJECT, type Internal, type JiraAccount } from './jira-state.js';

/** GET /rest/api/3/myself: the account the request authenticated as. */
export const myself = ({ state, user }: Ctx): JiraReply => ({ status: 200, body: userJson(state.internal, user) });

/** GET /rest/api/3/mypermissions: Jira requires `permissions`; each one reported for the project. */
function myPermissions(s: Internal, user: JiraAccount, query: URLSearchParams): JiraReply {
  const list = query.get('permissions');
  if (!list) return { status: 400, body: jiraError(['The permissions query parameter is required.']) };
  const projectKey = query.get('projectKey') ?? query.get('projectId');
  if (projectKey !== null && projectKey !== PROJECT.key && projectKey !== PROJECT.id) return { status: 404, body: jiraError([`No project could be found with key '${projectKey}'.`]) };
  const permissions: Record<string, Json> = {};
  for (const key of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const known = (JIRA_PERMISSIONS as readonly string[]).includes(key);
    permissions[key] = {
      id: String(10 + Object.keys(permissions).length),
      key,
      name: key.toLowerCase().replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      type: 'PROJECT',
      description: `Ability to ${key.toLowerCase().replace(/_/g, ' ')}.`,
      havePermission: known ? user.permissions.has(key) : true,
    };
  }
  return { status: 200, body: { permissions } };
}

function projectJson(s: Internal): Json {
  return {
    ...projectRef(s),
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    description: 'Access requests handled by Latchkey.',
    lead: userJson(s),
    issueTypes: ISSUE_TYPES.map((t) => issueTypeJson(s, t)),
    assigneeType: 'UNASSIGNED',
    isPrivate: false,
    style: 'classic',
    avatarUrls: {},
    properties: {},
  };
}

/** GET /rest/api/3/mypermissions. */
export const getMyPermissions = ({ state, user, query }: Ctx): JiraReply => myPermissions(state.internal, user, query);

/** GET /rest/api/3/project/{key or id}: the one project, ACC; any other is 404. */
export function getProject({ state, params }: Ctx): JiraReply {
  const key = p0(params);
  return key === PROJECT.key || key === PROJECT.id ? { status: 200, body: projectJson(state.internal) } : fail(404, [`No project could be found with key '${key}'.`]);
}

/** GET /rest/api/3/project/{key}/statuses: each issue type with the statuses of the project's workflow (IssueTypeWithStatus). */
export function getProjectStatuses({ state, params }: Ctx): JiraReply {
  const key = p0(params);
  if (key !== PROJECT.key && key !== PROJECT.id) fail(404, [`No project could be found with key '${key}'.`]);
  const s = state.internal;
  const statuses = Object.keys(s.workflow.statuses).map((k) => statusJson(s, k));
  return { status: 200, body: ISSUE_TYPES.map((t) => ({ id: t.id, name: t.name, self: `${s.base()}/rest/api/3/issueType/${t.id}`, subtask: false, statuses })) };
}
