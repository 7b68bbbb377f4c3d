// One request (#/requests/:id): status, who asked for whom and why, each
// approval step with who may decide it, the decision buttons (with comment)
// when the operator may decide, the grants with their expiry and an Extend
// button for active time-bound access, the Jira record as Latchkey wrote it,
// the jobs, and the full timeline.
import { useOperatorStore } from '../../stores/operator-store.js';
import { useState, type ReactNode } from 'react';
import type { DurationOption, JiraRecordEntry, RequestDetail as Detail } from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { AbsoluteTime } from '../../components/AbsoluteTime.js';
import { Badge, type Tone } from '../../components/Badges.js';
import { useFormErrors } from '../../components/FormFields.js';
import { IconExternal } from '../../components/Icons.js';
import { InlineError } from '../../components/InlineError.js';
import { RecordForOther } from './RecordForOther.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatDateTime, jobAttemptsText, withLocalTimes } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useReadOnly } from '../../stores/app-store.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { toast } from '../../stores/toast-store.js';
import { AccessBadge, accessWords, durationLabel, durationText, RequestStatusBadge, RiskBadge, STEP_LABEL } from './RequestParts.js';

export function RequestDetail({ id }: { id: number }): ReactNode {
  const version = useRequestsStore((s) => s.version);
  const state = useAsync(`request|${id}`, (signal) => api.call('requests:get', { id }, { signal }), version);
  const d = state.data;
  return (
    <div className="page">
      <p className="req-back">
        <a className="link" href={formatRoute(routes.requests('all'))}>
          ← All requests
        </a>
      </p>
      {state.status === 'error' && !d ? <InlineError title={`Couldn’t load request #${id}`} message={state.error} onRetry={state.reload} /> : null}
      {d ? <DetailBody d={d} /> : state.status !== 'error' ? <SkeletonLines lines={10} label="Loading request" /> : null}
    </div>
  );
}

function DetailBody({ d }: { d: Detail }): ReactNode {
  const operator = useOperatorStore((s) => s.person);
  const onBehalf = d.beneficiary.email !== null && d.beneficiary.email.toLowerCase() !== d.requester.toLowerCase();
  const facts: [string, ReactNode][] = [
    ['For', <span key="b">{d.beneficiary.name}{d.beneficiary.email ? <span className="muted"> · {d.beneficiary.email}</span> : null}</span>],
    ['Requested by', <span key="r">{d.requester}{onBehalf ? <span className="muted"> (on behalf)</span> : null}</span>],
    ['Duration', durationText(d.duration, d.durationMinutes)],
    ...endFact(d),
    ['Source', d.source === 'extend' ? 'Extension' : d.source === 'jira' ? 'Jira Service Management' : d.source === 'csv' ? 'CSV import' : d.source === 'cli' ? 'Command line' : 'Console'],
    ['Created', <RelativeTime key="c" iso={d.createdAt} />],
    ['Decided', d.decidedAt ? <RelativeTime key="dd" iso={d.decidedAt} /> : '—'],
    [
      'Jira',
      d.jira ? (
        d.jira.url ? (
          <a key="j" className="link" href={d.jira.url} target="_blank" rel="noopener noreferrer">
            {d.jira.key} <IconExternal size={12} />
          </a>
        ) : (
          d.jira.key
        )
      ) : (
        <span key="j" className="muted">Not recorded yet</span>
      ),
    ],
  ];
  return (
    <div className="req-detail">
      <header className="page-header">
        <div>
          <h1>
            <span className="muted tabular">#{d.id}</span> {d.roleLabel}
          </h1>
          <div className="detail-sub">
            <RequestStatusBadge status={d.status} escalated={d.escalated} />
            <RiskBadge risk={d.risk} />
            {accessWords(d) ? <span className="muted req-access-words">{accessWords(d)}</span> : null}
          </div>
        </div>
      </header>
      <section aria-label="About this request">
        <dl className="facts">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <p className="req-why">
          <span className="muted">Justification: </span>
          {d.justification}
        </p>
      </section>
      {d.status === 'pending' ? <DecisionPanel d={d} operator={operator} /> : null}
      <Steps d={d} />
      <Grants d={d} />
      <JiraRecordCard d={d} />
      {d.jobs.length > 0 ? <Jobs d={d} /> : null}
      <Timeline d={d} />
    </div>
  );
}

/**
 * When the access ends, in the words its state calls for: "Access ended" with
 * the time once it is over, "Access ends" while it is held, the requested end
 * while the request waits. No "Ends by —" when there is an end; nothing at
 * all for a request that never got access.
 */
function endFact(d: Detail): [string, ReactNode][] {
  if (d.accessEndedAt) return [['Access ended', <AbsoluteTime key="e" iso={d.accessEndedAt} />]];
  if (d.status === 'approved' && d.access !== null) {
    if (d.expiresAt) {
      return [['Access ends', <span key="e"><AbsoluteTime iso={d.expiresAt} /> <span className="muted">(<RelativeTime iso={d.expiresAt} kind="deadline" />)</span></span>]];
    }
    return [['Access ends', d.access === 'revoking' ? 'Now (being removed)' : 'Never (permanent)']];
  }
  if (d.status === 'pending') {
    if (d.endsAt) return [['Ends by', <AbsoluteTime key="e" iso={d.endsAt} />]];
    return [['Ends', d.duration === 'permanent' ? 'Never (permanent)' : `${durationText(d.duration, d.durationMinutes)} after approval`]];
  }
  return [];
}

function DecisionPanel({ d, operator }: { d: Detail; operator: string | null }): ReactNode {
  const write = useRequestsStore((s) => s.write);
  const readOnly = useReadOnly();
  const [comment, setComment] = useState('');
  // Set by a Deny without a comment: the message stays only while the comment is still empty.
  const [denyAsked, setDenyAsked] = useState(false);
  const errors = useFormErrors<'comment'>(`req-decide-${d.id}`, ['comment'], { comment: denyAsked && comment.trim() === '' && 'A comment is required to deny: say why.' });
  const [busy, setBusy] = useState(false);
  const w = d.waitingOn;
  const mayDecide = operator !== null && w !== null && w.approvers.includes(operator.toLowerCase());
  const why = operator === null ? 'Sign in (top right) to decide.' : mayDecide ? null : `${operator} is not an approver of this step.`;
  const act = async (what: 'approve' | 'deny' | 'cancel'): Promise<void> => {
    const missing = what === 'deny' && comment.trim() === '';
    setDenyAsked(missing);
    errors.begin();
    if (missing) return;
    setBusy(true);
    try {
      const row =
        what === 'cancel'
          ? await write('requests:cancel', { id: d.id, reason: comment })
          : await write('requests:decide', { id: d.id, decision: what, comment });
      toast.success(row.status === 'pending' ? `Now waiting for ${row.waitingOn?.approvers.join(', ') ?? 'the next step'}` : `Request #${d.id} is ${row.status}`);
      setComment('');
    } catch (e) {
      errors.fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card card-flush req-decide" aria-labelledby="req-decide-title">
      <div className="card-head">
        <h2 id="req-decide-title">{w ? `Step ${w.step}: ${STEP_LABEL[w.kind]}` : 'Decision'}</h2>
      </div>
      <div className="card-body">
        <p>
          Waiting for <strong>{w?.approvers.join(', ') ?? 'nobody'}</strong>.
        </p>
        <div className="field">
          <label htmlFor="req-comment">Comment</label>
          <textarea
            id="req-comment"
            className="input textarea"
            rows={2}
            value={comment}
            disabled={readOnly}
            placeholder="Recorded with the decision and written to Jira (required to deny)"
            aria-invalid={errors.fe.invalid('comment')}
            aria-describedby={errors.fe.describedBy('comment')}
            onChange={(e) => {
              errors.edited('comment');
              setComment(e.target.value);
            }}
          />
          {errors.fe.errorText('comment')}
        </div>
        {why ? (
          <p className="field-hint" id="req-decide-why">
            {why}
          </p>
        ) : null}
        {errors.form ? <InlineError title="Not done" message={errors.form} /> : null}
        <div className="form-actions req-actions">
          <WriteButton className="btn" disabled={busy} onClick={() => void act('cancel')} title="Withdraw this request">
            Cancel request
          </WriteButton>
          <span className="toolbar-spacer" />
          <WriteButton className="btn" disabled={busy || !mayDecide} aria-describedby={why ? 'req-decide-why' : undefined} onClick={() => void act('deny')}>
            Deny
          </WriteButton>
          <WriteButton className="btn btn-primary" disabled={busy || !mayDecide} aria-describedby={why ? 'req-decide-why' : undefined} onClick={() => void act('approve')}>
            Approve
          </WriteButton>
        </div>
        {operator !== null && w !== null ? <RecordForOther d={d} operator={operator} approvers={w.approvers.filter((a) => a !== operator.toLowerCase())} /> : null}
      </div>
    </section>
  );
}

function Steps({ d }: { d: Detail }): ReactNode {
  const tone = { waiting: 'neutral', pending: 'blue', approved: 'green', denied: 'red', skipped: 'neutral' } as const;
  return (
    <section className="card card-flush" aria-labelledby="req-steps-title">
      <div className="card-head">
        <h2 id="req-steps-title">Approval steps</h2>
      </div>
      <ol className="req-steps">
        {d.approvals.map((a) => (
          <li key={a.step} className="req-step">
            <span className="req-step-n tabular">{a.step}</span>
            <div>
              <div className="req-step-head">
                <strong>{STEP_LABEL[a.kind]}</strong>
                <Badge tone={tone[a.status]}>{a.status[0]?.toUpperCase() + a.status.slice(1)}</Badge>
              </div>
              {a.approvers.length > 0 ? <div className="muted">Approvers: {a.approvers.join(', ')}</div> : null}
              {a.decidedBy ? (
                <div className="muted">
                  {a.status === 'denied' ? 'Denied' : 'Approved'} by {a.decidedBy} via {a.channel} · <AbsoluteTime iso={a.decidedAt} />
                </div>
              ) : null}
              {a.recorded ? (
                <div className="muted" data-testid="req-step-recorded">
                  Recorded by {a.recorded.by}: {a.recorded.reason} · evidence: <span className="mono">{a.recorded.evidence}</span>
                </div>
              ) : null}
              {a.comment ? <div className="req-comment">“{a.comment}”</div> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Grants({ d }: { d: Detail }): ReactNode {
  const [extending, setExtending] = useState(false);
  const extendable = d.status === 'approved' && d.grants.some((g) => g.status === 'active' && g.expiresAt !== null);
  return (
    <section className="card card-flush" aria-labelledby="req-grants-title">
      <div className="card-head">
        <h2 id="req-grants-title">Access</h2>
        {extendable && !extending ? (
          <WriteButton className="btn btn-sm" onClick={() => setExtending(true)}>
            Extend…
          </WriteButton>
        ) : null}
      </div>
      <div className="card-body">
        {d.grants.length === 0 ? (
          <p className="muted">{d.status === 'pending' ? 'Granted when the last step is approved.' : 'No access was granted.'}</p>
        ) : (
          <ul className="req-grants">
            {d.grants.map((g) => (
              <li key={g.id}>
                <AccessBadge access={g.status} /> <span className="cell-strong">{g.groupName}</span>{' '}
                <span className="muted">({g.connectionName ?? `connection #${g.connectionId}`})</span>{' '}
                <span className="muted">
                  {g.endedAt ? (
                    <>ended <AbsoluteTime iso={g.endedAt} /></>
                  ) : g.expiresAt ? (
                    <>
                      until <AbsoluteTime iso={g.expiresAt} /> (<RelativeTime iso={g.expiresAt} kind="deadline" />)
                    </>
                  ) : (
                    'permanent'
                  )}
                  {g.endReason ? ` · ${withLocalTimes(g.endReason)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
        {extending ? <ExtendForm d={d} onDone={() => setExtending(false)} /> : null}
      </div>
    </section>
  );
}

function ExtendForm({ d, onDone }: { d: Detail; onDone: () => void }): ReactNode {
  const roles = useRequestsStore((s) => s.roles);
  const write = useRequestsStore((s) => s.write);
  const durations: DurationOption[] = (roles?.find((r) => r.id === d.roleId)?.durations ?? ['24h', '7d', '30d']).filter((x) => x !== 'custom');
  const [duration, setDuration] = useState<DurationOption>(durations.includes(d.duration) ? d.duration : (durations[0] ?? '24h'));
  const [why, setWhy] = useState('');
  const errors = useFormErrors<'duration' | 'justification'>(`req-extend-${d.id}`, ['duration', 'justification'], {
    justification: why.trim() === '' && 'Say why more time is needed.',
  });
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    if (!errors.begin()) return;
    setBusy(true);
    try {
      const row = await write('requests:extend', { requestId: d.id, duration, justification: why });
      toast.success(row.status === 'approved' ? 'Extended (auto-approved)' : `Extension #${row.id} waits for ${row.waitingOn?.approvers.join(', ') ?? 'approval'}`);
      onDone();
    } catch (e) {
      errors.fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="req-extend" role="group" aria-label="Extend access">
      <div className="form-row">
        <div className="field">
          <label htmlFor="ext-duration">New period, from approval</label>
          <select
            id="ext-duration"
            className="input select"
            value={duration}
            onChange={(e) => {
              errors.edited('duration');
              setDuration(e.target.value as DurationOption);
            }}
          >
            {durations.map((x) => (
              <option key={x} value={x}>
                {durationLabel(x)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-wide">
          <label htmlFor="ext-why">Justification</label>
          <input
            id="ext-why"
            className="input"
            value={why}
            onChange={(e) => {
              errors.edited('justification');
              setWhy(e.target.value);
            }}
            placeholder="Why is more time needed?"
            aria-invalid={errors.fe.invalid('justification')}
            aria-describedby={errors.fe.describedBy('justification')}
          />
          {errors.fe.errorText('justification')}
        </div>
      </div>
      {errors.form ? <InlineError title="Not extended" message={errors.form} /> : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <WriteButton className="btn btn-primary" disabled={busy} onClick={() => void submit()}>
          Request extension
        </WriteButton>
      </div>
    </div>
  );
}

const JIRA_EVENT: Record<string, string> = {
  created: 'Request recorded',
  'step-opened': 'Step opened',
  approved: 'Approved',
  denied: 'Denied',
  escalated: 'Escalated',
  'expired-pending': 'Closed without a decision',
  cancelled: 'Cancelled',
  provisioned: 'Access provisioned',
  'provision-failed': 'A change failed',
  'manual-task': 'Manual task opened',
  notice: 'Expiry notice',
  revoked: 'Access revoked',
  'grant-expired': 'Access expired',
  drift: 'Drift',
};

const JIRA_STATE: Record<JiraRecordEntry['state'], { word: string; tone: Tone }> = {
  queued: { word: 'Queued', tone: 'blue' },
  retrying: { word: 'Retrying', tone: 'amber' },
  sending: { word: 'Sending', tone: 'blue' },
  written: { word: 'Written', tone: 'green' },
  failed: { word: 'Failed', tone: 'red' },
  cancelled: { word: 'Cancelled', tone: 'neutral' },
};

/** When an update was written, or why and until when it waits. */
function jiraWhen(e: JiraRecordEntry): string {
  switch (e.state) {
    case 'written':
      return `written ${formatDateTime(e.writtenAt)}`;
    case 'failed':
      return `gave up ${formatDateTime(e.failedAt)} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`;
    case 'cancelled':
      return `cancelled ${formatDateTime(e.failedAt)}`;
    case 'sending':
      return `queued ${formatDateTime(e.queuedAt)}, being sent`;
    case 'retrying':
      return `queued ${formatDateTime(e.queuedAt)} · ${e.attempts} attempt${e.attempts === 1 ? '' : 's'} so far, next ${formatDateTime(e.nextTryAt)}`;
    case 'queued':
      return `queued ${formatDateTime(e.queuedAt)}`;
  }
}

/**
 * The request's record in Jira as Latchkey wrote it (its outbox): each
 * comment word for word, where it moved the issue, and when it was written,
 * or that it still waits and why. The link opens the issue itself.
 */
function JiraRecordCard({ d }: { d: Detail }): ReactNode {
  const r = d.jiraRecord;
  const key = d.jira?.key ?? null;
  return (
    <section className="card card-flush" aria-labelledby="req-jira-title">
      <div className="card-head">
        <h2 id="req-jira-title">Jira record{key ? ` · ${key}` : ''}</h2>
        {d.jira?.url ? (
          <a className="btn btn-sm" href={d.jira.url} target="_blank" rel="noopener noreferrer">
            Open {d.jira.key} in Jira <IconExternal size={12} />
          </a>
        ) : null}
      </div>
      <div className="card-body">
        {r.entries.length === 0 ? (
          <p className="muted">
            {key ? `Linked to ${key}; Latchkey has written nothing to it yet.` : 'Nothing was recorded in Jira for this request: no Jira connection was configured.'}
          </p>
        ) : (
          <>
            <p className="req-jira-status">
              <span className="muted">Status in Jira, as Latchkey last set it: </span>
              {r.status ? (
                <>
                  <strong>{r.status}</strong> <span className="muted">· {formatDateTime(r.statusAt)}</span>
                </>
              ) : (
                <span className="muted">not set yet</span>
              )}
              {key ? null : <span className="muted"> · the issue is created by the first update</span>}
            </p>
            <ol className="req-jira" aria-label="Updates written to Jira">
              {r.entries.map((e) => (
                <li key={e.jobId} className="req-jira-entry">
                  <div className="req-jira-head">
                    <Badge tone={JIRA_STATE[e.state].tone}>{JIRA_STATE[e.state].word}</Badge>
                    <strong>{JIRA_EVENT[e.event] ?? e.event}</strong>
                    {e.transitionTo ? <span className="muted">→ {e.transitionTo}</span> : null}
                    <span className="muted req-jira-when">{jiraWhen(e)}</span>
                  </div>
                  <p className="req-jira-comment">{withLocalTimes(e.comment)}</p>
                  {e.commented === 'skipped' ? <p className="field-hint">Written as the description of the issue Latchkey created, not as a comment.</p> : null}
                  {e.lastError && e.state !== 'written' ? <p className="field-error">{e.lastError}</p> : null}
                  {e.warnings.map((w) => (
                    <p key={w} className="field-hint text-warn" role="note">
                      Warning: {w}
                    </p>
                  ))}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </section>
  );
}

function Jobs({ d }: { d: Detail }): ReactNode {
  return (
    <section className="card card-flush" aria-labelledby="req-jobs-title">
      <div className="card-head">
        <h2 id="req-jobs-title">Jobs</h2>
      </div>
      <ul className="req-jobs card-body">
        {d.jobs.map((j) => (
          <li key={j.id}>
            <Badge tone={j.status === 'succeeded' ? 'green' : j.status === 'failed' ? 'red' : j.status === 'manual' ? 'amber' : 'blue'}>{j.status}</Badge> {j.summary}
            <span className="muted">
              {' '}
              · {jobAttemptsText(j)}
              {j.status === 'queued' && j.attempts > 0 ? (
                <>
                  {' '}
                  (next try <RelativeTime iso={j.runAfter} kind="deadline" />)
                </>
              ) : null}
              {j.lastError && j.status !== 'succeeded' ? ` · ${j.lastError}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Timeline({ d }: { d: Detail }): ReactNode {
  return (
    <section className="card card-flush" aria-labelledby="req-timeline-title">
      <div className="card-head">
        <h2 id="req-timeline-title">Timeline</h2>
      </div>
      <ol className="req-timeline card-body">
        {d.timeline.map((t, i) => (
          <li key={i} className={`req-tl req-tl-${t.kind}`}>
            <AbsoluteTime iso={t.at} className="muted tabular" />
            <div>
              <div>{withLocalTimes(t.text)}</div>
              {t.actor ? <div className="muted">{t.actor}</div> : null}
              {t.detail ? <div className="req-comment">{withLocalTimes(t.detail)}</div> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
