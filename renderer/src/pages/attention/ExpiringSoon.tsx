// Needs attention › Expiring: time-bound access ending within the notice window, each with a
// one-click extension for a length its role allows.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { RequestableRole } from '../../../../shared/contract-requests.js';
import type { DurationOption, GrantRow } from '../../../../shared/governance.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { durationLabel } from '../requests/RequestParts.js';

type Fixed = Exclude<DurationOption, 'permanent' | 'custom'>;
const FIXED: readonly Fixed[] = ['1h', '6h', '24h', '7d', '30d'];

/** The lengths an extension of this role may ask for: the role's own fixed durations (custom ones go through the request page). */
const extensionsOf = (role: RequestableRole | undefined): Fixed[] => (role ? FIXED.filter((d) => role.durations.includes(d)) : []);

/** Grants expiring within the notice window, each with a one-click extension (a new request for the same role). */
export function ExpiringSoon({ grants }: { grants: GrantRow[] }): ReactNode {
  // The requestable roles are the requests store's ("New request" offers the same list); fresh on arrival.
  const list = useRequestsStore((s) => s.roles);
  const failed = useRequestsStore((s) => s.rolesError !== null);
  const loadRoles = useRequestsStore((s) => s.loadRoles);
  useEffect(() => {
    void loadRoles();
  }, [loadRoles]);
  // Without the roles each row still links to its request, where Extend is offered.
  const roles = useMemo(() => (list ? new Map(list.map((r) => [r.id, r])) : failed ? new Map<number, RequestableRole>() : null), [list, failed]);
  if (grants.length === 0) return <p className="muted attention-none">Nothing expires soon.</p>;
  return (
    <>
      <p className="muted attention-inline-form">An extension is a new request for the same role, for one of the lengths the role allows; it goes through the role's approvals.</p>
      <ul className="attention-list">
        {grants.map((g) => (
          <ExpiringRow key={g.id} grant={g} options={roles === null ? null : extensionsOf(g.roleId === null ? undefined : roles.get(g.roleId))} />
        ))}
      </ul>
    </>
  );
}

function ExpiringRow({ grant: g, options }: { grant: GrantRow; options: Fixed[] | null }): ReactNode {
  const { act, busy } = useJobsStore();
  const [choice, setChoice] = useState<Fixed | null>(null);
  const key = `grant:${g.id}`;
  const who = g.beneficiaryEmail ?? g.beneficiaryName;
  const duration = choice ?? options?.[options.length > 1 ? 1 : 0] ?? null;
  return (
    <li className="attention-item attention-row" data-testid={`expiring-${g.id}`}>
      <strong>{who}</strong>
      <span>
        {g.roleLabel ?? g.groupName} <span className="muted">({g.groupName} · {g.connectionName ?? `connection #${g.connectionId}`})</span>
      </span>
      <span className="muted">
        expires <RelativeTime iso={g.expiresAt} kind="deadline" />
      </span>
      {g.requestId === null ? (
        <span className="muted">no request to extend</span>
      ) : (
        <>
          <a className="link-subtle" href={formatRoute(routes.request(g.requestId))}>
            request #{g.requestId}
          </a>
          {options !== null && options.length > 0 && duration !== null ? (
            <>
              <select
                className="input input-sm"
                aria-label={`Extend ${who}'s access by`}
                value={duration}
                onChange={(e) => setChoice(e.target.value as Fixed)}
              >
                {options.map((d) => (
                  <option key={d} value={d}>
                    {durationLabel(d)}
                  </option>
                ))}
              </select>
              <WriteButton
                className="btn btn-sm btn-primary"
                disabled={busy.has(key)}
                onClick={() => {
                  const requestId = g.requestId ?? 0;
                  void act(
                    key,
                    'requests:extend',
                    { requestId, duration, justification: `Extension of request #${requestId} (access expiring ${g.expiresAt ?? ''})` },
                    `Extension requested for ${who}`,
                  );
                }}
              >
                Extend
              </WriteButton>
            </>
          ) : options !== null ? (
            <span className="muted">extend from the request (the role allows no fixed length)</span>
          ) : null}
        </>
      )}
    </li>
  );
}
