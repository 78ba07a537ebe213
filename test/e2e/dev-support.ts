/**
 * Helpers for the dev e2e test: real Redis and MariaDB servers on loopback (kwok's port-forward
 * rules point the fake pods at them), the workloads of a small shop, and a chartroom dev session
 * held open in the background.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { peerPath, startPeerProcess, type PeerProcess } from '../../src/testing/peer-process.js';
import { run } from '../../src/testing/run.js';
import { eventually, kube, kubeconfig } from './harness.js';

export { peerPath as peer };
export type LocalServer = PeerProcess;

const portOf = (url: string): string => new URL(url).port;

export function startRedis(): Promise<LocalServer> {
  return startPeerProcess({
    peer: 'redis-server',
    args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: async (url) =>
      (await run(peerPath('redis-cli'), ['-p', portOf(url), 'PING'])).stdout.includes('PONG'),
    timeoutMs: 60_000,
  });
}

/** MariaDB with grant tables off: any user and password is let in (the test checks the route). */
export async function startMariadb(): Promise<LocalServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-dev-mariadb-'));
  const data = join(dir, 'data');
  const installed = await run(peerPath('mariadb-install-db'), [
    `--datadir=${data}`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  if (installed.code !== 0) throw new Error(`mariadb-install-db: ${installed.stderr}`);
  return startPeerProcess({
    peer: 'mariadbd',
    args: (port) => [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-grant-tables',
      '--user=root',
    ],
    ready: async (url) =>
      (await run(peerPath('mariadb-admin'), ['-h', '127.0.0.1', '-P', portOf(url), 'ping'])).stdout.includes(
        'alive',
      ),
    timeoutMs: 60_000,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A Deployment of one pod with a Service in front, as a chart would make it. */
export function deploymentWithService(options: {
  namespace: string;
  name: string;
  port: number;
  container?: Record<string, unknown>;
}): Record<string, unknown>[] {
  const labels = { app: options.name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: options.name, namespace: options.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: options.name,
                image: `${options.name}:1`,
                ports: [{ name: 'main', containerPort: options.port }],
                ...options.container,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: options.name, namespace: options.namespace },
      spec: { selector: labels, ports: [{ name: 'main', port: options.port, targetPort: 'main' }] },
    },
  ];
}

/** Points kwok's port-forward for the (first) pod of a Deployment at a local server. */
export async function forwardPodTo(
  namespace: string,
  app: string,
  port: number,
  local: number,
): Promise<void> {
  const pod = await eventually(
    async () => {
      const pods = await kube().core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
      return pods.items.find((item) => item.status?.phase === 'Running')?.metadata?.name;
    },
    { what: `a running ${app} pod` },
  );
  await kube().apply([
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'PortForward',
      metadata: { name: pod, namespace },
      spec: { forwards: [{ ports: [port], target: { address: '127.0.0.1', port: local } }] },
    },
  ]);
}

const mainScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A chartroom dev session running in the background, its stderr collected. */
export interface Session {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  waitFor(pattern: RegExp, seconds?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startSession(args: readonly string[]): Session {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    waitFor: async (pattern, seconds = 90) => {
      await eventually(
        () => {
          if (pattern.test(stderr)) return Promise.resolve(true);
          if (ended) throw new Error(`chartroom dev exited before ${String(pattern)}:\n${stderr}`);
          return Promise.resolve(undefined);
        },
        { seconds, what: `${String(pattern)} in chartroom dev's output` },
      );
    },
  };
}
