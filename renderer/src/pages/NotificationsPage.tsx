// Notifications (#/notifications): where notices go outside the console. Channels (a Slack and a Teams
// incoming webhook, whose URLs go to the keychain and are never shown again; an SMTP server with its
// password likewise), a test message per channel, the route of each notice type (channels, who, digest),
// quiet hours and the digest hour, then the next 7 days of notices and the newest ones sent or not.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { NOTICE_AUDIENCES, NOTICE_TYPES, ROUTED_CHANNELS, type NoticeRoute, type NoticeRow, type NoticeSettings, type NoticeType, type SmtpSecurity } from '../../../shared/contract-notices.js';
import { errorMessage } from '../api/client.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { useNoticesStore } from '../stores/notices-store.js';
import { toast } from '../stores/toast-store.js';

const TYPE_LABELS: Readonly<Record<NoticeType, string>> = {
  'approval-needed': 'Approval needed',
  'decision-made': 'Decision made',
  'access-granted': 'Access granted',
  'access-ending-soon': 'Access ending soon',
  'access-ended': 'Access ended',
  'review-assigned': 'Review assigned',
  'review-reminder': 'Review reminder',
  'job-failed': 'Job failed',
};

function NoticeTable({ label, rows }: { label: string; rows: readonly NoticeRow[] }): ReactNode {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="cat-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Due</th>
          <th scope="col">Type</th>
          <th scope="col">Channel</th>
          <th scope="col">To</th>
          <th scope="col">Subject</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((n) => (
          <tr key={n.id}>
            <td className="tabular">
              <AbsoluteTime iso={n.dueAt} />
            </td>
            <td>{n.kind}</td>
            <td>{n.channel}</td>
            <td>{n.recipient}</td>
            <td>{n.subject}</td>
            <td title={n.lastError ?? n.cancelledWhy ?? undefined}>{n.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RouteRow({ type, route, onChange }: { type: NoticeType; route: NoticeRoute; onChange: (r: NoticeRoute) => void }): ReactNode {
  const toggle = <T extends string>(list: readonly T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  return (
    <tr>
      <th scope="row">{TYPE_LABELS[type]}</th>
      <td>
        {ROUTED_CHANNELS.map((c) => (
          <label key={c} className="check-inline">
            <input type="checkbox" checked={route.channels.includes(c)} onChange={() => onChange({ ...route, channels: toggle(route.channels, c) })} /> {c}
          </label>
        ))}
      </td>
      <td>
        {NOTICE_AUDIENCES.map((a) => (
          <label key={a} className="check-inline">
            <input type="checkbox" checked={route.to.includes(a)} onChange={() => onChange({ ...route, to: toggle(route.to, a) })} /> {a}
          </label>
        ))}
        <input aria-label={`${TYPE_LABELS[type]}: fixed addresses`} placeholder="fixed addresses, comma-separated" value={route.fixed.join(', ')} onChange={(e) => onChange({ ...route, fixed: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })} />
      </td>
      <td>
        <input type="checkbox" aria-label={`${TYPE_LABELS[type]}: daily digest`} checked={route.digest} onChange={() => onChange({ ...route, digest: !route.digest })} />
      </td>
    </tr>
  );
}

function ChannelsForm({ settings }: { settings: NoticeSettings }): ReactNode {
  const save = useNoticesStore((s) => s.save);
  const test = useNoticesStore((s) => s.test);
  const [slack, setSlack] = useState('');
  const [teams, setTeams] = useState('');
  const [password, setPassword] = useState('');
  const [smtp, setSmtp] = useState(settings.smtp ?? { host: '', port: 587, security: 'starttls' as SmtpSecurity, user: null, from: '', caPem: null });
  const [testTo, setTestTo] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    try {
      await f();
      toast.success(what);
    } catch (e) {
      toast.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const sendTest = (channel: 'email' | 'slack' | 'teams'): Promise<void> =>
    run(`Test message through ${channel}`, async () => {
      const r = await test(channel, channel === 'email' ? testTo : undefined);
      if (!r.ok) throw new Error(r.error);
    });
  return (
    <div className="form-grid">
      <label>
        Slack webhook URL {settings.webhooks.slack ? <span className="text-ok">(set)</span> : <span className="muted">(not set)</span>}
        <input type="password" autoComplete="off" value={slack} onChange={(e) => setSlack(e.target.value)} placeholder="https://hooks.slack.com/services/…" />
      </label>
      <label>
        Teams webhook URL {settings.webhooks.teams ? <span className="text-ok">(set)</span> : <span className="muted">(not set)</span>}
        <input type="password" autoComplete="off" value={teams} onChange={(e) => setTeams(e.target.value)} placeholder="https://….webhook.office.com/…" />
      </label>
      <label>
        SMTP host <input value={smtp.host} onChange={(e) => setSmtp({ ...smtp, host: e.target.value })} />
      </label>
      <label>
        Port <input type="number" value={smtp.port} onChange={(e) => setSmtp({ ...smtp, port: Number(e.target.value) })} />
      </label>
      <label>
        Security
        <select value={smtp.security} onChange={(e) => setSmtp({ ...smtp, security: e.target.value as SmtpSecurity })}>
          <option value="starttls">STARTTLS</option>
          <option value="tls">TLS</option>
          <option value="none">None (loopback only)</option>
        </select>
      </label>
      <label>
        User <input value={smtp.user ?? ''} onChange={(e) => setSmtp({ ...smtp, user: e.target.value || null })} />
      </label>
      <label>
        Password <input type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} placeholder="kept in the keychain" />
      </label>
      <label>
        From <input value={smtp.from} onChange={(e) => setSmtp({ ...smtp, from: e.target.value })} />
      </label>
      <div className="form-actions">
        <WriteButton
          className="btn btn-primary"
          disabled={busy}
          onClick={() =>
            void run('Channels saved', () =>
              save({ ...(slack ? { slackWebhookUrl: slack } : {}), ...(teams ? { teamsWebhookUrl: teams } : {}), ...(password ? { smtpPassword: password } : {}), ...(smtp.host ? { smtp } : {}) }).then(() => {
                setSlack('');
                setTeams('');
                setPassword('');
              }),
            )
          }
        >
          Save channels
        </WriteButton>
        <WriteButton disabled={busy || !settings.webhooks.slack} onClick={() => void sendTest('slack')}>
          Send a test message to Slack
        </WriteButton>
        <WriteButton disabled={busy || !settings.webhooks.teams} onClick={() => void sendTest('teams')}>
          Send a test message to Teams
        </WriteButton>
        <input aria-label="Test e-mail address" placeholder="test address" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
        <WriteButton disabled={busy || !settings.smtp || !testTo} onClick={() => void sendTest('email')}>
          Send a test e-mail
        </WriteButton>
      </div>
    </div>
  );
}

function RoutesForm({ settings }: { settings: NoticeSettings }): ReactNode {
  const id = useId();
  const save = useNoticesStore((s) => s.save);
  const [routes, setRoutes] = useState(settings.routes);
  const [quiet, setQuiet] = useState(settings.quietHours);
  return (
    <section className="card" aria-labelledby={`${id}-routes`}>
        <h2 id={`${id}-routes`} className="section-title">
          Who is told what
        </h2>
        <table className="cat-table" aria-label="Notice routes">
          <thead>
            <tr>
              <th scope="col">Notice</th>
              <th scope="col">Channels</th>
              <th scope="col">To</th>
              <th scope="col">Daily digest</th>
            </tr>
          </thead>
          <tbody>
            {NOTICE_TYPES.map((t) => (
              <RouteRow key={t} type={t} route={routes[t] ?? { channels: [], to: [], fixed: [], digest: false }} onChange={(r) => setRoutes({ ...routes, [t]: r })} />
            ))}
          </tbody>
        </table>
        <label className="check-inline">
          <input type="checkbox" checked={quiet !== null} onChange={() => setQuiet(quiet ? null : { start: '22:00', end: '07:00' })} /> Quiet hours (UTC)
        </label>
        {quiet ? (
          <>
            <input aria-label="Quiet hours start" value={quiet.start} onChange={(e) => setQuiet({ ...quiet, start: e.target.value })} />
            <input aria-label="Quiet hours end" value={quiet.end} onChange={(e) => setQuiet({ ...quiet, end: e.target.value })} />
          </>
        ) : null}
        <WriteButton
          className="btn btn-primary"
          onClick={() =>
            void save({ routes, quietHours: quiet }).then(
              () => toast.success('Routes saved'),
              (e: unknown) => toast.error(errorMessage(e)),
            )
          }
        >
          Save routes
        </WriteButton>
      </section>
  );
}

export function NotificationsPage(): ReactNode {
  const id = useId();
  const { settings, preview, recent, loading, error, load } = useNoticesStore();
  useEffect(() => {
    void load();
  }, [load]);
  if (loading === 'error') return <InlineError title="Couldn’t load the notification settings" message={error ?? ''} onRetry={() => void load()} />;
  if (!settings) return <p className="muted">Loading…</p>;
  return (
    <div className="page-stack">
      <section className="card" aria-labelledby={`${id}-channels`}>
        <h2 id={`${id}-channels`} className="section-title">
          Channels
        </h2>
        <ChannelsForm settings={settings} />
      </section>
      <RoutesForm key={JSON.stringify([settings.routes, settings.quietHours])} settings={settings} />
      <section className="card" aria-labelledby={`${id}-preview`}>
        <h2 id={`${id}-preview`} className="section-title">
          Next 7 days of notices
        </h2>
        <NoticeTable label="Next 7 days of notices" rows={preview} />
      </section>
      <section className="card" aria-labelledby={`${id}-recent`}>
        <h2 id={`${id}-recent`} className="section-title">
          Newest notices
        </h2>
        <NoticeTable label="Newest notices" rows={recent} />
      </section>
    </div>
  );
}
