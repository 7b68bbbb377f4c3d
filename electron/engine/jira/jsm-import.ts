// Imports new Jira Service Management portal requests of the configured
// request type as Latchkey requests linked to their issue, and reads back the
// JSM approval answers given in Jira on linked requests.
//
// Polling: JQL on the project, the request type (by name, as JQL matches it)
// and `created >= <minute of the newest request seen>` (JQL has minute
// precision, in the account's time zone), oldest first. The minute overlaps
// the previous poll on purpose: importing twice is a no-op (the unique index
// on requests (jira_connection_id, jira_issue_key)) and rejected requests are
// remembered, so nothing is lost between polls and nothing is done twice.
//
// A portal request Latchkey cannot accept (unknown role, duration above the
// role's maximum, beneficiary not in the snapshot, ...) is never dropped
// silently: the issue gets a comment saying why and is declined.
//
// Approvals: an approver's answer in JSM becomes a decision with channel
// 'jira' through decideRequest, which checks eligibility (the step's
// approvers, self-approval, approving twice); an answer Latchkey cannot
// record gets a comment saying why, once.
import type { CreateRequestInput } from '../../../shared/contract-requests.js';
import type { JiraClient, JiraIssue } from '../connectors/jira/jira-client.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { parseDuration } from '../requests/duration-text.js';
import { adfToText, JIRA_FIELDS, jiraFieldsOf, jiraStatusesOf, type JiraFieldMap, type JiraStatusMap } from '../connectors/jira/jira-fields.js';
import { getConnectionRecord, listConnectionRecords } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import { createRequest, decideRequest } from '../requests/requests.js';
import { decisionRecorded, pendingJiraRequests, requestOfIssue } from '../requests/request-store.js';
import { addAnchoredComment } from './audit-anchors.js';
import { readReviewAnswers, type ReviewAnswers } from './review-answers.js';
import { REVIEW_ISSUE_LABEL } from './review-issues.js';
import { reviewerOfIssue } from '../reviews/reviewer-store.js';
import { transitionTo } from './jira-job.js';
import { openJiraSite, pollState, savePollState, type JiraClientTuning } from './jira-site.js';

export type JsmImportResult = {
  /** Latchkey request ids created from portal requests. */
  imported: number[];
  /** Portal requests refused, each with the reason written to its issue. */
  skipped: { issueKey: string; reason: string }[];
  /** Requests whose approval step was decided from a JSM answer. */
  decided: number[];
  /** Per connection, what went wrong talking to Jira (the poll retries next time). */
  errors: { connectionId: number; error: string }[];
  /** What the poll noticed without failing (a pager bound hit, a page repeated by the site). */
  warnings: string[];
  /** Access-review answers read back from reviewer issues (review-answers.ts). */
  reviews?: ReviewAnswers;
};

const fieldsToRead = (f: JiraFieldMap): string[] => ['summary', 'description', 'created', 'reporter', 'status', 'labels', f.beneficiaryEmail, f.access, f.duration];

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** A portal request's fields as a request; throws UserError naming what is missing. */
export function requestFromIssue(issue: JiraIssue, fields: JiraFieldMap = JIRA_FIELDS): { input: CreateRequestInput; requester: string } {
  const requester = issue.reporter?.email ?? null;
  const beneficiary = text(issue.fields[fields.beneficiaryEmail]) ?? requester;
  if (!beneficiary) {
    // Say which: a reporter whose e-mail is hidden, or no reporter at all (a deleted account, an import, an automation).
    throw new UserError(
      issue.reporter === null || issue.reporter.accountId === ''
        ? 'the request names no beneficiary e-mail, and the issue has no reporter to take it from'
        : `the request names no beneficiary e-mail, and the reporter's (${issue.reporter.displayName || issue.reporter.accountId}) e-mail is hidden by their Atlassian privacy settings`,
      'bad-input',
    );
  }
  const access = text(issue.fields[fields.access]);
  if (!access) throw new UserError('the request names no access ("App / Role", as the Latchkey catalog lists it)', 'bad-input');
  const durationText = text(issue.fields[fields.duration]);
  if (!durationText) throw new UserError('the request names no duration (permanent, 1h, 6h, 24h, 7d, 30d, or a length like 90m)', 'bad-input');
  const { duration, minutes } = parseDuration(durationText);
  const justification = adfToText(issue.description).slice(0, 4000) || issue.summary;
  return {
    input: { beneficiary: { email: beneficiary }, role: access, duration, ...(minutes !== null ? { minutes } : {}), justification },
    requester: requester ?? beneficiary,
  };
}

/** A JQL date ("yyyy-MM-dd HH:mm") for an instant, in the account's time zone (JQL reads dates in it). */
export function jqlDate(at: Date, timeZone: string | null): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: timeZone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

const jqlString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Writes the refusal to the portal request: a comment with the reason, then Declined (best effort: the comment is what matters). */
async function refuse(ctx: EngineContext, connectionId: number, client: JiraClient, issue: JiraIssue, reason: string, names: JiraStatusMap): Promise<void> {
  // Like every comment Latchkey writes, it ends with the audit chain's head (jira/audit-anchors.ts).
  await addAnchoredComment(
    ctx,
    client,
    { connectionId, issueKey: issue.key },
    `Latchkey could not accept this access request: ${reason}.\nNothing was granted. Please raise a new request with the missing or corrected details.`,
    { key: 'latchkey.import', value: { rejected: true } },
  );
  try {
    // A workflow without a declined status (`missing`): the comment stands on its own.
    await transitionTo(client, issue.key, 'declined', names);
  } catch (e) {
    if (e instanceof JiraApiError && e.transient) throw e;
  }
}

async function importRequests(ctx: EngineContext, connectionId: number, client: JiraClient, tuning: { projectKey: string; serviceDeskId: string; requestTypeId: string }, result: JsmImportResult): Promise<void> {
  const record = getConnectionRecord(ctx.db, connectionId);
  const state = pollState(record);
  const fields = jiraFieldsOf(record.settings.jira?.fields);
  let requestTypeName = state.requestTypeName;
  if (!requestTypeName) {
    requestTypeName = (await client.requestType(tuning.serviceDeskId, tuning.requestTypeId)).name;
    savePollState(ctx.db, connectionId, { requestTypeName }, ctx.clock.now());
  }
  let timeZone = state.timeZone;
  if (!timeZone) {
    timeZone = (await client.myself()).timeZone ?? 'UTC';
    savePollState(ctx.db, connectionId, { timeZone }, ctx.clock.now());
  }
  const since = state.position ? ` AND created >= ${jqlString(jqlDate(new Date(state.position), timeZone))}` : '';
  const jql = `project = ${jqlString(tuning.projectKey)} AND "Request Type" = ${jqlString(requestTypeName)}${since} ORDER BY created ASC`;
  const issues = await client.search(jql, fieldsToRead(fields), 500);
  let position = state.position;
  const rejected = new Set(state.rejectedIssues);
  for (const issue of issues) {
    if (issue.created && (!position || Date.parse(issue.created) > Date.parse(position))) position = new Date(Date.parse(issue.created)).toISOString();
    if (requestOfIssue(ctx.db, connectionId, issue.key) !== null || rejected.has(issue.key)) continue;
    // An access review's reviewer issue (same request type: its approval is the reviewer's answer) is not a portal request for access.
    if (issue.labels.includes(REVIEW_ISSUE_LABEL) || reviewerOfIssue(ctx.db, connectionId, issue.key) !== null) continue;
    try {
      const { input, requester } = requestFromIssue(issue, fields);
      const row = createRequest(ctx, input, { source: 'jira', requester, jira: { connectionId, issueKey: issue.key, issueId: issue.id }, quiet: true });
      result.imported.push(row.id);
    } catch (e) {
      // Imported meanwhile by another poll (the unique index): nothing to do.
      if (e instanceof Error && /UNIQUE constraint failed: requests/.test(e.message)) continue;
      if (!(e instanceof UserError)) throw e;
      await refuse(ctx, connectionId, client, issue, e.message, jiraStatusesOf(record.settings.jira?.statuses));
      rejected.add(issue.key);
      result.skipped.push({ issueKey: issue.key, reason: e.message });
      savePollState(ctx.db, connectionId, { rejectedIssues: [...rejected].slice(-2000) }, ctx.clock.now());
    }
  }
  savePollState(ctx.db, connectionId, { position }, ctx.clock.now());
}

async function readApprovals(ctx: EngineContext, connectionId: number, client: JiraClient, result: JsmImportResult): Promise<void> {
  for (const { id, issueKey } of pendingJiraRequests(ctx.db, connectionId, 200)) {
    const r = { id, jira_issue_key: issueKey };
    const handled = new Set(pollState(getConnectionRecord(ctx.db, connectionId)).handledApprovals);
    let approvals;
    try {
      approvals = await client.approvals(r.jira_issue_key);
    } catch (e) {
      // Not a customer request any more (moved, deleted): nothing to read back.
      if (e instanceof JiraApiError && e.kind === 'not-found') continue;
      throw e;
    }
    for (const a of approvals) {
      for (const ap of a.approvers) {
        if (ap.decision === 'pending') continue;
        const mark = `${r.jira_issue_key}/${a.id}/${ap.accountId}`;
        if (handled.has(mark)) continue;
        if (ap.email && decisionRecorded(ctx.db, r.id, ap.email, 'jira')) continue;
        const verb = ap.decision === 'approved' ? 'approval' : 'decline';
        let why: string | null = null;
        if (!ap.email) why = "the approver's e-mail is hidden by their Atlassian privacy settings, so Latchkey cannot tell who they are";
        else {
          try {
            decideRequest(ctx, r.id, {
              decision: ap.decision === 'approved' ? 'approve' : 'deny',
              comment: `${ap.decision === 'approved' ? 'Approved' : 'Declined'} in Jira Service Management (${r.jira_issue_key}, approval ${a.id})`,
              by: ap.email,
              channel: 'jira',
              quiet: true,
            });
            result.decided.push(r.id);
          } catch (e) {
            if (!(e instanceof UserError)) throw e;
            why = e.message;
          }
        }
        if (why !== null) {
          await addAnchoredComment(
            ctx,
            client,
            { connectionId, issueKey: r.jira_issue_key },
            `Latchkey did not record the ${verb} by ${ap.displayName || ap.email || ap.accountId}: ${why}.\nThe request stays open in Latchkey until an eligible approver decides.`,
            { key: 'latchkey.approval', value: { approval: a.id, accountId: ap.accountId, recorded: false } },
          );
        }
        handled.add(mark);
        savePollState(ctx.db, connectionId, { handledApprovals: [...handled] }, ctx.clock.now());
      }
    }
  }
}

export type PollOptions = JiraClientTuning & { connectionId?: number };

/** Polls every Jira connection with a JSM request type (or the one given) once; a no-op when none is configured or the workspace is read-only. */
export async function pollJiraRequests(ctx: EngineContext, options: PollOptions = {}): Promise<JsmImportResult> {
  const result: JsmImportResult = { imported: [], skipped: [], decided: [], errors: [], warnings: [] };
  if (ctx.readOnly) return result;
  const { connectionId: only, ...tuning } = options;
  const targets = listConnectionRecords(ctx.db).filter((c) => c.kind === 'jira' && c.settings.jira && (only === undefined || c.id === only));
  for (const c of targets) {
    const jira = c.settings.jira;
    try {
      const site = await openJiraSite(ctx, c.id, tuning);
      if (jira?.serviceDeskId && jira.requestTypeId) {
        await importRequests(ctx, c.id, site.client, { projectKey: jira.projectKey, serviceDeskId: jira.serviceDeskId, requestTypeId: jira.requestTypeId }, result);
        await readApprovals(ctx, c.id, site.client, result);
      }
      // Reviewers' JSM approvals on their review issues (approve = keep all their undecided items).
      const answers = await readReviewAnswers(ctx, c.id, site.client);
      result.reviews = { recorded: [...(result.reviews?.recorded ?? []), ...answers.recorded], refused: [...(result.reviews?.refused ?? []), ...answers.refused] };
      const warnings = site.client.takeWarnings();
      result.warnings.push(...warnings);
      savePollState(ctx.db, c.id, { lastPollAt: ctx.clock.now().toISOString(), lastError: null, lastWarnings: warnings.slice(0, 20) }, ctx.clock.now());
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      result.errors.push({ connectionId: c.id, error });
      savePollState(ctx.db, c.id, { lastPollAt: ctx.clock.now().toISOString(), lastError: error }, ctx.clock.now());
    }
  }
  const ids = [...new Set([...result.imported, ...result.decided])];
  if (ids.length > 0) ctx.events.emit('governance:changed', { area: 'requests', ids });
  return result;
}
