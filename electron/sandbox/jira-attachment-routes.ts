// The Jira sandbox's issue attachments, shaped as the platform v3 spec's
// Attachment / AttachmentMetadata / AttachmentSettings
// (../shared/specs/jira-platform-v3.json, "Issue attachments"):
//   - POST /rest/api/3/issue/{key}/attachments: multipart/form-data with the
//     files in the field `file`; without `X-Atlassian-Token: no-check` Jira's
//     XSRF filter answers 403 "XSRF check failed" (plain text) before anything
//     else; the Create attachments permission; more than 60 files or a file
//     over the site's limit is 413 naming it (nothing is attached then);
//     answers the array of Attachment;
//   - GET /rest/api/3/attachment/{id}: the metadata (id as an integer there);
//   - GET /rest/api/3/attachment/content/{id}: 303 to the download unless
//     `redirect=false`, which answers the bytes (as Jira's own download does);
//   - GET /rest/api/3/attachment/meta: enabled and the upload limit;
//   - the control plane's POST /__sandbox/attachments (jira-server.ts, the
//     bot's credentials): {issue, as, filename, contentBase64, mimeType?}
//     attaches a file as the user with that e-mail (added when missing).
// The issue's `fields.attachment` renders the same Attachment objects
// (jira-issue-routes.ts).
import { accountOf, fail, jiraError, jiraTime, mustIssue, need, p0, userJson, type Ctx, type JiraReply, type Json } from './jira-route-kit.js';
import { attach, type Internal, type JiraState, type JiraAttachmentView, type JiraIssueView } from './jira-state.js';

/** Jira's per-request bound on files (the spec's 413). */
export const MAX_FILES_PER_UPLOAD = 60;

/** An Attachment as Jira renders it in an upload's answer and in `fields.attachment`. */
export function attachmentJson(s: Internal, a: JiraAttachmentView): Json {
  return {
    self: `${s.base()}/rest/api/3/attachment/${a.id}`,
    id: a.id,
    filename: a.filename,
    author: userJson(s, accountOf(s, a.authorId)),
    created: jiraTime(a.created),
    size: a.size,
    mimeType: a.mimeType,
    content: `${s.base()}/rest/api/3/attachment/content/${a.id}`,
  };
}

type Part = { name: string; filename: string | null; contentType: string | null; data: Buffer };

/** A Content-Disposition parameter, unescaped as browsers and axios escape it (%22 %0D %0A; RFC 5987 for filename*). */
function dispositionParam(head: string, name: string): string | null {
  const star = new RegExp(`;\\s*${name}\\*=(?:UTF-8|utf-8)''([^;\\r\\n]+)`).exec(head);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      return star[1];
    }
  }
  const m = new RegExp(`;\\s*${name}="([^"]*)"`).exec(head) ?? new RegExp(`;\\s*${name}=([^;\\r\\n]+)`).exec(head);
  return m?.[1] === undefined ? null : m[1].replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

/** The parts of a multipart/form-data body (RFC 7578); null when it is not one. */
export function parseMultipart(raw: Buffer, contentType: string): Part[] | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  let pos = raw.indexOf(delimiter);
  if (pos < 0) return null;
  pos += delimiter.length;
  const parts: Part[] = [];
  for (;;) {
    if (raw.subarray(pos, pos + 2).toString('latin1') === '--') return parts;
    if (raw.subarray(pos, pos + 2).toString('latin1') !== '\r\n') return null;
    pos += 2;
    const headEnd = raw.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return null;
    const head = raw.subarray(pos, headEnd).toString('utf8');
    const end = raw.indexOf(between, headEnd + 4);
    if (end < 0) return null;
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    const type = /^content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? null;
    parts.push({ name: dispositionParam(disposition, 'name') ?? '', filename: dispositionParam(disposition, 'filename'), contentType: type, data: raw.subarray(headEnd + 4, end) });
    pos = end + between.length;
  }
}

/** The attachment of that id on any issue, with its issue; Jira's 404 otherwise. */
function mustAttachment(s: Internal, id: string): { issue: JiraIssueView; attachment: JiraAttachmentView } {
  for (const issue of s.issues) {
    const attachment = issue.attachments.find((a) => a.id === id);
    if (attachment) return { issue, attachment };
  }
  return fail(404, [`The attachment with id '${id}' does not exist`]);
}

/** POST /rest/api/3/issue/{key}/attachments. */
export function addAttachments({ state, user, params, raw, headers }: Ctx): JiraReply {
  // Jira's XSRF filter: a form-like POST without the header never reaches the resource.
  const token = String(headers?.['x-atlassian-token'] ?? '').toLowerCase();
  if (token !== 'no-check' && token !== 'nocheck') return { status: 403, headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, raw: 'XSRF check failed' };
  const s = state.internal;
  const issue = mustIssue(s, p0(params));
  need(user, 'CREATE_ATTACHMENTS', 'create attachments');
  const contentType = String(headers?.['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(contentType)) return { status: 415, body: jiraError(['Attachments are posted as multipart/form-data, with the files in the field "file".']) };
  const parts = parseMultipart(raw ?? Buffer.alloc(0), contentType) ?? fail(400, ['The multipart/form-data body could not be read (no boundary, or a part is cut short).']);
  const files = parts.filter((p) => p.name === 'file' && p.filename !== null);
  if (files.length === 0) fail(400, ['No file was attached: the files must be in the multipart field "file", each with a file name.']);
  if (files.length > MAX_FILES_PER_UPLOAD) fail(413, [`At most ${MAX_FILES_PER_UPLOAD} files can be attached in one request; this one has ${files.length}.`]);
  // All or none: every file is checked against the limit before any is kept.
  for (const f of files) {
    if (f.data.length > s.attachmentLimit) fail(413, [`The file '${f.filename ?? ''}' is ${f.data.length} bytes, larger than this site's attachment size limit of ${s.attachmentLimit} bytes.`]);
  }
  const added: JiraAttachmentView[] = [];
  for (const f of files) {
    const a = attach(s, issue, user, { filename: f.filename ?? 'file', content: Buffer.from(f.data), mimeType: f.contentType });
    if ('refused' in a) fail(413, [a.refused]);
    else added.push(a);
  }
  return { status: 200, body: added.map((a) => attachmentJson(s, a)) };
}

/** GET /rest/api/3/attachment/{id}: AttachmentMetadata (its id is an int64 there, unlike Attachment's string). */
export function getAttachment({ state, user, params }: Ctx): JiraReply {
  const s = state.internal;
  need(user, 'BROWSE_PROJECTS', 'browse projects');
  const { attachment } = mustAttachment(s, p0(params));
  return { status: 200, body: { ...attachmentJson(s, attachment), id: Number(attachment.id), properties: {} } };
}

/** GET /rest/api/3/attachment/content/{id}: 303 to the download by default; the bytes with `redirect=false`. */
export function getAttachmentContent({ state, user, params, query }: Ctx): JiraReply {
  const s = state.internal;
  need(user, 'BROWSE_PROJECTS', 'browse projects');
  const { attachment } = mustAttachment(s, p0(params));
  if (query.get('redirect') !== 'false') return { status: 303, headers: { Location: `${s.base()}/rest/api/3/attachment/content/${attachment.id}?redirect=false` } };
  const name = attachment.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    status: 200,
    headers: { 'Content-Type': attachment.mimeType, 'Content-Length': String(attachment.size), 'Content-Disposition': `attachment; filename="${name}"` },
    raw: attachment.content,
  };
}

/** GET /rest/api/3/attachment/meta: AttachmentSettings. */
export function getAttachmentSettings({ state }: Ctx): JiraReply {
  return { status: 200, body: { enabled: true, uploadLimit: state.internal.attachmentLimit } };
}

/** The control plane's attach-as-a-user (a demo's or an end-to-end test's reviewer replying); 200 with the Attachment. */
export function attachAsUser(state: JiraState, text: string): JiraReply {
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    return { status: 400, body: jiraError(['The body must be JSON: {"issue","as","filename","contentBase64","mimeType"?}.']) };
  }
  const { issue: key, as, filename, contentBase64, mimeType } = body;
  if (typeof key !== 'string' || typeof as !== 'string' || !as.includes('@') || typeof filename !== 'string' || filename === '' || typeof contentBase64 !== 'string') {
    return { status: 400, body: jiraError(['issue, as (an e-mail), filename and contentBase64 are required strings.']) };
  }
  const s = state.internal;
  const issue = s.issues.find((i) => i.key === key || i.id === key);
  if (!issue) return { status: 404, body: jiraError([`Issue ${key} does not exist.`]) };
  const author = state.user(as) ?? state.addUser({ email: as });
  const added = attach(s, issue, author, { filename, content: Buffer.from(contentBase64, 'base64'), mimeType: typeof mimeType === 'string' ? mimeType : null });
  if ('refused' in added) return { status: 413, body: jiraError([added.refused]) };
  return { status: 200, body: attachmentJson(s, added) };
}
