/**
 * Starting a real peer (moto, ec2-metadata-mock, Prometheus…) as a child process on a free
 * loopback port for a test, waiting until it answers, and stopping it again. One place for the
 * start-up wait, the output kept for failure messages and the kill on exit, which every test
 * support module used to write for itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../core/net.js';
import { findPeer } from '../core/peers.js';

export interface PeerProcess {
  url: string;
  port: number;
  /** The last few KiB the process printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface PeerProcessOptions {
  /** The peer's name in the pinned cache (`npm run peers` installs it). */
  peer: string;
  args: (port: number) => string[];
  /** Resolves true once the peer serves; errors count as "not yet". */
  ready: (url: string) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Runs after the process has exited (temp folders). */
  cleanup?: () => void;
}

/** The peer's path; `install` says how to get it when it is missing (bench-only peers differ). */
export function peerPath(name: string, install = 'npm run peers'): string {
  const path = findPeer(name);
  if (path === undefined) throw new Error(`${name} is not installed; run ${install}`);
  return path;
}

/** SIGTERM, then wait for the exit (a no-op for a process already gone). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function startPeerProcess(options: PeerProcessOptions): Promise<PeerProcess> {
  const port = await freePort();
  const child = spawn(peerPath(options.peer), options.args(port), {
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const output = (): string => Buffer.concat(chunks).toString('utf8').slice(-4000);
  // A test runner that dies must not leave the peer behind.
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    await stopChild(child);
    options.cleanup?.();
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${options.peer} exited with ${child.exitCode}:\n${output()}`);
    }
    if (await options.ready(url).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.peer} did not start within ${timeoutMs / 1000}s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, output, stop };
}
