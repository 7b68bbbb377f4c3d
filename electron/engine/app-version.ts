// Latchkey's version, as its package.json says: shown by app:info and
// written on every evidence workbook's Cover and manifest.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedVersion: string | undefined;

/** The version in Latchkey's package.json, found by walking up from this module (src or dist). */
export function appVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'latchkey' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}
