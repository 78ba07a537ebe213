/**
 * Helpers for e2e tests: the shared cluster's kubeconfig, a namespace per test, and the real
 * kubectl, helm and chartroom run against the cluster.
 */
import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import { KubeClient } from '../../src/kube/index.js';
import { run, runChartroom, type RunOptions, type RunResult } from '../../src/testing/run.js';
import { peerPath as peer } from '../../src/testing/peer-process.js';

export function kubeconfig(): string {
  return inject('kubeconfig');
}

export function clusterName(): string {
  return inject('clusterName');
}

let client: KubeClient | undefined;
export function kube(): KubeClient {
  client ??= KubeClient.load({ kubeconfig: kubeconfig() });
  return client;
}

const withKubeconfig = (options: RunOptions): RunOptions => ({
  ...options,
  env: { KUBECONFIG: kubeconfig(), HELM_CACHE_HOME: '/tmp/chartroom-e2e-helm', ...options.env },
});

export function kubectl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(peer('kubectl'), args, withKubeconfig(options));
}

export function helm(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(peer('helm'), args, withKubeconfig(options));
}

export function chartroom(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runChartroom(args, withKubeconfig(options));
}

/** Throws with the command's output when it failed, so a failing step reads well in test output. */
export function ok(result: RunResult): RunResult {
  if (result.code !== 0) {
    throw new Error(`exit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result;
}

/**
 * A fresh namespace for the calling test (deleted when it finishes), ready for pods: its default
 * ServiceAccount exists.
 */
export async function testNamespace(prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kube().apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  onTestFinished(async () => {
    await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name });
  });
  const deadline = Date.now() + 30_000;
  while (
    (await kube().get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: name })) ===
    undefined
  ) {
    if (Date.now() > deadline) throw new Error(`no default ServiceAccount in ${name} after 30s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return name;
}

/** Polls until `probe` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  options: { seconds?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.seconds ?? 30) * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${options.seconds ?? 30}s waiting for ${options.what ?? 'a condition'}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
