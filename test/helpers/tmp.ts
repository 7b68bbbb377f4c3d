import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** A temp directory removed after the file's tests. */
export function tempDir(prefix = 'latchkey-'): string {
  const dir = fs.mkdtempSync(path.join(process.env.LATCHKEY_TEST_TMP ?? os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
