import { useEffect, useState, type ReactNode } from 'react';
import type { CsvImportResult } from '../../../shared/contract-requests.js';
import { api, errorMessage } from '../api/client.js';
import { IconPlus } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { READ_ONLY_REASON_ID } from '../components/WriteButton.js';
import { WriteButton } from '../components/WriteButton.js';
import { formatRoute, routes, type RequestFilter } from '../lib/router.js';
import { READ_ONLY_REASON, useReadOnly } from '../stores/app-store.js';
import { useRequestsStore, wireRequestsEvents } from '../stores/requests-store.js';
import { toast } from '../stores/toast-store.js';
import { NewRequestForm } from './requests/NewRequestForm.js';
import { RequestDetail } from './requests/RequestDetail.js';
import { RequestsList } from './requests/RequestsList.js';

const TABS: { key: RequestFilter; label: string }[] = [
  { key: 'mine', label: 'My approvals' },
  { key: 'open', label: 'All open' },
  { key: 'all', label: 'All' },
];

/** The request queue (#/requests, /open, /all) and one request (#/requests/:id). */
export function RequestsPage({ filter, requestId }: { filter: RequestFilter; requestId: number | null }): ReactNode {
  const loadSettings = useRequestsStore((s) => s.loadSettings);
  const loadRoles = useRequestsStore((s) => s.loadRoles);
  const clearSelection = useRequestsStore((s) => s.clearSelection);
  // Open on the list it was opened from: following a tab link closes it.
  const [creatingOn, setCreatingOn] = useState<RequestFilter | null>(null);
  const creating = creatingOn === filter;
  const setCreating = (open: boolean): void => setCreatingOn(open ? filter : null);
  useEffect(() => {
    wireRequestsEvents();
    void loadSettings();
    void loadRoles();
  }, [loadSettings, loadRoles]);
  useEffect(() => clearSelection(), [filter, clearSelection]);

  if (requestId !== null) return <RequestDetail id={requestId} />;
  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Requests</h1>
          <p className="page-sub">Access requests, their approval steps and what was granted. Every decision is recorded and written to Jira.</p>
        </div>
        <div className="req-head-actions">
          <ImportCsvButton />
          <WriteButton className="btn btn-primary" onClick={() => setCreating(true)} disabled={creating}>
            <IconPlus /> New request
          </WriteButton>
        </div>
      </header>
      {creating ? (
        // The form takes the list's place: the queue's grid fills the page and would be crushed under it.
        <NewRequestForm onClose={() => setCreating(false)} />
      ) : (
        <>
          <nav className="tabnav" aria-label="Request lists">
            {TABS.map((t) => (
              <a key={t.key} className="tabnav-item" href={formatRoute(routes.requests(t.key))} aria-current={filter === t.key ? 'page' : undefined}>
                {t.label}
              </a>
            ))}
          </nav>
          <RequestsList filter={filter} />
        </>
      )}
    </div>
  );
}

/** "Import CSV…": one request per row, all rows or none; bad rows are listed by line. */
function ImportCsvButton(): ReactNode {
  const readOnly = useReadOnly();
  const bump = useRequestsStore((s) => s.bump);
  const [result, setResult] = useState<CsvImportResult | { error: string } | null>(null);
  const read = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    try {
      const r = await api.call('requests:importCsv', { csv: await file.text() });
      if (r.errors.length === 0) {
        toast.success(`${r.created.length} request${r.created.length === 1 ? '' : 's'} imported from ${file.name}`);
        setResult(null);
        bump();
      } else setResult(r);
    } catch (e) {
      setResult({ error: errorMessage(e) });
    }
  };
  return (
    <>
      <label className={`btn file-btn${readOnly ? ' is-disabled' : ''}`} title={readOnly ? READ_ONLY_REASON : 'Columns: beneficiary, app, role, duration, justification, requester'}>
        Import CSV…
        <input
          type="file"
          accept=".csv,text/csv"
          aria-label="Import requests from a CSV file"
          aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}
          disabled={readOnly}
          onChange={(e) => {
            void read(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </label>
      {result ? (
        <div className="req-import-result">
          {'error' in result ? (
            <InlineError title="Nothing imported" message={result.error} />
          ) : (
            <InlineError
              title={`Nothing imported: ${result.errors.length} bad row${result.errors.length === 1 ? '' : 's'}`}
              message={result.errors.map((e) => `line ${e.row}: ${e.message}`).join('\n')}
            />
          )}
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setResult(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  );
}
