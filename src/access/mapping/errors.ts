import { ChartroomError, ExitCode } from '../../core/errors.js';

/** A mapping that must not be loaded; names the file and line so the fix is quick. */
export class MappingError extends ChartroomError {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
    hint = 'Fix the line and load it again; the mapping in force stays as it was.',
  ) {
    super(`${source}:${line}: ${message}`, { code: 'mapping-invalid', exitCode: ExitCode.config, hint });
  }
}
