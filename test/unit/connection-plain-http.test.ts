// Connections refuse plain-http org, site, Graph and authority URLs except on
// loopback: the API token, client secret or bearer token sent there would
// travel in clear. Checked at input (the shared contract, so the console, the
// bridge and the CLI say the same) for every URL field of every kind.
import { describe, expect, it } from 'vitest';
import { addConnectionInput, describeZodError, isLoopbackHost } from '../../shared/contract.js';

const okta = (orgUrl: string) => ({ kind: 'okta', name: 'Acme', orgUrl, auth: { type: 'token', token: 't0ken' } });
const jira = (siteUrl: string) => ({ kind: 'jira', name: 'Jira', siteUrl, email: 'bot@acme.com', apiToken: 't0ken', projectKey: 'ACC' });
const entra = (o: { graphUrl?: string; authorityHost?: string }) => ({
  kind: 'entra',
  name: 'Contoso',
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '11111111-2222-3333-4444-555555555555',
  ...o,
  auth: { type: 'secret', clientSecret: 's3cr3t' },
});

const cases: { field: string; what: string; make: (url: string) => unknown }[] = [
  { field: 'orgUrl', what: 'an org URL', make: okta },
  { field: 'siteUrl', what: 'the site URL', make: jira },
  { field: 'graphUrl', what: 'the Graph URL', make: (u) => entra({ graphUrl: u }) },
  { field: 'authorityHost', what: 'the authority host', make: (u) => entra({ authorityHost: u }) },
];

const refusal = (field: string, what: string): string =>
  `${field}: use https:// for ${what}: plain http would send the credential in clear (http:// is allowed only on loopback: 127.0.0.1, ::1, localhost)`;

describe('connections: plain http only on loopback', () => {
  for (const c of cases) {
    it(`${c.field}: http://example.com refused by name, loopback http and any https allowed`, () => {
      for (const url of ['http://example.com', 'http://acme.okta.com/', 'HTTP://Example.COM:8080/x', 'http://10.0.0.5', 'http://0.0.0.0:9000', 'http://127.0.0.1.nip.io', 'http://localhost.evil.com', 'http://[::ffff:127.0.0.1]:80', 'http://[::2]']) {
        const r = addConnectionInput.safeParse(c.make(url));
        expect(r.success, url).toBe(false);
        expect(describeZodError(r.error!), url).toBe(refusal(c.field, c.what));
      }
      for (const url of ['http://127.0.0.1:8443', 'http://127.9.8.7:1/', 'http://localhost:3000', 'http://LOCALHOST', 'http://[::1]:9000', 'https://example.com', 'https://10.0.0.5:8443']) {
        const r = addConnectionInput.safeParse(c.make(url));
        expect(r.success ? null : describeZodError(r.error), url).toBeNull();
      }
    });
  }

  it('a non-URL keeps its own message (not the http one)', () => {
    const r = addConnectionInput.safeParse(okta('acme okta'));
    expect(describeZodError(r.error!)).toBe('orgUrl: not a URL: expected something like https://your-org.okta.com');
  });

  it('loopback means 127.0.0.0/8, ::1 and localhost, as URL spells them', () => {
    for (const h of ['127.0.0.1', '127.255.255.254', 'localhost', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['128.0.0.1', '127.0.0.1.example', 'localhost.localdomain', '[::]', '0.0.0.0', '::1', '1270.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
