// Serving the built renderer from a directory without ever leaving it: the
// URL path is decoded once, refused if it holds NUL or backslashes, resolved
// under the root and checked again after symlinks are followed. Used by the
// bridge and by the Electron shell's app:// protocol.
import fs from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that a URL path names, or null when the path is
 * malformed or would escape the root. `/` means index.html. Does not touch
 * the disk; see openStaticFile for the symlink check.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null;
  // Any ".." segment is refused outright rather than normalised away.
  if (decoded.split('/').some((seg) => seg === '..')) return null;
  const base = path.resolve(root);
  const rel = decoded === '/' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = path.resolve(base, `.${rel}`);
  if (full !== base && !full.startsWith(base + path.sep)) return null;
  return full;
}

export type StaticFile = { file: string; size: number; contentType: string };

/** Resolves and stats a static file; null for anything missing, not a file, or outside the root. */
export async function openStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  const candidate = resolveStaticPath(root, urlPath);
  if (candidate === null) return null;
  try {
    const [realRoot, realFile] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(candidate)]);
    if (!realFile.startsWith(realRoot + path.sep)) return null;
    const stat = await fs.promises.stat(realFile);
    if (!stat.isFile()) return null;
    return { file: realFile, size: stat.size, contentType: contentTypeFor(realFile) };
  } catch {
    return null;
  }
}

/** index.html must always be re-fetched (it names the hashed bundles); hashed assets may be cached. */
export function cacheControlFor(urlPath: string, file: string): string {
  if (file.endsWith('.html')) return 'no-store';
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}
