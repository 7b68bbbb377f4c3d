// "Add a connection": Okta, Entra ID or Jira, its credentials (to the keychain) and its rate-limit share.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { SegmentedRadios, TextField, useFormErrors } from '../components/FormFields.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { useConnectionsStore, type AddConnectionInput } from '../stores/connections-store.js';
import { toast } from '../stores/toast-store.js';
import { ENTRA_ADVANCED_FIELDS, ENTRA_FIELDS, EntraFields, entraInput, NEW_ENTRA, type EntraValues } from './connections/EntraFields.js';
import { JIRA_FIELDS, JiraFields, jiraInput, NEW_JIRA, type JiraValues } from './connections/JiraFields.js';
import { NEW_OKTA, OKTA_FIELDS, OktaFields, oktaInput, type OktaValues } from './connections/OktaFields.js';

// Every field the engine may name in a refusal, whichever kind is shown: 'auth' is the credential as a whole.
const FIELDS = ['name', 'budgetShare', 'auth', ...OKTA_FIELDS, ...ENTRA_FIELDS, ...JIRA_FIELDS] as const;
type Field = (typeof FIELDS)[number];

type Kind = 'okta' | 'entra' | 'jira';

export function AddConnectionForm({ onDone }: { onDone: () => void }): ReactNode {
  const add = useConnectionsStore((s) => s.add);
  const id = useId();
  const [kind, setKind] = useState<Kind>('okta');
  const [name, setName] = useState('');
  // Each kind keeps what was typed into it while another kind is shown.
  const [okta, setOkta] = useState<OktaValues>(NEW_OKTA);
  const [entra, setEntra] = useState<EntraValues>(NEW_ENTRA);
  const [advanced, setAdvanced] = useState(false);
  const [jira, setJira] = useState<JiraValues>(NEW_JIRA);
  // The Name field takes focus when the form opens, not when a switch of kind
  // mounts it again with that kind's fields: focus stays on "Connect to", so
  // the arrow keys keep moving between kinds.
  const [switched, setSwitched] = useState(false);

  const [budget, setBudget] = useState(50);
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors<Field>(id, FIELDS);

  const formRef = useRef<HTMLFormElement>(null);
  // After a refused submit (once per refusal, not as messages clear), take the user to the first thing to fix.
  useEffect(() => {
    if (errors.refusals === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first ?? formRef.current?.querySelector<HTMLElement>('[role="alert"]'))?.focus();
  }, [errors.refusals]);

  const { fe } = errors;
  const { describedBy, errorText } = fe;

  const switchKind = (next: Kind): void => {
    setKind(next);
    setSwitched(true);
    errors.reset();
  };

  const input = (): AddConnectionInput => {
    const budgetShare = budget / 100;
    return kind === 'jira' ? jiraInput(name, jira) : kind === 'okta' ? oktaInput(name, budgetShare, okta) : entraInput(name, budgetShare, entra);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    errors.begin();
    setBusy(true);
    try {
      const added = await add(input());
      toast.success(added.kind === 'jira' ? `${added.name} was added. Test it: requests are recorded there from now on.` : `${added.name} was added. Test it, then run a first sync.`, 'Connection added');
      onDone();
    } catch (error) {
      const refusal = errors.fail(error);
      if (Object.keys(refusal.fields).some((f) => ENTRA_ADVANCED_FIELDS.includes(f))) setAdvanced(true);
    } finally {
      setBusy(false);
    }
  };

  const nameField = (
    <TextField
      id={`${id}-name`}
      label="Name"
      field="name"
      errors={fe}
      value={name}
      onChange={setName}
      placeholder={kind === 'okta' ? 'Acme production' : kind === 'entra' ? 'Acme Entra' : 'Acme Jira'}
      freeText
      autoFocus={!switched}
    />
  );

  return (
    <section className="card form-card" aria-labelledby={`${id}-title`}>
      <div className="card-head card-head-plain">
        <div>
          <h2 id={`${id}-title`}>Add a connection</h2>
          <p className="muted">Credentials go to the OS keychain; the workspace file never holds them.</p>
        </div>
      </div>
      <form
        ref={formRef}
        className="form"
        onSubmit={(e) => void submit(e)}
        onChange={errors.onFormChange}
        noValidate
        aria-describedby={errors.form ? `${id}-form-err` : undefined}
      >
        {errors.form ? (
          <div id={`${id}-form-err`}>
            <InlineError title="The connection was not added" message={errors.form} />
          </div>
        ) : null}

        <SegmentedRadios
          large
          name={`${id}-kind`}
          label="Connect to"
          value={kind}
          onChange={switchKind}
          options={[
            {
              value: 'okta',
              label: (
                <>
                  <span className="kind-dot kind-okta" aria-hidden="true" />
                  Okta
                </>
              ),
            },
            {
              value: 'entra',
              label: (
                <>
                  <span className="kind-dot kind-entra" aria-hidden="true" />
                  Microsoft Entra ID
                </>
              ),
            },
            {
              value: 'jira',
              label: (
                <>
                  <span className="kind-dot kind-jira" aria-hidden="true" />
                  Jira Service Management
                </>
              ),
            },
          ]}
        />

        {kind === 'okta' ? (
          <OktaFields id={id} fe={fe} values={okta} onChange={(patch) => setOkta((v) => ({ ...v, ...patch }))} nameField={nameField} />
        ) : kind === 'entra' ? (
          <EntraFields
            id={id}
            fe={fe}
            values={entra}
            onChange={(patch) => setEntra((v) => ({ ...v, ...patch }))}
            nameField={nameField}
            advanced={advanced}
            onAdvancedChange={setAdvanced}
          />
        ) : (
          <JiraFields id={id} fe={fe} values={jira} onChange={(patch) => setJira((v) => ({ ...v, ...patch }))} nameField={nameField} />
        )}

        {kind === 'jira' ? null : (
          <div className="field">
            <label htmlFor={`${id}-budget`}>Rate-limit budget share</label>
            <div className="range-row">
              <input
                id={`${id}-budget`}
                type="range"
                min={10}
                max={100}
                step={5}
                value={budget}
                data-field="budgetShare"
                onChange={(e) => setBudget(Number(e.target.value))}
                aria-valuetext={`${budget}%`}
                aria-describedby={describedBy('budgetShare', `${id}-budget-hint`)}
              />
              <output htmlFor={`${id}-budget`} className="range-value tabular">
                {budget}%
              </output>
            </div>
            <p className="field-hint" id={`${id}-budget-hint`}>
              {kind === 'okta' ? (
                <>
                  Okta rate limits are per org and shared with every other integration (SCIM, HR sync, scripts). Sync
                  reads the <code>X-Rate-Limit-*</code> headers and slows down before it uses more than this share of any
                  bucket.
                </>
              ) : (
                <>
                  Microsoft Graph throttles each app per tenant (resource units per 10 seconds). Sync keeps to this share
                  of the budget and waits as long as <code>Retry-After</code> asks when it is throttled.
                </>
              )}
            </p>
            {errorText('budgetShare')}
          </div>
        )}

        <div className="form-actions">
          <WriteButton type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add connection'}
          </WriteButton>
          <button type="button" className="btn" onClick={onDone} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
