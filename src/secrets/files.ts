/**
 * File I/O for secrets: atomic writes (a temp file in the same folder, then rename, keeping the
 * original's mode) so an interrupted write never leaves half a file, and private temp folders
 * for plaintext that are removed on every exit path.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SecretsError } from './errors.js';

export async function writeFileAtomic(path: string, data: Uint8Array, mode?: number): Promise<void> {
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = (await stat(path)).mode & 0o7777;
    } catch {
      fileMode = 0o644;
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', fileMode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new SecretsError(
      'couldNotWriteOutputFile',
      `Could not write ${path}: ${(cause as Error).message}`,
      {
        hint: 'Check that the folder exists and is writable.',
        cause,
      },
    );
  }
}

/**
 * A 0700 folder under the system temp dir for plaintext, removed by `dispose()` and, should the
 * process die first, by the exit/signal hooks registered here.
 */
export class PrivateTempDir {
  readonly path: string;
  private disposed = false;
  private readonly onExit = (): void => {
    this.dispose();
  };

  constructor(prefix = 'chartroom-secrets-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(this.path, 0o700);
    process.once('exit', this.onExit);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    process.removeListener('exit', this.onExit);
    rmSync(this.path, { recursive: true, force: true });
  }
}
