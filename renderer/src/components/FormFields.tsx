// Form building blocks every form shares: labelled fields tied to their error
// messages, and the one rule for those messages (useFormErrors): a field's
// error goes when that field changes, and a message about the form as a whole
// goes when what caused it is fixed.
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client.js';
import { splitFieldErrors } from '../lib/field-errors.js';

/** How a form ties its fields to their error messages: ids, aria-invalid, aria-describedby, the message itself, and what clears it. */
export type FieldErrorProps<F extends string> = {
  describedBy: (f: F, hint?: string) => string | undefined;
  errorText: (f: F) => ReactNode;
  invalid: (f: F) => true | undefined;
  /** The field changed: its error (and a message about the last submit) no longer applies. TextField and PemField call it themselves. */
  edited: (f: F) => void;
};

/** `id` is the form's useId(); `fieldError` says what (if anything) is wrong with a field. */
export function fieldErrorProps<F extends string>(id: string, fieldError: (f: F) => string | undefined, edited: (f: F) => void = () => undefined): FieldErrorProps<F> {
  const errorId = (f: F): string => `${id}-${f}-err`;
  return {
    describedBy: (f, hint) => [fieldError(f) ? errorId(f) : null, hint ?? null].filter(Boolean).join(' ') || undefined,
    errorText: (f) =>
      fieldError(f) ? (
        <p className="field-error" id={errorId(f)}>
          {fieldError(f)}
        </p>
      ) : null,
    invalid: (f) => (fieldError(f) ? true : undefined),
    edited,
  };
}

/** What the engine refused at the last submit: messages it pinned on a field, and the rest. */
export type Refusal = { fields: Readonly<Record<string, string>>; form: string | null };
const NO_REFUSAL: Refusal = { fields: {}, form: null };

export type FormErrors<F extends string> = {
  /** For TextField / PemField (`errors={...}`) and hand-made inputs (describedBy, invalid, errorText, edited). */
  fe: FieldErrorProps<F>;
  /** The message shown for a field (or a nested key such as `policy.steps[1].approvers`), if any. */
  error: (field: string) => string | undefined;
  /** The banner: a refusal the engine pinned on no field of this form. */
  form: string | null;
  /** A field changed (TextField and PemField call this themselves). */
  edited: (field: string) => void;
  /**
   * For the form element's onChange: any input changing inside the form is an
   * edit of the field named by `data-field` on it or around it (or of the form
   * as a whole), so hand-made inputs need no call of their own.
   */
  onFormChange: (e: FormEvent<HTMLElement>) => void;
  /** On submit: forgets the last refusal and shows the form's own checks; false while any of them fails (do not send). */
  begin: () => boolean;
  /** The submit was refused: the engine's field messages go next to their fields, the rest to the banner (returned too). */
  fail: (error: unknown) => Refusal;
  /** How many refusals so far: an effect on it runs once per refusal (to focus the first field to fix), not on every keystroke. */
  refusals: number;
  /** Forget everything (the form was switched to another kind, closed, or saved). */
  reset: () => void;
};

/**
 * The errors of one form, and the one rule that clears them, so no form can
 * leave a message standing after its cause is gone:
 * - `local`: the form's own checks ("Pick the person the access is for"),
 *   recomputed from the current values on every render and shown once a submit
 *   was tried; a check that passes now shows nothing, whatever fixed it;
 * - the engine's messages about a field (`known` lists the fields this form
 *   shows, as the engine names them) stay until that field changes;
 * - the engine's other messages (the banner) describe the submit as a whole:
 *   they stay until anything in the form changes, as the input they were
 *   about is then gone.
 */
export function useFormErrors<F extends string>(
  id: string,
  known: readonly string[],
  local: Partial<Record<string, string | false | null | undefined>> = {},
): FormErrors<F> {
  const [refusal, setRefusal] = useState<Refusal>(NO_REFUSAL);
  const [tried, setTried] = useState(false);
  const [refusals, setRefusals] = useState(0);
  const edited = useCallback(
    (field: string) =>
      setRefusal((r) => {
        if (r.form === null && r.fields[field] === undefined) return r;
        const { [field]: _gone, ...rest } = r.fields;
        return { fields: rest, form: null };
      }),
    [],
  );
  const error = (field: string): string | undefined => (tried ? local[field] || undefined : undefined) ?? refusal.fields[field];
  const failing = Object.values(local).some(Boolean);
  return {
    fe: fieldErrorProps<F>(id, error, edited),
    error,
    form: refusal.form,
    edited,
    onFormChange: (e) => {
      const target = e.target instanceof Element ? e.target.closest('[data-field]') : null;
      edited(target?.getAttribute('data-field') ?? '');
    },
    begin: () => {
      setTried(true);
      setRefusal(NO_REFUSAL);
      return !failing;
    },
    fail: (e) => {
      const next = e instanceof ApiError ? splitFieldErrors(e.message, known) : { fields: {}, form: errorMessage(e) };
      setRefusal(next);
      setRefusals((n) => n + 1);
      return next;
    },
    refusals,
    reset: () => {
      setTried(false);
      setRefusal(NO_REFUSAL);
    },
  };
}

type FieldCommon<F extends string> = {
  /** The input's id; a hint gets `${id}-hint`. */
  id: string;
  label: string;
  field: F;
  errors: FieldErrorProps<F>;
  placeholder?: string;
};

/** A labelled one-line input, its optional hint and its error. */
export function TextField<F extends string>({
  id,
  label,
  field,
  errors,
  value,
  onChange,
  placeholder,
  type,
  mono = false,
  wide = false,
  freeText = false,
  autoFocus = false,
  hint,
}: FieldCommon<F> & {
  value: string;
  onChange: (value: string) => void;
  type?: 'url' | 'password';
  mono?: boolean;
  wide?: boolean;
  /** Words rather than ids or URLs: the browser's spell check is left on. */
  freeText?: boolean;
  autoFocus?: boolean;
  hint?: ReactNode;
}): ReactNode {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className={mono ? 'input mono' : 'input'}
        type={type}
        value={value}
        onChange={(e) => {
          errors.edited(field);
          onChange(e.target.value);
        }}
        placeholder={placeholder}
        aria-invalid={errors.invalid(field)}
        aria-describedby={errors.describedBy(field, hintId)}
        autoComplete="off"
        autoFocus={autoFocus || undefined}
        spellCheck={freeText ? undefined : false}
      />
      {hint === undefined ? null : (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {errors.errorText(field)}
    </div>
  );
}

/** PEM text and, when it was loaded from a file, that file's name. */
export type PemValue = { text: string; file: string | null };
export const noPem: PemValue = { text: '', file: null };

/** Reads a PEM the admin picked; it leaves the page only inside the call that submits the form. */
async function readText(file: File | undefined, done: (value: PemValue) => void): Promise<void> {
  if (!file) return;
  done({ text: await file.text(), file: file.name });
}

/** A PEM pasted into a textarea or loaded from a file, with an optional note under the file picker. */
export function PemField<F extends string>({
  id,
  label,
  field,
  errors,
  placeholder,
  value,
  onChange,
  rows,
  fileLabel,
  note,
}: FieldCommon<F> & {
  value: PemValue;
  onChange: (value: PemValue) => void;
  rows: number;
  /** The file input's accessible name. */
  fileLabel: string;
  note?: ReactNode;
}): ReactNode {
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="input mono textarea"
        rows={rows}
        value={value.text}
        onChange={(e) => {
          errors.edited(field);
          onChange({ text: e.target.value, file: null });
        }}
        placeholder={placeholder}
        aria-invalid={errors.invalid(field)}
        aria-describedby={errors.describedBy(field, hintId)}
        spellCheck={false}
      />
      <div className="field-inline" id={hintId}>
        <label className="btn btn-sm file-btn">
          Load from file…
          <input
            type="file"
            accept=".pem,.crt,.cer,.key,.txt,application/x-pem-file"
            aria-label={fileLabel}
            onChange={(e) => {
              errors.edited(field);
              void readText(e.target.files?.[0], onChange);
            }}
          />
        </label>
        <span className="field-hint">{value.file ? `Read ${value.file}` : 'The file is read here and sent only to the keychain.'}</span>
      </div>
      {note === undefined ? null : <p className="field-hint">{note}</p>}
      {errors.errorText(field)}
    </div>
  );
}

/** Radio buttons drawn as one segmented control. */
export function SegmentedRadios<V extends string>({
  name,
  label,
  value,
  onChange,
  options,
  large = false,
}: {
  name: string;
  /** The radio group's accessible name. */
  label: string;
  value: V;
  onChange: (value: V) => void;
  options: readonly { value: V; label: ReactNode }[];
  large?: boolean;
}): ReactNode {
  return (
    <div className={large ? 'segmented segmented-lg' : 'segmented'} role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <label key={o.value} className={`segment${value === o.value ? ' is-on' : ''}`}>
          <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </div>
  );
}
