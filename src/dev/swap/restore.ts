/**
 * Puts a swapped workload back, for every path that ends a swap: the CLI on exit or a signal,
 * `chartroom dev restore`, and the server's sweeper when the CLI's Lease expired. The original
 * spec saved in the annotation is written back whole (a PUT at the resourceVersion read, retried
 * on conflicts), so the result is the spec from before, field by field. A workload that someone
 * changed during the swap (a deploy, a GitOps sync) keeps their change: only the swap's marks go.
 * Then the Lease and any kwok stand-in rules of the session are removed, and an Event says who
 * restored it and why.
 */
import { recordEvent, requestJson, type KubeClient } from '../../kube/index.js';
import { readWorkload } from '../workload.js';
import { lastManager } from './fights.js';
import { deleteStandinRules } from './kwok-standin.js';
import {
  describeWorkload,
  devAnnotations,
  devLabels,
  readSwap,
  workloadPath,
  type SwapRecord,
  type WireWorkload,
  type WorkloadRef,
} from './record.js';
import { restartStatefulSetPods } from './rollout.js';

export const devFieldManager = 'chartroom-dev';

export type RestoreOutcome =
  | { kind: 'restored'; record: SwapRecord }
  /** Someone changed the workload during the swap; their spec stays, the swap's marks are gone. */
  | { kind: 'kept-changes'; record: SwapRecord; manager: string | undefined }
  | { kind: 'not-swapped' }
  | { kind: 'other-session'; record: SwapRecord }
  | { kind: 'gone' };

export interface RestoreOptions {
  kube: KubeClient;
  ref: WorkloadRef;
  /** Restore only this session's swap (what a CLI does for its own swap). */
  session?: string;
  /** Who restores and why, for the Event: "alice's CLI exited", "lease expired". */
  by: string;
  reason: string;
}

function withoutMarks(workload: WireWorkload): WireWorkload['metadata'] {
  const ours = new Set<string>([
    devAnnotations.swap,
    devAnnotations.originalSpec,
    devLabels.swapped,
    devLabels.session,
  ]);
  const keep = (map: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !ours.has(key)));
  const { managedFields: _managedFields, ...metadata } = workload.metadata;
  return { ...metadata, annotations: keep(metadata.annotations), labels: keep(metadata.labels) };
}

export async function deleteLease(
  kube: KubeClient,
  namespace: string,
  name: string,
  session?: string,
): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases/${encodeURIComponent(name)}`;
  try {
    if (session !== undefined) {
      const lease = await requestJson<{ metadata?: { labels?: Record<string, string> } }>(kube, {
        method: 'GET',
        path,
        doing: `reading lease ${namespace}/${name}`,
      });
      // Someone else's swap took the Lease over since: not ours to delete.
      if (lease.metadata?.labels?.[devLabels.session] !== session) return;
    }
    await requestJson(kube, { method: 'DELETE', path, doing: `deleting lease ${namespace}/${name}` });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

export async function restoreWorkload(options: RestoreOptions): Promise<RestoreOutcome> {
  const { kube, ref } = options;
  for (let attempt = 1; ; attempt += 1) {
    const workload = await readWorkload(kube, ref);
    if (workload === undefined) return { kind: 'gone' };
    const state = readSwap(workload);
    if (state === undefined) return { kind: 'not-swapped' };
    const { record } = state;
    if (options.session !== undefined && record.session !== options.session) {
      return { kind: 'other-session', record };
    }
    const body = {
      apiVersion: 'apps/v1',
      kind: ref.kind,
      metadata: withoutMarks(workload),
      spec: state.intact ? state.originalSpec : workload.spec,
    };
    try {
      await requestJson(kube, {
        method: 'PUT',
        path: `${workloadPath(ref)}?fieldManager=${devFieldManager}`,
        body,
        doing: `restoring ${describeWorkload(ref)}`,
      });
    } catch (error) {
      if ((error as { status?: number }).status === 409 && attempt < 5) continue;
      throw error;
    }
    if (state.intact && ref.kind === 'StatefulSet')
      await restartStatefulSetPods(kube, ref, state.originalSpec);
    await cleanUp(kube, ref.namespace, record);
    const message = state.intact
      ? `restored by ${options.by}: ${options.reason}`
      : `swap ended by ${options.by} (${options.reason}); the workload was changed during the swap, so its current spec stays`;
    await recordEvent(
      kube,
      {
        apiVersion: 'apps/v1',
        kind: ref.kind,
        name: ref.name,
        namespace: ref.namespace,
        ...(workload.metadata.uid === undefined ? {} : { uid: workload.metadata.uid }),
      },
      {
        type: state.intact ? 'Normal' : 'Warning',
        reason: 'DevSwapEnded',
        message,
        component: 'chartroom-dev',
      },
    ).catch(() => undefined);
    return state.intact
      ? { kind: 'restored', record }
      : { kind: 'kept-changes', record, manager: lastManager(workload, devFieldManager) };
  }
}

/** The Lease and the kwok stand-in rules of a session. */
export async function cleanUp(kube: KubeClient, namespace: string, record: SwapRecord): Promise<void> {
  await deleteLease(kube, namespace, record.lease, record.session);
  await deleteStandinRules(kube, namespace, record.session);
}
