/**
 * Which pod serves a Service port right now, from the Service's EndpointSlices (watched, so a
 * restarted or rescheduled pod is picked up at once: kubectl port-forward never does this,
 * kubernetes/kubectl#686). A forward stays on the same pod while it is ready, so one session's
 * connections do not hop between replicas for no reason.
 */
import { watchObjects, type KubeClient, type ObjectWatch, type V1EndpointSlice } from '../../kube/index.js';

export interface Backend {
  pod: string;
  /** The container port: a named targetPort resolved by the EndpointSlice controller. */
  port: number;
}

export interface BackendQuery {
  service: string;
  /** The Service port's name ('' for a single unnamed port). */
  portName: string;
  /** Only this pod (by its DNS hostname) of a headless Service. */
  podHostname?: string;
}

const serviceNameLabel = 'kubernetes.io/service-name';

export class EndpointTracker {
  private readonly watch: ObjectWatch<V1EndpointSlice>;
  private readonly chosen = new Map<string, string>();
  private readonly avoided = new Map<string, number>();
  private listeners: (() => void)[] = [];

  constructor(
    kube: KubeClient,
    options: { namespace: string; services: readonly string[]; signal?: AbortSignal },
  ) {
    this.watch = watchObjects<V1EndpointSlice>(
      kube,
      { apiVersion: 'discovery.k8s.io/v1', plural: 'endpointslices' },
      {
        namespace: options.namespace,
        labelSelector: `${serviceNameLabel} in (${[...new Set(options.services)].join(',')})`,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onChange: () => {
          for (const listener of this.listeners) listener();
        },
      },
    );
  }

  get synced(): Promise<void> {
    return this.watch.synced;
  }

  /** Every ready backend of the query, sorted by pod name. */
  backends(query: BackendQuery): Backend[] {
    const found = new Map<string, Backend>();
    for (const slice of this.watch.list()) {
      if (slice.metadata?.labels?.[serviceNameLabel] !== query.service) continue;
      const port = (slice.ports ?? []).find((candidate) => (candidate.name ?? '') === query.portName)?.port;
      if (port === undefined) continue;
      for (const endpoint of slice.endpoints) {
        const pod = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
        if (pod === undefined || endpoint.conditions?.ready === false) continue;
        if (query.podHostname !== undefined && (endpoint.hostname ?? pod) !== query.podHostname) continue;
        found.set(pod, { pod, port });
      }
    }
    return [...found.values()].sort((a, b) => a.pod.localeCompare(b.pod));
  }

  /** The backend to use now: the same pod as last time while it is ready. */
  pick(query: BackendQuery): Backend | undefined {
    const key = `${query.service}:${query.portName}:${query.podHostname ?? ''}`;
    const now = Date.now();
    const all = this.backends(query);
    const usable = all.filter((backend) => (this.avoided.get(backend.pod) ?? 0) <= now);
    const candidates = usable.length > 0 ? usable : all;
    const previous = this.chosen.get(key);
    const choice = candidates.find((backend) => backend.pod === previous) ?? candidates[0];
    if (choice !== undefined) this.chosen.set(key, choice.pod);
    return choice;
  }

  /** A pod that refused a forward (gone, not running): tried last for a while. */
  avoid(pod: string, forMs = 5000): void {
    this.avoided.set(pod, Date.now() + forMs);
  }

  /** Waits until the query has a backend, or the time runs out (undefined). */
  async waitFor(
    query: BackendQuery,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<Backend | undefined> {
    await this.synced;
    const now = this.pick(query);
    if (now !== undefined) return now;
    return new Promise((resolve) => {
      const finish = (backend: Backend | undefined): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((candidate) => candidate !== check);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(backend);
      };
      const check = (): void => {
        const backend = this.pick(query);
        if (backend !== undefined) finish(backend);
      };
      const onAbort = (): void => {
        finish(undefined);
      };
      const timer = setTimeout(() => {
        finish(undefined);
      }, options.timeoutMs);
      this.listeners.push(check);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}
