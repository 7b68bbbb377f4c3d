// Placeholder for review operations being built in parallel (issue 11): a clear refusal, never a silent success. Removed when the last stub is replaced.
import { UserError } from '../context.js';

export function notBuilt(what: string): never {
  throw new UserError(`${what} is not built yet`, 'failed');
}
