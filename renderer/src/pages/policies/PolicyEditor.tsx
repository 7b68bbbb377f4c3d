// A birthright policy as YAML text (the same form `latchkey policy export` writes): as it is typed,
// the engine checks it and computes its what-if (debounced), so every problem is listed with its line
// and who would gain or lose which role is shown BEFORE saving. Saving a change to an enforced policy
// that is large or touches a critical role waits for a second operator.
import { useId, useState, type ReactNode } from 'react';
import type { PolicyYamlError } from '../../../../shared/contract-policies.js';
import { api } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { navigate, routes } from '../../lib/router.js';
import { usePoliciesStore } from '../../stores/policies-store.js';
import { toast } from '../../stores/toast-store.js';
import { WhatIfPanel } from './WhatIfPanel.js';

export const NEW_POLICY_TEMPLATE = `name: New policy
description: ""
mode: monitor
grace_days: 7
when:
  all:
    - department: { equals: Engineering }
    - status: { in: [active, pending] }
grants:
  - role: App / Role
`;

function ErrorList({ errors, id }: { errors: readonly PolicyYamlError[]; id: string }): ReactNode {
  return (
    <ul id={id} className="cat-io-errors" aria-label="Problems">
      {errors.map((e, i) => (
        <li key={i}>{e.message}</li>
      ))}
    </ul>
  );
}

export function PolicyEditor({ policyId, initial }: { policyId: number | null; initial: string }): ReactNode {
  const id = useId();
  const write = usePoliciesStore((s) => s.write);
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [saveErrors, setSaveErrors] = useState<PolicyYamlError[] | null>(null);
  const debounced = useDebouncedValue(text, 400);
  const whatif = useAsync(`policy-whatif:${policyId ?? 'new'}`, (signal) => api.call('policies:whatif', { yaml: debounced, id: policyId ?? undefined, limit: 200 }, { signal }), debounced);
  const result = whatif.data;
  const errors = saveErrors ?? (result && !result.ok ? result.errors : []);
  const stale = debounced !== text || whatif.status === 'loading';

  const save = async (): Promise<void> => {
    setBusy(true);
    try {
      const r = await write('policies:save', { yaml: text, id: policyId ?? undefined });
      if (!r.ok) {
        setSaveErrors(r.errors);
        return;
      }
      setSaveErrors(null);
      if (r.outcome === 'awaiting-approval') toast.info(`v${r.approval?.version ?? ''} waits for a second operator: ${r.approval?.reasons.join('; ') ?? ''}`, `${r.policy.name} saved`);
      else toast.success(`${r.policy.name}: ${r.outcome} (v${r.policy.version}, ${r.policy.mode})`, 'Policy saved');
      if (policyId === null) navigate(routes.policy(r.policy.id));
    } catch (e) {
      toast.error(e, 'Couldn’t save the policy');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <section className="card">
        <div className="card-body">
          <div className="field">
            <label htmlFor={`${id}-yaml`}>Policy (YAML)</label>
            <textarea
              id={`${id}-yaml`}
              className="textarea mono"
              rows={Math.max(14, text.split('\n').length + 1)}
              spellCheck={false}
              value={text}
              aria-invalid={errors.length > 0}
              aria-describedby={errors.length > 0 ? `${id}-errors` : undefined}
              onChange={(e) => {
                setText(e.target.value);
                setSaveErrors(null);
              }}
            />
            <p className="field-hint">
              Attributes: department, title, location, employment_type, status (active, pending, suspended, terminated), manager (e-mail), start_date,
              end_date — from the person’s HR record, else their IdP profile. Tests: equals, in, starts_with, matches (a regular expression), exists; nest all / any.
            </p>
          </div>
          {errors.length > 0 ? <ErrorList errors={errors} id={`${id}-errors`} /> : null}
          {whatif.status === 'error' ? <InlineError title="Couldn’t compute the what-if" message={whatif.error} onRetry={whatif.reload} /> : null}
          <div className="form-actions">
            <WriteButton className="btn btn-primary" disabled={busy || errors.length > 0 || stale} onClick={() => void save()}>
              {policyId === null ? 'Create policy' : 'Save new version'}
            </WriteButton>
          </div>
        </div>
      </section>
      {result?.ok
        ? result.whatifs.map((w) => <WhatIfPanel key={w.name} whatif={w} stale={stale} />)
        : null}
    </div>
  );
}
