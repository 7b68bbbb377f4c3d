// The Jira sandbox's endpoints: platform REST v3 and the JSM subset, with the
// JSON shapes of ../shared/specs/jira-platform-v3.json and jsm.json and
// Jira's error bodies ({"errorMessages":[],"errors":{}}; JSM's
// {"errorMessage","i18nErrorMessage"}). This module is the route table; the
// site and its state are jira-state.ts, the handlers live one module per
// resource (jira-project-routes.ts: the account and the project;
// jira-issue-routes.ts: issues and JQL search, the JQL in jql.ts;
// jira-workflow-routes.ts: comments and transitions; jira-jsm-routes.ts:
// customer requests, the request type and approvals; jira-attachment-routes.ts:
// issue attachments) over what they share
// (jira-route-kit.ts); jira-server.ts does HTTP, authentication, rate limits
// and faults around them.
import { addAttachments, getAttachment, getAttachmentContent, getAttachmentSettings } from './jira-attachment-routes.js';
import { createIssue, getIssue, getIssueProperty, searchGet, searchPost, setIssueProperty, userSearch } from './jira-issue-routes.js';
import { answerApproval, createRequest, getApproval, getRequestType, listApprovals } from './jira-jsm-routes.js';
import { getMyPermissions, getProject, getProjectStatuses, myself } from './jira-project-routes.js';
import { p0, type Ctx, type JiraReply, type Route } from './jira-route-kit.js';
import { addComment, doTransition, listComments, listTransitions } from './jira-workflow-routes.js';

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/rest\/api\/3\/myself$/, handler: myself },
  { method: 'GET', pattern: /^\/rest\/api\/3\/mypermissions$/, handler: getMyPermissions },
  { method: 'GET', pattern: /^\/rest\/api\/3\/user\/search$/, handler: userSearch },
  { method: 'GET', pattern: /^\/rest\/api\/3\/project\/([^/]+)$/, handler: getProject },
  { method: 'GET', pattern: /^\/rest\/api\/3\/project\/([^/]+)\/statuses$/, handler: getProjectStatuses },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue$/, handler: ({ state, user, body }) => createIssue(state.internal, user, body) },
  { method: 'GET', pattern: /^\/rest\/api\/3\/issue\/([^/]+)$/, handler: getIssue },
  { method: 'GET', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/, handler: getIssueProperty },
  { method: 'PUT', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/, handler: setIssueProperty },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, handler: ({ state, user, params, body }) => addComment(state.internal, user, p0(params), body) },
  { method: 'GET', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, handler: listComments },
  { method: 'GET', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, handler: listTransitions },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, handler: ({ state, user, params, body }) => doTransition(state.internal, user, p0(params), body) },
  { method: 'POST', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/attachments$/, handler: addAttachments },
  { method: 'GET', pattern: /^\/rest\/api\/3\/attachment\/meta$/, handler: getAttachmentSettings },
  { method: 'GET', pattern: /^\/rest\/api\/3\/attachment\/content\/([^/]+)$/, handler: getAttachmentContent },
  { method: 'GET', pattern: /^\/rest\/api\/3\/attachment\/([^/]+)$/, handler: getAttachment },
  { method: 'POST', pattern: /^\/rest\/api\/3\/search\/jql$/, handler: searchPost },
  { method: 'GET', pattern: /^\/rest\/api\/3\/search\/jql$/, handler: searchGet },
  { method: 'POST', pattern: /^\/rest\/servicedeskapi\/request$/, handler: ({ state, user, body }) => createRequest(state.internal, user, body) },
  { method: 'GET', pattern: /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/requesttype\/([^/]+)$/, handler: getRequestType },
  { method: 'GET', pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval$/, handler: listApprovals },
  { method: 'GET', pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval\/([^/]+)$/, handler: getApproval },
  { method: 'POST', pattern: /^\/rest\/servicedeskapi\/request\/([^/]+)\/approval\/([^/]+)$/, handler: ({ state, user, params, body }) => answerApproval(state.internal, user, p0(params), p0(params, 1), body) },
];

export function matchJiraRoute(method: string, path: string): { handler: (ctx: Ctx) => JiraReply; params: string[] } | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { handler: r.handler, params: m.slice(1) };
  }
  return null;
}
