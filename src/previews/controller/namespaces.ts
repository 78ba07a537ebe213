/**
 * Reading and writing preview namespaces: finding a branch's preview, creating one with its
 * labels and annotations, changing annotations (with the resourceVersion as a precondition, so
 * two writers cannot silently overwrite each other), and the guard rails every preview namespace
 * gets: a ResourceQuota and a LimitRange.
 */
import { KubeApiError, type KubeClient, type V1Namespace } from '../../kube/index.js';
import type { PreviewsConfig } from '../config.js';
import {
  previewAnnotations,
  previewLabels,
  previewSelector,
  previewState,
  type PreviewState,
} from '../state.js';

export async function listPreviews(kube: KubeClient, app?: string): Promise<PreviewState[]> {
  const selector = app === undefined ? previewSelector : `${previewSelector},${previewLabels.app}=${app}`;
  const namespaces = await kube.list<V1Namespace>('v1', 'Namespace', { labelSelector: selector });
  return namespaces.map(previewState).filter((state): state is PreviewState => state !== undefined);
}

export async function readPreview(
  kube: KubeClient,
  namespace: string,
): Promise<{ exists: false } | { exists: true; state: PreviewState | undefined }> {
  const object = await kube.get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  return object === undefined ? { exists: false } : { exists: true, state: previewState(object) };
}

export async function findPreview(
  kube: KubeClient,
  app: string,
  branch: string,
): Promise<PreviewState | undefined> {
  return (await listPreviews(kube, app)).find((state) => state.branch === branch);
}

/**
 * Changes annotations of a preview namespace (null removes one). With `resourceVersion` the write
 * fails with 409 when the namespace changed since it was read; without, it is a plain merge.
 * False when the namespace is gone.
 */
export async function annotate(
  kube: KubeClient,
  namespace: string,
  annotations: Record<string, string | null>,
  resourceVersion?: string,
): Promise<boolean> {
  try {
    await kube.mergePatch(
      { apiVersion: 'v1', kind: 'Namespace', name: namespace },
      {
        metadata: {
          annotations,
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        },
      },
    );
    return true;
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return false;
    throw error;
  }
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}

export interface NewPreview {
  namespace: string;
  app: string;
  label: string;
  branch: string;
  repo: string;
  host: string;
  url: string;
  release: string;
  commit: string;
  pushedAt: string | undefined;
  receivedAt: string;
  pushedBy: string | undefined;
}

/** Creates the namespace of a new preview; false when the name is taken (the caller decides). */
export async function createPreviewNamespace(kube: KubeClient, preview: NewPreview): Promise<boolean> {
  try {
    await kube.create<V1Namespace>({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: preview.namespace,
        labels: {
          [previewLabels.preview]: 'true',
          [previewLabels.app]: preview.app,
          [previewLabels.label]: preview.label,
          [previewLabels.managedBy]: 'chartroom',
        },
        annotations: {
          [previewAnnotations.branch]: preview.branch,
          [previewAnnotations.repo]: preview.repo,
          [previewAnnotations.host]: preview.host,
          [previewAnnotations.url]: preview.url,
          [previewAnnotations.release]: preview.release,
          [previewAnnotations.desiredCommit]: preview.commit,
          [previewAnnotations.desiredReceivedAt]: preview.receivedAt,
          [previewAnnotations.lastPushAt]: preview.receivedAt,
          ...(preview.pushedAt === undefined
            ? {}
            : { [previewAnnotations.desiredPushedAt]: preview.pushedAt }),
          ...(preview.pushedBy === undefined ? {} : { [previewAnnotations.pushedBy]: preview.pushedBy }),
        },
      },
    });
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

/** The ResourceQuota and LimitRange of a preview namespace (applied before every deploy). */
export function guardRails(config: PreviewsConfig, namespace: string): object[] {
  const labels = { [previewLabels.managedBy]: 'chartroom' };
  return [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'chartroom-preview', namespace, labels },
      spec: { hard: config.quota },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'chartroom-preview', namespace, labels },
      spec: {
        limits: [
          {
            type: 'Container',
            // client-node serialises LimitRangeItem by its model, whose property for the JSON
            // field `default` is `_default` (a plain `default` would be dropped silently).
            _default: config.limits.default,
            defaultRequest: config.limits.defaultRequest,
            ...(config.limits.max === undefined ? {} : { max: config.limits.max }),
          },
        ],
      },
    },
  ];
}
