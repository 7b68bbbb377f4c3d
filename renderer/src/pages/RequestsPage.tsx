// The Requests page: the queue's tabs, "New request", the CSV import, and one request's detail.
import { useEffect, useState, type ReactNode } from 'react';
import type { CsvImportResult } from '../../../shared/contract-requests.js';
import { REQUEST_IMPORT_COLUMNS } from '../../../shared/import-columns.js';
import { errorMessage } from '../api/client.js';
import { IconPlus } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { ImportPanel } from '../components/ImportPanel.js';
import { WriteButton } from '../components/WriteButton.js';
import { formatRoute, routes, type RequestFilter } from '../lib/router.js';
import { useRequestsStore } from '../stores/requests-store.js';
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
  const [importingOn, setImportingOn] = useState<RequestFilter | null>(null);
  const importing = importingOn === filter && !creating;
  useEffect(() => {
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
          <WriteButton className="btn" onClick={() => setImportingOn(filter)} disabled={importing} title="Columns, a template, then the file">
            Import CSV…
          </WriteButton>
          <WriteButton
            className="btn btn-primary"
            onClick={() => {
              setImportingOn(null);
              setCreating(true);
            }}
            disabled={creating}
          >
            <IconPlus /> New request
          </WriteButton>
        </div>
      </header>
      {creating ? (
        // The form takes the list's place: the queue's grid fills the page and would be crushed under it.
        <NewRequestForm onClose={() => setCreating(false)} />
      ) : importing ? (
        <ImportRequestsPanel onClose={() => setImportingOn(null)} />
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

/** Importing requests from CSV: the expected columns and a template first, then the file; bad rows are listed by row number. */
function ImportRequestsPanel({ onClose }: { onClose: () => void }): ReactNode {
  const write = useRequestsStore((s) => s.write);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ file: string; result: CsvImportResult } | { file: string; error: string } | null>(null);
  const read = async (file: File): Promise<void> => {
    setBusy(true);
    setResult(null);
    try {
      const r = await write('requests:importCsv', { csv: await file.text() });
      if (r.errors.length === 0) toast.success(`${r.created.length} request${r.created.length === 1 ? '' : 's'} imported from ${file.name}`);
      setResult({ file: file.name, result: r });
    } catch (e) {
      setResult({ file: file.name, error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <ImportPanel
      title="Import requests from CSV"
      intro="One request per row, checked exactly like a request filed here (role, duration, person, end date, duplicates). Any bad row and nothing is imported; every bad row is listed."
      columns={REQUEST_IMPORT_COLUMNS}
      templateName="latchkey-requests-template.csv"
      accept=".csv,text/csv"
      fileLabel="Import requests from a CSV file"
      chooseLabel="Choose a CSV file…"
      busy={busy}
      onFile={(f) => void read(f)}
      onClose={onClose}
    >
      {result ? (
        <div className="req-import-result">
          {'error' in result ? (
            <InlineError title={`Nothing imported from ${result.file}`} message={result.error} />
          ) : result.result.errors.length === 0 ? (
            <p className="text-ok" role="status">
              Imported {result.result.created.length} request{result.result.created.length === 1 ? '' : 's'} from {result.file}.
            </p>
          ) : (
            <div className="inline-error" role="alert">
              <div className="inline-error-text">
                <strong>
                  Nothing imported from {result.file}: {result.result.errors.length} bad row{result.result.errors.length === 1 ? '' : 's'} (row 1 is the header)
                </strong>
                <ul className="cat-io-errors">
                  {result.result.errors.slice(0, 50).map((e) => (
                    <li key={e.row}>
                      row {e.row}: {e.message}
                    </li>
                  ))}
                  {result.result.errors.length > 50 ? <li>…and {result.result.errors.length - 50} more</li> : null}
                </ul>
              </div>
            </div>
          )}
        </div>
      ) : null}
    </ImportPanel>
  );
}
