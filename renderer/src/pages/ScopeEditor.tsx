import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ConnectionSummary, SyncScope } from '../../../shared/domain.js';
import { ApiError, errorMessage } from '../api/client.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { splitFieldErrors } from '../lib/field-errors.js';
import { groupTypeChoices, patternError, splitList } from '../lib/scope.js';
import { useConnectionsStore } from '../stores/connections-store.js';

const FIELDS = ['scope.groups.prefixes', 'scope.groups.pattern', 'scope.groups.types', 'scope.apps.include', 'scope'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Edits what one connection syncs: groups by name prefix or pattern and by
 * type, and which apps. The engine applies it from the next sync, which it
 * makes a full one (objects now out of scope must leave the snapshot).
 */
export function ScopeEditor({
  connection: c,
  onSaved,
  onCancel,
}: {
  connection: ConnectionSummary;
  onSaved: (updated: ConnectionSummary) => void;
  onCancel: () => void;
}): ReactNode {
  const id = useId();
  const setScope = useConnectionsStore((s) => s.setScope);
  const [prefixes, setPrefixes] = useState(c.scope.groups.prefixes.join(', '));
  const [pattern, setPattern] = useState(c.scope.groups.pattern ?? '');
  const [types, setTypes] = useState<string[]>(c.scope.groups.types);
  const [apps, setApps] = useState(c.scope.apps.include.join(', '));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<Field, string>>; form: string | null }>({ fields: {}, form: null });

  const known = groupTypeChoices[c.kind];
  // Types saved earlier that this list does not know (typed by hand through the CLI, say) stay visible and kept.
  const choices = [...known, ...types.filter((t) => !known.some((k) => k.value === t)).map((t) => ({ value: t, label: t }))];
  const localPatternError = patternError(pattern);
  const fieldError = (f: Field): string | undefined => (f === 'scope.groups.pattern' ? (localPatternError ?? errors.fields[f]) : errors.fields[f]);
  const errorText = (f: Field): ReactNode =>
    fieldError(f) ? (
      <p className="field-error" id={`${id}-${f}-err`}>
        {fieldError(f)}
      </p>
    ) : null;
  const describedBy = (f: Field, hint?: string): string | undefined =>
    [fieldError(f) ? `${id}-${f}-err` : null, hint ?? null].filter(Boolean).join(' ') || undefined;

  const scope = (): SyncScope => ({
    groups: { prefixes: splitList(prefixes), pattern: pattern.trim() === '' ? null : pattern.trim(), types },
    apps: { include: splitList(apps) },
  });

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (localPatternError) return;
    setBusy(true);
    setErrors({ fields: {}, form: null });
    try {
      onSaved(await setScope(c.id, scope()));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'bad-input') setErrors(splitFieldErrors(error.message, FIELDS));
      else setErrors({ fields: {}, form: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  const clear = (): void => {
    setPrefixes('');
    setPattern('');
    setTypes([]);
    setApps('');
  };

  return (
    <form className="scope-editor" aria-label={`Sync scope of ${c.name}`} onSubmit={(e) => void submit(e)} noValidate>
      {errors.form ? <InlineError title="The scope was not saved" message={errors.form} /> : null}
      <p className="field-hint">
        Limit what this connection syncs, as large orgs need: groups out of scope are not stored and their memberships
        are not fetched; apps out of scope are not stored. Leave everything empty to sync it all.
      </p>
      <div className="form-row form-row-even">
        <div className="field">
          <label htmlFor={`${id}-prefixes`}>Group name prefixes</label>
          <input
            id={`${id}-prefixes`}
            className="input"
            value={prefixes}
            onChange={(e) => setPrefixes(e.target.value)}
            placeholder="App-, SG-, Team-"
            aria-invalid={fieldError('scope.groups.prefixes') ? true : undefined}
            aria-describedby={describedBy('scope.groups.prefixes', `${id}-prefixes-hint`)}
            autoComplete="off"
            spellCheck={false}
          />
          <p className="field-hint" id={`${id}-prefixes-hint`}>
            Comma-separated, case-insensitive. A group is kept when its name starts with one of them or matches the
            pattern.
          </p>
          {errorText('scope.groups.prefixes')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-pattern`}>Group name pattern (regular expression)</label>
          <input
            id={`${id}-pattern`}
            className="input mono"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            placeholder="^(sec|app)-.*-prod$"
            aria-invalid={fieldError('scope.groups.pattern') ? true : undefined}
            aria-describedby={describedBy('scope.groups.pattern', `${id}-pattern-hint`)}
            autoComplete="off"
            spellCheck={false}
          />
          <p className="field-hint" id={`${id}-pattern-hint`}>
            JavaScript syntax, case-insensitive.
          </p>
          {errorText('scope.groups.pattern')}
        </div>
      </div>
      <fieldset className="fieldset" aria-describedby={describedBy('scope.groups.types')}>
        <legend>Group types</legend>
        <div className="check-row">
          {choices.map((t) => (
            <label key={t.value} className="check">
              <input
                type="checkbox"
                checked={types.includes(t.value)}
                onChange={(e) => setTypes((prev) => (e.target.checked ? [...prev, t.value] : prev.filter((x) => x !== t.value)))}
              />
              {t.label}
            </label>
          ))}
        </div>
        <p className="field-hint">None ticked: every type.</p>
        {errorText('scope.groups.types')}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-apps`}>Apps to include</label>
        <input
          id={`${id}-apps`}
          className="input"
          value={apps}
          onChange={(e) => setApps(e.target.value)}
          placeholder="Slack, Zoom, GitHub Enterprise"
          aria-invalid={fieldError('scope.apps.include') ? true : undefined}
          aria-describedby={describedBy('scope.apps.include', `${id}-apps-hint`)}
          autoComplete="off"
        />
        <p className="field-hint" id={`${id}-apps-hint`}>
          Comma-separated labels, names or ids; empty: every app.
        </p>
        {errorText('scope.apps.include')}
      </div>
      {errorText('scope')}
      <p className="scope-note" id={`${id}-note`}>
        Saving makes the next sync of {c.name} a full sync, so the snapshot matches the new scope.
      </p>
      <div className="form-actions">
        <WriteButton type="submit" className="btn btn-primary" disabled={busy || localPatternError !== null} aria-describedby={`${id}-note`}>
          {busy ? 'Saving…' : 'Save scope'}
        </WriteButton>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn btn-ghost" onClick={clear} disabled={busy}>
          Clear all limits
        </button>
      </div>
    </form>
  );
}
