/** Joins pods to the Deployments (or other owners) they belong to, through kube-state-metrics. */
import type { PrometheusClient } from './prometheus.js';

export interface Owner {
  kind: string;
  name: string;
  namespace: string;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** pod → owning workload, following Pod → ReplicaSet → Deployment. */
export async function podOwners(
  client: PrometheusClient,
  scope: string,
  window: string,
  at: number,
): Promise<Map<string, Owner>> {
  const [pods, replicaSets] = await Promise.all([
    client.query(
      `max by (namespace, pod, owner_kind, owner_name) (max_over_time(kube_pod_owner{${scope}}[${window}]))`,
      at,
    ),
    client.query(
      `max by (namespace, replicaset, owner_kind, owner_name) (max_over_time(kube_replicaset_owner{${scope}}[${window}]))`,
      at,
    ),
  ]);
  const rsOwner = new Map<string, Owner>();
  for (const rs of replicaSets) {
    const { namespace = '', replicaset = '', owner_kind: kind = '', owner_name: name = '' } = rs.labels;
    if (kind !== '' && kind !== '<none>') rsOwner.set(key(namespace, replicaset), { kind, name, namespace });
  }
  const out = new Map<string, Owner>();
  for (const pod of pods) {
    const { namespace = '', pod: podName = '', owner_kind: kind = '', owner_name: name = '' } = pod.labels;
    if (kind === 'ReplicaSet')
      out.set(key(namespace, podName), rsOwner.get(key(namespace, name)) ?? { kind, name, namespace });
    else if (kind !== '' && kind !== '<none>') out.set(key(namespace, podName), { kind, name, namespace });
  }
  return out;
}

export function podKey(namespace: string, pod: string): string {
  return key(namespace, pod);
}

/** `{namespace="x"}` selector fragment, or nothing for every namespace. */
export function scopeSelector(namespace: string | undefined): string {
  return namespace === undefined ? '' : `namespace="${namespace.replace(/["\\]/g, '')}"`;
}
