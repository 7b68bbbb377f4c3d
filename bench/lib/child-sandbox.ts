// Benches run the sandbox in a child process so its CPU does not count as the
// engine's: the child prints one JSON line about itself, then serves until
// killed. This starts it, waits for that line and stops it on exit.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export async function startChildSandbox<Info>(script: string, args: string[]): Promise<{ info: Info; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--serve-sandbox', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<Info>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', (l) => {
      try {
        resolve(JSON.parse(l) as Info);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
  });
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  process.on('exit', stop);
  return { info, stop };
}
