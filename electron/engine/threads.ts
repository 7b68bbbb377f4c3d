// Where a worker thread's module is, for work that must not hold the engine's
// event loop (a review launch writing 1M items, an evidence export reading
// them): the module file beside its caller (`x-worker.js` in a build; from
// sources, `x-worker.ts` booted through tsx's loader, since an execArgv
// `--import` does not reach a worker's entry). Null where no worker can load
// (the file is missing in this packaging): the caller then runs inline.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The entry of the worker module `workerBase` (e.g. 'launch-worker') that
 * sits beside the module at `callerUrl` (its import.meta.url).
 */
export function workerEntryBeside(callerUrl: string, workerBase: string): URL | null {
  const here = fileURLToPath(callerUrl);
  const fromSources = here.endsWith('.ts');
  const file = here.replace(/[^/\\]+\.(ts|js)$/, `${workerBase}.${fromSources ? 'ts' : 'js'}`);
  if (!fs.existsSync(file)) return null;
  if (!fromSources) return pathToFileURL(file);
  try {
    const tsx = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
    const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(pathToFileURL(file).href)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
  } catch {
    return null;
  }
}
