// The evidence workbook (#/evidence): pick a period, export one workbook for the auditor (progress
// bar with rows written, cancel), then its result card — path, size, SHA-256, the manifest, each
// sheet's rows and content hash, and the command that re-checks it. Works on a read-only snapshot.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { EvidenceRunView } from '../../../shared/contract-evidence.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { EmptyState } from '../components/EmptyState.js';
import { TextField, useFormErrors } from '../components/FormFields.js';
import { InlineError } from '../components/InlineError.js';
import { engineNow } from '../hooks/useNow.js';
import { formatNumber } from '../lib/format.js';
import { useEvidenceStore } from '../stores/evidence-store.js';
import { toast } from '../stores/toast-store.js';

const FIELDS = ['from', 'to', 'folder', 'sample', 'seed'] as const;
type Field = (typeof FIELDS)[number];

/** YYYY-MM-DD of an instant, in UTC (the workbook's zone). */
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The periods auditors usually ask for, ending with the last whole day or quarter (UTC). */
function presets(now: number): { label: string; from: string; to: string }[] {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const q = Math.floor(m / 3);
  const lastQuarterStart = Date.UTC(y, (q - 1) * 3, 1);
  const lastQuarterEnd = Date.UTC(y, q * 3, 1) - 86_400_000;
  return [
    { label: 'Last quarter', from: day(lastQuarterStart), to: day(lastQuarterEnd) },
    { label: 'Last month', from: day(Date.UTC(y, m - 1, 1)), to: day(Date.UTC(y, m, 1) - 86_400_000) },
    { label: 'Year to date', from: day(Date.UTC(y, 0, 1)), to: day(now) },
    { label: 'Last 12 months', from: day(Date.UTC(y - 1, m, d.getUTCDate())), to: day(now) },
  ];
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function RunProgress({ run }: { run: EvidenceRunView }): ReactNode {
  const cancel = useEvidenceStore((s) => s.cancel);
  const pct = run.sheetsTotal > 0 ? Math.min(100, Math.round((run.sheetsDone / run.sheetsTotal) * 100)) : null;
  return (
    <section className="card ev-run" aria-label="Export in progress">
      <div className="sync-progress-head">
        <span className="sync-progress-title">
          <span className="pulse-dot" aria-hidden="true" />
          Writing the workbook{run.sheet ? (
            <>
              {' '}— <strong>{run.sheet}</strong>
            </>
          ) : null}
        </span>
        <span className="muted tabular" data-testid="ev-rows">
          {formatNumber(run.rowsWritten)} rows written · sheet {Math.min(run.sheetsDone + 1, Math.max(run.sheetsTotal, 1))} of {run.sheetsTotal || '…'}
        </span>
      </div>
      <div
        className={`progress${pct === null ? ' is-indeterminate' : ''}`}
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={`${run.sheetsDone} of ${run.sheetsTotal} sheets, ${formatNumber(run.rowsWritten)} rows written`}
      >
        <div className="progress-bar" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <div className="ev-run-foot">
        <span className="muted">
          To <code>{run.path}</code>; the file appears under this name only once it is complete.
        </span>
        <button type="button" className="btn btn-sm" onClick={() => void cancel(run.exportId).catch((e: unknown) => toast.error(e))}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function RunResult({ run }: { run: EvidenceRunView }): ReactNode {
  const reveal = useEvidenceStore((s) => s.reveal);
  const r = run.result;
  if (run.state === 'failed') return <InlineError title="The export stopped: no workbook was written" message={run.error ?? 'unknown error'} />;
  if (run.state === 'cancelled') return <p className="muted">Cancelled: the partial file was removed.</p>;
  if (!r) return null;
  const show = async (): Promise<void> => {
    try {
      if (!(await reveal(run.exportId))) toast.info('No file manager to open here: the path is above.');
    } catch (e) {
      toast.error(e);
    }
  };
  return (
    <section className="card card-flush ev-result" aria-label="Workbook written">
      <div className="card-head">
        <div>
          <h2>Workbook written</h2>
          <p className="muted">
            {run.from.slice(0, 10)} to {run.to.slice(0, 10)} (UTC) · finished <AbsoluteTime iso={run.finishedAt} />
          </p>
        </div>
        <button type="button" className="btn btn-sm" onClick={() => void show()}>
          Show in folder
        </button>
      </div>
      <div className="card-body">
        <dl className="ev-facts">
          <div>
            <dt>File</dt>
            <dd>
              <code className="ev-path">{run.path}</code>
            </dd>
          </div>
          <div>
            <dt>Size</dt>
            <dd className="tabular">{formatBytes(r.size)}</dd>
          </div>
          <div>
            <dt>SHA-256</dt>
            <dd>
              <code className="ev-hash" data-testid="ev-sha256">
                {r.sha256}
              </code>
            </dd>
          </div>
          <div>
            <dt>Manifest</dt>
            <dd>
              <code className="ev-path">{r.manifestPath}</code> {r.signed ? <span className="badge badge-green">signed</span> : <span className="badge badge-neutral">not signed (no workspace key here)</span>}
            </dd>
          </div>
          <div>
            <dt>Exceptions</dt>
            <dd className="tabular">{formatNumber(r.exceptions)}</dd>
          </div>
        </dl>
        <table className="cat-table ev-sheets" aria-label="Sheets">
          <thead>
            <tr>
              <th scope="col">Sheet</th>
              <th scope="col" className="cat-col-num">
                Rows
              </th>
              <th scope="col">Content SHA-256 (canonical CSV)</th>
            </tr>
          </thead>
          <tbody>
            {r.sheets.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="cat-col-num tabular">{formatNumber(s.rows)}</td>
                <td>
                  <code className="ev-hash" title={s.sha256}>
                    {s.sha256}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted ev-verify">
          Anyone can re-check it against its manifest: <code>latchkey evidence verify "{run.path}"</code>
        </p>
      </div>
    </section>
  );
}

export function EvidencePage(): ReactNode {
  const id = useId();
  const { folder, runs, status, error, load, start } = useEvidenceStore();
  // The periods offered, from the engine's day when the page opened.
  const [periods] = useState(() => presets(engineNow()));
  const initial = periods[0];
  const [from, setFrom] = useState(initial?.from ?? '');
  const [to, setTo] = useState(initial?.to ?? '');
  const [dir, setDir] = useState<string | null>(null);
  const [sampling, setSampling] = useState(false);
  const [sample, setSample] = useState('25');
  const [seed, setSeed] = useState('');
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors<Field>(id, FIELDS, { sample: sampling && !/^[1-9]\d*$/.test(sample.trim()) && 'a whole number of rows, at least 1' });

  useEffect(() => {
    void load();
  }, [load]);

  const running = runs.find((r) => r.state === 'running') ?? null;
  const latest = runs[0] ?? null;
  const earlier = runs.filter((r) => r !== latest && r.state === 'done');

  const submit = async (): Promise<void> => {
    if (!errors.begin()) return;
    setBusy(true);
    try {
      await start({
        from,
        to,
        ...(dir !== null && dir.trim() !== '' ? { folder: dir.trim() } : {}),
        ...(sampling ? { sample: Number(sample.trim()), seed: seed.trim() === '' ? String(engineNow()) : seed.trim() } : {}),
      });
    } catch (e) {
      errors.fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Evidence</h1>
          <p className="page-sub">
            One workbook for the auditor: who has access and how they got it, approvals, revocations, leavers, reviews and the audit chain for a
            period — each sheet hashed in a manifest, its populations reconciled with the snapshot. It only reads: a copied snapshot works offline.
          </p>
        </div>
      </header>
      {status === 'error' ? <InlineError title="Couldn’t read the exports" message={error ?? ''} onRetry={() => void load()} /> : null}
      <section className="card" aria-labelledby={`${id}-period`} onChange={errors.onFormChange}>
        <h2 id={`${id}-period`} className="section-title">
          Period
        </h2>
        <div className="ev-presets" role="group" aria-label="Common periods">
          {periods.map((p) => (
            <button
              key={p.label}
              type="button"
              className={`btn btn-sm${p.from === from && p.to === to ? ' is-active' : ''}`}
              aria-pressed={p.from === from && p.to === to}
              onClick={() => {
                setFrom(p.from);
                setTo(p.to);
                errors.edited('from');
                errors.edited('to');
              }}
            >
              {p.label}
            </button>
          ))}
        </div>
        <div className="ev-form">
          {(['from', 'to'] as const).map((end) => (
            <div className="field" key={end} data-field={end}>
              <label htmlFor={`${id}-${end}`}>{end === 'from' ? 'From' : 'To'} (UTC, inclusive)</label>
              <input
                id={`${id}-${end}`}
                className="input"
                type="date"
                value={end === 'from' ? from : to}
                onChange={(e) => (end === 'from' ? setFrom : setTo)(e.target.value)}
                aria-invalid={errors.fe.invalid(end)}
                aria-describedby={errors.fe.describedBy(end)}
              />
              {errors.fe.errorText(end)}
            </div>
          ))}
          <TextField id={`${id}-folder`} label="Folder" field="folder" errors={errors.fe} value={dir ?? folder ?? ''} placeholder={folder ?? ''} onChange={setDir} />
        </div>
        <div className="ev-sample">
          <label className="field-inline">
            <input type="checkbox" checked={sampling} onChange={(e) => setSampling(e.target.checked)} /> Add the auditor’s sample
          </label>
          {sampling ? (
            <>
              <TextField id={`${id}-sample`} label="Rows per population" field="sample" errors={errors.fe} value={sample} onChange={setSample} />
              <TextField id={`${id}-seed`} label="Seed (the same seed draws the same rows)" field="seed" errors={errors.fe} value={seed} placeholder="e.g. the auditor's choice" onChange={setSeed} freeText />
            </>
          ) : null}
        </div>
        {errors.form ? <InlineError title="Export refused" message={errors.form} /> : null}
        <div className="form-actions">
          <button type="button" className="btn btn-primary" disabled={busy || running !== null || from === '' || to === ''} onClick={() => void submit()}>
            {running ? 'Exporting…' : 'Export workbook'}
          </button>
        </div>
      </section>
      {running ? <RunProgress run={running} /> : null}
      {latest && latest.state !== 'running' ? <RunResult run={latest} /> : null}
      {earlier.length > 0 ? (
        <section className="card" aria-label="Earlier exports">
          <h2 className="section-title">Earlier in this session</h2>
          <ul className="ev-earlier">
            {earlier.map((r) => (
              <li key={r.exportId}>
                <code className="ev-path">{r.path}</code> <span className="muted">sha256 {r.result?.sha256.slice(0, 16)}…</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {runs.length === 0 && status === 'ready' ? (
        <EmptyState title="No workbook yet">Pick a period and export: the file is written to the folder above, beside its manifest.</EmptyState>
      ) : null}
    </div>
  );
}
