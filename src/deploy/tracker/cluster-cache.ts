/**
 * The tracker's view of the cluster: informers (list + watch) on the workloads, ReplicaSets,
 * pods and events of each namespace the release touches, plus a baseline of what existed before
 * Helm started, to tell this deploy's objects from the previous one's.
 */
import {
  watchObjects,
  type CoreV1Event,
  type KubeClient,
  type KubernetesObject,
  type ObjectWatch,
  type V1Pod,
  type V1ReplicaSet,
} from '../../kube/index.js';
import type { WorkloadKind, WorkloadRef } from './types.js';
import type { ClusterView } from './workloads.js';

const resources = {
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments' },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets' },
  DaemonSet: { apiVersion: 'apps/v1', plural: 'daemonsets' },
  Job: { apiVersion: 'batch/v1', plural: 'jobs' },
  Pod: { apiVersion: 'v1', plural: 'pods' },
  ReplicaSet: { apiVersion: 'apps/v1', plural: 'replicasets' },
  Event: { apiVersion: 'v1', plural: 'events' },
} as const;
type Watched = keyof typeof resources;

interface Baseline {
  generation: number;
}

class NamespaceCache {
  readonly watches = new Map<Watched, ObjectWatch<KubernetesObject>>();
  readonly baseline = new Map<string, Baseline>();

  constructor(kube: KubeClient, namespace: string, onChange: () => void, onError: (error: Error) => void) {
    for (const [kind, resource] of Object.entries(resources) as [Watched, (typeof resources)[Watched]][]) {
      this.watches.set(kind, watchObjects(kube, resource, { namespace, onChange, onError }));
    }
  }

  async synced(): Promise<void> {
    await Promise.all([...this.watches.values()].map((watch) => watch.synced));
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'] as const) {
      for (const object of this.list(kind)) {
        const uid = object.metadata?.uid;
        if (uid !== undefined) this.baseline.set(uid, { generation: object.metadata?.generation ?? 0 });
      }
    }
  }

  list(kind: Watched): readonly KubernetesObject[] {
    return this.watches.get(kind)?.list() ?? [];
  }

  get(kind: Watched, name: string): KubernetesObject | undefined {
    return this.watches.get(kind)?.get(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((watch) => watch.stop()));
  }
}

const time = (event: CoreV1Event): number =>
  Date.parse(
    String(
      event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp ?? 0,
    ),
  ) || 0;

export class ClusterCache implements ClusterView {
  private readonly namespaces = new Map<string, NamespaceCache>();

  constructor(
    private readonly kube: KubeClient,
    private readonly onChange: () => void,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts watching a namespace (once) and resolves when its first lists are loaded. */
  async watch(namespace: string): Promise<void> {
    let cache = this.namespaces.get(namespace);
    if (cache === undefined) {
      cache = new NamespaceCache(this.kube, namespace, this.onChange, this.onError);
      this.namespaces.set(namespace, cache);
    }
    await cache.synced();
  }

  /**
   * The live object of a tracked workload. A hook that existed before the deploy is the previous
   * run's (Helm deletes and recreates hooks), so it does not count until Helm recreates it.
   */
  object(ref: WorkloadRef): KubernetesObject | undefined {
    const cache = this.namespaces.get(ref.namespace);
    const object = cache?.get(ref.kind, ref.name);
    if (object === undefined || cache === undefined) return undefined;
    if (ref.hook !== undefined && cache.baseline.has(object.metadata?.uid ?? '')) return undefined;
    return object;
  }

  /** True once the object is new or changed since Helm started (its spec is this deploy's). */
  changedSinceStart(ref: WorkloadRef): boolean {
    const cache = this.namespaces.get(ref.namespace);
    const object = cache?.get(ref.kind, ref.name);
    if (object === undefined || cache === undefined) return false;
    const before = cache.baseline.get(object.metadata?.uid ?? '');
    return before === undefined || (object.metadata?.generation ?? 0) > before.generation;
  }

  replicaSets(namespace: string): readonly V1ReplicaSet[] {
    return this.namespaces.get(namespace)?.list('ReplicaSet') ?? [];
  }

  pods(namespace: string): readonly V1Pod[] {
    return this.namespaces.get(namespace)?.list('Pod') ?? [];
  }

  /** Events about one object (by uid), oldest first. */
  eventsFor(
    namespace: string,
    uid: string | undefined,
    kind: WorkloadKind | 'ReplicaSet' = 'Pod',
  ): CoreV1Event[] {
    if (uid === undefined) return [];
    return ((this.namespaces.get(namespace)?.list('Event') ?? []) as CoreV1Event[])
      .filter((event) => event.involvedObject.uid === uid && event.involvedObject.kind === kind)
      .sort((a, b) => time(a) - time(b));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.namespaces.values()].map((cache) => cache.stop()));
  }
}
