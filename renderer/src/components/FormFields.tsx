import type { ReactNode } from 'react';

/** How a form ties its fields to their error messages: ids, aria-invalid, aria-describedby and the message itself. */
export type FieldErrorProps<F extends string> = {
  describedBy: (f: F, hint?: string) => string | undefined;
  errorText: (f: F) => ReactNode;
  invalid: (f: F) => true | undefined;
};

/** `id` is the form's useId(); `fieldError` says what (if anything) is wrong with a field. */
export function fieldErrorProps<F extends string>(id: string, fieldError: (f: F) => string | undefined): FieldErrorProps<F> {
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
        onChange={(e) => onChange(e.target.value)}
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
        onChange={(e) => onChange({ text: e.target.value, file: null })}
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
            onChange={(e) => void readText(e.target.files?.[0], onChange)}
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
