// Needs attention › Drift: memberships where the IdP and the grant ledger disagree, each closed as
// resolved or accepted with a note.
import { useState, type ReactNode } from 'react';
import type { DriftRow } from '../../../../shared/governance.js';
import { Badge } from '../../components/Badges.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useJobsStore } from '../../stores/jobs-store.js';

const LABEL: Record<DriftRow['kind'], string> = {
  reappeared: 'Came back after removal',
  missing: 'Missing in the IdP',
  'expired-still-member': 'Expired, still a member',
};

/** Drift between the IdP and the ledger, each with what it means; closed with a note. */
export function DriftList({ drift }: { drift: DriftRow[] }): ReactNode {
  const { act, busy } = useJobsStore();
  const [notes, setNotes] = useState<Record<number, string>>({});
  if (drift.length === 0) return <p className="muted attention-none">No drift: the IdP matches the ledger as of the last sync.</p>;
  return (
    <ul className="attention-list">
      {drift.map((d) => {
        const note = notes[d.id] ?? '';
        const key = `drift:${d.id}`;
        const resolve = (resolution: 'fixed' | 'accept'): void =>
          void act(key, 'jobs:resolveDrift', { driftId: d.id, resolution, note }, `Drift #${d.id} ${resolution === 'accept' ? 'accepted' : 'resolved'}`);
        return (
          <li key={d.id} className="attention-item" data-testid={`drift-${d.id}`}>
            <div className="attention-item-head">
              <Badge tone={d.kind === 'missing' ? 'amber' : 'red'}>{LABEL[d.kind]}</Badge>
              <strong>
                {d.identityName ?? d.identityId} · {d.groupName ?? d.groupId}
              </strong>
              <span className="muted">
                detected <RelativeTime iso={d.detectedAt} />
              </span>
            </div>
            <p className="attention-reason">{d.message}</p>
            <div className="attention-inline-form">
              <label className="sr-only" htmlFor={`drift-note-${d.id}`}>
                Note
              </label>
              <input
                id={`drift-note-${d.id}`}
                className="input input-sm"
                placeholder="Note (required): what was done, or why it is accepted"
                value={note}
                onChange={(e) => setNotes({ ...notes, [d.id]: e.target.value })}
              />
              <WriteButton className="btn btn-sm" disabled={note.trim() === '' || busy.has(key)} onClick={() => resolve('fixed')}>
                Resolved
              </WriteButton>
              <WriteButton className="btn btn-sm btn-ghost" disabled={note.trim() === '' || busy.has(key)} onClick={() => resolve('accept')}>
                Accept
              </WriteButton>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
