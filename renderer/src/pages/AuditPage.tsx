// The Audit log (#/audit): every recorded event, newest first, filtered by actor, action, target,
// channel and period; the hash chain's status (head, last verification, newest signed checkpoint,
// anchors); and the filtered events exported as CSV with their hashes. Reads only: it works on a
// read-only snapshot too.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { AUDIT_CHANNELS } from '../../../shared/governance.js';
import { DataGrid } from '../components/DataGrid.js';
import { EmptyState } from '../components/EmptyState.js';
import { SearchInput } from '../components/SearchInput.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';
import { downloadBase64 } from '../lib/download.js';
import { formatNumber } from '../lib/format.js';
import { auditLog, engineFilter, NO_FILTERS, useAuditStore, type AuditFilters } from '../stores/audit-store.js';
import { toast } from '../stores/toast-store.js';
import type { AuditLogEvent } from '../../../shared/contract-audit.js';
import { AuditEventDialog, auditColumns } from './audit/audit-columns.js';
import { ChainStatus } from './audit/ChainStatus.js';

export function AuditPage(): ReactNode {
  const filters = useAuditStore((s) => s.filters);
  const setFilter = useAuditStore((s) => s.setFilter);
  const clearFilters = useAuditStore((s) => s.clearFilters);
  const actions = useAuditStore((s) => s.actions);
  const version = useAuditStore((s) => s.version);
  const load = useAuditStore((s) => s.load);
  const [total, setTotal] = useState<number | null>(null);
  const [open, setOpen] = useState<AuditLogEvent | null>(null);
  const [exporting, setExporting] = useState(false);
  // Typed text waits for a pause; picked values apply at once.
  const typed = useDebouncedValue(`${filters.actor}\u0000${filters.targetType}\u0000${filters.targetId}`, 250);
  const [actor = '', targetType = '', targetId = ''] = typed.split('\u0000');
  const query = useMemo(() => engineFilter({ ...filters, actor, targetType, targetId }), [filters, actor, targetType, targetId]);
  const queryKey = `${JSON.stringify(query)}|${version}`;

  useEffect(() => {
    void load();
  }, [load]);

  const fetchPage = useCallback((offset: number, limit: number, signal: AbortSignal) => auditLog.events({ ...query, offset, limit }, signal).then((page) => ({ ...page, offset })), [query]);

  const exportCsv = async (): Promise<void> => {
    setExporting(true);
    try {
      const file = await auditLog.exportCsv(query);
      downloadBase64(file.filename, file.contentBase64, 'text/csv');
      toast.success(`${formatNumber(file.rows)} ${file.rows === 1 ? 'event' : 'events'} · SHA-256 ${file.sha256.slice(0, 12)}…`, `${file.filename} saved`);
    } catch (e) {
      toast.error(e, 'Export failed');
    } finally {
      setExporting(false);
    }
  };

  const set =
    <K extends keyof AuditFilters>(key: K) =>
    (value: AuditFilters[K]): void =>
      setFilter(key, value);
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const badPeriod = filters.fromDay !== '' && filters.toDay !== '' && filters.toDay < filters.fromDay;

  return (
    <div className="page page-fill">
      <header className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="page-sub">Every change Latchkey recorded, who made it and through which channel, each event chained to the one before by its hash.</p>
        </div>
      </header>
      <ChainStatus />
      <div className="tab-body">
      <div className="toolbar audit-toolbar" role="search" aria-label="Filter events">
        <SearchInput label="Actor" value={filters.actor} onChange={set('actor')} placeholder="Actor…" width={160} />
        <select className="input input-sm select" aria-label="Action" value={filters.action} onChange={(e) => setFilter('action', e.target.value)}>
          <option value="">Every action</option>
          {(actions ?? []).map((a) => (
            <option key={a.action} value={a.action}>
              {a.action} ({formatNumber(a.count)})
            </option>
          ))}
        </select>
        <select className="input input-sm select" aria-label="Channel" value={filters.channel} onChange={(e) => setFilter('channel', e.target.value as AuditFilters['channel'])}>
          <option value="">Every channel</option>
          {AUDIT_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <input className="input input-sm audit-target" aria-label="Target type" placeholder="Target type" value={filters.targetType} onChange={(e) => setFilter('targetType', e.target.value)} />
        <input className="input input-sm audit-target-id" aria-label="Target id" placeholder="Id" value={filters.targetId} onChange={(e) => setFilter('targetId', e.target.value)} />
        <label className="audit-day">
          <span className="picker-label">From</span>
          <input className="input input-sm" type="date" aria-label="From day" value={filters.fromDay} onChange={(e) => setFilter('fromDay', e.target.value)} />
        </label>
        <label className="audit-day">
          <span className="picker-label">to</span>
          <input className="input input-sm" type="date" aria-label="To day (included)" value={filters.toDay} onChange={(e) => setFilter('toDay', e.target.value)} aria-invalid={badPeriod || undefined} />
        </label>
      </div>
      <div className="toolbar audit-toolbar-2">
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${filtered ? 'matching ' : ''}${total === 1 ? 'event' : 'events'}, newest first`}
        </span>
        {filtered ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={clearFilters}>
            Clear filters
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <button type="button" className="btn btn-sm" disabled={exporting || total === 0} onClick={() => void exportCsv()} title="The filtered events as CSV, oldest first, with their hashes">
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <DataGrid<AuditLogEvent>
        label="Audit events"
        columns={auditColumns}
        fetchPage={fetchPage}
        queryKey={queryKey}
        rowKey={(e) => String(e.seq)}
        onOpen={setOpen}
        openKey={open ? String(open.seq) : null}
        onTotal={setTotal}
        empty={
          <EmptyState title={filtered ? 'No events match' : 'Nothing recorded yet'}>
            {badPeriod ? 'The period ends before it starts.' : filtered ? 'Widen the period or clear the filters.' : 'Every change made in Latchkey is recorded here.'}
          </EmptyState>
        }
      />
      </div>
      {open ? <AuditEventDialog event={open} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}
