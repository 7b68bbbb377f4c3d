// One role (#/catalog/role/:id): its policy editor (risk, approval steps,
// end-date rule, pending timeout), durations, owner, description,
// requestable; and its mapped groups with each problem and an "Unmap".
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { CatalogRoleDetail } from '../../../../shared/contract-catalog.js';
import {
  DURATION_OPTIONS,
  RISK_TIERS,
  defaultPolicyFor,
  type ApprovalPolicy,
  type ApprovalStepKind,
  type DurationOption,
  type RiskTier,
  type RoleMapping,
} from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { SegmentedRadios, TextField, useFormErrors } from '../../components/FormFields.js';
import { IconPlus, IconTrash } from '../../components/Icons.js';
import { InlineError } from '../../components/InlineError.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { READ_ONLY_REASON_ID, WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber } from '../../lib/format.js';
import { formatRoute, navigate, routes } from '../../lib/router.js';
import { useReadOnly } from '../../stores/app-store.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { toast } from '../../stores/toast-store.js';
import { durationLabel, ProblemList, RiskBadge, riskLabel } from './parts.js';

export function RoleDetail({ roleId }: { roleId: number }): ReactNode {
  const version = useCatalogStore((s) => s.version);
  const state = useAsync(`role|${roleId}`, (signal) => api.call('catalog:role', { id: roleId }, { signal }), version);
  const role = state.data;
  return (
    <div className="page">
      <nav className="cat-crumbs" aria-label="Breadcrumb">
        <a href={formatRoute(routes.catalog())}>Catalog</a>
        {role ? (
          <>
            <span aria-hidden="true">/</span>
            <span>{role.appName}</span>
          </>
        ) : null}
      </nav>
      {state.status === 'error' && !role ? <InlineError title="Couldn’t load the role" message={state.error} onRetry={state.reload} /> : null}
      {!role && state.status === 'loading' ? <SkeletonLines lines={10} label="Loading the role" /> : null}
      {role ? (
        <>
          <header className="page-header">
            <div>
              <h1>
                {role.appName} / {role.name}
              </h1>
              <p className="page-sub cat-role-sub">
                <RiskBadge risk={role.risk} />
                {role.requestable ? <span className="chip">Requestable</span> : <span className="chip">Not requestable</span>}
                <span className="muted">
                  {formatNumber(role.requestCount)} request{role.requestCount === 1 ? '' : 's'}
                  {role.openRequestCount > 0 ? ` (${formatNumber(role.openRequestCount)} pending)` : ''}
                </span>
              </p>
            </div>
            <DeleteRole role={role} />
          </header>
          <div className="cat-detail-grid">
            <RoleEditor key={role.id} role={role} />
            <Mappings role={role} />
          </div>
        </>
      ) : null}
    </div>
  );
}

function DeleteRole({ role }: { role: CatalogRoleDetail }): ReactNode {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const write = useCatalogStore((s) => s.write);
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await write('catalog:deleteRole', { id: role.id });
      toast.success(`${role.appName} / ${role.name}`, 'Role deleted');
      navigate(routes.catalog());
    } catch (error) {
      toast.error(error, 'Couldn’t delete the role');
      setOpen(false);
    } finally {
      setBusy(false);
    }
  };
  const used = role.requestCount > 0;
  return (
    <>
      <WriteButton
        className="btn btn-sm btn-danger-text"
        onClick={() => setOpen(true)}
        disabled={used}
        title={used ? 'This role has requests: it can’t be deleted (they keep the audit trail). Make it not requestable instead.' : undefined}
      >
        <IconTrash size={14} /> Delete role
      </WriteButton>
      <ConfirmDialog open={open} title={`Delete ${role.appName} / ${role.name}?`} confirmLabel="Delete role" busy={busy} onConfirm={() => void remove()} onCancel={() => setOpen(false)}>
        The role and its {role.mappings.length} group mapping{role.mappings.length === 1 ? '' : 's'} leave the catalog. Nothing changes in the IdP.
      </ConfirmDialog>
    </>
  );
}

type Field =
  | 'name'
  | 'description'
  | 'owner'
  | 'risk'
  | 'durations'
  | 'defaultDuration'
  | 'maxDurationMinutes'
  | 'policy.steps'
  | 'policy.escalateTo'
  | 'policy.pendingTimeoutHours';
/** The fields the editor shows a message next to; a named step's approvers have their own key per position. */
const PLACED: readonly Field[] = ['name', 'description', 'owner', 'risk', 'durations', 'defaultDuration', 'maxDurationMinutes', 'policy.steps', 'policy.escalateTo', 'policy.pendingTimeoutHours'];
const stepKey = (i: number): string => `policy.steps[${i}].approvers`;

const emails = (s: string): string[] => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
const stepKindLabel: Record<ApprovalStepKind, string> = { manager: 'Manager', 'app-owner': 'App owner', named: 'Named approvers' };
type DraftStep = { kind: ApprovalStepKind; approvers: string };

function RoleEditor({ role }: { role: CatalogRoleDetail }): ReactNode {
  const id = useId();
  const readOnly = useReadOnly();
  const write = useCatalogStore((s) => s.write);
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description);
  const [owner, setOwner] = useState(role.owner ?? '');
  const [requestable, setRequestable] = useState(role.requestable);
  const [risk, setRisk] = useState<RiskTier>(role.risk);
  const [autoApprove, setAutoApprove] = useState(role.policy.autoApprove);
  const [steps, setSteps] = useState<DraftStep[]>(role.policy.steps.map((s) => ({ kind: s.kind, approvers: (s.approvers ?? []).join(', ') })));
  const [endDateFor, setEndDateFor] = useState<string[]>(role.policy.requireEndDateFor);
  const [timeoutHours, setTimeoutHours] = useState(String(role.policy.pendingTimeoutHours));
  const [onTimeout, setOnTimeout] = useState<ApprovalPolicy['onTimeout']>(role.policy.onTimeout);
  const [escalateTo, setEscalateTo] = useState(role.policy.escalateTo.join(', '));
  const [durations, setDurations] = useState<DurationOption[]>(role.durations);
  const [defaultDuration, setDefaultDuration] = useState<DurationOption>(role.defaultDuration);
  const [maxMinutes, setMaxMinutes] = useState(role.maxDurationMinutes === null ? '' : String(role.maxDurationMinutes));
  const [busy, setBusy] = useState(false);
  // Every field the editor shows, as the engine names them; anything else the engine says goes to the banner.
  const known = [...PLACED, ...steps.map((_, i) => stepKey(i))];
  const errors = useFormErrors<Field>(id, known);
  const { fe } = errors;
  const stepError = (i: number): string | undefined => errors.error(stepKey(i));
  /** Steps moved, added or removed: their messages (numbered by position) no longer fit. */
  const editedSteps = (): void => {
    errors.edited('policy.steps');
    steps.forEach((_, i) => errors.edited(stepKey(i)));
  };

  const applyDefaults = (r: RiskTier): void => {
    const p = defaultPolicyFor(r);
    setAutoApprove(p.autoApprove);
    setSteps(p.steps.map((s) => ({ kind: s.kind, approvers: '' })));
    setEndDateFor(p.requireEndDateFor);
    setTimeoutHours(String(p.pendingTimeoutHours));
    setOnTimeout(p.onTimeout);
  };
  const toggleDuration = (d: DurationOption, on: boolean): void => {
    const next = DURATION_OPTIONS.filter((x) => (x === d ? on : durations.includes(x)));
    setDurations(next);
    if (!next.includes(defaultDuration) && next[0]) setDefaultDuration(next[0]);
  };
  const moveStep = (i: number, by: number): void => {
    editedSteps();
    setSteps((s) => {
      const next = [...s];
      const [item] = next.splice(i, 1);
      if (item) next.splice(i + by, 0, item);
      return next;
    });
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    errors.begin();
    setBusy(true);
    const hours = Number(timeoutHours);
    const max = maxMinutes.trim() === '' ? null : Number(maxMinutes);
    try {
      await write('catalog:saveRole', {
        id: role.id,
        appId: role.appId,
        name,
        description,
        owner,
        requestable,
        risk,
        policy: {
          autoApprove,
          steps: steps.map((s) => (s.kind === 'named' ? { kind: s.kind, approvers: emails(s.approvers) } : { kind: s.kind })),
          requireEndDateFor: endDateFor,
          pendingTimeoutHours: Number.isFinite(hours) ? Math.round(hours) : 0,
          onTimeout,
          escalateTo: onTimeout === 'escalate' ? emails(escalateTo) : [],
        },
        durations,
        defaultDuration,
        maxDurationMinutes: durations.includes('custom') ? (max !== null && Number.isFinite(max) ? Math.round(max) : null) : null,
      });
      toast.success(`${role.appName} / ${name}`, 'Role saved');
    } catch (error) {
      errors.fail(error);
    } finally {
      setBusy(false);
    }
  };

  const otherEndDate = endDateFor.filter((t) => t !== 'contractor' && t !== 'partner');

  return (
    <form className="card form cat-role-form" onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} aria-label="Role settings">
      <fieldset className="fieldset" disabled={readOnly} aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}>
        <legend className="cat-legend">Role</legend>
        <div className="form-row form-row-even">
          <TextField id={`${id}-name`} label="Name" field="name" errors={fe} value={name} onChange={setName} freeText />
          <TextField id={`${id}-owner`} label="Role owner e-mail" field="owner" errors={fe} value={owner} onChange={setOwner} placeholder={role.appOwner ?? 'owner@example.com'} hint={role.appOwner ? `App owner: ${role.appOwner}` : 'The app has no owner yet.'} />
        </div>
        <div className="field" data-field="description">
          <label htmlFor={`${id}-desc`}>Description</label>
          <textarea id={`${id}-desc`} className="input textarea" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} aria-invalid={fe.invalid('description')} aria-describedby={fe.describedBy('description')} />
          {fe.errorText('description')}
        </div>
        <label className="check">
          <input type="checkbox" checked={requestable} onChange={(e) => setRequestable(e.target.checked)} />
          Requestable (people can ask for this role)
        </label>
      </fieldset>

      <fieldset className="fieldset" disabled={readOnly} aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}>
        <legend className="cat-legend">Risk and approval</legend>
        <div className="field-inline cat-risk-row" data-field="risk">
          <SegmentedRadios name={`${id}-risk`} label="Risk tier" value={risk} onChange={setRisk} options={RISK_TIERS.map((r) => ({ value: r, label: riskLabel[r] }))} />
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              editedSteps();
              applyDefaults(risk);
            }}
          >
            Use the {riskLabel[risk].toLowerCase()}-risk approval defaults
          </button>
        </div>
        {fe.errorText('risk')}
        <label className="check">
          <input type="checkbox" checked={autoApprove} onChange={(e) => setAutoApprove(e.target.checked)} />
          Auto-approve (no approval step; for low-risk roles)
        </label>
        <div className={`cat-steps${autoApprove ? ' is-off' : ''}`} role="group" aria-label="Approval steps" aria-describedby={fe.describedBy('policy.steps')} data-field="policy.steps">
          {steps.length === 0 ? <p className="muted">No approval step.</p> : null}
          <ol className="cat-step-list">
            {steps.map((s, i) => (
              <li key={i} className="cat-step">
                <span className="cat-step-no" aria-hidden="true">
                  {i + 1}
                </span>
                <select
                  className="input select"
                  aria-label={`Approval step ${i + 1}`}
                  value={s.kind}
                  disabled={autoApprove}
                  onChange={(e) => setSteps((all) => all.map((x, j) => (j === i ? { ...x, kind: e.target.value as ApprovalStepKind } : x)))}
                >
                  {(['manager', 'app-owner', 'named'] as const).map((k) => (
                    <option key={k} value={k}>
                      {stepKindLabel[k]}
                    </option>
                  ))}
                </select>
                {s.kind === 'named' ? (
                  <div className="field cat-step-approvers" data-field={stepKey(i)}>
                    <input
                      className="input"
                      aria-label={`Approvers of step ${i + 1} (e-mails)`}
                      placeholder="security@example.com, ciso@example.com"
                      value={s.approvers}
                      disabled={autoApprove}
                      aria-invalid={stepError(i) ? true : undefined}
                      aria-describedby={stepError(i) ? `${id}-step-${i}-err` : undefined}
                      onChange={(e) => setSteps((all) => all.map((x, j) => (j === i ? { ...x, approvers: e.target.value } : x)))}
                    />
                    {stepError(i) ? (
                      <p className="field-error" id={`${id}-step-${i}-err`}>
                        {stepError(i)}
                      </p>
                    ) : null}
                  </div>
                ) : (
                  <span className="muted cat-step-hint">{s.kind === 'manager' ? 'The beneficiary’s manager in the IdP' : role.appOwner ? `App owner (${role.appOwner})` : 'App owner (not set yet)'}</span>
                )}
                <span className="cat-step-actions">
                  <button type="button" className="btn btn-ghost btn-sm" aria-label={`Move step ${i + 1} up`} disabled={autoApprove || i === 0} onClick={() => moveStep(i, -1)}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-ghost btn-sm" aria-label={`Move step ${i + 1} down`} disabled={autoApprove || i === steps.length - 1} onClick={() => moveStep(i, 1)}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove step ${i + 1}`} disabled={autoApprove} onClick={() => {
                      editedSteps();
                      setSteps((all) => all.filter((_, j) => j !== i));
                    }}>
                    <IconTrash size={14} />
                  </button>
                </span>
              </li>
            ))}
          </ol>
          <button type="button" className="btn btn-sm" disabled={autoApprove || steps.length >= 5} onClick={() => {
              editedSteps();
              setSteps((all) => [...all, { kind: all.length === 0 ? 'manager' : 'app-owner', approvers: '' }]);
            }}>
            <IconPlus size={14} /> Add step
          </button>
          {fe.errorText('policy.steps')}
        </div>
        <div className="field">
          <span className="cat-label">Require an end date for</span>
          <div className="field-inline">
            {(['contractor', 'partner'] as const).map((t) => (
              <label key={t} className="check">
                <input type="checkbox" checked={endDateFor.includes(t)} onChange={(e) => setEndDateFor((all) => (e.target.checked ? [...all, t] : all.filter((x) => x !== t)))} />
                {t === 'contractor' ? 'Contractors' : 'Partners'}
              </label>
            ))}
            {otherEndDate.length > 0 ? <span className="muted">and {otherEndDate.join(', ')}</span> : null}
          </div>
          <p className="field-hint">Beneficiaries of these employee types can’t get permanent access to this role.</p>
        </div>
        <div className="form-row form-row-even">
          <div className="field" data-field="policy.pendingTimeoutHours">
            <label htmlFor={`${id}-timeout`}>Pending timeout (hours)</label>
            <input id={`${id}-timeout`} className="input" type="number" min={1} max={2160} value={timeoutHours} onChange={(e) => setTimeoutHours(e.target.value)} aria-invalid={fe.invalid('policy.pendingTimeoutHours')} aria-describedby={fe.describedBy('policy.pendingTimeoutHours', `${id}-timeout-hint`)} />
            <p className="field-hint" id={`${id}-timeout-hint`}>
              168 hours = 7 days.
            </p>
            {fe.errorText('policy.pendingTimeoutHours')}
          </div>
          <div className="field">
            <span className="cat-label">When a request waits longer</span>
            <SegmentedRadios name={`${id}-ontimeout`} label="When a request waits longer" value={onTimeout} onChange={setOnTimeout} options={[{ value: 'expire', label: 'Expire it' }, { value: 'escalate', label: 'Escalate' }]} />
          </div>
        </div>
        {onTimeout === 'escalate' ? (
          <TextField id={`${id}-escalate`} label="Escalate to (e-mails)" field="policy.escalateTo" errors={fe} value={escalateTo} onChange={setEscalateTo} placeholder="it-lead@example.com" wide />
        ) : null}
      </fieldset>

      <fieldset className="fieldset" disabled={readOnly} aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}>
        <legend className="cat-legend">Durations</legend>
        <div className="cat-durations" role="group" aria-label="Allowed durations" aria-describedby={fe.describedBy('durations')} data-field="durations">
          {DURATION_OPTIONS.map((d) => (
            <label key={d} className="check">
              <input type="checkbox" checked={durations.includes(d)} onChange={(e) => toggleDuration(d, e.target.checked)} />
              {durationLabel(d)}
            </label>
          ))}
        </div>
        {fe.errorText('durations')}
        <div className="form-row form-row-even">
          <div className="field" data-field="maxDurationMinutes">
            <label htmlFor={`${id}-max`}>Longest custom duration (minutes)</label>
            <input
              id={`${id}-max`}
              className="input"
              type="number"
              min={1}
              value={maxMinutes}
              disabled={!durations.includes('custom')}
              onChange={(e) => setMaxMinutes(e.target.value)}
              aria-invalid={fe.invalid('maxDurationMinutes')}
              aria-describedby={fe.describedBy('maxDurationMinutes', `${id}-max-hint`)}
            />
            <p className="field-hint" id={`${id}-max-hint`}>
              {durations.includes('custom') ? describeMinutes(maxMinutes) : 'Tick “Custom” to let requesters pick a length up to this.'}
            </p>
            {fe.errorText('maxDurationMinutes')}
          </div>
          <div className="field" data-field="defaultDuration">
            <label htmlFor={`${id}-default`}>Default duration</label>
            <select id={`${id}-default`} className="input select" value={defaultDuration} onChange={(e) => setDefaultDuration(e.target.value as DurationOption)} aria-invalid={fe.invalid('defaultDuration')} aria-describedby={fe.describedBy('defaultDuration')}>
              {DURATION_OPTIONS.filter((d) => durations.includes(d) || d === defaultDuration).map((d) => (
                <option key={d} value={d}>
                  {durationLabel(d)}
                </option>
              ))}
            </select>
            {fe.errorText('defaultDuration')}
          </div>
        </div>
      </fieldset>
      {errors.form ? <InlineError message={errors.form} /> : null}
      <div className="form-actions cat-form-actions">
        <WriteButton type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save role'}
        </WriteButton>
      </div>
    </form>
  );
}

function describeMinutes(text: string): string {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) return 'Required when custom is allowed.';
  if (n % 1440 === 0) return `= ${n / 1440} day${n === 1440 ? '' : 's'}`;
  if (n % 60 === 0) return `= ${n / 60} hour${n === 60 ? '' : 's'}`;
  return `= ${Math.floor(n / 60)} h ${n % 60} min`;
}

function Mappings({ role }: { role: CatalogRoleDetail }): ReactNode {
  const select = useCatalogStore((s) => s.select);
  const write = useCatalogStore((s) => s.write);
  const [busy, setBusy] = useState<string | null>(null);
  const label = `${role.appName} / ${role.name}`;
  const act = async (m: RoleMapping, how: 'unmap' | 'map'): Promise<void> => {
    const key = `${m.connectionId}:${m.groupId}`;
    setBusy(key);
    try {
      await write(how === 'unmap' ? 'catalog:unmap' : 'catalog:map', { roleId: role.id, connectionId: m.connectionId, groupId: m.groupId });
      toast.success(m.currentName ?? m.groupName, how === 'unmap' ? 'Group unmapped' : 'New name accepted');
    } catch (error) {
      toast.error(error, how === 'unmap' ? 'Couldn’t unmap the group' : 'Couldn’t update the mapping');
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card card-flush cat-mappings" aria-labelledby="cat-mappings-title">
      <div className="card-head">
        <h2 id="cat-mappings-title">Mapped groups</h2>
        <a
          className="btn btn-sm"
          href={formatRoute(routes.catalog())}
          onClick={() => select(role.id)}
        >
          Map a group…
        </a>
      </div>
      {role.mappings.length === 0 ? (
        <p className="card-body muted">
          No group is mapped: approving a request for this role would change nothing. Use “Map a group…” to pick one from the synced
          groups.
        </p>
      ) : (
        <ul className="cat-mapping-list">
          {role.mappings.map((m) => {
            const key = `${m.connectionId}:${m.groupId}`;
            const name = m.currentName ?? m.groupName;
            return (
              <li key={key} className="cat-mapping">
                <div className="cat-mapping-head">
                  <div>
                    <div className="cat-group-name">{name}</div>
                    <div className="muted cat-mapping-meta">
                      {m.connectionName ?? `Connection #${m.connectionId} (removed)`} · <span className="mono">{m.groupId}</span>
                      {m.memberCount !== null ? ` · ${formatNumber(m.memberCount)} member${m.memberCount === 1 ? '' : 's'}` : ''}
                    </div>
                  </div>
                  <span className="cat-mapping-actions">
                    {m.problems.some((p) => p.kind === 'group-renamed') ? (
                      <WriteButton className="btn btn-sm" disabled={busy === key} onClick={() => void act(m, 'map')} aria-label={`Accept the new name of ${name}`}>
                        Accept new name
                      </WriteButton>
                    ) : null}
                    <WriteButton className="btn btn-sm" disabled={busy === key} onClick={() => void act(m, 'unmap')} aria-label={`Unmap ${name} from ${label}`}>
                      Unmap
                    </WriteButton>
                  </span>
                </div>
                <ProblemList problems={m.problems} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
