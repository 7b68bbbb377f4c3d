// The sandbox's stand-in for Jira's issue view: GET /browse/{key} answers a
// plain, read-only HTML page of the issue (key, summary, status, description,
// attachments by name, size and who added them, comments), so the console's "open in Jira" link works in the demo and the
// tests the way it does on a real site (https://site/browse/ACC-1), where Jira
// shows its own issue view to a signed-in browser.
//
// It needs no API token on purpose: a browser opening a link has none, and
// the page must never ask for or hold one. What it guards instead:
// - it reads only: GET and HEAD; anything else is 405 (no writes through it);
// - it shows display names, never e-mail addresses or tokens, and every
//   value is HTML-escaped (issue text is written by clients);
// - its CSP allows no script, no form, no frame, no outgoing request;
// - it says plainly that it is the sandbox's page, not Jira.
// It serves the loopback sandbox only; a real Jira site is never proxied.
import type { ServerResponse } from 'node:http';
import { type JiraAccount, type JiraIssueView, type JiraState } from './jira-state.js';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The plain text of an ADF document (paragraphs and hard breaks as line breaks). */
export function adfPlainText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (!node || typeof node !== 'object') return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  if (n.type === 'text') return typeof n.text === 'string' ? n.text : '';
  if (n.type === 'hardBreak') return '\n';
  const inner = Array.isArray(n.content) ? n.content.map(adfPlainText).join('') : '';
  if (n.type === 'listItem') return `• ${inner.endsWith('\n') ? inner : `${inner}\n`}`;
  return n.type === 'paragraph' || n.type === 'heading' ? `${inner}\n` : inner;
}

const when = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#172b4d;background:#f4f5f7}
.sandbox{background:#fff4e5;border-bottom:1px solid #f5c26b;padding:10px 24px;font-size:14px}
main{max-width:860px;margin:24px auto;padding:0 24px}
.card{background:#fff;border:1px solid #dfe1e6;border-radius:6px;padding:16px 20px;margin-bottom:16px}
h1{font-size:22px;margin:4px 0 8px}
.key{color:#5e6c84;font-weight:600}
.status{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:700;text-transform:uppercase;background:#dfe1e6}
.status-done{background:#e3fcef;color:#006644}.status-indeterminate{background:#deebff;color:#0747a6}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0 0}dt{color:#5e6c84}dd{margin:0}
.text{white-space:pre-wrap;margin:0}
ol{list-style:none;padding:0;margin:0}li{border-top:1px solid #ebecf0;padding:12px 0}li:first-child{border-top:0}
.meta{color:#5e6c84;font-size:13px}
</style>
</head>
<body>
<p class="sandbox" role="note"><strong>Jira sandbox</strong> · a read-only page of Latchkey's embedded test tenant, not Jira. On a real site this link opens the issue in Jira.</p>
<main>
${body}
</main>
</body>
</html>
`;
}

function issuePage(state: JiraState, issue: JiraIssueView): string {
  const status = state.workflow.statuses[issue.status] ?? { name: issue.status, category: { key: 'unknown' } };
  const nameOf = (accountId: string): string => state.internal.accounts.find((a: JiraAccount) => a.accountId === accountId)?.displayName ?? 'Unknown user';
  const description = adfPlainText(issue.description).trim();
  const comments = issue.comments
    .map(
      (c) => `<li><div class="meta"><strong>${escapeHtml(nameOf(c.authorId))}</strong> · <time datetime="${c.created.toISOString()}">${when(c.created)}</time></div>
<p class="text">${escapeHtml(adfPlainText(c.body).trim())}</p></li>`,
    )
    .join('\n');
  return page(
    `${issue.key}: ${issue.summary}`,
    `<article class="card" aria-labelledby="issue-title">
<div class="key">${escapeHtml(issue.key)}</div>
<h1 id="issue-title">${escapeHtml(issue.summary)}</h1>
<span class="status status-${status.category.key}" aria-label="Status">${escapeHtml(status.name)}</span>
<dl>
<dt>Reporter</dt><dd>${escapeHtml(nameOf(issue.reporterId))}</dd>
<dt>Created</dt><dd>${when(issue.created)}</dd>
<dt>Updated</dt><dd>${when(issue.updated)}</dd>
${issue.labels.length > 0 ? `<dt>Labels</dt><dd>${issue.labels.map(escapeHtml).join(', ')}</dd>` : ''}
</dl>
${description ? `<h2>Description</h2><p class="text">${escapeHtml(description)}</p>` : ''}
</article>
${
  issue.attachments.length > 0
    ? `<section class="card" aria-labelledby="attachments-title">
<h2 id="attachments-title">Attachments (${issue.attachments.length})</h2>
<ol>${issue.attachments.map((a) => `<li>${escapeHtml(a.filename)} <span class="meta">· ${a.size} bytes · ${escapeHtml(nameOf(a.authorId))} · <time datetime="${a.created.toISOString()}">${when(a.created)}</time></span></li>`).join('\n')}</ol>
</section>`
    : ''
}
<section class="card" aria-labelledby="comments-title">
<h2 id="comments-title">Comments (${issue.comments.length})</h2>
${issue.comments.length > 0 ? `<ol>${comments}</ol>` : '<p class="meta">No comments yet.</p>'}
</section>`,
  );
}

/** Answers GET/HEAD /browse/{key} (the caller routes every /browse/ path here, before authentication). */
export function serveBrowsePage(state: JiraState, res: ServerResponse, method: string, path: string): void {
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD' }).end(page('Not allowed', '<p class="card">This sandbox page is read-only.</p>'));
    return;
  }
  let key = '';
  try {
    key = decodeURIComponent(path.slice('/browse/'.length));
  } catch {
    key = '';
  }
  // By key only, as Jira's /browse does: a numeric issue id is not a browse path.
  const issue = /^[A-Z][A-Z0-9]+-\d+$/.test(key) ? state.issues().find((i) => i.key === key) : undefined;
  const html = issue
    ? issuePage(state, issue)
    : page('Issue not found', `<p class="card">There is no issue ${escapeHtml(key || '(no key)')} in the Jira sandbox.</p>`);
  res.writeHead(issue ? 200 : 404, HEADERS);
  res.end(method === 'HEAD' ? undefined : html);
}
