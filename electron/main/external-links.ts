// Which links leave the app for the system browser. Everything else a page
// tries to open or navigate to is refused: a compromised or confused renderer
// must not be able to send the user (or a file:// URL, or a custom scheme
// handler) anywhere it likes. Pure, so it is tested without Electron.
import { oktaAdminOrigin } from '../engine/directory/admin-urls.js';

/** Admin consoles the UI deep-links to. Suffixes match subdomains only. */
const HTTPS_SUFFIXES = ['.okta.com', '.oktapreview.com', '.okta-emea.com', '.atlassian.net'];
const HTTPS_HOSTS = ['portal.azure.com', 'entra.microsoft.com'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Hosts (with port) of the configured orgs and of their admin consoles. */
export function orgHosts(baseUrls: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const base of baseUrls) {
    try {
      hosts.add(new URL(base).host.toLowerCase());
      const admin = oktaAdminOrigin(base);
      if (admin) hosts.add(new URL(admin).host.toLowerCase());
    } catch {
      // an unparseable stored URL simply allows nothing
    }
  }
  return [...hosts];
}

/**
 * True for https links to the known admin consoles or a configured org, and
 * for http links only to a configured org on loopback (the sandbox tenant).
 */
export function isAllowedExternalUrl(raw: string, configuredHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  if (url.protocol === 'https:') {
    if (configuredHosts.includes(host)) return true;
    if (url.port !== '') return false;
    return HTTPS_HOSTS.includes(hostname) || HTTPS_SUFFIXES.some((s) => hostname.endsWith(s) && hostname.length > s.length);
  }
  if (url.protocol === 'http:') return LOOPBACK.has(hostname) && configuredHosts.includes(host);
  return false;
}
