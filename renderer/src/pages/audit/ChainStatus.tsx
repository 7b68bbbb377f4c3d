// The Audit log page's chain card: the head of the hash chain, the last verification (run on
// demand: over a million events it takes seconds, so it is not re-run on every visit), the newest
// signed checkpoint and the anchors written outside the file (Jira comments, snapshot copies).
import type { ReactNode } from 'react';
import type { AuditAnchorView, AuditStatusView } from '../../../../shared/contract-audit.js';
import { AbsoluteTime } from '../../components/AbsoluteTime.js';
import { Badge } from '../../components/Badges.js';
import { formatNumber } from '../../lib/format.js';
import { useAppStore } from '../../stores/app-store.js';
import { useAuditStore } from '../../stores/audit-store.js';
import { toast } from '../../stores/toast-store.js';

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

const ANCHOR_KIND: Record<string, string> = {
  'jira-checkpoint': 'Jira checkpoint comment',
  'jira-comment': 'Jira comment',
  snapshot: 'Snapshot copy',
  origin: 'Copied from',
};

function anchorWhere(a: AuditAnchorView): string {
  if (a.issueKey) return `${a.issueKey}${a.commentId ? ` · comment ${a.commentId}` : ''}`;
  return a.target ?? '';
}

function LastVerify({ status }: { status: AuditStatusView }): ReactNode {
  const opened = useAppStore((s) => s.info?.audit ?? null);
  const v = status.lastVerify;
  if (v) {
    return (
      <>
        {v.ok ? <Badge tone="green">Verifies</Badge> : <Badge tone="red">{`${v.findings.length} problem${v.findings.length === 1 ? '' : 's'}`}</Badge>}{' '}
        <span className="muted">
          {formatNumber(v.events)} events, {v.checkpoints.valid} of {v.checkpoints.total} checkpoints, {v.anchors.checked === 0 ? 'no anchor to check' : `${v.anchors.held} of ${v.anchors.checked} anchors held`} · checked <AbsoluteTime iso={v.verifiedAt} /> in{' '}
          {v.tookMs < 1000 ? `${v.tookMs} ms` : `${(v.tookMs / 1000).toFixed(1)} s`}
        </span>
        {v.findings.length > 0 ? (
          <ul className="audit-findings">
            {v.findings.slice(0, 5).map((f, i) => (
              <li key={i}>{f.message}</li>
            ))}
          </ul>
        ) : null}
      </>
    );
  }
  // A snapshot opened read-only was verified on opening.
  if (opened) {
    return (
      <>
        {opened.verified ? <Badge tone="green">Verified on opening</Badge> : <Badge tone="red">Did not verify on opening</Badge>} <span className="muted">{opened.problems[0] ?? `${formatNumber(opened.events)} events`}</span>
      </>
    );
  }
  return <span className="muted">Not verified since the console opened this workspace.</span>;
}

export function ChainStatus(): ReactNode {
  const status = useAuditStore((s) => s.status);
  const error = useAuditStore((s) => s.statusError);
  const verifying = useAuditStore((s) => s.verifying);
  const verify = useAuditStore((s) => s.verify);
  if (error) return <p className="field-error">{error}</p>;
  if (!status) return <div className="card audit-chain audit-chain-loading" aria-busy="true" />;
  const cp = status.latestCheckpoint;
  const anchors = status.anchors;
  return (
    <section className="card audit-chain" aria-label="Audit chain">
      <dl className="audit-chain-grid">
        <div>
          <dt>Chain head</dt>
          <dd>
            <span className="tabular">{formatNumber(status.head.seq)}</span> events · <code className="mono" title={status.head.hash}>{short(status.head.hash)}</code>
          </dd>
        </div>
        <div className="audit-chain-verify">
          <dt>Verification</dt>
          <dd>
            <LastVerify status={status} />
          </dd>
        </div>
        <div>
          <dt>Newest signed checkpoint</dt>
          <dd>
            {cp ? (
              <>
                #{cp.id} at {formatNumber(cp.count)} events · {cp.reason} · <AbsoluteTime iso={cp.at} />{' '}
                <span className="muted" title={`Ed25519 key ${cp.keyId}; head ${cp.headHash}`}>
                  key {cp.keyId.slice(0, 8)}
                </span>
                {status.checkpoints > 1 ? <span className="muted"> · {formatNumber(status.checkpoints)} in all</span> : null}
              </>
            ) : (
              <span className="muted">None yet: a cut tail or a rewritten chain can then only be caught by an anchor.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Anchors outside the file</dt>
          <dd>
            {anchors.total === 0 ? (
              <span className="muted">None yet (Jira checkpoint comments, snapshot copies).</span>
            ) : (
              <>
                {formatNumber(anchors.total)} · newest:{' '}
                {anchors.latest.slice(0, 3).map((a, i) => (
                  <span key={a.id} title={`head ${a.headHash} at ${a.count} events`}>
                    {i > 0 ? '; ' : ''}
                    {ANCHOR_KIND[a.kind] ?? a.kind} {anchorWhere(a)} at {formatNumber(a.count)} events, <AbsoluteTime iso={a.at} />
                  </span>
                ))}
              </>
            )}
          </dd>
        </div>
      </dl>
      <button
        type="button"
        className="btn btn-sm audit-verify-btn"
        disabled={verifying}
        onClick={() => {
          verify().then(
            (v) => (v.ok ? toast.success(`${formatNumber(v.events)} events, checkpoints and anchors verified`, 'Audit log verifies') : toast.error(v.findings[0]?.message ?? 'problems found', 'Audit log does not verify')),
            (e: unknown) => toast.error(e, 'Verification failed'),
          );
        }}
      >
        {verifying ? 'Verifying…' : 'Verify now'}
      </button>
    </section>
  );
}
