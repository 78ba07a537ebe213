/**
 * Errors of the secrets capability. Every failure carries sops's own exit code, so scripts that
 * check `$?` after `sops …` keep working after switching to `chartroom secrets …`.
 */
import { ChartroomError } from '../core/errors.js';

/** sops's exit codes (cmd/sops/codes/codes.go in sops 3.x). */
export const SopsExit = {
  generic: 1,
  couldNotReadInputFile: 2,
  couldNotWriteOutputFile: 3,
  errorDumpingTree: 4,
  errorReadingConfig: 5,
  invalidKmsEncryptionContextFormat: 6,
  invalidSetFormat: 7,
  conflictingParameters: 8,
  errorEncryptingMac: 21,
  errorEncryptingTree: 23,
  errorDecryptingMac: 24,
  errorDecryptingTree: 25,
  cannotChangeKeysFromNonExistentFile: 49,
  macMismatch: 51,
  macNotFound: 52,
  configFileNotFound: 61,
  keyboardInterrupt: 85,
  invalidTreePathFormat: 91,
  needAtLeastOneDocument: 92,
  noFileSpecified: 100,
  noEncryptionKeyFound: 111,
  duplicateDecryptionKeyType: 112,
  couldNotRetrieveKey: 128,
  fileHasNotBeenModified: 200,
  noEditorFound: 201,
  failedToCompareVersions: 202,
  fileAlreadyEncrypted: 203,
} as const;

export type SopsExitName = keyof typeof SopsExit;

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export interface SecretsErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** A failure with sops's exit code; its `code` is the kebab-case name (`mac-mismatch`). */
export class SecretsError extends ChartroomError {
  readonly sopsCode: SopsExitName;

  constructor(name: SopsExitName, message: string, options: SecretsErrorOptions = {}) {
    super(message, {
      code: kebab(name),
      exitCode: SopsExit[name],
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      cause: options.cause,
    });
    this.sopsCode = name;
  }
}

/** Turns anything thrown inside a secrets operation into a SecretsError with the given code. */
export function asSecretsError(
  thrown: unknown,
  name: SopsExitName,
  prefix: string,
  hint?: string,
): ChartroomError {
  if (thrown instanceof ChartroomError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new SecretsError(name, `${prefix}: ${message}`, {
    cause: thrown,
    ...(hint === undefined ? {} : { hint }),
  });
}
