// Which links the Electron shell hands to the system browser.
import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, orgHosts } from '../../electron/main/external-links.js';

describe('external link allowlist', () => {
  const hosts = orgHosts(['https://login.acme.com', 'http://127.0.0.1:41234', 'https://acme.okta.com', 'garbage']);

  it('derives org hosts and their admin hosts', () => {
    expect(hosts.sort()).toEqual(['127.0.0.1:41234', 'acme-admin.okta.com', 'acme.okta.com', 'login.acme.com']);
  });

  it('allows https admin consoles and configured orgs', () => {
    for (const url of [
      'https://acme-admin.okta.com/admin/user/profile/view/00u1',
      'https://other.oktapreview.com/x',
      'https://acme.atlassian.net/browse/IT-1',
      'https://portal.azure.com/#view/Microsoft_AAD_UsersAndTenants',
      'https://entra.microsoft.com/',
      'https://login.acme.com/admin',
      'http://127.0.0.1:41234/admin/group/00g1',
      // The sandbox Jira's read-only issue page, the request detail's "Open ACC-1" link.
      'http://127.0.0.1:41234/browse/ACC-1',
    ]) {
      expect(isAllowedExternalUrl(url, hosts), url).toBe(true);
    }
  });

  it('refuses everything else', () => {
    for (const url of [
      'http://acme-admin.okta.com/',
      'https://okta.com.evil.example/',
      'https://evilokta.com/',
      'https://.okta.com/',
      'https://acme.okta.com:8443/',
      'https://user:pw@acme.okta.com/',
      'http://127.0.0.1:9999/',
      'http://localhost:41234/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://share/x',
      'not a url',
      'https://portal.azure.com.evil.example/',
    ]) {
      expect(isAllowedExternalUrl(url, hosts), url).toBe(false);
    }
  });
});
