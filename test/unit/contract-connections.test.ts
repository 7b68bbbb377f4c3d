// The add-connection input: one schema per IdP kind, errors that name the field and say what was expected.
import { describe, expect, it } from 'vitest';
import { addConnectionInput, describeZodError } from '../../shared/contract.js';

const entra = { kind: 'entra', name: 'Contoso', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555' };

describe('addConnectionInput', () => {
  it('Entra: defaults to the public cloud hosts and takes a secret', () => {
    const r = addConnectionInput.parse({ ...entra, auth: { type: 'secret', clientSecret: 's3cr3t-value' } });
    expect(r).toMatchObject({ kind: 'entra', authorityHost: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', budgetShare: 0.5 });
  });

  it('Entra: a bad Graph URL names the field and the expected shape, not an Okta example', () => {
    const r = addConnectionInput.safeParse({ ...entra, graphUrl: 'graph', auth: { type: 'secret', clientSecret: 'x' } });
    expect(r.success).toBe(false);
    expect(describeZodError(r.error!)).toBe('graphUrl: not a URL: expected something like https://graph.microsoft.com');
  });

  it('Entra: a certificate without its private key is refused', () => {
    const certOnly = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const r = addConnectionInput.safeParse({ ...entra, auth: { type: 'certificate', certificatePem: certOnly } });
    expect(r.success).toBe(false);
    expect(describeZodError(r.error!)).toBe('auth.certificatePem: the PEM has no private key');
  });

  it('Okta: the org URL message keeps its Okta example', () => {
    const r = addConnectionInput.safeParse({ kind: 'okta', name: 'x', orgUrl: 'acme okta', auth: { type: 'token', token: 't' } });
    expect(describeZodError(r.error!)).toBe('orgUrl: not a URL: expected something like https://your-org.okta.com');
  });

  it('an unknown kind is refused by name', () => {
    const r = addConnectionInput.safeParse({ kind: 'ldap', name: 'x' });
    expect(r.success).toBe(false);
    expect(describeZodError(r.error!)).toMatch(/^kind: /);
  });
});
