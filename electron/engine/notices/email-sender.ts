// The outbox's 'email' channel: a notice sent over SMTP to its recipient
// (host, port, STARTTLS / implicit TLS / none, the account from the
// workspace's notice settings; the password from the keychain). A 4xx reply
// or a connection that failed, dropped or timed out is transient (the outbox
// backs off and retries); a 5xx reply or a refused sign-in fails the notice
// for good. Each notice has its own Message-ID, so a mailbox can spot the
// rare repeat after a connection dropped between DATA and its answer.
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../../../shared/contract-notices.js';
import { workspaceId, type EngineContext } from '../context.js';
import { getSettings } from '../settings/settings.js';
import { redact, renderNotice } from './message.js';
import { getNoticeSecret } from './notice-secrets.js';
import type { NoticeRecord } from './notice-store.js';
import { TransientNoticeError, type NoticeSender, type SentReceipt } from './outbox.js';

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

export type EmailSenderOptions = { timeoutMs?: number };

export function smtpTransport(smtp: SmtpSettings, password: string | null, opts: EmailSenderOptions = {}): Transporter {
  const timeout = opts.timeoutMs ?? 30_000;
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: password ?? '' } } : {}),
    ...(smtp.caPem ? { tls: { ca: [smtp.caPem] } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
    debug: false,
  });
}

export const messageId = (workspace: string, noticeId: number): string => `<latchkey-notice-${workspace.slice(0, 8)}-${noticeId}@latchkey.invalid>`;

export function createEmailSender(opts: EmailSenderOptions = {}): NoticeSender {
  return async (n: NoticeRecord, ctx: EngineContext): Promise<SentReceipt> => {
    const settings = getSettings(ctx.db).notices;
    const smtp = settings.smtp;
    if (!smtp) throw new Error('no SMTP server is set up (Settings → Notifications)');
    if (!/^[^@\s]+@[^@\s]+$/.test(n.recipient)) throw new Error(`"${n.recipient}" is not an e-mail address`);
    const password = smtp.user ? await getNoticeSecret(ctx, 'smtp') : null;
    const m = renderNotice(n, settings.consoleUrl);
    const ws = workspaceId(ctx.db);
    const transport = smtpTransport(smtp, password, opts);
    try {
      const info = (await transport.sendMail({
        from: smtp.from,
        to: n.recipient,
        subject: redact(m.subject, [password]),
        text: redact(m.text, [password]),
        messageId: messageId(ws, n.id),
        headers: { 'X-Latchkey-Notice': `${ws.slice(0, 8)}-${n.id}` },
      })) as { messageId?: string };
      return { reference: `email:${info.messageId ?? messageId(ws, n.id)}` };
    } catch (e) {
      const err = e as { code?: string; responseCode?: number; message?: string };
      const what = redact(String(err.message ?? e).slice(0, 300), [password]);
      if (err.responseCode !== undefined && err.responseCode >= 400 && err.responseCode < 500) throw new TransientNoticeError(`the SMTP server deferred the message: ${what}`);
      if (err.responseCode === undefined && err.code !== 'EAUTH' && (err.code === undefined || TRANSIENT_CODES.has(err.code))) throw new TransientNoticeError(`no answer from the SMTP server ${smtp.host}:${smtp.port}: ${what}`);
      throw new Error(`the SMTP server refused the message: ${what}`);
    } finally {
      transport.close();
    }
  };
}
