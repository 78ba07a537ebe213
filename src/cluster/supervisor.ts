import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * Starting and stopping the control plane's processes. Each runs detached in its own process
 * group with its output in a log file, so the CLI can return while the cluster keeps running and
 * `down` can end a component together with anything it started.
 */
export interface StartedProcess {
  name: string;
  pid: number;
  logFile: string;
}

export function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): StartedProcess {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    if (child.pid === undefined) throw new Error(`${options.name} did not start (${options.command})`);
    child.unref();
    return { name: options.name, pid: child.pid, logFile: options.logFile };
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a whole process group (the component and its children). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stops processes: SIGTERM, then SIGKILL for whatever is still there after the grace period. */
export async function stopProcesses(pids: readonly number[], graceMs = 10_000): Promise<void> {
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids.filter(isAlive)) signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (pids.some(isAlive) && Date.now() < killDeadline) await sleep(50);
}

/** The last lines of a component's log, for reports of a component that died. */
export function lastLines(logFile: string, count = 15): string[] {
  try {
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    return lines.slice(-count);
  } catch {
    return [];
  }
}

/**
 * A tiny shell watchdog, detached like the components: when the owner process (a test run) ends,
 * however it ends, it stops the cluster's processes. Shell, not Node, so it costs ~1 MB and
 * survives the owner's SIGKILL.
 */
export function startWatchdog(ownerPid: number, pids: readonly number[], logFile: string): StartedProcess {
  const groups = pids.map((pid) => `-${pid}`).join(' ');
  const script = [
    `while kill -0 ${ownerPid} 2>/dev/null; do sleep 1; done`,
    `echo "owner ${ownerPid} is gone; stopping the cluster"`,
    `kill -TERM ${groups} 2>/dev/null`,
    'sleep 5',
    `kill -KILL ${groups} 2>/dev/null`,
    'exit 0',
  ].join('\n');
  return startProcess({ name: 'watchdog', command: 'sh', args: ['-c', script], logFile });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
