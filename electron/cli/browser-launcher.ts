// Opens the bridge's one-time link in the user's browser without putting the
// token on a command line. A URL passed to xdg-open/open is readable by every
// local user in /proc/PID/cmdline (and `ps`) while the opener and the browser
// it starts run; so, as notebook servers do, we write a launcher HTML file
// that redirects to the link, readable by its owner only (0600, in a private
// 0700 directory), open that file, and remove it once the link was used (the
// bridge says so) or when the process exits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Launcher = { file: string; remove: () => void };

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The launcher page: a meta refresh to the link, with the link itself for a browser that ignores it. */
export function launcherHtml(url: string): string {
  const u = escapeHtml(url);
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${u}">`,
    '<title>Opening Latchkey…</title></head>',
    `<body><p>Opening the Latchkey console… If nothing happens, <a href="${u}">open it here</a>.</p></body></html>`,
    '',
  ].join('\n');
}

/** Writes the launcher file (0600) in a fresh private directory (0700) under `parent`. */
export function writeLauncher(url: string, parent = os.tmpdir()): Launcher {
  const dir = fs.mkdtempSync(path.join(parent, 'latchkey-open-'));
  // mkdtemp already creates it 0700; say so explicitly whatever the platform does.
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'open-latchkey.html');
  // 'wx': never follow or reuse something already there.
  fs.writeFileSync(file, launcherHtml(url), { mode: 0o600, flag: 'wx' });
  let removed = false;
  return {
    file,
    remove: () => {
      if (removed) return;
      removed = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type OpenIo = { env: NodeJS.ProcessEnv; stdout: (s: string) => void };

/**
 * Opens `url` in the desktop's browser through a launcher file. Returns the
 * launcher (the caller removes it once the link was used), or null when no
 * browser could be asked.
 */
export function openBrowser(url: string, io: OpenIo, o: { platform?: NodeJS.Platform; launcherDir?: string } = {}): Launcher | null {
  const platform = o.platform ?? process.platform;
  const graphical = platform !== 'linux' || Boolean(io.env.DISPLAY || io.env.WAYLAND_DISPLAY);
  if (!graphical) {
    io.stdout('No desktop session found to open a browser in: open the URL above yourself.\n');
    return null;
  }
  const launcher = writeLauncher(url, o.launcherDir);
  process.once('exit', launcher.remove);
  const opener =
    platform === 'darwin'
      ? ['open', launcher.file]
      : platform === 'win32'
        ? ['cmd', '/c', 'start', '""', launcher.file]
        : ['xdg-open', launcher.file];
  const [cmd, ...rest] = opener as [string, ...string[]];
  const child = spawn(cmd, rest, { stdio: 'ignore', detached: true, env: io.env });
  child.on('error', () => {
    launcher.remove();
    io.stdout('No browser could be opened: open the URL above yourself.\n');
  });
  child.unref();
  return launcher;
}
