// Export the catalog as CSV/XLSX, import one back. "Import…" opens a panel with
// the columns the importer reads and a template before a file is chosen; an
// import with any bad row changes nothing and lists every row error there.
import { useState, type ReactNode } from 'react';
import type { CatalogImportResult } from '../../../../shared/contract-catalog.js';
import { CATALOG_IMPORT_COLUMNS } from '../../../../shared/import-columns.js';
import { api, errorMessage } from '../../api/client.js';
import { ImportPanel } from '../../components/ImportPanel.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { downloadBase64 } from '../../lib/download.js';
import { toBase64, useCatalogStore } from '../../stores/catalog-store.js';
import { toast } from '../../stores/toast-store.js';

const MIME = { csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/** The header's buttons: export as CSV or XLSX, and "Import…" (which opens the panel the page shows). */
export function ImportExport({ importing, onImport }: { importing: boolean; onImport: () => void }): ReactNode {
  const [busy, setBusy] = useState(false);
  const exportAs = async (format: 'csv' | 'xlsx'): Promise<void> => {
    setBusy(true);
    try {
      const file = await api.call('catalog:export', { format });
      downloadBase64(file.filename, file.contentBase64, MIME[format]);
      toast.success(`${file.rows} row${file.rows === 1 ? '' : 's'} in ${file.filename}`, 'Catalog exported');
    } catch (error) {
      toast.error(error, 'Export failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="cat-io">
      <div className="toolbar">
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void exportAs('xlsx')}>
          Export XLSX
        </button>
        <WriteButton className="btn btn-sm" disabled={importing} onClick={onImport} title="Columns, a template, then the file">
          Import…
        </WriteButton>
      </div>
    </div>
  );
}

/** The catalog import: expected columns and a template, then a .csv or .xlsx file and what became of it. */
export function CatalogImportPanel({ onClose }: { onClose: () => void }): ReactNode {
  const write = useCatalogStore((s) => s.write);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ file: string; result: CatalogImportResult } | { file: string; error: string } | null>(null);

  const importFile = async (file: File): Promise<void> => {
    const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : /\.csv$/i.test(file.name) ? 'csv' : null;
    if (!format) {
      setResult({ file: file.name, error: `${file.name} is neither a .csv nor an .xlsx file` });
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const r = await write('catalog:import', { format, contentBase64: toBase64(new Uint8Array(await file.arrayBuffer())) });
      setResult({ file: file.name, result: r });
      if (r.ok) toast.success(`${r.rolesCreated + r.rolesUpdated} roles, ${r.mappingsAdded} new mappings`, `Imported ${file.name}`);
    } catch (error) {
      setResult({ file: file.name, error: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <ImportPanel
      title="Import the catalog from CSV or XLSX"
      intro="One row per app, role and mapped group, as the export writes them: a row read alone is complete, so a sheet sorted or filtered in Excel still imports. Apps and roles are matched by name and updated; mappings are added. Any bad row and nothing changes."
      columns={CATALOG_IMPORT_COLUMNS}
      templateName="latchkey-catalog-template.csv"
      accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
      fileLabel="Catalog file to import (.csv or .xlsx)"
      chooseLabel="Choose a .csv or .xlsx file…"
      busy={busy}
      onFile={(f) => void importFile(f)}
      onClose={onClose}
    >
      {result ? (
        <div className="cat-io-result" role="status">
          {'error' in result ? (
            <InlineError title={`Couldn’t import ${result.file}`} message={result.error} />
          ) : result.result.ok ? (
            <p className="text-ok">
              Imported {result.file}: {result.result.appsCreated} apps created, {result.result.appsUpdated} updated; {result.result.rolesCreated} roles
              created, {result.result.rolesUpdated} updated; {result.result.mappingsAdded} mappings added.
            </p>
          ) : (
            <div className="inline-error" role="alert">
              <div className="inline-error-text">
                <strong>
                  {result.file}: {result.result.errors.length} problem{result.result.errors.length === 1 ? '' : 's'}, nothing was imported (row 1 is the header)
                </strong>
                <ul className="cat-io-errors">
                  {result.result.errors.slice(0, 50).map((e, i) => (
                    <li key={i}>{e.message}</li>
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
