// What every spreadsheet import shows before a file is chosen: the columns the
// importer reads (name, required or not, allowed values, an example), a
// template to download built from those same columns, then the file picker
// and, once a file was read, what became of it.
import { useId, type ReactNode } from 'react';
import { ROW_NUMBERING, requiredWords, templateCsv, type ImportColumn } from '../../../shared/import-columns.js';
import { downloadText } from '../lib/download.js';
import { READ_ONLY_REASON_ID } from './WriteButton.js';
import { useReadOnly } from '../stores/app-store.js';

export function ImportPanel({
  title,
  intro,
  columns,
  templateName,
  accept,
  fileLabel,
  chooseLabel,
  busy = false,
  onFile,
  onClose,
  children,
}: {
  title: string;
  /** One or two sentences: what a row is, all-or-nothing. */
  intro: ReactNode;
  columns: readonly ImportColumn[];
  /** The template's file name ("latchkey-requests-template.csv"). */
  templateName: string;
  accept: string;
  /** The file input's accessible name. */
  fileLabel: string;
  chooseLabel: string;
  busy?: boolean;
  onFile: (file: File) => void;
  onClose: () => void;
  /** The result of the last file. */
  children?: ReactNode;
}): ReactNode {
  const id = useId();
  const readOnly = useReadOnly();
  return (
    <section className="card card-flush import-panel" aria-labelledby={`${id}-title`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <button type="button" className="btn btn-sm btn-ghost" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="card-body">
        <p className="import-intro">{intro}</p>
        <p className="field-hint">{ROW_NUMBERING} Headers may come in any order and any letter case.</p>
        <div className="import-columns-wrap">
          <table className="import-columns" aria-label="Expected columns">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Required</th>
                <th scope="col">Allowed values or format</th>
                <th scope="col">Example</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.name}>
                  <th scope="row">
                    <code>{c.name}</code>
                    {c.aliases && c.aliases.length > 0 ? <div className="muted import-aliases">also: {c.aliases.join(', ')}</div> : null}
                  </th>
                  <td>{requiredWords(c)}</td>
                  <td>{c.format}</td>
                  <td>
                    <code>{c.example}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="form-actions import-actions">
          <button type="button" className="btn" onClick={() => downloadText(templateName, templateCsv(columns), 'text/csv')}>
            Download template (CSV)
          </button>
          <label className={`btn btn-primary file-btn${readOnly || busy ? ' is-disabled' : ''}`}>
            {busy ? 'Importing…' : chooseLabel}
            <input
              type="file"
              accept={accept}
              aria-label={fileLabel}
              aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}
              disabled={readOnly || busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) onFile(file);
              }}
            />
          </label>
        </div>
        {children}
      </div>
    </section>
  );
}
