/**
 * Shared pieces of the deploy e2e tests: the example app, an environment for the CLI (its own
 * data folder and temp folders), and a way to run `chartroom deploy` as a separate process
 * group that a test can kill like a CI runner would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onTestFinished } from 'vitest';
import { cacheRoot } from '../../../src/core/peers.js';
import type { V1Secret } from '../../../src/kube/index.js';
import { eventually, kube, kubeconfig } from '../harness.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const exampleApp = join(repoRoot, 'examples', 'webapp');
export const demoKey = join(exampleApp, 'demo-age-key.txt');
export const mainScript = join(repoRoot, 'src', 'cli', 'main.ts');

/** `chartroom deploy` of the example app's staging env into `namespace`, then any extra flags. */
export function deployArgs(namespace: string, ...extra: string[]): string[] {
  return ['deploy', '--env', 'staging', '--app', exampleApp, '--namespace', namespace, ...extra];
}

/** The same with `--output json`, for tests that read the event stream. */
export function jsonDeployArgs(namespace: string, ...extra: string[]): string[] {
  return ['--output', 'json', ...deployArgs(namespace, ...extra)];
}

/** The staging secrets of the example, as they are in clear (they are demo values). */
export const stagingSecrets = {
  db_username: 'cart_service',
  db_password: 'staging-Zq4vN7pR2wX9',
  session_secret: 'staging-session-8f3a61c2d9e04b57',
};

export interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** Private HOME, TMPDIR and data folder for one test's chartroom runs, removed afterwards. */
export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'chartroom-deploy-e2e-'));
  for (const dir of ['home', 'tmp', 'data']) mkdirSync(join(root, dir));
  onTestFinished(() => {
    rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    env: {
      KUBECONFIG: kubeconfig(),
      SOPS_AGE_KEY_FILE: demoKey,
      HOME: join(root, 'home'),
      // Peers stay where `npm run peers` put them, whatever HOME is.
      CHARTROOM_CACHE: cacheRoot(),
      TMPDIR: join(root, 'tmp'),
      CHARTROOM_DATA: join(root, 'data'),
      CHARTROOM_DEPLOYER: 'e2e@chartroom',
      CI: '1',
      NO_COLOR: '1',
    },
  };
}

/** Deploy flags that keep a rollout waiting for minutes: the pod runs but is never ready. */
export const slowRollout = [
  '--set-string',
  'podAnnotations.chartroom\\.dev/kwok-fault=never-ready',
  '--set',
  'readinessProbe.periodSeconds=30',
  '--set',
  'readinessProbe.failureThreshold=10',
];

/** `chartroom deploy` of the example app as its own process group (detached), output collected. */
export interface DeployProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startDeploy(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  command: readonly string[] = [],
): DeployProcess {
  const argv = [...command, process.execPath, '--import', 'tsx', mainScript, ...args];
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) =>
    child.on('close', (code) => {
      resolveExit(code);
    }),
  );
  onTestFinished(() => {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function runDeploy(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  command: readonly string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startDeploy(args, env, command);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * Polls a condition on a running deploy's output until it holds; fails at once, with the deploy's
 * output, if the process ends first (a wait that can no longer succeed should not run out its time).
 */
export async function until(
  run: DeployProcess,
  condition: (stdout: string) => boolean,
  what: string,
  seconds = 90,
): Promise<void> {
  const tail = (text: string): string => text.split('\n').slice(-15).join('\n');
  const output = (): string => `\nstderr: ${tail(run.stderr())}\nstdout: ${tail(run.stdout())}`;
  try {
    await eventually(
      () => {
        if (condition(run.stdout())) return Promise.resolve(true);
        if (run.child.exitCode !== null || run.child.signalCode !== null) {
          const how = String(run.child.exitCode ?? run.child.signalCode);
          throw new Error(`the deploy ended (${how}) before ${what}`);
        }
        return Promise.resolve(undefined);
      },
      { seconds, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}${output()}`);
  }
}

export function events(stdout: string): { type: string; [key: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string });
}

/** The release's Helm records, as `helm history` would list them. */
export async function releaseStatuses(namespace: string, release = 'webapp'): Promise<string[]> {
  const secrets = await kube().list<V1Secret>('v1', 'Secret', {
    namespace,
    labelSelector: `owner=helm,name=${release}`,
  });
  return secrets
    .map((secret) => ({
      version: Number(secret.metadata?.labels?.version),
      status: secret.metadata?.labels?.status ?? '',
    }))
    .sort((a, b) => a.version - b.version)
    .map((entry) => `${entry.version}:${entry.status}`);
}

export async function waitForStatus(namespace: string, pattern: RegExp, seconds = 60): Promise<string[]> {
  return eventually(
    async () => {
      const statuses = await releaseStatuses(namespace);
      return pattern.test(statuses.at(-1) ?? '') ? statuses : undefined;
    },
    { seconds, what: `release status matching ${pattern.source}` },
  );
}
