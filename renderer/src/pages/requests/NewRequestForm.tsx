// "New request": for myself or on behalf of someone (people search), a role
// (with its risk, approval steps and durations), a duration (custom up to the
// role's maximum), an end date (required for contractors/partners asking for
// permanent access when the role says so) and a justification. The engine
// checks everything again; its message is shown as is.
import { useOperatorStore } from '../../stores/operator-store.js';
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { BeneficiaryOption, CreateRequestInput } from '../../../../shared/contract-requests.js';
import type { DurationOption } from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { SegmentedRadios, useFormErrors } from '../../components/FormFields.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { navigate, routes } from '../../lib/router.js';
import { useReadOnly } from '../../stores/app-store.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { toast } from '../../stores/toast-store.js';
import { PersonAccountChips, PersonPicker } from '../../components/PersonPicker.js';
import { durationLabel, minutesText, RiskBadge, STEP_LABEL } from './RequestParts.js';

type For = 'me' | 'other';
type Field = 'beneficiary' | 'role' | 'duration' | 'minutes' | 'endsAt' | 'justification';
/** The fields as the engine names them in its messages. */
const FIELDS: readonly Field[] = ['beneficiary', 'role', 'duration', 'minutes', 'endsAt', 'justification'];

export function NewRequestForm({ onClose }: { onClose: () => void }): ReactNode {
  const id = useId();
  const roles = useRequestsStore((s) => s.roles);
  const rolesError = useRequestsStore((s) => s.rolesError);
  const loadRoles = useRequestsStore((s) => s.loadRoles);
  const write = useRequestsStore((s) => s.write);
  const readOnly = useReadOnly();
  const [forWhom, setForWhom] = useState<For>('other');
  const [person, setPerson] = useState<BeneficiaryOption | null>(null);
  const [me, setMe] = useState<BeneficiaryOption | null>(null);
  const [roleId, setRoleId] = useState<number | null>(null);
  const [duration, setDuration] = useState<DurationOption | null>(null);
  const [minutes, setMinutes] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void loadRoles();
  }, [loadRoles]);
  // "Myself" is the operator's own account, found like anyone else (employee type decides the end date rule).
  const operator = useOperatorStore((s) => s.person);
  useEffect(() => {
    if (!operator) return;
    const controller = new AbortController();
    api.call('requests:searchBeneficiaries', { search: operator, limit: 5 }, { signal: controller.signal }).then(
      // The operator signs in as any of their accounts' addresses: match the person by any of them.
      (people) =>
        setMe(
          people.find((p) => p.accounts.some((a) => a.email?.toLowerCase() === operator || a.login.toLowerCase() === operator)) ?? people[0] ?? null,
        ),
      () => undefined,
    );
    return () => controller.abort();
  }, [operator]);

  const role = useMemo(() => roles?.find((r) => r.id === roleId) ?? null, [roles, roleId]);
  const beneficiary = forWhom === 'me' ? me : person;
  const chosenDuration = duration && role?.durations.includes(duration) ? duration : (role?.defaultDuration ?? null);
  const type = beneficiary?.employeeType?.trim().toLowerCase() ?? '';
  const endRequired = chosenDuration === 'permanent' && type !== '' && (role?.requireEndDateFor.includes(type) ?? false);
  const apps = useMemo(() => {
    const by = new Map<string, NonNullable<typeof roles>>();
    for (const r of roles ?? []) by.set(r.appName, [...(by.get(r.appName) ?? []), r]);
    return [...by.entries()];
  }, [roles]);

  // The form's own checks, from the current values: each message goes the moment its cause is fixed.
  const minutesNumber = Number(minutes);
  const errors = useFormErrors<Field>(id, FIELDS, {
    beneficiary:
      !beneficiary &&
      (forWhom === 'other'
        ? 'Pick the person the access is for.'
        : operator
          ? `${operator} is not an active account in the snapshot: pick “Someone else”.`
          : 'Sign in (top right) first.'),
    role: !role && 'Pick a role.',
    minutes:
      chosenDuration === 'custom' &&
      (!Number.isInteger(minutesNumber) || minutesNumber <= 0
        ? 'Give the length in whole minutes.'
        : role?.maxDurationMinutes != null && minutesNumber > role.maxDurationMinutes
          ? `At most ${minutesText(role.maxDurationMinutes)} for this role.`
          : null),
    endsAt: endRequired && endsAt === '' && `${beneficiary?.name ?? 'This person'} is a ${beneficiary?.employeeType ?? 'contractor'}: give an end date, or pick a time-bound duration.`,
    justification: justification.trim() === '' && 'Say why the access is needed.',
  });
  const { fe, edited } = errors;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!errors.begin() || !beneficiary || !role || !chosenDuration) return;
    const input: CreateRequestInput = {
      beneficiary: { connectionId: beneficiary.connectionId, identityId: beneficiary.identityId },
      role: role.id,
      duration: chosenDuration,
      minutes: chosenDuration === 'custom' ? minutesNumber : null,
      endsAt: endsAt === '' ? null : endsAt,
      justification,
    };
    setBusy(true);
    try {
      const row = await write('requests:create', input);
      toast.success(row.status === 'approved' ? 'Auto-approved: provisioning has started' : `Waiting for ${row.waitingOn?.approvers.join(', ') ?? 'approval'}`, `Request #${row.id} filed`);
      onClose();
      navigate(routes.request(row.id));
    } catch (err) {
      errors.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card form-card req-form" aria-labelledby={`${id}-title`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>New request</h2>
      </div>
      {/* noValidate: the form says what is missing in its own words, at each field (the browser would stop at the first). */}
      <form className="form" onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} noValidate>
        <SegmentedRadios<For>
          name={`${id}-for`}
          label="Who is the access for"
          value={forWhom}
          onChange={(v) => {
            edited('beneficiary');
            setForWhom(v);
          }}
          options={[
            { value: 'other', label: 'Someone else' },
            { value: 'me', label: `Myself${me ? ` (${me.name})` : ''}` },
          ]}
        />
        {forWhom === 'other' ? (
          person ? (
            <div className="field">
              <span className="field-label">Beneficiary</span>
              <div className="req-picked">
                <span className="cell-strong">{person.name}</span>
                <span className="muted">{person.email ?? person.login}</span>
                <PersonAccountChips accounts={person.accounts} />
                {person.employeeType ? <span className="muted">· {person.employeeType}</span> : null}
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  onClick={() => {
                    edited('beneficiary');
                    setPerson(null);
                  }}
                  aria-label={`Change beneficiary (now ${person.name})`}
                >
                  Change
                </button>
              </div>
            </div>
          ) : (
            <PersonPicker
              label="Beneficiary"
              onPick={(p) => {
                edited('beneficiary');
                setPerson(p);
              }}
              disabled={readOnly}
              invalid={fe.invalid('beneficiary')}
              describedBy={fe.describedBy('beneficiary')}
              error={fe.errorText('beneficiary')}
            />
          )
        ) : !operator && !errors.error('beneficiary') ? (
          <p className="field-hint">Sign in (top right) first.</p>
        ) : null}
        {forWhom === 'other' && !person ? null : fe.errorText('beneficiary')}

        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          {rolesError ? <InlineError message={rolesError} onRetry={() => void loadRoles()} /> : null}
          <select
            id={`${id}-role`}
            className="input select select-wide"
            value={roleId ?? ''}
            disabled={readOnly}
            aria-invalid={fe.invalid('role')}
            aria-describedby={fe.describedBy('role')}
            onChange={(e) => {
              edited('role');
              setRoleId(e.target.value === '' ? null : Number(e.target.value));
              setDuration(null);
            }}
          >
            <option value="">{roles === null ? 'Loading roles…' : roles.length === 0 ? 'No requestable roles in the catalog yet' : 'Choose a role…'}</option>
            {apps.map(([app, list]) => (
              <optgroup key={app} label={app}>
                {list.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label} · {r.risk} risk
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          {fe.errorText('role')}
          {role ? (
            <div className="req-role-facts">
              <RiskBadge risk={role.risk} />
              <span className="muted">
                {role.autoApprove ? 'Approved automatically' : `Approval: ${role.steps.map((s) => STEP_LABEL[s.kind].toLowerCase()).join(', then ')}`}
              </span>
              {role.description ? <span className="muted">· {role.description}</span> : null}
            </div>
          ) : null}
        </div>

        {role ? (
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-duration`}>Duration</label>
              <select
                id={`${id}-duration`}
                className="input select"
                value={chosenDuration ?? ''}
                disabled={readOnly}
                aria-invalid={fe.invalid('duration')}
                aria-describedby={fe.describedBy('duration')}
                onChange={(e) => {
                  edited('duration');
                  setDuration(e.target.value as DurationOption);
                }}
              >
                {role.durations.map((d) => (
                  <option key={d} value={d}>
                    {durationLabel(d)}
                  </option>
                ))}
              </select>
              {fe.errorText('duration')}
            </div>
            {chosenDuration === 'custom' ? (
              <div className="field">
                <label htmlFor={`${id}-minutes`}>Minutes</label>
                <input
                  id={`${id}-minutes`}
                  className="input"
                  type="number"
                  min={1}
                  max={role.maxDurationMinutes ?? undefined}
                  value={minutes}
                  disabled={readOnly}
                  onChange={(e) => {
                    edited('minutes');
                    setMinutes(e.target.value);
                  }}
                  aria-invalid={fe.invalid('minutes')}
                  aria-describedby={fe.describedBy('minutes', `${id}-minutes-hint`)}
                />
                <p className="field-hint" id={`${id}-minutes-hint`}>
                  {role.maxDurationMinutes !== null ? `At most ${minutesText(role.maxDurationMinutes)}.` : 'No maximum set.'}
                </p>
                {fe.errorText('minutes')}
              </div>
            ) : null}
            <div className="field">
              <label htmlFor={`${id}-ends`}>End date{endRequired ? ' (required)' : ' (optional)'}</label>
              <input
                id={`${id}-ends`}
                className="input"
                type="date"
                value={endsAt}
                required={endRequired}
                disabled={readOnly}
                onChange={(e) => {
                  edited('endsAt');
                  setEndsAt(e.target.value);
                }}
                aria-invalid={fe.invalid('endsAt')}
                aria-describedby={fe.describedBy('endsAt', endRequired ? `${id}-ends-hint` : undefined)}
              />
              {endRequired ? (
                <p className="field-hint" id={`${id}-ends-hint`}>
                  {beneficiary?.name} is a {beneficiary?.employeeType}: permanent access to this role needs an end date.
                </p>
              ) : null}
              {fe.errorText('endsAt')}
            </div>
          </div>
        ) : null}

        <div className="field">
          <label htmlFor={`${id}-why`}>Justification</label>
          <textarea
            id={`${id}-why`}
            className="input textarea"
            rows={3}
            value={justification}
            disabled={readOnly}
            placeholder="Why is the access needed? (recorded in the request and in Jira)"
            aria-invalid={fe.invalid('justification')}
            aria-describedby={fe.describedBy('justification')}
            onChange={(e) => {
              edited('justification');
              setJustification(e.target.value);
            }}
          />
          {fe.errorText('justification')}
        </div>
        {errors.form ? <InlineError title="The request was not filed" message={errors.form} /> : null}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <WriteButton type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Submitting…' : 'Submit request'}
          </WriteButton>
        </div>
      </form>
    </section>
  );
}
