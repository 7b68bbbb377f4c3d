// The sandbox's mailbox: an SMTP server on loopback (STARTTLS with the
// sandbox's per-start certificate when given one, AUTH PLAIN/LOGIN with a
// random password) that keeps every message it accepts, read out by tests
// and the e2e (and over HTTP at the webhook receiver's /__sandbox/mailbox).
// Faults share the sandbox's switch (path "/smtp"): 'drop' closes a new
// connection at once, '429' and 5xx answer the message with a temporary
// 4xx (as a busy or failing relay does), 'slow' holds the answer.
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createFaults, type ActiveFault, type Faults } from './faults.js';

const SMTP_PATH = '/smtp';
const isDrop = (f: ActiveFault | undefined): boolean => f?.kind === 'drop' || f?.kind === 'reset-mid-body';
import type { TlsMaterial } from './tls.js';

export type MailboxMessage = { from: string; to: string[]; subject: string; messageId: string; headers: Record<string, string>; text: string; receivedAt: string };

export type SmtpMailbox = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** 'starttls' when started with TLS material, else 'none'. */
  security: 'starttls' | 'none';
  messages: MailboxMessage[];
  faults: Faults;
  close: () => Promise<void>;
};

export type SmtpMailboxOptions = { host?: string; port?: number; tls?: TlsMaterial; faults?: Faults; sleep?: (ms: number) => Promise<void> };

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    const hex = soft.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(c ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) in a header, decoded. */
export function decodeWords(v: string): string {
  return v.replace(/=\?[^?]+\?([QqBb])\?([^?]*)\?=(\s+(?==\?))?/g, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

/** Headers (unfolded, lower-case names) and the decoded text of a single-part message. */
export function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const enc = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const text = enc === 'quoted-printable' ? decodeQuotedPrintable(body) : enc === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

export async function startSmtpMailbox(opts: SmtpMailboxOptions = {}): Promise<SmtpMailbox> {
  const host = opts.host ?? '127.0.0.1';
  const user = 'latchkey-notices';
  const password = randomBytes(18).toString('base64url');
  const faults = opts.faults ?? createFaults();
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const messages: MailboxMessage[] = [];
  // The first armed fault for the mailbox: a drop is taken when a connection opens, any other when a message's data ends.
  const nextFault = (): ActiveFault | undefined => faults.list().find((f) => (f.method === null || f.method === 'SMTP') && (typeof f.match === 'string' ? SMTP_PATH.startsWith(f.match) : f.match.test(SMTP_PATH)));
  const server = new SMTPServer({
    ...(opts.tls ? { key: opts.tls.keyPem, cert: opts.tls.certPem } : { hideSTARTTLS: true, allowInsecureAuth: true }),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) cb(null, { user });
      else cb(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          const fault = nextFault() && !isDrop(nextFault()) ? faults.take('SMTP', SMTP_PATH) : null;
          if (fault?.kind === 'slow') await sleep(fault.delayMs);
          else if (fault && fault.kind !== 'drop' && fault.kind !== 'reset-mid-body') {
            return cb(Object.assign(new Error(fault.kind === '429' ? '4.7.0 too many messages, try again later' : '4.3.0 temporary failure, try again later'), { responseCode: fault.kind === '429' ? 421 : 451 }));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const { headers, text } = parseMessage(raw);
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: headers.subject ?? '',
            messageId: headers['message-id'] ?? '',
            headers,
            text,
            receivedAt: new Date().toISOString(),
          });
          cb(null);
        })();
      });
    },
  });
  // A 'drop' fault closes the next connection as it opens (before any reply).
  const net = (server as unknown as { server: Server }).server;
  net.prependListener('connection', (socket: Socket) => {
    if (isDrop(nextFault()) && faults.take('SMTP', SMTP_PATH)) socket.destroy();
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = net.address() as AddressInfo;
  return {
    host,
    port,
    user,
    password,
    security: opts.tls ? 'starttls' : 'none',
    messages,
    faults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
