/**
 * Workloads for the nodes e2e tests: Deployments, budgets, DaemonSets and bare pods, placed on a
 * chosen node by cordoning the others while the scheduler places them (the same thing a node
 * pool would do), with kwok's graceful-shutdown stand-in delaying each deleted pod's removal.
 */
import type { KubeClient, KubernetesObject, V1Node, V1Pod } from '../../../src/kube/index.js';
import { podsOnNode } from '../../../src/kube/index.js';

export interface AppOptions {
  namespace: string;
  name: string;
  replicas: number;
  /** kwok removes a deleted pod only after this long: its graceful shutdown. */
  terminationDelay?: string;
  terminationGracePeriodSeconds?: number;
  emptyDir?: boolean;
  priorityClassName?: string;
}

const container = { name: 'app', image: 'registry.example.com/team/app:1.0.0' };

function podSpec(options: {
  terminationGracePeriodSeconds?: number;
  emptyDir?: boolean;
  priorityClassName?: string;
}) {
  return {
    containers: [
      options.emptyDir === true
        ? { ...container, volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }
        : container,
    ],
    ...(options.emptyDir === true ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    ...(options.terminationGracePeriodSeconds === undefined
      ? {}
      : { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }),
    ...(options.priorityClassName === undefined ? {} : { priorityClassName: options.priorityClassName }),
  };
}

function annotations(delay: string | undefined): Record<string, string> {
  return delay === undefined ? {} : { 'chartroom.dev/kwok-termination-delay': delay };
}

export function deployment(options: AppOptions): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: options.name } },
      template: {
        metadata: { labels: { app: options.name }, annotations: annotations(options.terminationDelay) },
        spec: podSpec(options),
      },
    },
  } as KubernetesObject;
}

export function budget(
  namespace: string,
  app: string,
  rule: { minAvailable: number | string } | { maxUnavailable: number | string },
): KubernetesObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app, namespace },
    spec: { selector: { matchLabels: { app } }, ...rule },
  } as KubernetesObject;
}

export function daemonSet(namespace: string, name: string): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec({}) },
    },
  } as KubernetesObject;
}

export function barePod(
  namespace: string,
  name: string,
  node: string,
  options: { finalizers?: string[] } = {},
): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
    },
    spec: { ...podSpec({}), nodeName: node },
  } as KubernetesObject;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pods of the namespace on the node that are Running, Ready and not being deleted. */
export async function readyPodsOn(kube: KubeClient, node: string, namespace: string): Promise<V1Pod[]> {
  return (await podsOnNode(kube, node)).filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      pod.metadata.deletionTimestamp === undefined &&
      pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
  );
}

/**
 * Applies the objects while every other schedulable node is cordoned, waits until `expected`
 * pods of the namespace run Ready on `node`, then makes the other nodes schedulable again.
 */
export async function placeOn(
  kube: KubeClient,
  node: string,
  objects: readonly KubernetesObject[],
  expected: number,
): Promise<void> {
  const nodes = await kube.list<V1Node>('v1', 'Node');
  const others = nodes
    .filter((n) => n.metadata?.name !== node && n.spec?.unschedulable !== true)
    .map((n) => n.metadata?.name ?? '');
  const setSchedulable = async (name: string, unschedulable: boolean): Promise<void> => {
    await kube.mergePatch({ apiVersion: 'v1', kind: 'Node', name }, { spec: { unschedulable } });
  };
  await Promise.all(others.map((name) => setSchedulable(name, true)));
  try {
    await kube.apply(objects);
    const namespace = objects[0]?.metadata?.namespace ?? 'default';
    const deadline = Date.now() + 60_000;
    while ((await readyPodsOn(kube, node, namespace)).length < expected) {
      if (Date.now() > deadline) throw new Error(`fewer than ${expected} pods ready on ${node} after 60s`);
      await sleep(250);
    }
  } finally {
    await Promise.all(others.map((name) => setSchedulable(name, false)));
  }
}
