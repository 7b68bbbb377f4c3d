// `latchkey sandbox`: runs the sandbox tenant and prints ONE JSON line with its
// URLs and credentials (scripts read it), then serves until killed: the Okta
// server ("okta") and the Microsoft Graph server ("graph": url, tenantId,
// clientId, clientSecret, caPem). `--rate-limits okta` turns limits on for
// both: Okta's per-minute buckets and Graph's resource units per 10 s.
// The organisation's HR feed is written as two files (`--hr-dir DIR`, default
// a new temp directory) and named by the line's "hr" key:
// {"csv": ".../employees.csv", "events": ".../hr-events.jsonl"}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, sandboxInfoLine, type Sandbox } from '../sandbox/sandbox.js';
import { parseCommandArgs, portNumber, positiveInt, UsageError, type CliIo } from './cli-kit.js';

export async function runSandboxCommand(args: string[], io: CliIo): Promise<'serving'> {
  const { values } = parseCommandArgs(args, {
    users: { type: 'string' },
    seed: { type: 'string' },
    port: { type: 'string' },
    'rate-limits': { type: 'string' },
    'hr-dir': { type: 'string' },
  });
  const rateLimits = values['rate-limits'] ?? 'off';
  if (rateLimits !== 'off' && rateLimits !== 'okta') throw new UsageError(`--rate-limits must be off or okta (limits on, Okta and Graph), not "${rateLimits}"`);
  const sandbox = await startSandbox({
    users: values.users ? positiveInt(values.users, '--users') : 2000,
    seed: values.seed ? positiveInt(values.seed, '--seed') : 1,
    port: values.port ? portNumber(values.port) : 0,
    rateLimits,
  });
  io.stdout(`${sandboxInfoLine(sandbox, writeHrFeed(sandbox, values['hr-dir']))}\n`);
  const stop = (): void => {
    void sandbox.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 'serving';
}

/** Writes the sandbox's HR feed (employees.csv, hr-events.jsonl) into `dir` (created), or a new temp directory. */
export function writeHrFeed(sandbox: Pick<Sandbox, 'hr'>, dir?: string): { csv: string; events: string } {
  const target = dir ? path.resolve(dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-sandbox-hr-'));
  fs.mkdirSync(target, { recursive: true });
  const csv = path.join(target, 'employees.csv');
  const events = path.join(target, 'hr-events.jsonl');
  fs.writeFileSync(csv, sandbox.hr.csv);
  fs.writeFileSync(events, sandbox.hr.events);
  return { csv, events };
}
