/**
 * How in-memory values reach Helm without touching the disk. The first document is Helm's
 * stdin (`-f -`). Helm reads any further `-f` path with open(2), which cannot open the socket
 * pairs Node uses for extra stdio, so each further document goes through a named pipe (FIFO) in
 * a private 0700 folder: the kernel carries the bytes from this process to Helm; the folder only
 * holds the pipe's name, never its content, and is removed when Helm is done.
 */
import { spawnSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { ChartroomError, ExitCode } from '../../core/errors.js';

export class ValuesChannel {
  readonly documents: Buffer[] = [];
  private dir: string | undefined;
  private readonly fifos: string[] = [];

  /** Registers a document; returns what to give Helm for it (`-` or a FIFO path). */
  add(content: Buffer): string {
    this.documents.push(content);
    if (this.documents.length === 1) return '-';
    this.dir ??= mkdtempSync(join(tmpdir(), 'chartroom-values-'));
    const path = join(this.dir, `values-${this.documents.length}.yaml`);
    const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new ChartroomError(
        `could not create a pipe for Helm's values: ${made.error?.message ?? made.stderr.trim()}`,
        {
          code: 'values-pipe-failed',
          exitCode: ExitCode.internal,
          hint: 'chartroom deploy needs mkfifo (coreutils) and a writable temp folder (TMPDIR).',
        },
      );
    }
    this.fifos.push(path);
    return path;
  }

  get hasStdin(): boolean {
    return this.documents.length > 0;
  }

  /**
   * Writes every document: the first to `stdin`, the others into their FIFOs as Helm opens them.
   * If Helm exits without reading a FIFO, it is opened here once to release the waiting writer.
   */
  feed(stdin: Writable | null, helmExited: Promise<unknown>): void {
    const first = this.documents[0];
    if (stdin !== null && first !== undefined) {
      // Helm may exit before reading (a bad flag): a broken pipe is then expected, not an error.
      stdin.on('error', () => undefined);
      stdin.end(first);
    }
    this.fifos.forEach((path, index) => {
      const content = this.documents[index + 1] ?? Buffer.alloc(0);
      const writing = (async () => {
        const handle = await open(path, constants.O_WRONLY);
        try {
          await handle.writeFile(content);
        } finally {
          await handle.close();
        }
      })();
      writing.catch(() => undefined);
      void helmExited.then(() => {
        try {
          const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
          setTimeout(() => {
            closeSync(fd);
          }, 50).unref();
        } catch {
          // Already removed or already read: nothing waits.
        }
      });
    });
  }

  /** Removes the FIFOs' folder (it never held content). */
  dispose(): void {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
