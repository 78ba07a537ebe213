/**
 * Errors of the dev capability. Codes are stable (scripts match on them); exit codes come from the
 * shared table in core/errors.ts.
 */
import { ChartroomError, ExitCode } from '../core/errors.js';

export type DevErrorCode =
  | 'dev-no-workload'
  | 'dev-ambiguous-workload'
  | 'dev-no-container'
  | 'dev-env-ref-missing'
  | 'dev-no-endpoints'
  | 'dev-already-swapped'
  | 'dev-swap-in-use'
  | 'dev-relay-not-ready'
  | 'dev-swap-too-large'
  | 'dev-command-failed';

const exitCodes: Record<DevErrorCode, number> = {
  'dev-no-workload': ExitCode.notFound,
  'dev-ambiguous-workload': ExitCode.usage,
  'dev-no-container': ExitCode.usage,
  'dev-env-ref-missing': ExitCode.config,
  'dev-no-endpoints': ExitCode.remote,
  'dev-already-swapped': ExitCode.conflict,
  'dev-swap-in-use': ExitCode.conflict,
  'dev-relay-not-ready': ExitCode.timeout,
  'dev-swap-too-large': ExitCode.config,
  'dev-command-failed': 127,
};

export function devError(
  code: DevErrorCode,
  message: string,
  options: { hint?: string; cause?: unknown } = {},
): ChartroomError {
  return new ChartroomError(message, {
    code,
    exitCode: exitCodes[code],
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
