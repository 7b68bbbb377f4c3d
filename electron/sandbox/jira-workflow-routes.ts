// What happens to a Jira issue after it is created, in the sandbox: its
// comments (ADF bodies, entity properties, paged listing) and its workflow
// transitions (the ones open from its status, and moving it along one).
import { commentJson, intParam, isAdf, jiraError, moveTo, mustIssue, need, objectBody, p0, statusJson, type Ctx, type JiraReply, type Json } from './jira-route-kit.js';
import type { Internal, JiraAccount, JiraCommentView, JiraTransitionDef } from './jira-state.js';

export function addComment(s: Internal, user: JiraAccount, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const b = objectBody(body);
  if (!isAdf(b.body)) return { status: 400, body: jiraError([], { comment: 'Comment body is not valid!' }) };
  const properties: { key: string; value: unknown }[] = [];
  if (b.properties !== undefined && b.properties !== null) {
    if (!Array.isArray(b.properties)) return { status: 400, body: jiraError(['properties must be a list of {key, value}.']) };
    for (const p of b.properties as unknown[]) {
      const o = p && typeof p === 'object' ? (p as Json) : {};
      if (typeof o.key !== 'string' || o.key === '' || o.key.length > 255) return { status: 400, body: jiraError(['The property key must be 1 to 255 characters.']) };
      properties.push({ key: o.key, value: o.value ?? null });
    }
  }
  need(user, 'ADD_COMMENTS', 'add comments');
  const now = s.clock.now();
  const comment: JiraCommentView = { id: String(s.nextCommentId++), body: b.body, created: now, authorId: user.accountId, properties };
  issue.comments.push(comment);
  issue.updated = now;
  return { status: 201, body: commentJson(s, issue, comment) };
}

function transitionJson(s: Internal, t: JiraTransitionDef): Json {
  return { id: t.id, name: t.name, to: statusJson(s, t.to), hasScreen: false, isGlobal: false, isInitial: false, isAvailable: true, isConditional: false, isLooped: false };
}

export function doTransition(s: Internal, user: JiraAccount, key: string, body: unknown): JiraReply {
  const issue = mustIssue(s, key);
  const transition = objectBody(body).transition as Json | undefined;
  const id = transition && (typeof transition.id === 'string' || typeof transition.id === 'number') ? String(transition.id) : null;
  if (id === null) return { status: 400, body: jiraError(['Missing \'transition\' identifier']) };
  need(user, 'TRANSITION_ISSUES', 'transition issues');
  const t = s.workflow.transitions.find((x) => x.id === id && x.from === issue.status);
  if (!t) return { status: 400, body: jiraError([`Transition id '${id}' is not valid for this issue.`]) };
  moveTo(s, issue, t.to);
  return { status: 204 };
}

/** GET /rest/api/3/issue/{key}/comment: paged by startAt / maxResults (at most 5000); expand=properties adds each comment's properties. */
export function listComments({ state, params, query }: Ctx): JiraReply {
  const issue = mustIssue(state.internal, p0(params));
  const startAt = intParam(query, 'startAt', 0);
  const maxResults = Math.min(intParam(query, 'maxResults', 100), 5000);
  const expand = (query.get('expand') ?? '').split(',');
  const page = issue.comments.slice(startAt, startAt + maxResults);
  return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments: page.map((c) => commentJson(state.internal, issue, c, expand)) } };
}

/** GET /rest/api/3/issue/{key}/transitions: the transitions open from the issue's status. */
export function listTransitions({ state, params }: Ctx): JiraReply {
  const issue = mustIssue(state.internal, p0(params));
  return { status: 200, body: { expand: 'transitions', transitions: state.internal.workflow.transitions.filter((t) => t.from === issue.status).map((t) => transitionJson(state.internal, t)) } };
}
