import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { KubeApiError, toKubeError } from './errors.js';
import type { V1Node, V1Pod } from './types.js';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

type Taints = NonNullable<NonNullable<V1Node['spec']>['taints']>;

/**
 * Read, change, write with the node's resourceVersion, retried on conflict. `spec.taints` has no
 * merge key, so any patch replaces the whole list: without the version check a concurrent
 * writer (the node controller adds its own taints) would be overwritten.
 */
async function updateNode(
  client: KubeClient,
  name: string,
  doing: string,
  change: (node: V1Node) => { spec?: Record<string, unknown>; annotations?: Record<string, string | null> },
): Promise<V1Node> {
  for (let attempt = 1; ; attempt += 1) {
    const node = await client.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name });
    if (node === undefined) {
      throw new KubeApiError({ message: `${doing}: node ${name} does not exist`, status: 404 });
    }
    const { spec, annotations } = change(node);
    const body = {
      metadata: {
        resourceVersion: node.metadata?.resourceVersion,
        ...(annotations === undefined ? {} : { annotations }),
      },
      ...(spec === undefined ? {} : { spec }),
    };
    try {
      return await client.core.patchNode(
        { name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      const mapped = toKubeError(error, doing);
      if (mapped instanceof KubeApiError && mapped.status === 409 && attempt < 5) continue;
      throw mapped;
    }
  }
}

function withTaints(current: Taints, add: readonly NodeTaint[]): Taints {
  const keys = new Set(add.map((t) => t.key));
  return [...current.filter((t) => !keys.has(t.key)), ...add.map((t) => ({ ...t }))];
}

/** Marks a node unschedulable and adds (or replaces, by key) taints and annotations. */
export function cordonNode(
  client: KubeClient,
  name: string,
  options: { taints?: readonly NodeTaint[]; annotations?: Record<string, string> } = {},
): Promise<V1Node> {
  return updateNode(client, name, `cordoning node ${name}`, (node) => ({
    spec: {
      unschedulable: true,
      ...(options.taints === undefined || options.taints.length === 0
        ? {}
        : { taints: withTaints(node.spec?.taints ?? [], options.taints) }),
    },
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  }));
}

/** Makes a node schedulable again and removes the given taint keys and annotations. */
export function uncordonNode(
  client: KubeClient,
  name: string,
  options: { taintKeys?: readonly string[]; annotations?: readonly string[] } = {},
): Promise<V1Node> {
  const keys = new Set(options.taintKeys ?? []);
  return updateNode(client, name, `uncordoning node ${name}`, (node) => ({
    spec: {
      unschedulable: null,
      ...(keys.size === 0 ? {} : { taints: (node.spec?.taints ?? []).filter((t) => !keys.has(t.key)) }),
    },
    annotations: Object.fromEntries((options.annotations ?? []).map((key) => [key, null])),
  }));
}

/** Sets (or, with null, removes) annotations on a node. */
export function annotateNode(
  client: KubeClient,
  name: string,
  annotations: Record<string, string | null>,
): Promise<V1Node> {
  return updateNode(client, name, `annotating node ${name}`, () => ({ annotations }));
}

/** Every pod bound to the node, in all namespaces (what kubelet runs there). */
export function podsOnNode(
  client: KubeClient,
  nodeName: string,
  options: { labelSelector?: string } = {},
): Promise<V1Pod[]> {
  return client.list<V1Pod>('v1', 'Pod', {
    fieldSelector: `spec.nodeName=${nodeName}`,
    labelSelector: options.labelSelector,
  });
}
