// Needs attention › Manual tasks: changes Latchkey cannot make in the IdP itself, with what to do,
// closed with evidence that it was done (or cancelled).
import { useState, type ReactNode } from 'react';
import type { ManualTaskView } from '../../../../shared/contract-jobs.js';
import { Badge } from '../../components/Badges.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useJobsStore } from '../../stores/jobs-store.js';

/** Open manual tasks: why Latchkey can't, what to do, and the evidence that it was done. */
export function ManualTasks({ tasks }: { tasks: ManualTaskView[] }): ReactNode {
  const { act, busy } = useJobsStore();
  const [evidence, setEvidence] = useState<Record<number, string>>({});
  if (tasks.length === 0) return <p className="muted attention-none">No open manual tasks.</p>;
  return (
    <ul className="attention-list">
      {tasks.map((t) => {
        const text = evidence[t.id] ?? '';
        const key = `task:${t.id}`;
        return (
          <li key={t.id} className="attention-item" data-testid={`manual-task-${t.id}`}>
            <div className="attention-item-head">
              <Badge tone="amber">{t.action === 'add' ? 'Add by hand' : 'Remove by hand'}</Badge>
              <strong>
                {t.beneficiary ?? 'someone'} {t.action === 'add' ? '→' : '✕'} {t.groupName ?? '?'}
              </strong>
              <span className="muted">
                task #{t.id} · opened <RelativeTime iso={t.createdAt} />
              </span>
              {t.requestId !== null ? (
                <a className="link-subtle" href={formatRoute(routes.request(t.requestId))}>
                  request #{t.requestId}
                </a>
              ) : null}
            </div>
            <p className="attention-reason">{t.reason}</p>
            <p className="attention-instructions">{t.instructions}</p>
            <form
              className="attention-evidence"
              onSubmit={(e) => {
                e.preventDefault();
                void act(key, 'jobs:completeTask', { taskId: t.id, evidence: text }, `Task #${t.id} marked done`);
              }}
            >
              <label htmlFor={`evidence-${t.id}`}>Evidence</label>
              <textarea
                id={`evidence-${t.id}`}
                className="input"
                rows={2}
                placeholder="What was done, where, by whom (ticket, change record, screenshot reference)"
                value={text}
                onChange={(e) => setEvidence({ ...evidence, [t.id]: e.target.value })}
              />
              <div className="attention-actions">
                <WriteButton type="submit" className="btn btn-sm btn-primary" disabled={text.trim() === '' || busy.has(key)} title={text.trim() === '' ? 'Write the evidence first' : undefined}>
                  Mark done
                </WriteButton>
                <WriteButton
                  className="btn btn-sm"
                  disabled={busy.has(key)}
                  onClick={() => void act(key, 'jobs:cancelTask', { taskId: t.id, reason: text.trim() || 'cancelled from Needs attention' }, `Task #${t.id} cancelled`)}
                >
                  Cancel task
                </WriteButton>
              </div>
            </form>
          </li>
        );
      })}
    </ul>
  );
}
