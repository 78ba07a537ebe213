/**
 * Runs the developer's command with the resolved environment and the terminal attached, and says
 * how it ended. On a stop request (the CLI got SIGINT or SIGTERM) the command gets the same signal
 * (a terminal's Ctrl-C has already reached it, being in the same process group), then SIGKILL
 * after the grace period, so cleanup afterwards (restoring a swap) never waits forever.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { devError } from './errors.js';

export interface RunCommandOptions {
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted when the CLI is asked to stop. */
  signal: AbortSignal;
  graceMs?: number;
  /** Called once the process has been started (for timing). */
  onStart?: (pid: number) => void;
}

export interface CommandExit {
  /** The exit code a shell would report: the code, or 128 + signal number. */
  exitCode: number;
  signal: NodeJS.Signals | undefined;
}

/** Which signal stopped the CLI, from main.ts's abort reason ("received SIGTERM"). */
function stopSignal(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : String(reason);
  const match = /\b(SIG[A-Z]+)\b/.exec(text);
  return (match?.[1] as NodeJS.Signals | undefined) ?? 'SIGTERM';
}

export function runCommand(options: RunCommandOptions): Promise<CommandExit> {
  const [program, ...args] = options.command;
  if (program === undefined) throw devError('dev-command-failed', 'no command to run');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env, cwd: options.cwd, stdio: 'inherit' });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      const signal = stopSignal(options.signal);
      // Ctrl-C in a terminal reaches the whole foreground process group; do not send it twice.
      const fromTerminal = signal === 'SIGINT' && process.stdin.isTTY;
      if (!fromTerminal) child.kill(signal);
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 10_000);
      killTimer.unref();
    };
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onStart?.(child.pid);
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal.removeEventListener('abort', onAbort);
      reject(
        devError(
          'dev-command-failed',
          `cannot run ${program}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`,
          {
            hint: 'Check the command after --, and that it is on your PATH.',
            cause: error,
          },
        ),
      );
    });
    child.once('exit', (code, signal) => {
      clearTimeout(killTimer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({
        exitCode: code ?? 128 + (signal === null ? 0 : constants.signals[signal]),
        signal: signal ?? undefined,
      });
    });
  });
}
