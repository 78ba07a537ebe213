/**
 * Vitest global setup for the e2e project: one real local cluster per test run, shared by every
 * e2e file (each test works in its own namespace). The cluster is named after this process and
 * a watchdog stops it if the run dies without reaching the teardown.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { downCluster, upCluster } from '../../../src/cluster/index.js';
import { cacheRoot } from '../../../src/core/peers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterName: string;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Clusters of earlier runs that were killed before their teardown (their watchdog stopped the processes). */
async function removeStaleClusters(): Promise<void> {
  let names: string[] = [];
  try {
    // Only this setup's own clusters (`e2e-<pid>`); tests name theirs differently.
    names = readdirSync(join(cacheRoot(), 'clusters')).filter((name) => /^e2e-\d+$/.test(name));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice('e2e-'.length));
    if (!isAlive(pid)) await downCluster({ name });
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeStaleClusters();
  const name = `e2e-${process.pid}`;
  const result = await upCluster({
    name,
    nodes: 3,
    ownerPid: process.pid,
    onProgress: (text) => {
      process.stderr.write(`[e2e cluster] ${text}\n`);
    },
  });
  process.stderr.write(
    `[e2e cluster] ${name} ready in ${result.seconds.toFixed(1)}s: ${result.state.kubeconfig}\n`,
  );
  project.provide('kubeconfig', result.state.kubeconfig);
  project.provide('clusterName', name);
  return async () => {
    await downCluster({ name });
  };
}
