// The renderer's Content Security Policy and the hardening headers, shared by
// the local bridge and the Electron shell so both serve the UI under the same
// rules. Vite's production build needs no inline script (modules are external
// files); it may inline small images and fonts as data: URIs; React and the
// grid set inline styles, hence style-src 'unsafe-inline' (styles cannot run code).
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
