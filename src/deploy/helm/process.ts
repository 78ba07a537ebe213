/**
 * Running the real `helm` binary: values over pipes, stderr line by line, and a stop that is
 * always SIGTERM first. Helm traps SIGINT/SIGTERM during install and upgrade and marks the
 * release failed ("Release x has been cancelled"); only a SIGKILL leaves it pending-*, so
 * SIGKILL comes only after the grace period. When Chartroom itself dies (even by SIGKILL),
 * the kernel sends Helm SIGTERM (setpriv --pdeathsig), so an orphaned Helm does not keep
 * changing the cluster behind the next deploy's back. It then records "failed" only if its
 * stdout/stderr still have a reader: Go exits on SIGPIPE for a broken fd 1 or 2 even when the
 * signal is ignored, so if the dead process's pipe ends are closed first, the release stays
 * pending-* and the next deploy's recovery handles it. (Keeping those pipes alive through a
 * relay that outlives Chartroom would close that gap; not done.)
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ChartroomError, ExitCode } from '../../core/errors.js';
import { findPeer } from '../../core/peers.js';
import type { ValuesChannel } from '../values/channel.js';

export interface HelmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Helm's stderr lines (already redacted), for error reports. */
  stderr: string[];
}

export interface HelmRunOptions {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** In-memory values documents (see values/channel.ts). */
  channel?: ValuesChannel;
  redact?: (text: string) => string;
  /** Every stderr line (debug log and errors), redacted. */
  onLine?: (line: string) => void;
}

export interface HelmProcess {
  pid: number;
  exited: Promise<HelmExit>;
  /** SIGTERM, then SIGKILL if Helm is still running after `graceMs`. */
  stop(graceMs: number): Promise<HelmExit>;
}

export function helmBinary(env: NodeJS.ProcessEnv): string {
  const path = findPeer('helm', env);
  if (path === undefined) {
    throw new ChartroomError('helm is not installed', {
      code: 'helm-missing',
      exitCode: ExitCode.peer,
      hint: 'Install Helm 3 (https://helm.sh/docs/intro/install/) or run `npm run peers`.',
    });
  }
  return path;
}

/** Helm's stdout repeats values and NOTES (which may hold secrets); only these lines are kept. */
const safeStdout = /^Release "?[^\s"]+"? (has been cancelled|does not exist|has been upgraded)/;

function command(binary: string, args: readonly string[], env: NodeJS.ProcessEnv): [string, string[]] {
  const setpriv = process.platform === 'linux' ? findPeer('setpriv', env) : undefined;
  return setpriv === undefined
    ? [binary, [...args]]
    : [setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args]];
}

export function startHelm(options: HelmRunOptions): HelmProcess {
  const redact = options.redact ?? ((text: string) => text);
  const stdio: StdioOptions = [options.channel?.hasStdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const [file, args] = command(helmBinary(options.env), options.args, options.env);
  let child: ChildProcess;
  try {
    child = spawn(file, args, { env: options.env, stdio });
  } catch (error) {
    throw new ChartroomError(`could not start helm: ${(error as Error).message}`, {
      code: 'helm-failed',
      exitCode: ExitCode.peer,
      cause: error,
    });
  }
  const stderr: string[] = [];
  const record = (line: string): void => {
    const clean = redact(line);
    stderr.push(clean);
    if (stderr.length > 2000) stderr.splice(0, stderr.length - 2000);
    options.onLine?.(clean);
  };
  if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', record);
  if (child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (safeStdout.test(line)) record(line);
    });
  }
  const exited = new Promise<HelmExit>((resolve, reject) => {
    child.once('error', (error) => {
      reject(
        new ChartroomError(`could not run helm: ${error.message}`, {
          code: 'helm-failed',
          exitCode: ExitCode.peer,
          cause: error,
        }),
      );
    });
    child.once('close', (code, signal) => {
      resolve({ code, signal, stderr });
    });
  });
  options.channel?.feed(
    child.stdin,
    exited.catch(() => undefined),
  );

  const stop = async (graceMs: number): Promise<HelmExit> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };

  return { pid: child.pid ?? -1, exited, stop };
}

/** Runs a short Helm command (history, rollback, uninstall) to completion. */
export async function runHelm(
  options: HelmRunOptions & { signal?: AbortSignal; graceMs?: number },
): Promise<HelmExit> {
  const helm = startHelm(options);
  const onAbort = (): void => void helm.stop(options.graceMs ?? 30_000);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await helm.exited;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The last `Error: …` line Helm printed, or its last line. */
export function helmError(exit: HelmExit): string {
  const errors = exit.stderr.filter((line) => line.startsWith('Error: '));
  const last = errors.at(-1) ?? exit.stderr.filter((line) => !line.includes('[debug]')).at(-1) ?? '';
  return last.replace(/^Error: /, '');
}
