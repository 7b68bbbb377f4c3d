// The HR feed (#/hr): import an HR system's CSV export (with its column preset) or a file of HR events
// (JSON lines) — all rows or none, each error naming its row — then the feed's status: the last import
// (when, who, the file's SHA-256, counts), how many HR records match a person, the HR records matching
// nobody, the people without an HR record, and the events pending (effective later) or due (effective
// today or earlier, not yet processed).
import { useEffect, useId, useState, type ReactNode } from 'react';
import { HR_PRESETS, type HrEventRow, type HrImportResult, type HrPreset } from '../../../shared/contract-hr.js';
import { errorMessage } from '../api/client.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { EmptyState } from '../components/EmptyState.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { formatNumber } from '../lib/format.js';
import { useHrStore } from '../stores/hr-store.js';
import { toast } from '../stores/toast-store.js';

const PRESET_LABELS: Readonly<Record<HrPreset, string>> = {
  bamboohr: 'BambooHR',
  workday: 'Workday',
  rippling: 'Rippling',
  hibob: 'HiBob',
  generic: 'Generic (Latchkey column names)',
};

const EVENT_LABELS: Readonly<Record<HrEventRow['type'], string>> = {
  'employee.hired': 'Hired',
  'employee.updated': 'Updated',
  'employee.terminated': 'Terminated',
};

function ImportResult({ file, result }: { file: string; result: HrImportResult | { error: string } }): ReactNode {
  if ('error' in result) return <InlineError title={`Couldn’t import ${file}`} message={result.error} />;
  if (result.ok) {
    return (
      <p className="text-ok" role="status">
        Imported {file}: {formatNumber(result.rows)} {result.kind === 'csv' ? 'rows' : 'event lines'}; HR records {result.created} created, {result.updated} updated,{' '}
        {result.unchanged} unchanged{result.kind === 'events' ? `; ${result.events} events stored, ${result.duplicates} duplicates ignored` : ''}.
      </p>
    );
  }
  return (
    <div className="inline-error" role="alert">
      <div className="inline-error-text">
        <strong>
          {file}: {result.errors.length} problem{result.errors.length === 1 ? '' : 's'}, nothing was imported
        </strong>
        <ul className="cat-io-errors">
          {result.errors.slice(0, 50).map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
          {result.errors.length > 50 ? <li>…and {result.errors.length - 50} more</li> : null}
        </ul>
      </div>
    </div>
  );
}

function EventTable({ label, rows, count }: { label: string; rows: readonly HrEventRow[]; count: number }): ReactNode {
  if (count === 0) return <p className="muted">None.</p>;
  return (
    <>
      <table className="cat-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Effective</th>
            <th scope="col">Event</th>
            <th scope="col">Person</th>
            <th scope="col">Event id</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.eventId}>
              <td className="tabular">{e.effectiveDate}</td>
              <td>{EVENT_LABELS[e.type]}</td>
              <td>
                {e.name ?? '—'} <span className="muted">{e.email ?? e.employeeId ?? ''}</span>
              </td>
              <td className="muted">{e.eventId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {count > rows.length ? <p className="muted">…and {formatNumber(count - rows.length)} more</p> : null}
    </>
  );
}

export function HrPage(): ReactNode {
  const id = useId();
  const { status, loading, error, load, importFile } = useHrStore();
  const [preset, setPreset] = useState<HrPreset>('bamboohr');
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<{ file: string; result: HrImportResult | { error: string } } | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const onFile = async (file: File): Promise<void> => {
    setBusy(true);
    setLast(null);
    try {
      const result = await importFile({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, preset);
      setLast({ file: file.name, result });
      if (result.ok) toast.success(`${result.created} created, ${result.updated} updated`, `Imported ${file.name}`);
    } catch (e) {
      setLast({ file: file.name, result: { error: errorMessage(e) } });
    } finally {
      setBusy(false);
    }
  };

  const s = status;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>HR feed</h1>
          <p className="page-sub">
            What the HR system says about each person — department, title, manager, start and end dates — from its CSV export or its stream of hire,
            change and termination events. Matched to people by employee id, then e-mail. Events apply by effective date, whatever order they arrive in.
          </p>
        </div>
      </header>
      {loading === 'error' ? <InlineError title="Couldn’t read the HR feed" message={error ?? ''} onRetry={() => void load()} /> : null}

      <section className="card" aria-labelledby={`${id}-import`}>
        <h2 id={`${id}-import`} className="section-title">
          Import
        </h2>
        <div className="ev-form">
          <div className="field">
            <label htmlFor={`${id}-preset`}>Columns of a CSV export</label>
            <select id={`${id}-preset`} className="input" value={preset} onChange={(e) => setPreset(e.target.value as HrPreset)}>
              {HR_PRESETS.map((p) => (
                <option key={p} value={p}>
                  {PRESET_LABELS[p]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-file`}>File (.csv, or .jsonl / .ndjson for HR events)</label>
            <input
              id={`${id}-file`}
              className="input"
              type="file"
              accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"
              disabled={busy}
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void onFile(f);
              }}
            />
          </div>
        </div>
        <div className="form-actions">
          <WriteButton className="btn btn-sm" disabled={busy} onClick={() => document.getElementById(`${id}-file`)?.click()}>
            {busy ? 'Importing…' : 'Choose a file…'}
          </WriteButton>
          <span className="muted">Any bad row and nothing is imported; each error names its row and column.</span>
        </div>
        {last ? <ImportResult file={last.file} result={last.result} /> : null}
      </section>

      {s === null ? null : s.lastImport === null ? (
        <EmptyState title="No HR import yet">Import an HR export or an events file above; the sandbox writes both (its JSON line names them under “hr”).</EmptyState>
      ) : (
        <>
          <section className="card" aria-labelledby={`${id}-last`}>
            <h2 id={`${id}-last`} className="section-title">
              Last import
            </h2>
            <dl className="ev-facts">
              <dt>File</dt>
              <dd>
                {s.lastImport.fileName} ({s.lastImport.kind === 'csv' ? `CSV, ${PRESET_LABELS[s.lastImport.preset ?? 'generic']}` : 'HR events'})
              </dd>
              <dt>When</dt>
              <dd>
                <AbsoluteTime iso={s.lastImport.at} /> by {s.lastImport.actor} ({s.lastImport.channel})
              </dd>
              <dt>SHA-256</dt>
              <dd className="ev-hash">{s.lastImport.sha256}</dd>
              <dt>Counts</dt>
              <dd className="tabular">
                {formatNumber(s.lastImport.rows)} rows: {s.lastImport.created} created, {s.lastImport.updated} updated, {s.lastImport.unchanged} unchanged
                {s.lastImport.kind === 'events' ? `; ${s.lastImport.events} events, ${s.lastImport.duplicates} duplicates` : ''}
              </dd>
            </dl>
          </section>
          <div className="stat-grid stat-grid-6" aria-label="HR feed counts">
            {[
              { label: 'HR records', value: s.records, hint: `${s.imports} imports` },
              { label: 'Matched', value: s.matched, hint: `${s.matchedByEmployeeId} by employee id, ${s.matchedByEmail} by e-mail` },
              { label: 'Unmatched HR records', value: s.unmatchedRecords.count, hint: 'nobody in the snapshot' },
              { label: 'People without HR record', value: s.accountsWithoutRecord.count, hint: 'in the snapshot only' },
              { label: 'Pending events', value: s.pendingEvents.count, hint: `effective after ${s.today}` },
              { label: 'Due events', value: s.dueEvents.count, hint: 'effective, not yet processed' },
            ].map((c) => (
              <div key={c.label} className="stat" aria-label={`${c.label}: ${formatNumber(c.value)}`}>
                <span className="stat-label">{c.label}</span>
                <span className="stat-value tabular">{formatNumber(c.value)}</span>
                <span className="stat-hint">{c.hint}</span>
              </div>
            ))}
          </div>
          <section className="card" aria-labelledby={`${id}-due`}>
            <h2 id={`${id}-due`} className="section-title">
              Due events (effective on or before {s.today}, not yet processed)
            </h2>
            <EventTable label="Due events" rows={s.dueEvents.rows} count={s.dueEvents.count} />
          </section>
          <section className="card" aria-labelledby={`${id}-pending`}>
            <h2 id={`${id}-pending`} className="section-title">
              Pending events (effective later)
            </h2>
            <EventTable label="Pending events" rows={s.pendingEvents.rows} count={s.pendingEvents.count} />
          </section>
          <section className="card" aria-labelledby={`${id}-unmatched`}>
            <h2 id={`${id}-unmatched`} className="section-title">
              HR records matching nobody ({formatNumber(s.unmatchedRecords.count)})
            </h2>
            {s.unmatchedRecords.count === 0 ? (
              <p className="muted">Every HR record matches a person in the snapshot.</p>
            ) : (
              <table className="cat-table" aria-label="HR records matching nobody">
                <thead>
                  <tr>
                    <th scope="col">Employee id</th>
                    <th scope="col">E-mail</th>
                    <th scope="col">Name</th>
                    <th scope="col">Department</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {s.unmatchedRecords.rows.map((r) => (
                    <tr key={`${r.employeeId ?? ''}|${r.email ?? ''}`}>
                      <td className="tabular">{r.employeeId ?? '—'}</td>
                      <td>{r.email ?? '—'}</td>
                      <td>{r.name ?? '—'}</td>
                      <td>{r.department ?? '—'}</td>
                      <td>{r.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card" aria-labelledby={`${id}-without`}>
            <h2 id={`${id}-without`} className="section-title">
              People without an HR record ({formatNumber(s.accountsWithoutRecord.count)})
            </h2>
            {s.accountsWithoutRecord.count === 0 ? (
              <p className="muted">Every person in the snapshot has an HR record.</p>
            ) : (
              <table className="cat-table" aria-label="People without an HR record">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">E-mail</th>
                    <th scope="col">Employee id</th>
                    <th scope="col">Account</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {s.accountsWithoutRecord.rows.map((a) => (
                    <tr key={`${a.connectionId}|${a.identityId}`}>
                      <td>{a.name}</td>
                      <td>{a.email ?? '—'}</td>
                      <td className="tabular">{a.employeeId ?? '—'}</td>
                      <td>{a.connectionName}</td>
                      <td>{a.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {s.accountsWithoutRecord.count > s.accountsWithoutRecord.rows.length ? (
              <p className="muted">…and {formatNumber(s.accountsWithoutRecord.count - s.accountsWithoutRecord.rows.length)} more</p>
            ) : null}
          </section>
        </>
      )}
    </div>
  );
}
