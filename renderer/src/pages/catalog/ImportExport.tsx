// Export the catalog as CSV/XLSX, import one back. An import with any bad row
// changes nothing and lists every row error here.
import { useRef, useState, type ReactNode } from 'react';
import type { CatalogImportResult } from '../../../../shared/contract-catalog.js';
import { api, errorMessage } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { downloadBase64, toBase64, useCatalogStore } from '../../stores/catalog-store.js';
import { toast } from '../../stores/toast-store.js';

const MIME = { csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export function ImportExport(): ReactNode {
  const changed = useCatalogStore((s) => s.changed);
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ file: string; result: CatalogImportResult } | { file: string; error: string } | null>(null);

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
  const importFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : /\.csv$/i.test(file.name) ? 'csv' : null;
    if (!format) {
      setResult({ file: file.name, error: `${file.name} is neither a .csv nor an .xlsx file` });
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const r = await api.call('catalog:import', { format, contentBase64: toBase64(new Uint8Array(await file.arrayBuffer())) });
      setResult({ file: file.name, result: r });
      if (r.ok) {
        toast.success(`${r.rolesCreated + r.rolesUpdated} roles, ${r.mappingsAdded} new mappings`, `Imported ${file.name}`);
        changed();
      }
    } catch (error) {
      setResult({ file: file.name, error: errorMessage(error) });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
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
        <WriteButton className="btn btn-sm" disabled={busy} onClick={() => input.current?.click()}>
          Import…
        </WriteButton>
        <input
          ref={input}
          type="file"
          hidden
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          aria-label="Catalog file to import (.csv or .xlsx)"
          onChange={(e) => void importFile(e.target.files?.[0])}
        />
      </div>
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
                  {result.file}: {result.result.errors.length} problem{result.result.errors.length === 1 ? '' : 's'}, nothing was imported
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
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setResult(null)}>
            Close
          </button>
        </div>
      ) : null}
    </div>
  );
}
