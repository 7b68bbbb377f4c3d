// Inline forms of the catalog tree: a new or edited app, and a new role
// (name and risk; the rest starts from the risk's defaults and is edited on
// the role's page).
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { RISK_TIERS, type CatalogApp, type RiskTier } from '../../../../shared/governance.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { SegmentedRadios, TextField, useFormErrors } from '../../components/FormFields.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { navigate, routes } from '../../lib/router.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { toast } from '../../stores/toast-store.js';
import { riskLabel } from './parts.js';

type AppField = 'name' | 'description' | 'owner';
const APP_FIELDS: readonly AppField[] = ['name', 'description', 'owner'];

export function AppForm({ app, onDone }: { app?: CatalogApp; onDone: () => void }): ReactNode {
  const id = useId();
  const write = useCatalogStore((s) => s.write);
  const [name, setName] = useState(app?.name ?? '');
  const [description, setDescription] = useState(app?.description ?? '');
  const [owner, setOwner] = useState(app?.owner ?? '');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors<AppField>(id, APP_FIELDS);
  const [confirm, setConfirm] = useState(false);
  const { fe } = errors;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    errors.begin();
    setBusy(true);
    try {
      await write('catalog:saveApp', { ...(app ? { id: app.id } : {}), name, description, owner });
      toast.success(name, app ? 'App saved' : 'App added');
      onDone();
    } catch (error) {
      errors.fail(error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (): Promise<void> => {
    if (!app) return;
    setBusy(true);
    try {
      await write('catalog:deleteApp', { id: app.id });
      toast.success(app.name, 'App deleted');
      onDone();
    } catch (error) {
      setConfirm(false);
      errors.fail(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form cat-inline-form" onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} aria-label={app ? `Edit ${app.name}` : 'New app'}>
      <div className="form-row form-row-even">
        <TextField id={`${id}-name`} label="App name" field="name" errors={fe} value={name} onChange={setName} freeText autoFocus placeholder="Figma" />
        <TextField id={`${id}-owner`} label="Owner e-mail" field="owner" errors={fe} value={owner} onChange={setOwner} placeholder="app-owner@example.com" hint="Approves “app owner” steps." />
      </div>
      <TextField id={`${id}-desc`} label="Description" field="description" errors={fe} value={description} onChange={setDescription} freeText wide />
      {errors.form ? <InlineError message={errors.form} /> : null}
      <div className="form-actions cat-form-actions">
        <WriteButton type="submit" className="btn btn-primary btn-sm" disabled={busy}>
          {app ? 'Save app' : 'Add app'}
        </WriteButton>
        <button type="button" className="btn btn-sm" onClick={onDone} disabled={busy}>
          Cancel
        </button>
        {app ? (
          <>
            <span className="toolbar-spacer" />
            <WriteButton className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setConfirm(true)} disabled={busy}>
              Delete app
            </WriteButton>
            <ConfirmDialog open={confirm} title={`Delete ${app.name}?`} confirmLabel="Delete app" busy={busy} onConfirm={() => void remove()} onCancel={() => setConfirm(false)}>
              Its {app.roles.length} role{app.roles.length === 1 ? '' : 's'} and their group mappings are removed from the catalog. Nothing changes in
              the IdP. An app whose roles have requests can’t be deleted.
            </ConfirmDialog>
          </>
        ) : null}
      </div>
    </form>
  );
}

type RoleField = 'name' | 'risk';
const ROLE_FIELDS: readonly RoleField[] = ['name', 'risk'];

export function NewRoleForm({ app, onDone }: { app: CatalogApp; onDone: () => void }): ReactNode {
  const id = useId();
  const write = useCatalogStore((s) => s.write);
  const [name, setName] = useState('');
  const [risk, setRisk] = useState<RiskTier>('medium');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors<RoleField>(id, ROLE_FIELDS);
  const { fe } = errors;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    errors.begin();
    setBusy(true);
    try {
      const role = await write('catalog:saveRole', { appId: app.id, name, risk });
      toast.success(`${app.name} / ${role.name}: approval and durations start from the ${riskLabel[risk].toLowerCase()}-risk defaults`, 'Role added');
      onDone();
      navigate(routes.role(role.id));
    } catch (error) {
      errors.fail(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form cat-inline-form" onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} aria-label={`New role in ${app.name}`}>
      <div className="form-row form-row-even">
        <TextField id={`${id}-name`} label="Role name" field="name" errors={fe} value={name} onChange={setName} freeText autoFocus placeholder="Editor" />
        <div className="field">
          <span className="cat-label" id={`${id}-risk`}>
            Risk
          </span>
          <SegmentedRadios
            name={`${id}-risk`}
            label="Risk"
            value={risk}
            onChange={(r) => {
              fe.edited('risk');
              setRisk(r);
            }}
            options={RISK_TIERS.map((r) => ({ value: r, label: riskLabel[r] }))}
          />
          {fe.errorText('risk')}
        </div>
      </div>
      {errors.form ? <InlineError message={errors.form} /> : null}
      <div className="form-actions cat-form-actions">
        <WriteButton type="submit" className="btn btn-primary btn-sm" disabled={busy}>
          Add role
        </WriteButton>
        <button type="button" className="btn btn-sm" onClick={onDone} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
