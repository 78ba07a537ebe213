/**
 * File I/O for secrets: atomic writes (a temp file in the same folder, then rename, keeping the
 * original's mode) so an interrupted write never leaves half a file, and private temp folders
 * for plaintext that are removed on every exit path.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { namingTarget } from '../core/files.js';
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
      `Could not write ${path}: ${(namingTarget(cause, temp, path) as Error).message}`,
      {
        hint: 'Check that the folder exists and is writable.',
        cause,
      },
    );
  }
}

/** RAM-backed when the system has it, so plaintext never reaches a disk even on a hard kill. */
function plaintextRoot(env: NodeJS.ProcessEnv): string {
  const configured = env.CHARTROOM_SECRETS_TMPDIR;
  if (configured !== undefined && configured !== '') return configured;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes folders left by runs that could not clean up (SIGKILL, power loss): their names carry
 * the owning process id, and a folder whose process is gone is deleted.
 */
function sweepStale(root: string, prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) {
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

/**
 * A 0700 folder for plaintext (in /dev/shm when available), removed by `dispose()` and, should
 * the process exit first (a second Ctrl+C, an uncaught error), by the exit hook registered here.
 * Only SIGKILL escapes both; the next run then removes the leftover (see sweepStale).
 */
export class PrivateTempDir {
  readonly path: string;
  private disposed = false;
  private readonly onExit = (): void => {
    this.dispose();
  };

  constructor(prefix = 'chartroom-secrets-', env: NodeJS.ProcessEnv = process.env) {
    const root = plaintextRoot(env);
    sweepStale(root, prefix);
    this.path = mkdtempSync(join(root, `${prefix}${process.pid}-`));
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
