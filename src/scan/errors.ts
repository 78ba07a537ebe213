import { ChartroomError, ExitCode, type ChartroomErrorOptions } from '../core/errors.js';

/**
 * Everything that goes wrong while scanning: unreadable images, registry refusals, a broken DB.
 * Codes are stable (`image-unreadable`, `registry-unauthorized`, `db-missing`, …); the exit code
 * defaults to `config` for bad input files and is set explicitly for remote and not-found cases.
 */
export class ScanError extends ChartroomError {
  constructor(message: string, options: Omit<ChartroomErrorOptions, 'exitCode'> & { exitCode?: number }) {
    super(message, { exitCode: ExitCode.config, ...options });
  }
}
