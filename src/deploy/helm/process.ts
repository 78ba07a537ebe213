/**
 * Running the real `helm` binary: values over pipes, stderr line by line, and a stop that is
 * always SIGTERM first. Helm traps SIGINT/SIGTERM during install and upgrade and marks the
 * release failed ("Release x has been cancelled"); only a SIGKILL leaves it pending-*, so
 * SIGKILL comes only after the grace period. When Chartroom itself dies (even by SIGKILL),
 * the kernel sends Helm SIGTERM (setpriv --pdeathsig), so an orphaned Helm does not keep
 * changing the cluster behind the next deploy's back. For Helm to then record "failed", its
 * stdout/stderr must still have a reader: Go exits on SIGPIPE for a broken fd 1 or 2 even when
 * the signal is ignored. So on Linux Helm writes into two relays (`tee -p /dev/null`) that
 * forward to Chartroom and, once Chartroom is gone, keep draining into /dev/null until Helm
 * exits. Nothing of Helm's output touches the disk.
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
  /** Helm's whole stdout, only with `captureStdout` (it may hold secrets: memory only). */
  stdout: string;
}

export interface HelmRunOptions {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** In-memory values documents (see values/channel.ts). */
  channel?: ValuesChannel;
  redact?: (text: string) => string;
  /** Every stderr line (debug log and errors), redacted. */
  onLine?: (line: string) => void;
  /** Keep all of stdout (`helm template`'s manifests) instead of only the known safe lines. */
  captureStdout?: boolean;
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

/**
 * A `tee -p /dev/null` between Helm and Chartroom: GNU tee with -p ignores SIGPIPE and, when
 * its reader (Chartroom) is gone, goes on writing to /dev/null alone, so Helm never sees a
 * broken pipe. Undefined where there is no GNU tee (or no setpriv, so no pdeathsig either).
 */
function startRelays(env: NodeJS.ProcessEnv): [ChildProcess, ChildProcess] | undefined {
  if (process.platform !== 'linux' || findPeer('setpriv', env) === undefined) return undefined;
  const tee = findPeer('tee', env);
  if (tee === undefined) return undefined;
  const relay = (): ChildProcess => {
    const child = spawn(tee, ['-p', '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
    // A relay that fails to start ends its output at once; Helm's own exit is what is reported.
    child.on('error', () => undefined);
    return child;
  };
  return [relay(), relay()];
}

/** Resolves when a stream has been read to its end (or failed). */
function drained(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => {
      resolve();
    });
  });
}

export function startHelm(options: HelmRunOptions): HelmProcess {
  const redact = options.redact ?? ((text: string) => text);
  const relays = startRelays(options.env);
  const stdin = options.channel?.hasStdin === true ? 'pipe' : 'ignore';
  const stdio: StdioOptions =
    relays === undefined
      ? [stdin, 'pipe', 'pipe']
      : [stdin, relays[0].stdin ?? 'ignore', relays[1].stdin ?? 'ignore'];
  const [file, args] = command(helmBinary(options.env), options.args, options.env);
  let child: ChildProcess;
  try {
    child = spawn(file, args, { env: options.env, stdio });
  } catch (error) {
    relays?.forEach((relay) => relay.stdin?.destroy());
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
  // Helm holds its own copies of the relays' write ends; ours must close, or the relays would
  // never see the end of Helm's output.
  relays?.forEach((relay) => relay.stdin?.destroy());
  const [stdout, stderrStream] =
    relays === undefined ? [child.stdout, child.stderr] : [relays[0].stdout, relays[1].stdout];
  if (stderrStream !== null) createInterface({ input: stderrStream }).on('line', record);
  if (stdout !== null) {
    createInterface({ input: stdout }).on('line', (line) => {
      if (safeStdout.test(line)) record(line);
    });
  }
  const captured: Buffer[] = [];
  if (options.captureStdout === true) stdout?.on('data', (chunk: Buffer) => captured.push(chunk));
  const output = Promise.all([drained(stdout), drained(stderrStream)]);
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
      // With relays, Helm's last lines may still be on their way through them.
      void output.then(() => {
        resolve({ code, signal, stderr, stdout: Buffer.concat(captured).toString('utf8') });
      });
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

/**
 * What Helm said went wrong: its last `Error: …` block, which often runs over several lines ("1
 * error occurred:" then one `* …` line per error; a schema's failing paths; "ensure CRDs are
 * installed first"), up to where `--debug` repeats it. Joined into one line; without an Error
 * line, Helm's last line that is not debug output.
 */
export function helmError(exit: Pick<HelmExit, 'stderr'>): string {
  const lines = exit.stderr;
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (lines[i]?.startsWith('Error: ') === true) {
      start = i;
      break;
    }
  }
  if (start < 0) return lines.filter((line) => !line.includes('[debug]')).at(-1) ?? '';
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (block.length > 0 && line.includes('[debug]')) break;
    // A kept stdout line may arrive in the middle: stdout and stderr are separate pipes.
    if (safeStdout.test(line)) continue;
    const text = line
      .replace(/^Error: /, '')
      .replace(/^\s*[*-]\s+/, '')
      .trim();
    if (text !== '') block.push(text);
  }
  // "1 error occurred:" / "2 errors occurred:" only announces the list that follows.
  if (block.length > 1 && /^\d+ errors? occurred:$/.test(block[0] ?? '')) block.shift();
  // A line ending in ':' introduces the next; other lines are separate errors.
  return block.reduce(
    (joined, text) => (joined === '' ? text : `${joined}${joined.endsWith(':') ? ' ' : '; '}${text}`),
    '',
  );
}
