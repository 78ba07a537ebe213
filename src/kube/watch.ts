import { makeInformer, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { toKubeError } from './errors.js';

/** A namespaced collection to watch: `{ apiVersion: 'apps/v1', plural: 'deployments' }`. */
export interface WatchResource {
  apiVersion: string;
  plural: string;
}

export interface WatchOptions {
  namespace: string;
  labelSelector?: string;
  signal?: AbortSignal;
  /** Called on every add, update and delete, after the local cache has been updated. */
  onChange?: (change: 'add' | 'update' | 'delete', object: KubernetesObject) => void;
  /** A failed list or watch; the watch retries by itself, this is for reporting. */
  onError?: (error: Error) => void;
}

/** A live, locally cached view of one collection (an informer). */
export interface ObjectWatch<T extends KubernetesObject> {
  /** Resolves once the first list has been loaded into the cache. */
  readonly synced: Promise<void>;
  list(): readonly T[];
  get(name: string): T | undefined;
  stop(): Promise<void>;
}

function collectionPath(resource: WatchResource, namespace: string): string {
  const base = resource.apiVersion.includes('/')
    ? `/apis/${resource.apiVersion}`
    : `/api/${resource.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
}

const retryDelayMs = 1000;

/**
 * Watches one namespaced collection with client-node's informer (list, then watch from that
 * resourceVersion, relisting after 410 Gone). The list goes through the same raw JSON path as
 * the watch events, so cached objects always have the API's own shape (timestamps as strings).
 * A dropped connection or failed list is retried every second until `stop` or the signal.
 */
export function watchObjects<T extends KubernetesObject>(
  client: KubeClient,
  resource: WatchResource,
  options: WatchOptions,
): ObjectWatch<T> {
  const path = collectionPath(resource, options.namespace);
  const query =
    options.labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(options.labelSelector)}`;
  const listFn = async (): Promise<KubernetesListObject<T>> => {
    const response = await client.raw(path + query, { timeoutMs: 30_000 });
    if (response.status !== 200) {
      throw toKubeError(
        new Error(`HTTP ${response.status}: ${response.body.slice(0, 300)}`),
        `listing ${path}`,
      );
    }
    return JSON.parse(response.body) as KubernetesListObject<T>;
  };
  const informer = makeInformer<T>(client.config, path, listFn, options.labelSelector);
  let stopped = false;
  let failedSinceStart = false;
  let retry: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  for (const change of ['add', 'update', 'delete'] as const) {
    informer.on(change, (object) => options.onChange?.(change, object));
  }
  informer.on('error', (error?: unknown) => {
    if (stopped) return;
    failedSinceStart = true;
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
    retry = setTimeout(() => {
      if (!stopped) start();
    }, retryDelayMs);
    retry.unref();
  });

  const start = (): void => {
    failedSinceStart = false;
    // A failed list resolves start() too (after the 'error' callback), so check the flag.
    informer.start().then(
      () => {
        if (!failedSinceStart) markSynced();
      },
      () => {
        // Reported through the 'error' callback, which schedules the retry.
      },
    );
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
    markSynced();
    await informer.stop();
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  start();

  return {
    synced,
    list: () => informer.list(options.namespace),
    get: (name) => informer.get(name, options.namespace),
    stop,
  };
}
