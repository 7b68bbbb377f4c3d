// One reviewer's workbook on the campaign page: export their items as .xlsx (Decision Keep/Revoke, Reason,
// a hidden hash of each row's frozen values), and import it back once filled in — all rows or none, recorded
// with channel workbook and the file's SHA-256; a refused file says which row and why.
import { useId, useState, type ReactNode } from 'react';
import { WriteButton } from '../../components/WriteButton.js';
import { downloadBase64 } from '../../lib/download.js';
import { toBase64 } from '../../stores/catalog-store.js';
import { reviews, useReviewsStore } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function WorkbookCell({ campaignId, reviewer, open }: { campaignId: number; reviewer: string; open: boolean }): ReactNode {
  const write = useReviewsStore((s) => s.write);
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  const exportIt = async (): Promise<void> => {
    setBusy(true);
    try {
      const file = await reviews.exportWorkbook(campaignId, reviewer);
      downloadBase64(file.filename, file.contentBase64, XLSX);
    } catch (e) {
      toast.error(e, `Workbook of ${reviewer}`);
    } finally {
      setBusy(false);
    }
  };

  const importIt = async (file: File): Promise<void> => {
    setBusy(true);
    try {
      const r = await write('reviews:importWorkbook', { campaignId, contentBase64: toBase64(new Uint8Array(await file.arrayBuffer())) });
      toast.success(`${r.decisions.toLocaleString()} decisions of ${r.reviewer} recorded (SHA-256 ${r.sha256.slice(0, 12)}…)`, `${file.name} imported`);
    } catch (e) {
      // All rows or none: the message names the refused rows; nothing was recorded.
      toast.error(e, `${file.name}: nothing recorded`);
    } finally {
      setBusy(false);
    }
  };

  if (!open) return <span className="muted">—</span>;
  return (
    <span className="rv-nowrap">
      <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void exportIt()} aria-label={`Export the workbook of ${reviewer}`}>
        Export
      </button>
      <WriteButton className="btn btn-ghost btn-sm" disabled={busy} onClick={() => document.getElementById(inputId)?.click()} aria-label={`Import the workbook of ${reviewer}`}>
        Import…
      </WriteButton>
      <input
        id={inputId}
        type="file"
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        hidden
        aria-label={`Workbook file of ${reviewer}`}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void importIt(f);
        }}
      />
    </span>
  );
}
