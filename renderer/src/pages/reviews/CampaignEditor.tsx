// The campaign editor (#/reviews/new, #/reviews/ID/edit): a draft's name, description, scope,
// reviewers (stage 1, a required fallback, an optional stage 2 and which outcomes go on to it),
// due date, what undecided items get at close, and recurrence. The engine checks everything
// again; its messages sit next to the field they name (lib/field-errors.ts).
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  CLOSE_OUTCOMES,
  REVIEWER_KINDS,
  type CampaignDefinition,
  type CampaignView,
  type CloseOutcome,
  type ReviewDecision,
  type ReviewerKind,
} from '../../../../shared/contract-reviews.js';
import { TextField, useFormErrors } from '../../components/FormFields.js';
import { InlineError } from '../../components/InlineError.js';
import { PersonPicker } from '../../components/PersonPicker.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { navigate, routes } from '../../lib/router.js';
import { reviews, useReviewsStore } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';
import { EMPTY_SCOPE, ScopeFields, scopeDraft, scopeInput, type ScopeDraft } from './ScopeFields.js';

const KIND_TEXT: Record<ReviewerKind, string> = {
  manager: "The person's manager",
  owner: "The role's or app's owner",
  'group-owner': "The group's owner (from the IdP)",
  named: 'Named people',
};
const OUTCOME_TEXT: Record<CloseOutcome, string> = { 'no-change': 'No change', revoke: 'Revoke', recommendation: 'Take the recommendation' };

type Stage = { kind: ReviewerKind; named: string[] };
type Draft = {
  name: string;
  description: string;
  scope: ScopeDraft;
  stage1: Stage;
  fallback: string;
  stage2: (Stage & { outcomes: ReviewDecision[]; dueAt: string }) | null;
  dueAt: string;
  defaultOutcome: CloseOutcome;
  recurrenceMonths: string;
};

/** The fields as the engine names them in its messages. */
const FIELDS = [
  'name',
  'description',
  'scope',
  'scope.appIds',
  'scope.roleIds',
  'scope.groups',
  'scope.idpApps',
  'scope.connectionIds',
  'scope.people',
  'reviewers.stage1',
  'reviewers.fallback',
  'reviewers.stage2',
  'dueAt',
  'defaultOutcome',
  'recurrenceMonths',
] as const;

function fromDefinition(d: CampaignDefinition): Draft {
  return {
    name: d.name,
    description: d.description,
    scope: scopeDraft(d.scope),
    stage1: { kind: d.reviewers.stage1.kind, named: d.reviewers.stage1.named },
    fallback: d.reviewers.fallback,
    stage2: d.reviewers.stage2
      ? { kind: d.reviewers.stage2.kind, named: d.reviewers.stage2.named, outcomes: d.reviewers.stage2.outcomes, dueAt: d.reviewers.stage2.dueAt?.slice(0, 10) ?? '' }
      : null,
    dueAt: d.dueAt.slice(0, 10),
    defaultOutcome: d.defaultOutcome,
    recurrenceMonths: d.recurrenceMonths === null ? '' : String(d.recurrenceMonths),
  };
}

const blank: Draft = {
  name: '',
  description: '',
  scope: EMPTY_SCOPE,
  stage1: { kind: 'manager', named: [] },
  fallback: '',
  stage2: null,
  dueAt: '',
  defaultOutcome: 'no-change',
  recurrenceMonths: '',
};

/** What goes to reviews:create / reviews:update (thresholds stay as stored, or the defaults). */
function toInput(d: Draft, thresholds: CampaignDefinition['thresholds'] | undefined): Record<string, unknown> {
  return {
    name: d.name,
    description: d.description,
    scope: scopeInput(d.scope),
    reviewers: {
      stage1: d.stage1,
      fallback: d.fallback,
      ...(d.stage2 ? { stage2: { kind: d.stage2.kind, named: d.stage2.named, outcomes: d.stage2.outcomes, ...(d.stage2.dueAt ? { dueAt: d.stage2.dueAt } : {}) } } : {}),
    },
    dueAt: d.dueAt,
    defaultOutcome: d.defaultOutcome,
    ...(thresholds ? { thresholds } : {}),
    recurrenceMonths: d.recurrenceMonths.trim() === '' ? null : Number(d.recurrenceMonths),
  };
}

function StageFields({ label, stage, onChange, error }: { label: string; stage: Stage; onChange: (s: Stage) => void; error?: string | undefined }): ReactNode {
  const id = useId();
  return (
    <div className="field field-wide">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <select id={id} className="input select" value={stage.kind} onChange={(e) => onChange({ ...stage, kind: e.target.value as ReviewerKind })}>
        {REVIEWER_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_TEXT[k]}
          </option>
        ))}
      </select>
      {stage.kind === 'named' ? (
        <>
          <PersonPicker
            label="Reviewers (one reviews everything; several take people in turn)"
            onPick={(p) => {
              const email = p.email ?? p.login;
              if (!stage.named.includes(email)) onChange({ ...stage, named: [...stage.named, email] });
            }}
          />
          <ul className="chips rv-chips" aria-label={`${label}: named reviewers`}>
            {stage.named.map((e) => (
              <li key={e} className="chip">
                {e}
                <button type="button" className="icon-btn" aria-label={`Remove ${e}`} onClick={() => onChange({ ...stage, named: stage.named.filter((x) => x !== e) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}

function EditorForm({ campaign }: { campaign: CampaignView | null }): ReactNode {
  const id = useId();
  const write = useReviewsStore((s) => s.write);
  const [d, setD] = useState<Draft>(() => (campaign ? fromDefinition(campaign.definition) : blank));
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>): void => setD((x) => ({ ...x, ...patch }));
  const errors = useFormErrors<(typeof FIELDS)[number]>(id, FIELDS, {
    name: d.name.trim() === '' && 'Give the campaign a name.',
    'reviewers.fallback': d.fallback.trim() === '' && 'Pick a fallback reviewer: self-review is never allowed, someone must take the items.',
    'reviewers.stage1': d.stage1.kind === 'named' && d.stage1.named.length === 0 && 'Pick at least one named reviewer.',
    dueAt: d.dueAt === '' && 'Pick a due date.',
    recurrenceMonths: d.recurrenceMonths.trim() !== '' && !/^\d+$/.test(d.recurrenceMonths.trim()) && 'Months as a whole number (1–36), or leave empty.',
  });

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!errors.begin()) return;
    setBusy(true);
    try {
      const input = toInput(d, campaign?.definition.thresholds) as CampaignDefinition;
      const saved = campaign ? await write('reviews:update', { campaignId: campaign.id, definition: input }) : await write('reviews:create', input);
      toast.success(saved.name, campaign ? 'Draft saved' : 'Draft campaign created');
      navigate(routes.previewCampaign(saved.id));
    } catch (err) {
      errors.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form form-card rv-editor" onSubmit={(e) => void submit(e)} onChange={errors.onFormChange} noValidate>
      {errors.form ? <InlineError message={errors.form} /> : null}
      <TextField id={`${id}-name`} label="Name" field="name" errors={errors.fe} value={d.name} onChange={(name) => set({ name })} freeText wide autoFocus />
      <div className="field field-wide" data-field="description">
        <label htmlFor={`${id}-desc`}>Description</label>
        <textarea id={`${id}-desc`} className="input textarea" rows={2} value={d.description} onChange={(e) => set({ description: e.target.value })} />
        {errors.fe.errorText('description')}
      </div>
      <ScopeFields scope={d.scope} onChange={(scope) => set({ scope })} error={errors.error} />
      <fieldset className="fieldset" data-field="reviewers">
        <legend className="section-title">Reviewers</legend>
        <div data-field="reviewers.stage1">
          <StageFields label="Stage 1: who reviews" stage={d.stage1} onChange={(stage1) => set({ stage1 })} error={errors.error('reviewers.stage1')} />
        </div>
        <div className="field field-wide" data-field="reviewers.fallback">
          <PersonPicker
            label="Fallback reviewer (when the chosen one is missing, inactive or the person under review)"
            onPick={(p) => set({ fallback: p.email ?? p.login })}
            {...(errors.fe.invalid('reviewers.fallback') ? { invalid: true as const } : {})}
            error={errors.fe.errorText('reviewers.fallback')}
          />
          {d.fallback ? <p className="field-hint">Fallback: {d.fallback}</p> : null}
        </div>
        <label className="check-row">
          <input type="checkbox" checked={d.stage2 !== null} onChange={() => set({ stage2: d.stage2 ? null : { kind: 'owner', named: [], outcomes: ['keep'], dueAt: '' } })} />
          A second stage for what stage 1 decided
        </label>
        {d.stage2 ? (
          <div className="rv-indent" data-field="reviewers.stage2">
            <StageFields label="Stage 2: who reviews" stage={d.stage2} onChange={(s) => set({ stage2: { ...(d.stage2 as NonNullable<Draft['stage2']>), ...s } })} error={errors.error('reviewers.stage2')} />
            <span className="field-label">Which stage-1 outcomes go on to stage 2</span>
            <div className="rv-inline-checks">
              {(['keep', 'revoke'] as const).map((o) => (
                <label key={o} className="check-row">
                  <input
                    type="checkbox"
                    checked={d.stage2?.outcomes.includes(o) ?? false}
                    onChange={() => {
                      const s2 = d.stage2 as NonNullable<Draft['stage2']>;
                      set({ stage2: { ...s2, outcomes: s2.outcomes.includes(o) ? s2.outcomes.filter((x) => x !== o) : [...s2.outcomes, o] } });
                    }}
                  />
                  {o === 'keep' ? 'Kept' : 'Revoked'}
                </label>
              ))}
            </div>
            <div className="field">
              <label htmlFor={`${id}-due2`}>Stage 2 due</label>
              <input id={`${id}-due2`} type="date" className="input" value={d.stage2.dueAt} onChange={(e) => set({ stage2: { ...(d.stage2 as NonNullable<Draft['stage2']>), dueAt: e.target.value } })} />
            </div>
          </div>
        ) : null}
      </fieldset>
      <fieldset className="fieldset">
        <legend className="section-title">Due date and close</legend>
        <div className="form-row form-row-even">
          <div className="field" data-field="dueAt">
            <label htmlFor={`${id}-due`}>Due</label>
            <input
              id={`${id}-due`}
              type="date"
              className="input"
              value={d.dueAt}
              onChange={(e) => set({ dueAt: e.target.value })}
              aria-invalid={errors.fe.invalid('dueAt')}
              aria-describedby={errors.fe.describedBy('dueAt')}
            />
            {errors.fe.errorText('dueAt')}
          </div>
          <div className="field" data-field="defaultOutcome">
            <label htmlFor={`${id}-def`}>Undecided items at close</label>
            <select id={`${id}-def`} className="input select" value={d.defaultOutcome} onChange={(e) => set({ defaultOutcome: e.target.value as CloseOutcome })}>
              {CLOSE_OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {OUTCOME_TEXT[o]}
                </option>
              ))}
            </select>
            {errors.fe.errorText('defaultOutcome')}
          </div>
          <div className="field" data-field="recurrenceMonths">
            <label htmlFor={`${id}-rec`}>Repeat every (months)</label>
            <input
              id={`${id}-rec`}
              className="input"
              inputMode="numeric"
              placeholder="never"
              value={d.recurrenceMonths}
              onChange={(e) => set({ recurrenceMonths: e.target.value })}
              aria-invalid={errors.fe.invalid('recurrenceMonths')}
              aria-describedby={errors.fe.describedBy('recurrenceMonths')}
            />
            {errors.fe.errorText('recurrenceMonths')}
          </div>
        </div>
      </fieldset>
      <div className="form-actions">
        <WriteButton type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : campaign ? 'Save and preview' : 'Create draft and preview'}
        </WriteButton>
        <button type="button" className="btn btn-ghost" onClick={() => navigate(campaign ? routes.campaign(campaign.id) : routes.reviews())}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function CampaignEditor({ campaignId }: { campaignId: number | null }): ReactNode {
  const version = useReviewsStore((s) => s.version);
  // The stored definition once, when the editor opens (a version bump must not reset what is being typed).
  const [opened] = useState(version);
  const loaded = useAsync(`edit:${campaignId ?? 'new'}:${opened}`, (signal) => (campaignId === null ? Promise.resolve(null) : reviews.get(campaignId, signal)));
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{campaignId === null ? 'New campaign' : 'Edit draft'}</h1>
          <p className="page-sub">Nothing is asked of anyone until launch; the preview shows what launch would freeze.</p>
        </div>
      </header>
      {loaded.error ? <InlineError message={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.status === 'ready' ? (
        loaded.data && loaded.data.status !== 'draft' ? (
          <p className="muted">This campaign was launched: its definition no longer changes. Copy it to start a new one.</p>
        ) : (
          <EditorForm campaign={loaded.data} />
        )
      ) : null}
    </div>
  );
}
