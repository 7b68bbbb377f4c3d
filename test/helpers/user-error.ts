// The UserError a call throws, for tests that assert on its message and code
// (anything else thrown, or nothing thrown, fails the test).
import { UserError } from '../../electron/engine/context.js';

export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}
