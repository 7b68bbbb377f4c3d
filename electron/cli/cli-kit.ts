// What every CLI command module shares: the IO it writes to, the usage error
// and the option parser. Kept apart from cli.ts so command modules don't
// import the dispatcher (an import cycle).
import { parseArgs } from 'node:util';
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
