/**
 * Errors of the deploy capability. Codes are stable (scripts match on them); exit codes come
 * from the shared table in core/errors.ts.
 */
import { ChartroomError, ExitCode } from '../core/errors.js';

export function deployError(
  code: string,
  message: string,
  options: { exitCode?: number; hint?: string; cause?: unknown } = {},
): ChartroomError {
  return new ChartroomError(message, {
    code,
    exitCode: options.exitCode ?? ExitCode.findings,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
