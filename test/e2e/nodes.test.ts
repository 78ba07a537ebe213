import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podsOnNode, type V1Node, type V1Pod } from '../../src/kube/index.js';
import type { DrainReport } from '../../src/nodes/index.js';
import { runChartroom } from '../../src/testing/run.js';
import {
  freshNamespace,
  removeNamespace,
  startNodesCluster,
  type NodesCluster,
} from './nodes-support/cluster.js';
import { barePod, budget, daemonSet, deployment, placeOn, readyPodsOn } from './nodes-support/workloads.js';

let cluster: NodesCluster;
beforeAll(async () => {
  cluster = await startNodesCluster(4);
});
afterAll(async () => {
  await cluster.down();
});

function drain(args: string[]) {
  return runChartroom(['nodes', 'drain', ...args, '--kubeconfig', cluster.kubeconfig], {
    timeoutMs: 120_000,
  });
}

/** Counts the app's Ready, not-terminating pods across the cluster every 100ms until stopped. */
function watchHealthy(namespace: string, app: string): { stop: () => Promise<number> } {
  let min = Number.POSITIVE_INFINITY;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const pods = await cluster.kube.list<V1Pod>('v1', 'Pod', { namespace, labelSelector: `app=${app}` });
      const healthy = pods.filter(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      ).length;
      min = Math.min(min, healthy);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return min;
    },
  };
}

describe('chartroom nodes drain', () => {
  it('refuses like kubectl without --force / --delete-emptydir-data, evicting nothing', async () => {
    const node = cluster.nodes[3] ?? '';
    const ns = await freshNamespace(cluster.kube, 'drain-refuse');
    await placeOn(
      cluster.kube,
      node,
      [deployment({ namespace: ns, name: 'web', replicas: 2 }), barePod(ns, 'lonely', node)],
      3,
    );
    await placeOn(
      cluster.kube,
      node,
      [deployment({ namespace: ns, name: 'cache', replicas: 1, emptyDir: true })],
      4,
    );
    const result = await drain([node, '--deadline', '30s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot drain');
    expect(result.stdout).toMatch(new RegExp(`${ns}/lonely\\s.*--force`));
    expect(result.stdout).toMatch(/cache-.*--delete-emptydir-data/);
    expect((await readyPodsOn(cluster.kube, node, ns)).length).toBe(4);
    const patched = await cluster.kube.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name: node });
    expect(patched?.spec?.unschedulable).toBe(true);
    await cluster.kube.mergePatch(
      { apiVersion: 'v1', kind: 'Node', name: node },
      { spec: { unschedulable: false } },
    );
    await removeNamespace(cluster.kube, ns);
  });

  it('evicts within the deadline as budgets allow and reports what a budget kept', async () => {
    const node = cluster.nodes[3] ?? '';
    const ns = await freshNamespace(cluster.kube, 'drain');
    await placeOn(
      cluster.kube,
      node,
      [
        deployment({ namespace: ns, name: 'web', replicas: 4, terminationDelay: '1s' }),
        deployment({ namespace: ns, name: 'api', replicas: 3, terminationDelay: '2s' }),
        budget(ns, 'api', { minAvailable: 2 }),
        deployment({ namespace: ns, name: 'db', replicas: 2 }),
        budget(ns, 'db', { minAvailable: 2 }),
        daemonSet(ns, 'agent'),
        barePod(ns, 'lonely', node),
      ],
      11,
    );
    const api = watchHealthy(ns, 'api');
    // Room for three budget-paced api evictions on a loaded machine; the db pods hold the drain
    // until the deadline, so this is also how long the test takes.
    const deadlineSeconds = 40;
    const result = await drain([
      node,
      '--deadline',
      `${deadlineSeconds}s`,
      '--force',
      '--delete-emptydir-data',
      '-o',
      'json',
    ]);
    const minHealthy = await api.stop();
    expect(result.code, result.stderr).toBe(7);
    const report = JSON.parse(result.stdout) as DrainReport;
    expect(report.status).toBe('incomplete');
    // The budget was respected: never fewer than minAvailable api pods healthy.
    expect(minHealthy).toBeGreaterThanOrEqual(2);
    // The report covers every pod on the node; this test's pods are the ones in its namespace.
    const gone = report.evicted.filter((p) => p.namespace === ns).map((p) => p.name);
    expect(new Set(gone).size, 'a pod reported evicted twice').toBe(gone.length);
    expect(gone.filter((n) => n.startsWith('api-'))).toHaveLength(3);
    expect(gone.filter((n) => n.startsWith('web-'))).toHaveLength(4);
    expect(gone).toContain('lonely');
    expect(report.left.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(
      (await podsOnNode(cluster.kube, node))
        .filter((p) => p.metadata?.namespace === ns && p.metadata.name?.startsWith('db-') === true)
        .map((p) => `${ns}/${p.metadata?.name ?? ''}`)
        .sort(),
    );
    expect(report.left).toHaveLength(2);
    for (const left of report.left) {
      expect(left.state).toBe('blocked-by-pdb');
      expect(left.budgets).toEqual(['db']);
      expect(left.reason).toContain('never allows');
    }
    expect(report.skipped.map((s) => s.reason)).toContainEqual(expect.stringContaining('DaemonSet agent'));
    // The drain stops at its deadline: at most one last round of listing and evicting after it.
    expect(report.seconds).toBeLessThan(deadlineSeconds + 5);
  });
});
