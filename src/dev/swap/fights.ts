/**
 * Things that fight a swap: autoscalers that set the replica count (HorizontalPodAutoscaler,
 * KEDA) and GitOps controllers that put the spec back from git (Argo CD self-heal, Flux). Found
 * before swapping from the objects that target the workload and from the workload's own labels,
 * annotations and field managers, and reported with what to do; during the swap, a change to the
 * workload names the field manager that made it.
 */
import { requestJson, type KubeClient } from '../../kube/index.js';
import type { WireWorkload, WorkloadRef } from './record.js';

export interface Fighter {
  kind: 'autoscaler' | 'gitops';
  /** e.g. `HorizontalPodAutoscaler web`, `Argo CD application shop`. */
  name: string;
  message: string;
  hint: string;
}

interface WireList<T> {
  items?: T[];
}

interface ScaleTarget {
  metadata: { name: string };
  spec?: {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
  };
}

async function listOrNone<T>(kube: KubeClient, path: string, doing: string): Promise<T[]> {
  try {
    return (await requestJson<WireList<T>>(kube, { method: 'GET', path, doing })).items ?? [];
  } catch (error) {
    // The API (KEDA) is not installed, or we may not list it: nothing to report from there.
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 403) return [];
    throw error;
  }
}

const gitopsManagers: Record<string, string> = {
  'argocd-controller': 'Argo CD',
  'argocd-application-controller': 'Argo CD',
  'kustomize-controller': 'Flux',
  'helm-controller': 'Flux',
};

export async function detectFighters(
  kube: KubeClient,
  workload: WireWorkload,
  ref: WorkloadRef,
): Promise<Fighter[]> {
  const fighters: Fighter[] = [];
  const ns = encodeURIComponent(ref.namespace);
  const targets = (item: ScaleTarget, defaultKind: string): boolean =>
    item.spec?.scaleTargetRef?.name === ref.name &&
    (item.spec.scaleTargetRef.kind ?? defaultKind) === ref.kind;

  const [hpas, scaledObjects] = await Promise.all([
    listOrNone<ScaleTarget>(
      kube,
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
      'listing autoscalers',
    ),
    listOrNone<ScaleTarget>(
      kube,
      `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects`,
      'listing KEDA ScaledObjects',
    ),
  ]);
  for (const hpa of hpas.filter((item) => targets(item, ''))) {
    fighters.push({
      kind: 'autoscaler',
      name: `HorizontalPodAutoscaler ${hpa.metadata.name}`,
      message: `HorizontalPodAutoscaler ${hpa.metadata.name} sets the replicas (${hpa.spec?.minReplicas ?? 1}-${hpa.spec?.maxReplicas ?? '?'})`,
      hint: 'It will scale the relay instead of 1 replica; every relay pod is tunnelled, so cluster traffic still reaches you.',
    });
  }
  for (const scaled of scaledObjects.filter((item) => targets(item, 'Deployment'))) {
    fighters.push({
      kind: 'autoscaler',
      name: `ScaledObject ${scaled.metadata.name}`,
      message: `KEDA ScaledObject ${scaled.metadata.name} sets the replicas (${scaled.spec?.minReplicas ?? 0}-${scaled.spec?.maxReplicas ?? '?'})`,
      hint: `Scaling to zero would stop the relay; pause it: kubectl annotate scaledobject ${scaled.metadata.name} -n ${ref.namespace} autoscaling.keda.sh/paused-replicas=1`,
    });
  }

  const labels = workload.metadata.labels ?? {};
  const notes = workload.metadata.annotations ?? {};
  const managers = new Set((workload.metadata.managedFields ?? []).map((entry) => entry.manager ?? ''));
  const tracking = notes['argocd.argoproj.io/tracking-id'];
  const argoApp = tracking?.split(':')[0] ?? labels['argocd.argoproj.io/instance'];
  if (
    argoApp !== undefined ||
    managers.has('argocd-controller') ||
    managers.has('argocd-application-controller')
  ) {
    const app = argoApp ?? labels['app.kubernetes.io/instance'] ?? '<application>';
    fighters.push({
      kind: 'gitops',
      name: `Argo CD application ${app}`,
      message: `Argo CD manages ${ref.kind} ${ref.name} (application ${app}); with self-heal on it reverts the swap`,
      hint: `Turn self-heal off while you work: argocd app set ${app} --self-heal=false (and back on after).`,
    });
  }
  for (const [kind, label] of [
    ['kustomization', 'kustomize.toolkit.fluxcd.io'],
    ['helmrelease', 'helm.toolkit.fluxcd.io'],
  ] as const) {
    const name = labels[`${label}/name`];
    if (name === undefined) continue;
    const namespace = labels[`${label}/namespace`] ?? ref.namespace;
    fighters.push({
      kind: 'gitops',
      name: `Flux ${kind} ${name}`,
      message: `Flux ${kind} ${namespace}/${name} manages ${ref.kind} ${ref.name}; its next reconcile reverts the swap`,
      hint: `Suspend it while you work: flux suspend ${kind} ${name} -n ${namespace} (flux resume … after).`,
    });
  }
  return fighters;
}

/**
 * The field manager that last changed the workload's spec or metadata (not its status), other
 * than `exclude`: who reverted or scaled a swap.
 */
export function lastManager(workload: WireWorkload, exclude: string): string | undefined {
  const entries = (workload.metadata.managedFields ?? []) as {
    manager?: string;
    time?: string;
    subresource?: string;
  }[];
  const ordered = entries
    .filter((entry) => entry.subresource === undefined || entry.subresource === '')
    .filter((entry) => entry.manager !== undefined && entry.manager !== exclude)
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
  const manager = ordered[0]?.manager;
  if (manager === undefined) return undefined;
  const tool = gitopsManagers[manager];
  return tool === undefined ? manager : `${manager} (${tool})`;
}
