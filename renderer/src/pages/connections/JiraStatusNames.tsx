// The Jira connection's workflow status names (waiting, approved, done, declined): shown on its card and edited in place.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { JiraStatusNames as Names } from '../../../../shared/contract-jira.js';
import { errorMessage } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { toast } from '../../stores/toast-store.js';

/** The statuses Latchkey moves an issue through, with their defaults (what the sandbox and JSM's approval workflow call them). */
export const STATUS_ROWS: readonly { key: keyof Names; label: string; fallback: string }[] = [
  { key: 'waiting', label: 'Waiting for approval', fallback: 'Waiting for approval' },
  { key: 'approved', label: 'Approved (work in progress)', fallback: 'In progress' },
  { key: 'done', label: 'Done', fallback: 'Done' },
  { key: 'declined', label: 'Declined', fallback: 'Declined' },
];

/** Blank inputs mean "the default"; only names that differ are sent. */
export function ownStatuses(values: Readonly<Record<keyof Names, string>>): Partial<Names> {
  const out: Partial<Names> = {};
  for (const r of STATUS_ROWS) {
    const v = values[r.key].trim();
    if (v !== '' && v !== r.fallback) out[r.key] = v;
  }
  return out;
}

/** `names` is what the engine uses now (jira:status); Save writes through the store. */
export function JiraStatusNames({ connectionId, names, idPrefix }: { connectionId: number; names: Names; idPrefix: string }): ReactNode {
  const save = useConnectionsStore((s) => s.setJiraStatuses);
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<keyof Names, string>>(names);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await save(connectionId, ownStatuses(values));
      toast.success('Later write-backs move issues through these statuses. Test the connection to check them against the workflow.', 'Status names saved');
      setEditing(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  if (!editing) {
    return (
      <p className="muted" data-testid="jira-status-names">
        Statuses: {STATUS_ROWS.map((r) => `${r.label} → “${names[r.key]}”`).join(' · ')}{' '}
        <WriteButton
          className="btn btn-sm"
          onClick={() => {
            setValues(names);
            setEditing(true);
          }}
        >
          Edit status names
        </WriteButton>
      </p>
    );
  }
  return (
    <form className="fieldset" onSubmit={(e) => void submit(e)} aria-label="Workflow status names">
      <p className="field-hint">The status names of this project's workflow that Latchkey moves a request's issue to. Blank: the default. A status the workflow lacks is not a failure: the issue gets a comment and the request a warning.</p>
      <div className="form-row form-row-even">
        {STATUS_ROWS.map((r) => (
          <div className="field" key={r.key}>
            <label htmlFor={`${idPrefix}-status-${r.key}`}>{r.label}</label>
            <input id={`${idPrefix}-status-${r.key}`} value={values[r.key]} placeholder={r.fallback} onChange={(e) => setValues((v) => ({ ...v, [r.key]: e.target.value }))} />
          </div>
        ))}
      </div>
      {error ? <InlineError title="Status names" message={error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-sm" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <WriteButton type="submit" className="btn btn-sm btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save status names'}
        </WriteButton>
      </div>
    </form>
  );
}
