// The people picker of "New request" (beneficiary) and "Acting as": a
// combobox that searches people, one option per person across IdPs (name,
// e-mail, a chip per IdP account), picked with the mouse or the keyboard
// (arrows move, Enter picks, Escape closes), per the ARIA combobox pattern.
import { useEffect, useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { BeneficiaryAccount, BeneficiaryOption } from '../../../shared/contract-requests.js';
import { api, errorMessage } from '../api/client.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';
import { connectionKindLabel, humanize } from '../lib/format.js';

type Result = { key: string; people: BeneficiaryOption[]; error: string | null };

/** A chip per IdP account; an account that cannot receive access is shown struck through, with why. */
export function PersonAccountChips({ accounts }: { accounts: readonly BeneficiaryAccount[] }): ReactNode {
  return (
    <span className="account-badges">
      {accounts.map((a) => {
        const usable = a.status !== 'DEPROVISIONED' && a.status !== 'DISABLED';
        const title = `${a.connectionName}: ${a.login}${a.status === 'ACTIVE' ? '' : ` (${humanize(a.status).toLowerCase()})`}`;
        return (
          <span key={`${a.connectionId}:${a.identityId}`} className={`account-badge kind-${a.kind}${usable ? '' : ' is-inactive'}`} title={title}>
            {connectionKindLabel(a.kind)}
            <span className="sr-only">{usable ? '' : ` (${humanize(a.status).toLowerCase()})`}</span>
          </span>
        );
      })}
    </span>
  );
}

export function PersonPicker({
  label,
  onPick,
  autoFocus = false,
  disabled = false,
  invalid,
  describedBy,
  error,
}: {
  label: string;
  onPick: (p: BeneficiaryOption) => void;
  autoFocus?: boolean;
  disabled?: boolean;
  /** From the form's field errors (components/FormFields.tsx: useFormErrors). */
  invalid?: true;
  describedBy?: string;
  /** The form's message for this field, shown under the input. */
  error?: ReactNode;
}): ReactNode {
  const id = useId();
  const listId = `${id}-list`;
  const optionId = (i: number): string => `${id}-opt-${i}`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const search = useDebouncedValue(text, 200).trim();
  const [result, setResult] = useState<Result | null>(null);

  useEffect(() => {
    if (search === '') return;
    const controller = new AbortController();
    api.call('requests:searchBeneficiaries', { search, limit: 8 }, { signal: controller.signal }).then(
      (people) => {
        setResult({ key: search, people, error: null });
        setActive(0);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setResult({ key: search, people: [], error: errorMessage(e) });
      },
    );
    return () => controller.abort();
  }, [search]);

  const shown = text.trim() !== '' && search === text.trim() && result?.key === search ? result : null;
  const people = shown?.people ?? [];
  const expanded = open && people.length > 0;
  const current = expanded ? Math.min(active, people.length - 1) : -1;

  // The active option stays in view as the arrows move it through a scrolled list.
  useEffect(() => {
    if (current >= 0) document.getElementById(`${id}-opt-${current}`)?.scrollIntoView({ block: 'nearest' });
  }, [current, id]);

  const pick = (p: BeneficiaryOption): void => {
    onPick(p);
    setText('');
    setOpen(false);
    setResult(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (people.length === 0) return;
      e.preventDefault();
      if (!expanded) {
        setOpen(true);
        setActive(e.key === 'ArrowDown' ? 0 : people.length - 1);
        return;
      }
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + people.length) % people.length);
    } else if (e.key === 'Home' || e.key === 'End') {
      if (!expanded) return;
      e.preventDefault();
      setActive(e.key === 'Home' ? 0 : people.length - 1);
    } else if (e.key === 'Enter') {
      // Never submits the surrounding form: Enter here means "this person".
      e.preventDefault();
      const p = people[current];
      if (expanded && p) pick(p);
    } else if (e.key === 'Escape') {
      // First closes the list, then clears the text; only then may the dialog around it close.
      if (expanded) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
      } else if (text !== '') {
        e.preventDefault();
        e.stopPropagation();
        setText('');
      }
    }
  };

  const status = !shown
    ? text.trim() !== ''
      ? 'Searching…'
      : ''
    : shown.error
      ? ''
      : people.length === 0
        ? `Nobody who can receive access matches “${search}”.`
        : `${people.length === 8 ? 'First 8' : people.length} ${people.length === 1 ? 'person' : 'people'}: arrows to move, Enter to pick, Escape to close.`;

  return (
    <div className="field person-search">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        type="text"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        aria-describedby={describedBy ? `${id}-status ${describedBy}` : `${id}-status`}
        aria-invalid={invalid}
        value={text}
        placeholder="Name, e-mail or login…"
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus || undefined}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <p id={`${id}-status`} className={shown && people.length === 0 && !shown.error ? 'field-hint' : 'sr-only'} role="status">
        {status}
      </p>
      {error}
      {shown?.error ? <p className="field-error">{shown.error}</p> : null}
      <ul id={listId} role="listbox" aria-label={`People matching ${search}`} className="person-results" hidden={!expanded}>
        {people.map((p, i) => (
          <li
            key={`${p.connectionId}:${p.identityId}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            className={`person-result${i === current ? ' is-active' : ''}`}
            // Keep the focus in the input (a mousedown would blur it and close the list first).
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => {
              if (i !== current) setActive(i);
            }}
            onClick={() => pick(p)}
          >
            <span className="cell-strong person-result-name">{p.name}</span>
            <span className="muted person-result-mail">{p.email ?? p.login}</span>
            <PersonAccountChips accounts={p.accounts} />
            {p.title || p.employeeType || p.department ? (
              <span className="muted person-result-meta">{[p.title, p.department, p.employeeType ? humanize(p.employeeType) : null].filter(Boolean).join(' · ')}</span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
