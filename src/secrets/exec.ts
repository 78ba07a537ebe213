/**
 * `exec-env` and `exec-file`: run a command with the decrypted values in its environment, or in
 * a file it reads ({} in the command is its path). The file is a FIFO in a private temp folder
 * (a regular 0600 file with --no-fifo), so the plaintext never rests on disk; the folder is
 * removed when the command ends. The command's exit code becomes ours, as with sops.
 */
import { execFileSync, spawn } from 'node:child_process';
import { constants, readFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { SecretsError } from './errors.js';
import { PrivateTempDir } from './files.js';
import { valToString } from './stores/common.js';
import type { TreeBranch } from './tree.js';
import { Comment, isComplex } from './tree.js';

export interface ExecOptions {
  command: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Run as this user (needs privileges), as sops's --user. */
  user?: string;
  /** Start the command and do not wait (sops's deprecated --background). */
  background?: boolean;
}

interface UserIds {
  uid: number;
  gid: number;
  home: string;
  name: string;
}

function lookupUser(name: string): UserIds {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name || f[2] === name)
      return { name: f[0] ?? name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
  }
  throw new SecretsError('generic', `user: unknown user ${name}`);
}

/** Runs `/bin/sh -c command`; resolves with its exit code. */
export function runShell(options: ExecOptions): Promise<number> {
  let env = options.env;
  let ids: Partial<UserIds> = {};
  if (options.user !== undefined && options.user !== '') {
    ids = lookupUser(options.user);
    env = { ...env, HOME: ids.home, USER: ids.name, LOGNAME: ids.name };
  }
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', options.command], {
      env,
      stdio: options.background === true ? 'ignore' : 'inherit',
      detached: options.background === true,
      ...(ids.uid === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    child.on('error', (err) => {
      if (options.signal?.aborted === true)
        reject(new SecretsError('keyboardInterrupt', 'interrupted', { cause: err }));
      else
        reject(
          new SecretsError('generic', `could not run ${options.command}: ${err.message}`, { cause: err }),
        );
    });
    if (options.background === true) {
      child.unref();
      resolve(0);
      return;
    }
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal === null ? 1 : 128 + osConstants.signals[signal]));
    });
  });
}

/** The environment exec-env adds: top-level keys only, values as sops's ValToString. */
export function envFromTree(branch: TreeBranch | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of branch?.items ?? []) {
    if (isComplex(item.value)) {
      throw new SecretsError(
        'generic',
        `cannot use complex value in environment; offending key ${valToString(item.key)}`,
      );
    }
    if (item.key instanceof Comment) continue;
    if (item.key.includes('='))
      throw new SecretsError('generic', `cannot use keys with '=' in environment: ${item.key}`);
    out[item.key] = valToString(item.value);
  }
  return out;
}

export async function execWithEnv(
  options: ExecOptions & { values: Record<string, string>; pristine?: boolean },
): Promise<number> {
  const base = options.pristine === true ? {} : options.env;
  return runShell({ ...options, env: { ...base, ...options.values } });
}

export const FALLBACK_FILENAME = 'tmp-file';

/**
 * If the command did not read (all of) the FIFO, our writer is still waiting: read the rest
 * ourselves and drop it, so that nothing stays blocked. Non-blocking, so it also returns when
 * the writer is long gone.
 */
async function drainFifo(path: string, writer: Promise<void>): Promise<void> {
  let done = false;
  const finished = (): boolean => done;
  void writer.then(() => {
    done = true;
  });
  await Promise.resolve();
  if (finished()) return;
  const reader = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
  if (reader === undefined) return;
  const buf = Buffer.alloc(65536);
  try {
    while (!finished()) {
      const n = await reader.read(buf, 0, buf.length, null).then(
        (r) => r.bytesRead,
        () => -1,
      );
      if (n <= 0) await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await reader.close();
  }
}

export async function execWithFile(
  options: ExecOptions & { plaintext: Buffer; fifo: boolean; filename?: string },
): Promise<number> {
  if (options.filename !== undefined && options.filename !== '') {
    const n = normalize(options.filename);
    if (isAbsolute(options.filename) || n.startsWith('..') || n === '.') {
      throw new SecretsError('generic', 'The provided filename is not a local path.');
    }
  }
  const dir = new PrivateTempDir('chartroom-exec-', options.env);
  try {
    const path = join(
      dir.path,
      options.filename !== undefined && options.filename !== '' ? options.filename : FALLBACK_FILENAME,
    );
    let writer: Promise<void> = Promise.resolve();
    if (options.fifo) {
      execFileSync('mkfifo', ['-m', '600', path]);
      // Opening a FIFO for writing waits for the reader; it runs beside the command.
      writer = (async () => {
        const handle = await open(path, 'w');
        try {
          await handle.writeFile(options.plaintext);
        } finally {
          await handle.close();
        }
      })().catch(() => undefined);
    } else {
      await writeFile(path, options.plaintext, { mode: 0o600 });
    }
    const code = await runShell({ ...options, command: options.command.replaceAll('{}', path) });
    if (options.fifo) await drainFifo(path, writer);
    return code;
  } finally {
    dir.dispose();
  }
}
