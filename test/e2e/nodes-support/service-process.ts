/**
 * Runs a long-lived `chartroom nodes agent|watch-queue` from the current sources, as a DaemonSet
 * or Deployment would, and reads its JSON log lines as they come.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LogLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  lines: LogLine[];
  stderr: () => string;
  /** Resolves with the first log line (already seen or to come) that matches. */
  waitFor: (
    match: (line: LogLine) => boolean,
    options?: { seconds?: number; what?: string },
  ) => Promise<LogLine>;
  /** SIGTERM, as the kubelet sends; resolves with the exit code. */
  stop: () => Promise<number | null>;
  exited: () => boolean;
}

const mainScript = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export function startService(args: readonly string[], env: NodeJS.ProcessEnv = {}): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const errors: Buffer[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stderr = (): string => Buffer.concat(errors).toString('utf8');
  return {
    lines,
    stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    waitFor: async (match, options = {}) => {
      const deadline = Date.now() + (options.seconds ?? 60) * 1000;
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null) {
          throw new Error(
            `the process exited (${child.exitCode}) before ${options.what ?? 'the log line'}:\n${stderr()}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `no ${options.what ?? 'matching log line'} after ${options.seconds ?? 60}s; log:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
