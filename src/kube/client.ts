import https from 'node:https';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { ConfigError } from '../core/errors.js';
import { KubeApiError, isNotFound, kubeconfigError, toKubeError } from './errors.js';
import type { ObjectRef } from './types.js';

export interface KubeClientOptions {
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  context?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const noClusterHint =
  'Pass --kubeconfig <file> (and --context <name>), or set KUBECONFIG; for a local cluster: chartroom cluster up.';

/** The server-side-apply field manager Chartroom writes under. */
export const fieldManager = 'chartroom';

/**
 * Chartroom's handle on one cluster. Methods take and return plain objects and throw
 * KubeApiError (with the API's own message) instead of client-node's exceptions.
 */
export class KubeClient {
  readonly config: KubeConfig;
  private readonly objects: KubernetesObjectApi;
  private coreApi: CoreV1Api | undefined;

  private constructor(config: KubeConfig) {
    this.config = config;
    this.objects = KubernetesObjectApi.makeApiClient(config);
  }

  static load(options: KubeClientOptions = {}): KubeClient {
    const config = new KubeConfig();
    try {
      if (options.kubeconfig === undefined) config.loadFromDefault();
      else config.loadFromFile(options.kubeconfig);
      if (options.context !== undefined) config.setCurrentContext(options.context);
    } catch (error) {
      throw kubeconfigError(error, options.kubeconfig ?? (process.env.KUBECONFIG || '~/.kube/config'));
    }
    // Without KUBECONFIG, ~/.kube/config or a service account, client-node makes up an
    // http://localhost:8080 cluster, which then fails as "HTTP protocol is not allowed…".
    if (options.kubeconfig === undefined && config.currentContext === 'loaded-context') {
      const cluster = config.getCurrentCluster();
      if (cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080')
        throw new ConfigError(
          'no cluster to talk to: no kubeconfig (KUBECONFIG is not set and ~/.kube/config does not exist)',
          noClusterHint,
        );
    }
    // client-node would only say "No active cluster!" (a missing file reads as an empty config).
    if (config.getCurrentCluster() === null) {
      const where = options.kubeconfig ?? (process.env.KUBECONFIG || '~/.kube/config');
      throw new ConfigError(
        `no cluster to talk to: ${where} has no current context${options.context === undefined ? '' : ` named ${options.context}`}`,
        noClusterHint,
      );
    }
    return new KubeClient(config);
  }

  /** The API server URL of the current context. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  get core(): CoreV1Api {
    this.coreApi ??= this.config.makeApiClient(CoreV1Api);
    return this.coreApi;
  }

  /** Server-side apply, object by object, in the order given (namespaces before their contents). */
  async apply<T extends KubernetesObject>(
    objects: readonly T[],
    options: { force?: boolean } = {},
  ): Promise<T[]> {
    const applied: T[] = [];
    for (const object of objects) {
      try {
        applied.push(
          await this.objects.patch(
            object,
            undefined,
            undefined,
            fieldManager,
            options.force ?? true,
            PatchStrategy.ServerSideApply,
          ),
        );
      } catch (error) {
        throw toKubeError(error, `applying ${describe(object)}`);
      }
    }
    return applied;
  }

  async create<T extends KubernetesObject>(object: T): Promise<T> {
    try {
      return await this.objects.create(object, undefined, undefined, fieldManager);
    } catch (error) {
      throw toKubeError(error, `creating ${describe(object)}`);
    }
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.objects.read<T>({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) },
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toKubeError(error, `reading ${describeRef(ref)}`);
    }
  }

  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    try {
      const list = await this.objects.list<T>(
        apiVersion,
        kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        options.fieldSelector,
        options.labelSelector,
      );
      return list.items;
    } catch (error) {
      throw toKubeError(
        error,
        `listing ${kind}${options.namespace === undefined ? '' : ` in ${options.namespace}`}`,
      );
    }
  }

  /** A JSON merge patch; returns the patched object. */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: object): Promise<T> {
    try {
      // The client finds the object by the body's metadata, so the ref's name and namespace are
      // merged into whatever metadata the patch carries (annotations, finalizers, resourceVersion).
      const { metadata, ...rest } = patch as { metadata?: object };
      return await this.objects.patch<T>(
        {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          ...rest,
          metadata: {
            ...metadata,
            name: ref.name,
            ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
          },
        } as T,
        undefined,
        undefined,
        fieldManager,
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      throw toKubeError(error, `patching ${describeRef(ref)}`);
    }
  }

  /** Deletes the object; false when it was already gone. */
  async delete(
    ref: ObjectRef,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; gracePeriodSeconds?: number } = {},
  ): Promise<boolean> {
    try {
      await this.objects.delete(
        {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) },
        },
        undefined,
        undefined,
        options.gracePeriodSeconds,
        undefined,
        options.propagationPolicy ?? 'Background',
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw toKubeError(error, `deleting ${describeRef(ref)}`);
    }
  }

  /**
   * Evicts a pod through the Eviction API, which honours PodDisruptionBudgets. A budget that
   * forbids it now is not an error: it comes back as `{ evicted: false, status: 429 }`.
   */
  async evict(
    namespace: string,
    name: string,
    options: { gracePeriodSeconds?: number } = {},
  ): Promise<{ evicted: true } | { evicted: false; status: number; message: string }> {
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(options.gracePeriodSeconds === undefined
            ? {}
            : { deleteOptions: { gracePeriodSeconds: options.gracePeriodSeconds } }),
        },
      });
      return { evicted: true };
    } catch (error) {
      const mapped = toKubeError(error, `evicting pod ${namespace}/${name}`);
      if (mapped instanceof KubeApiError && (mapped.status === 429 || mapped.status === 404)) {
        return { evicted: false, status: mapped.status, message: mapped.message };
      }
      throw mapped;
    }
  }

  /** GET a raw API path (health endpoints, /version, subresources the typed clients lack). */
  async raw(
    path: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const cluster = this.config.getCurrentCluster();
    if (cluster === null) throw toKubeError(new Error('no current cluster in the kubeconfig'), `GET ${path}`);
    const url = new URL(path, cluster.server);
    const requestOptions: https.RequestOptions = { method: 'GET', timeout: options.timeoutMs ?? 10_000 };
    await this.config.applyToHTTPSOptions(requestOptions);
    try {
      return await new Promise((resolve, reject) => {
        const request = https.request(url, { ...requestOptions, signal: options.signal }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', reject);
        });
        request.on('timeout', () => request.destroy(new Error('timed out')));
        request.on('error', reject);
        request.end();
      });
    } catch (error) {
      throw toKubeError(error, `GET ${path}`);
    }
  }
}

export function describe(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind ?? 'object'} ${ns === undefined ? '' : `${ns}/`}${object.metadata?.name ?? '?'}`;
}

function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}
