/**
 * Starting the real peers the nodes tests run against (ec2-metadata-mock, moto's server) on free
 * loopback ports, and stopping them again. Test support only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../core/net.js';
import { findPeer } from '../../core/peers.js';

export interface PeerProcess {
  url: string;
  port: number;
  /** Everything the process printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

function peer(name: string): string {
  const path = findPeer(name);
  if (path === undefined) throw new Error(`${name} is not installed; run npm run peers`);
  return path;
}

async function waitUntil(
  ready: () => Promise<boolean>,
  what: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start within 30s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function started(child: ChildProcess, port: number, cleanup: () => void): PeerProcess {
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => Buffer.concat(chunks).toString('utf8').slice(-4000),
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}

export interface AemmOptions {
  /** The subcommand and its flags, e.g. ['spot', '-a', 'terminate'] (none: every notice at once). */
  args?: string[];
  /** IMDSv2 only: requests without a session token get 401. */
  imdsv2Only?: boolean;
  instanceId?: string;
  /** Extra config-file content (merged over the instance id). */
  config?: Record<string, unknown>;
}

/** The real amazon-ec2-metadata-mock, bound to 127.0.0.1 on a free port. */
export async function startAemm(options: AemmOptions = {}): Promise<PeerProcess> {
  const port = await freePort();
  // AEMM reads and may write config under $HOME: give it a throwaway one.
  const home = mkdtempSync(join(tmpdir(), 'chartroom-aemm-'));
  const config = join(home, 'aemm-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...(options.instanceId === undefined
        ? {}
        : { metadata: { values: { 'instance-id': options.instanceId } } }),
      ...options.config,
    }),
  );
  const args = [
    '-n',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    config,
    ...(options.imdsv2Only === true ? ['-I'] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(peer('ec2-metadata-mock'), args, {
    cwd: home,
    env: { ...process.env, HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const process_ = started(child, port, () => {
    rmSync(home, { recursive: true, force: true });
  });
  await waitUntil(
    async () => {
      const response = await fetch(`${process_.url}/latest/meta-data/instance-id`);
      return response.status === 200 || response.status === 401;
    },
    'ec2-metadata-mock',
    child,
    process_.output,
  );
  return process_;
}

/** moto's server (every AWS service it mocks on one port), bound to 127.0.0.1. */
export async function startMoto(): Promise<PeerProcess> {
  const port = await freePort();
  const child = spawn(peer('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const process_ = started(child, port, () => undefined);
  await waitUntil(
    async () => (await fetch(`${process_.url}/moto-api/data.json`)).ok,
    'moto_server',
    child,
    process_.output,
  );
  return process_;
}

/** Fake, static AWS credentials for moto and the stand-in (never real ones). */
export const testCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

export function writeTempFile(name: string, content: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-nodes-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return {
    path,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
