// The built CLI as a script would run it (secrets through the environment,
// never argv), and the plain text of the Jira comments it leads to: shared by
// the e2e tests that set a workspace up from the command line.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const cli = path.resolve(import.meta.dirname, '../../dist/electron/cli/main.js');

/** Runs `latchkey --db DB ARGS…` (needs `npm run build`); throws with stderr when it fails. */
export function latchkey(db: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`latchkey ${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The plain text of an Atlassian Document Format body. */
export function adfText(node: unknown): string {
  if (node === null || typeof node !== 'object') return '';
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === 'text') return n.text ?? '';
  const inner = (n.content ?? []).map(adfText).join('');
  return n.type === 'paragraph' ? `${inner}\n` : inner;
}
