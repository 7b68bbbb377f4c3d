// The Audit log grid's columns: each event's seq, time, actor, channel, action, target, details and
// hash (the previous hash on hover), and the dialog that shows one event whole.
import { useEffect, useRef, type ReactNode } from 'react';
import type { AuditLogEvent } from '../../../../shared/contract-audit.js';
import { AbsoluteTime } from '../../components/AbsoluteTime.js';
import type { GridColumn } from '../../components/DataGrid.js';

const detailsText = (e: AuditLogEvent): string => {
  const text = JSON.stringify(e.details);
  return text === '{}' ? '' : text;
};

export const auditColumns: GridColumn<AuditLogEvent>[] = [
  { id: 'seq', header: 'Seq', width: '72px', minWidth: 72, align: 'end', render: (e) => <span className="tabular">{e.seq}</span> },
  { id: 'at', header: 'Time', width: '150px', minWidth: 150, render: (e) => <AbsoluteTime iso={e.at} /> },
  { id: 'actor', header: 'Actor', width: 'minmax(150px, 1.2fr)', minWidth: 150, truncate: true, render: (e) => e.actor },
  { id: 'channel', header: 'Channel', width: '80px', minWidth: 80, render: (e) => <span className="audit-channel">{e.channel}</span> },
  // Never cut: the action is what the page is filtered and read by (the column grows to the longest in view).
  { id: 'action', header: 'Action', width: '170px', minWidth: 170, render: (e) => <code className="mono audit-action">{e.action}</code> },
  {
    id: 'target',
    header: 'Target',
    width: 'minmax(110px, 0.7fr)',
    minWidth: 110,
    truncate: true,
    render: (e) => (
      <span>
        {e.targetType} <span className="muted">#{e.targetId}</span>
      </span>
    ),
    title: (e) => `${e.targetType} ${e.targetId}`,
  },
  {
    id: 'details',
    header: 'Details',
    width: 'minmax(180px, 2fr)',
    minWidth: 180,
    truncate: true,
    render: (e) => <span className="mono audit-details">{detailsText(e) || <span className="muted">—</span>}</span>,
    title: (e) => detailsText(e) || undefined,
  },
  {
    id: 'hash',
    header: 'Hash',
    width: '110px',
    minWidth: 110,
    render: (e) => <code className="mono">{e.hash.slice(0, 10)}…</code>,
    title: (e) => `hash ${e.hash}\nprevious ${e.prevHash}\nformat ${e.format}`,
  },
];

/** One event whole: every field its hash covers, the details pretty-printed. */
export function AuditEventDialog({ event: e, onClose }: { event: AuditLogEvent; onClose: () => void }): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const rows: [string, ReactNode][] = [
    ['Time', <AbsoluteTime key="t" iso={e.at} format="full" />],
    ['Actor', e.actor],
    ['Channel', e.channel],
    ['Action', <code key="a" className="mono">{e.action}</code>],
    ['Target', `${e.targetType} ${e.targetId}`],
    ['Hash', <code key="h" className="mono audit-hash">{e.hash}</code>],
    ['Previous hash', <code key="p" className="mono audit-hash">{e.prevHash}</code>],
    ['Hash format', String(e.format)],
  ];
  return (
    <dialog ref={ref} className="dialog audit-event-dialog" aria-label={`Audit event ${e.seq}`} onClose={onClose} onCancel={onClose}>
      <h2 className="dialog-title">Event {e.seq}</h2>
      <div className="dialog-body">
        <dl className="audit-event-fields">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <pre className="audit-event-details">{JSON.stringify(e.details, null, 2)}</pre>
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
