import type { V1Pod } from '../../kube/index.js';
import type { PodRef } from './types.js';

export interface FilterOptions {
  deleteEmptyDirData: boolean;
  force: boolean;
  skipWaitForDeleteTimeoutSeconds: number;
  now: number;
  /** Whether the DaemonSet that owns a pod still exists (an orphan is treated like kubectl does). */
  daemonSetExists: (namespace: string, name: string) => Promise<boolean>;
}

export interface FilterResult {
  /** Pods to evict, in the order found. */
  evict: V1Pod[];
  /** Pods already being deleted: not evicted again, but waited for. */
  terminating: V1Pod[];
  skipped: (PodRef & { reason: string })[];
  /** Pods kubectl would refuse to drain without a flag; the drain stops if there are any. */
  refused: (PodRef & { reason: string })[];
  warnings: string[];
}

export const mirrorAnnotation = 'kubernetes.io/config.mirror';

export function refOf(pod: V1Pod): PodRef {
  return { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '' };
}

function controllerOf(pod: V1Pod): { kind: string; name: string } | undefined {
  const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  return owner === undefined ? undefined : { kind: owner.kind, name: owner.name };
}

function finished(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * kubectl drain's filters, in its order (k8s.io/kubectl/pkg/drain/filters.go): pods deleted long
 * ago, DaemonSet pods, mirror pods, pods with local storage, pods without a controller. Finished
 * pods pass every check: deleting them loses nothing.
 */
export async function filterPods(pods: readonly V1Pod[], options: FilterOptions): Promise<FilterResult> {
  const result: FilterResult = { evict: [], terminating: [], skipped: [], refused: [], warnings: [] };
  const emptyDir: string[] = [];
  const unmanaged: string[] = [];
  const daemonSet: string[] = [];
  for (const pod of pods) {
    const ref = refOf(pod);
    const label = `${ref.namespace}/${ref.name}`;
    const deletedAt = pod.metadata?.deletionTimestamp;
    if (deletedAt !== undefined) {
      const ageSeconds = (options.now - new Date(deletedAt).getTime()) / 1000;
      if (
        options.skipWaitForDeleteTimeoutSeconds > 0 &&
        ageSeconds > options.skipWaitForDeleteTimeoutSeconds
      ) {
        result.skipped.push({ ...ref, reason: `deleted ${Math.round(ageSeconds)}s ago; not waited for` });
      } else {
        result.terminating.push(pod);
      }
      continue;
    }
    const controller = controllerOf(pod);
    if (controller?.kind === 'DaemonSet' && !finished(pod)) {
      if (await options.daemonSetExists(ref.namespace, controller.name)) {
        result.skipped.push({ ...ref, reason: `managed by DaemonSet ${controller.name}` });
        daemonSet.push(label);
        continue;
      }
      // The DaemonSet is gone: nothing recreates the pod, so only --force may delete it.
      if (!options.force) {
        result.refused.push({
          ...ref,
          reason: `its DaemonSet ${controller.name} no longer exists (use --force to delete it)`,
        });
        continue;
      }
    }
    if (pod.metadata?.annotations?.[mirrorAnnotation] !== undefined) {
      result.skipped.push({ ...ref, reason: 'static (mirror) pod: kubelet owns it' });
      continue;
    }
    if (!finished(pod) && (pod.spec?.volumes ?? []).some((volume) => volume.emptyDir !== undefined)) {
      if (!options.deleteEmptyDirData) {
        result.refused.push({
          ...ref,
          reason: 'uses emptyDir local storage (use --delete-emptydir-data to evict it and lose that data)',
        });
        continue;
      }
      emptyDir.push(label);
    }
    if (controller === undefined && !finished(pod)) {
      if (!options.force) {
        result.refused.push({
          ...ref,
          reason: 'not managed by a controller, so nothing recreates it (use --force to evict it)',
        });
        continue;
      }
      unmanaged.push(label);
    }
    result.evict.push(pod);
  }
  if (daemonSet.length > 0) result.warnings.push(`ignoring DaemonSet-managed pods: ${daemonSet.join(', ')}`);
  if (emptyDir.length > 0) result.warnings.push(`deleting pods with emptyDir data: ${emptyDir.join(', ')}`);
  if (unmanaged.length > 0) {
    result.warnings.push(`deleting pods not managed by a controller: ${unmanaged.join(', ')}`);
  }
  return result;
}
