/**
 * EnvSources backed by the cluster: ConfigMaps and Secrets read once each (a container often
 * names the same Secret several times), Services listed for the link variables.
 */
import { requestJson, type KubeClient } from '../../kube/index.js';
import type { V1Pod, V1PodSpec } from '../../kube/index.js';
import type { EnvSources, PodFacts } from './resolve.js';
import type { LinkService } from './service-links.js';

interface WireData {
  data?: Record<string, string>;
}

interface WireServiceList {
  items?: {
    metadata: { name: string; namespace: string };
    spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
  }[];
}

async function getOrUndefined<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

export function clusterEnvSources(kube: KubeClient): EnvSources {
  const cache = new Map<string, Promise<Record<string, string> | undefined>>();
  const read = (kind: 'configmaps' | 'secrets', namespace: string, name: string) => {
    const key = `${kind}/${namespace}/${name}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = getOrUndefined(() =>
        requestJson<WireData>(kube, {
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`,
          doing: `reading ${kind === 'secrets' ? 'Secret' : 'ConfigMap'} ${namespace}/${name}`,
        }),
      ).then((object) => (object === undefined ? undefined : (object.data ?? {})));
      cache.set(key, entry);
    }
    return entry;
  };
  return {
    configMap: (namespace, name) => read('configmaps', namespace, name),
    secret: async (namespace, name) => {
      const data = await read('secrets', namespace, name);
      if (data === undefined) return undefined;
      return Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      );
    },
    linkServices: async (namespace) => {
      const lists = await Promise.all(
        [...new Set([namespace, 'default'])].map((ns) =>
          requestJson<WireServiceList>(kube, {
            method: 'GET',
            path: `/api/v1/namespaces/${encodeURIComponent(ns)}/services`,
            doing: `listing Services in ${ns}`,
          }),
        ),
      );
      return lists.flatMap((list) =>
        (list.items ?? []).map((service): LinkService => ({
          namespace: service.metadata.namespace,
          name: service.metadata.name,
          clusterIP: service.spec?.clusterIP,
          ports: service.spec?.ports ?? [],
        })),
      );
    },
  };
}

/** What fieldRef reads: the running pod's facts, or the template's when none runs. */
export async function podFacts(options: {
  kube: KubeClient;
  namespace: string;
  workloadName: string;
  podSpec: V1PodSpec;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  pod: V1Pod | undefined;
}): Promise<PodFacts> {
  const { pod } = options;
  const nodeName = pod?.spec?.nodeName ?? '';
  let nodeAllocatable: Record<string, string> = {};
  if (nodeName !== '') {
    const node = await getOrUndefined(() =>
      requestJson<{ status?: { allocatable?: Record<string, string> } }>(options.kube, {
        method: 'GET',
        path: `/api/v1/nodes/${encodeURIComponent(nodeName)}`,
        doing: `reading node ${nodeName}`,
      }),
    ).catch(() => undefined);
    nodeAllocatable = node?.status?.allocatable ?? {};
  }
  return {
    name: pod?.metadata?.name ?? `${options.workloadName}-local`,
    namespace: options.namespace,
    uid: pod?.metadata?.uid ?? '',
    labels: pod?.metadata?.labels ?? options.labels,
    annotations: pod?.metadata?.annotations ?? options.annotations,
    nodeName,
    serviceAccountName: options.podSpec.serviceAccountName ?? 'default',
    podIP: '127.0.0.1',
    hostIP: '127.0.0.1',
    nodeAllocatable,
  };
}
