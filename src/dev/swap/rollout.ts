/**
 * A StatefulSet with `updateStrategy: OnDelete` (or a rolling update held by a partition) does
 * not replace its pods when the template changes; a swap or restore would then sit in the spec
 * without effect. Deleting its pods lets the controller recreate them from the current template,
 * which is what an operator would do by hand.
 */
import { requestJson, type KubeClient } from '../../kube/index.js';
import type { WorkloadRef } from './record.js';

interface StatefulSetSpec {
  selector?: { matchLabels?: Record<string, string> };
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
}

export async function restartStatefulSetPods(
  kube: KubeClient,
  ref: WorkloadRef,
  spec: Record<string, unknown>,
): Promise<void> {
  const { selector, updateStrategy } = spec as StatefulSetSpec;
  const held = updateStrategy?.type === 'OnDelete' || (updateStrategy?.rollingUpdate?.partition ?? 0) > 0;
  const labels = Object.entries(selector?.matchLabels ?? {});
  if (!held || labels.length === 0) return;
  const selectorText = labels.map(([key, value]) => `${key}=${value}`).join(',');
  await requestJson(kube, {
    method: 'DELETE',
    path: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods?labelSelector=${encodeURIComponent(selectorText)}`,
    doing: `restarting the pods of statefulset ${ref.namespace}/${ref.name}`,
  });
}
