// What every CLI command module shares: the IO it writes to, the usage error,
// the option parser and the option values several commands take (ports,
// counts, a secret named by an environment variable). Kept apart from cli.ts
// so command modules don't import the dispatcher (an import cycle): only
// main.ts imports cli.ts.
import { parseArgs } from 'node:util';
import { UserError } from '../engine/context.js';
import type { SecretStore } from '../engine/secrets/secret-store.js';

export type CliIo = {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Tests pass a fake keychain only where the test is about something else. */
  secrets?: SecretStore;
};

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;
type Parsed<O extends OptionSpec> = {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
};

export function parseCommandArgs<const O extends OptionSpec>(args: string[], options: O, positionals = 0): Parsed<O> {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed<O>;
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument "${r.positionals[positionals]}"`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

export function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number, not "${s}"`);
  return n;
}

export function portNumber(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0–65535, not "${s}"`);
  return n;
}

/** Reads a token from the environment; the value never appears in any output. */
export function tokenFromEnv(name: string, env: NodeJS.ProcessEnv, flag = '--token-env'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${flag} takes a variable name, not "${name.slice(0, 3)}…"`);
  const v = env[name];
  if (!v) throw new UserError(`environment variable ${name} is not set or empty`, 'bad-input');
  return v.trim();
}

/** A command's result: one JSON line with --json (stable field names), else the text; returns the exit code. */
export function printResult(io: CliIo, json: boolean | undefined, value: unknown, text: string, code = 0): number {
  io.stdout(json ? `${JSON.stringify(value)}\n` : text);
  return code;
}
