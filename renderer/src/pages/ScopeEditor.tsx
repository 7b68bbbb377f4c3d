// The sync scope editor of one connection (which groups and apps it syncs).
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ConnectionSummary, SyncScope } from '../../../shared/domain.js';
import { fieldErrorProps, TextField, useFormErrors } from '../components/FormFields.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
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
  const errors = useFormErrors<Field>(id, FIELDS);

  const known = groupTypeChoices[c.kind];
  // Types saved earlier that this list does not know (typed by hand through the CLI, say) stay visible and kept.
  const choices = [...known, ...types.filter((t) => !known.some((k) => k.value === t)).map((t) => ({ value: t, label: t }))];
  const localPatternError = patternError(pattern);
  // The pattern is checked as it is typed (a bad one cannot be saved); the engine's messages follow the shared rule.
  const fieldError = (f: Field): string | undefined => (f === 'scope.groups.pattern' ? (localPatternError ?? errors.error(f)) : errors.error(f));
  const fe = fieldErrorProps<Field>(id, fieldError, errors.edited);
  const { describedBy, errorText } = fe;

  const scope = (): SyncScope => ({
    groups: { prefixes: splitList(prefixes), pattern: pattern.trim() === '' ? null : pattern.trim(), types },
    apps: { include: splitList(apps) },
  });

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (localPatternError) return;
    errors.begin();
    setBusy(true);
    try {
      onSaved(await setScope(c.id, scope()));
    } catch (error) {
      errors.fail(error);
    } finally {
      setBusy(false);
    }
  };

  const clear = (): void => {
    errors.reset();
    setPrefixes('');
    setPattern('');
    setTypes([]);
    setApps('');
  };

  return (
    <form className="scope-editor" aria-label={`Sync scope of ${c.name}`} onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} noValidate>
      {errors.form ? <InlineError title="The scope was not saved" message={errors.form} /> : null}
      <p className="field-hint">
        Limit what this connection syncs, as large orgs need: groups out of scope are not stored and their memberships
        are not fetched; apps out of scope are not stored. Leave everything empty to sync it all.
      </p>
      <div className="form-row form-row-even">
        <TextField
          id={`${id}-prefixes`}
          label="Group name prefixes"
          field="scope.groups.prefixes"
          errors={fe}
          value={prefixes}
          onChange={setPrefixes}
          placeholder="App-, SG-, Team-"
          hint={
            <>
              Comma-separated, case-insensitive. A group is kept when its name starts with one of them or matches the
              pattern.
            </>
          }
        />
        <TextField
          id={`${id}-pattern`}
          label="Group name pattern (regular expression)"
          field="scope.groups.pattern"
          errors={fe}
          mono
          value={pattern}
          onChange={setPattern}
          placeholder="^(sec|app)-.*-prod$"
          hint="JavaScript syntax, case-insensitive."
        />
      </div>
      <fieldset className="fieldset" aria-describedby={describedBy('scope.groups.types')}>
        <legend>Group types</legend>
        <div className="check-row" data-field="scope.groups.types">
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
      <TextField
        id={`${id}-apps`}
        label="Apps to include"
        field="scope.apps.include"
        errors={fe}
        value={apps}
        onChange={setApps}
        placeholder="Slack, Zoom, GitHub Enterprise"
        freeText
        hint="Comma-separated labels, names or ids; empty: every app."
      />
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
