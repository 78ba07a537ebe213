/**
 * The nodes e2e tests' own small cluster: they cordon and drain nodes, which must not disturb the
 * shared cluster every other e2e file uses. Started once per file, stopped in afterAll.
 */
import { downCluster, upCluster } from '../../../src/cluster/index.js';
import { KubeClient, uncordonNode } from '../../../src/kube/index.js';
import { noticeAnnotation, noticeKinds, taintKeys } from '../../../src/nodes/index.js';

export interface NodesCluster {
  name: string;
  kubeconfig: string;
  kube: KubeClient;
  /** Worker node names, index i = `<name>-worker-<i>`. */
  nodes: string[];
  down: () => Promise<void>;
}

export async function startNodesCluster(count = 4): Promise<NodesCluster> {
  const name = `e2e-nodes-${process.pid}`;
  const result = await upCluster({ name, nodes: count, ownerPid: process.pid });
  return {
    name,
    kubeconfig: result.state.kubeconfig,
    kube: KubeClient.load({ kubeconfig: result.state.kubeconfig }),
    nodes: result.state.nodes,
    down: async () => {
      await downCluster({ name });
    },
  };
}

/** A fresh namespace in the nodes cluster, ready for pods (its default ServiceAccount exists). */
export async function freshNamespace(kube: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(16).slice(2, 8)}`;
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  const deadline = Date.now() + 30_000;
  while (
    (await kube.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: name })) ===
    undefined
  ) {
    if (Date.now() > deadline) throw new Error(`no default ServiceAccount in ${name} after 30s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return name;
}

/** Makes a node schedulable again and takes the notice taints off, so later tests have room. */
export async function restoreNode(kube: KubeClient, name: string): Promise<void> {
  await uncordonNode(kube, name, {
    taintKeys: noticeKinds.map((k) => taintKeys[k]),
    annotations: [noticeAnnotation],
  });
}

/**
 * Deletes a test's namespace and waits until it is gone. Tests share nodes: without the wait, the
 * pods of a test still terminating are on the node when the next test drains it (a drain takes
 * every pod on its node, whatever the namespace).
 */
export async function removeNamespace(kube: KubeClient, name: string): Promise<void> {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  const deadline = Date.now() + 90_000;
  while ((await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined) {
    if (Date.now() > deadline) throw new Error(`namespace ${name} still there 90s after its deletion`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
