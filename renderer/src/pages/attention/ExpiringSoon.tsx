import { useState, type ReactNode } from 'react';
import type { GrantRow } from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useJobsStore } from '../../stores/jobs-store.js';

type Extend = '24h' | '7d' | '30d';

/** Grants expiring within the notice window, each with a one-click extension (a new request for the same role). */
export function ExpiringSoon({ grants }: { grants: GrantRow[] }): ReactNode {
  const { act, busy } = useJobsStore();
  const [duration, setDuration] = useState<Extend>('7d');
  if (grants.length === 0) return <p className="muted attention-none">Nothing expires soon.</p>;
  return (
    <>
      <div className="attention-inline-form">
        <label htmlFor="extend-duration">Extend by</label>
        <select id="extend-duration" className="input input-sm" value={duration} onChange={(e) => setDuration(e.target.value as Extend)}>
          <option value="24h">24 hours</option>
          <option value="7d">7 days</option>
          <option value="30d">30 days</option>
        </select>
        <span className="muted">An extension is a new request for the same role; it goes through the role's approvals.</span>
      </div>
      <ul className="attention-list">
        {grants.map((g) => {
          const key = `grant:${g.id}`;
          return (
            <li key={g.id} className="attention-item attention-row" data-testid={`expiring-${g.id}`}>
              <strong>{g.beneficiaryEmail ?? g.beneficiaryName}</strong>
              <span>
                {g.roleLabel ?? g.groupName} <span className="muted">({g.groupName})</span>
              </span>
              <span className="muted">
                expires <RelativeTime iso={g.expiresAt} />
              </span>
              {g.requestId !== null ? (
                <>
                  <a className="link-subtle" href={formatRoute(routes.request(g.requestId))}>
                    request #{g.requestId}
                  </a>
                  <WriteButton
                    className="btn btn-sm btn-primary"
                    disabled={busy.has(key)}
                    onClick={() => {
                      const requestId = g.requestId ?? 0;
                      void act(
                        key,
                        () => api.call('requests:extend', { requestId, duration, justification: `Extension of request #${requestId} (access expiring ${g.expiresAt ?? ''})` }),
                        `Extension requested for ${g.beneficiaryEmail ?? g.beneficiaryName}`,
                      );
                    }}
                  >
                    Extend
                  </WriteButton>
                </>
              ) : (
                <span className="muted">no request to extend</span>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
