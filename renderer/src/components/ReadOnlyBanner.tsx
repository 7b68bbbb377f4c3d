// The banner over every page of a read-only workspace (a copied snapshot): which file is open, and
// that nothing here can change it or reach an IdP.
import type { ReactNode } from 'react';
import { fileName, useAppStore } from '../stores/app-store.js';
import { IconLock } from './Icons.js';

/**
 * Above every page of a read-only workspace (a copied snapshot opened with
 * File > Open snapshot or `--read-only`): says which file, and that nothing
 * here can change it or reach an IdP.
 */
export function ReadOnlyBanner(): ReactNode {
  const info = useAppStore((s) => s.info);
  if (!info?.readOnly) return null;
  return (
    <div className="readonly-banner" role="note" aria-label="Read-only snapshot">
      <IconLock className="readonly-banner-icon" />
      <p>
        <strong>Read-only snapshot:</strong>{' '}
        <span className="mono" title={info.dbPath}>
          {fileName(info.dbPath)}
        </span>{' '}
        — opened without credentials; nothing can be changed or synced.
      </p>
    </div>
  );
}
