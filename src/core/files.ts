import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isNodeSystemError } from './errors.js';

/**
 * Writes a file so that readers see either the old content or the new, never half of it: a temp
 * file in the same folder (same file system, so rename is atomic), fsync, then rename. The temp
 * file is removed if anything fails.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', options.mode ?? 0o644);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw namingTarget(error, temp, path);
  }
}

/**
 * The temp file is this function's own detail: an error about it (a missing or read-only folder, a
 * folder where the file should go) names the file the caller asked for, as a plain write would.
 */
export function namingTarget(error: unknown, temp: string, path: string): unknown {
  if (isNodeSystemError(error) && error.path === temp) {
    error.path = path;
    error.message = error.message.replace(/, (\w+) '.*$/s, `, $1 '${path}'`);
  }
  return error;
}
