// `npm start` / `latchkey start`: the console in an Electron window when the
// Electron binary is available; otherwise (offline installs, servers, CI) the
// same UI through the local bridge in a browser. With no tenant configured it
// runs on the embedded sandbox (Okta and Entra over the same people) and syncs
// each once, with visible progress.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncProgress, SyncRunSummary } from '../../shared/domain.js';
import { demoSandboxOf, startDemo, type Demo, type DemoConnection } from '../engine/demo.js';
import { keyringSecretStore } from '../engine/secrets/keyring-store.js';
import { createEventBus, openWorkspace } from '../engine/workspace/workspace.js';
import { DEMO_SANDBOX_OPTIONS, startSandbox } from '../sandbox/sandbox.js';
import { openBrowser, type Launcher } from './browser-launcher.js';
import { parseCommandArgs, portNumber, positiveInt, type CliIo } from './cli-kit.js';
import { renderProgressLine } from './progress.js';
import { serveWorkspace } from './serve.js';

const here = path.dirname(fileURLToPath(import.meta.url));

type ElectronProbe = { binary: string } | { missing: string };

/** Finds Electron's binary without importing 'electron' (which would try to download it). */
export function findElectron(tryDownload: boolean): ElectronProbe {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  const locate = (): string | null => {
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!fs.existsSync(pathFile)) return null;
    const binary = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(binary) ? binary : null;
  };
  let binary = locate();
  if (!binary && tryDownload) {
    // Electron downloads its binary lazily; one quick attempt (it fails fast offline).
    spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
    binary = locate();
  }
  return binary ? { binary } : { missing: "Electron's binary is not installed and could not be downloaded (offline?)" };
}

export async function runStart(args: string[], io: CliIo & { db: string; explicitDb: boolean }): Promise<number | 'serving'> {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string' },
    'no-open': { type: 'boolean' },
    bridge: { type: 'boolean' },
    users: { type: 'string' },
  });
  const useBridge = values.bridge === true || io.env.LATCHKEY_BRIDGE === '1';
  const probe = useBridge ? ({ missing: 'the local bridge was asked for' } as const) : findElectron(io.env.CI !== 'true');
  if ('binary' in probe) {
    const main = path.resolve(here, '../main/main.js');
    const child = spawn(probe.binary, [main, '--db', io.db], { stdio: 'inherit', env: io.env });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }
  io.stdout(`Electron is not available (${probe.missing}): serving the same console through the local bridge; open it in a browser.\n`);

  const bus = createEventBus();
  const ctx = openWorkspace({ dbPath: io.db, secrets: io.secrets ?? keyringSecretStore(), transport: 'bridge', events: bus });
  const users = values.users ? positiveInt(values.users, '--users') : DEMO_SANDBOX_OPTIONS.users;
  const interactive = process.stderr.isTTY && io.env.CI !== 'true';
  // The first syncs run at once and share one redrawn line. It is drawn only
  // once the lines announcing them are out: drawn earlier, they would be glued to it.
  const progress = new Map<number, SyncProgress>();
  const labels = new Map<number, string>();
  let drawProgress = false;
  const draw = (p: SyncProgress): void => {
    if (drawProgress) io.stderr(`\r${labels.size > 1 ? renderProgressLines([...progress.values()], labels) : renderProgressLine(p)}`);
  };
  const unsubscribe = bus.subscribe((event, payload) => {
    if (event !== 'sync:progress' || !interactive) return;
    const p = payload as SyncProgress;
    progress.set(p.connectionId, p);
    draw(p);
  });
  const demo = await startDemo(ctx, {
    env: io.env,
    startSandbox: async () => demoSandboxOf(await startSandbox({ ...DEMO_SANDBOX_OPTIONS, users })),
  });
  if (demo) {
    const where = `Okta at ${demo.sandbox.okta.url}${demo.sandbox.graph ? ` and Entra at ${demo.sandbox.graph.url}` : ''}`;
    io.stdout(`No tenant configured: using the embedded sandbox tenant (${users} people, ${where})\n`);
    process.once('exit', () => void demo.sandbox.close());
  }
  // The launcher file goes as soon as the one-time link has been used.
  let launcher: Launcher | null = null;
  const bridge = await serveWorkspace(ctx, bus, { port: values.port ? portNumber(values.port) : 0, io, onLinkUsed: () => launcher?.remove() });
  const firstSyncs = demo ? firstSyncsOf(demo) : [];
  for (const f of firstSyncs) labels.set(f.connection.id, f.connection.name);
  if (firstSyncs.length > 0) {
    const names = firstSyncs.map((f) => `"${f.connection.name}"`).join(' and ');
    io.stdout(`First sync${firstSyncs.length > 1 ? 's' : ''} of ${names} started (progress in the console and below).\n`);
    drawProgress = true;
    let running = firstSyncs.length;
    const outcomes = firstSyncs.map(({ connection, sync }) =>
      sync.done
        .catch((e: unknown): Pick<SyncRunSummary, 'status' | 'error'> => ({ status: 'failed', error: e instanceof Error ? e.message : String(e) }))
        .then((r) => {
          progress.delete(connection.id);
          running -= 1;
          // Clear the shared progress line before printing under it (the other sync redraws it).
          if (interactive) io.stderr(running > 0 ? `\r${' '.repeat(110)}\r` : '\n');
          io.stdout(`${firstSyncLine(connection.name, r)}\n`);
        }),
    );
    void Promise.all(outcomes).finally(unsubscribe);
  } else unsubscribe();

  if (!values['no-open'] && io.env.CI !== 'true') launcher = openBrowser(bridge.url, io);
  return 'serving';
}

/** The demo's connections whose first sync this launch started. */
function firstSyncsOf(demo: Demo): { connection: DemoConnection['connection']; sync: NonNullable<DemoConnection['firstSync']> }[] {
  return [demo, demo.entra].flatMap((d) => (d?.firstSync ? [{ connection: d.connection, sync: d.firstSync }] : []));
}

function firstSyncLine(name: string, r: Pick<SyncRunSummary, 'status' | 'error'> & Partial<SyncRunSummary>): string {
  return r.status === 'succeeded'
    ? `First sync of "${name}" done: ${r.users ?? 0} users, ${r.groups ?? 0} groups, ${r.memberships ?? 0} memberships, ${r.apps ?? 0} apps.`
    : `First sync of "${name}" failed: ${r.error ?? 'unknown error'}`;
}

/** Several syncs on one line: phase and count of each. */
function renderProgressLines(ps: SyncProgress[], labels: Map<number, string>): string {
  return ps.map((p) => `${labels.get(p.connectionId) ?? `#${p.connectionId}`}: ${p.phase} ${p.items}${p.expected ? `/${p.expected}` : ''}`).join(' · ').padEnd(110);
}
