// Deep links into the IdP's admin console. Okta serves its admin app on the
// org's "-admin" host (acme.okta.com -> acme-admin.okta.com); anything else
// (a custom domain, the sandbox on 127.0.0.1) gets the same path on its base URL.

/** Okta cells: the org subdomain gains "-admin" on these parent domains. */
const OKTA_DOMAINS = ['okta.com', 'oktapreview.com', 'okta-emea.com', 'okta-gov.com', 'okta.mil', 'trexcloud.com'];

/** The admin console origin for an Okta org URL, or null when the URL does not parse. */
export function oktaAdminOrigin(baseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  const parent = OKTA_DOMAINS.find((d) => host.endsWith(`.${d}`));
  if (parent) {
    const sub = host.slice(0, -(parent.length + 1));
    // Only a plain org label is rewritten; "acme-admin" (already the admin host) and "x.y" are left alone.
    if (sub !== '' && !sub.includes('.') && !sub.endsWith('-admin')) {
      url.hostname = `${sub}-admin.${parent}`;
    }
  }
  return url.origin;
}

export type AdminTarget =
  | { kind: 'user'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'app'; id: string; name: string };

/** Deep link for an object of a connection; null for kinds without a known console yet. */
export function adminUrl(connection: { kind: string; baseUrl: string }, target: AdminTarget): string | null {
  if (connection.kind !== 'okta') return null;
  const origin = oktaAdminOrigin(connection.baseUrl);
  if (origin === null) return null;
  const id = encodeURIComponent(target.id);
  switch (target.kind) {
    case 'user':
      return `${origin}/admin/user/profile/view/${id}`;
    case 'group':
      return `${origin}/admin/group/${id}`;
    case 'app':
      return `${origin}/admin/app/${encodeURIComponent(target.name)}/instance/${id}`;
  }
}
