// What a notice says outside the console: links (desktop deep link, bridge hash route), Retry-After, and the secret guard.
import { describe, expect, it } from 'vitest';
import { consoleLink, redact, renderNotice } from '../../electron/engine/notices/message.js';
import { retryAfterMs, webhookPayload } from '../../electron/engine/notices/webhook-sender.js';

describe('notice messages', () => {
  it('links into the desktop app or the bridge, and to Jira', () => {
    expect(consoleLink('latchkey://', 'requests/12')).toBe('latchkey://requests/12');
    expect(consoleLink('http://127.0.0.1:4000/', '#/requests/12')).toBe('http://127.0.0.1:4000/#/requests/12');
    expect(consoleLink('https://latchkey.example', 'reviews/3')).toBe('https://latchkey.example/#/reviews/3');
    const m = renderNotice({ subject: 'S', body: 'B', target: JSON.stringify({ link: 'requests/12', jiraUrl: 'https://x.atlassian.net/browse/ACC-1' }) }, 'latchkey://');
    expect(m.text).toBe('B\n\nOpen in Latchkey: latchkey://requests/12\nJira: https://x.atlassian.net/browse/ACC-1');
    expect(renderNotice({ subject: 'S', body: 'B', target: '{}' }, 'latchkey://').text).toBe('B');
  });

  it('redacts a secret and the token path of a webhook URL', () => {
    const url = 'https://hooks.slack.com/services/T1/B2/abcdefSECRET';
    expect(redact(`posting to ${url} failed; path /services/T1/B2/abcdefSECRET`, [url, null, 'pw'])).toBe('posting to [redacted] failed; path [redacted]');
    expect(redact('p4ssw0rd! here', ['p4ssw0rd!'])).toBe('[redacted] here');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-12-08T10:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Tue, 08 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('builds Slack and Teams payloads with both links', () => {
    const m = { subject: 'Approval needed', text: 'x', consoleUrl: 'latchkey://requests/1', jiraUrl: 'https://j/browse/A-1' };
    expect(JSON.stringify(webhookPayload('slack', m))).toContain('<latchkey://requests/1|Open in Latchkey>');
    const teams = webhookPayload('teams', m) as { potentialAction: { targets: { uri: string }[] }[] };
    expect(teams.potentialAction.map((a) => a.targets[0]?.uri)).toEqual(['latchkey://requests/1', 'https://j/browse/A-1']);
  });
});
