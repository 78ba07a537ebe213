/**
 * Finds the app's workload in a namespace (a Deployment or StatefulSet, by name or by Helm's
 * labels), the container to run locally, and a pod of the current revision (whose spec is what
 * the kubelet really got, after admission webhooks and LimitRange defaults). When the workload is
 * swapped, the app's own template is the one saved in the swap's annotation.
 */
import { requestJson, type KubeClient, type V1Container, type V1Pod, type V1PodSpec } from '../kube/index.js';
import { devError } from './errors.js';
import {
  describeWorkload,
  devLabels,
  readSwap,
  workloadPath,
  type SwapState,
  type WireWorkload,
  type WorkloadKind,
  type WorkloadRef,
} from './swap/record.js';

export interface WorkloadQuery {
  namespace: string;
  /** Names to try, best first (the Helm release, the app). */
  names: readonly string[];
  /** `app.kubernetes.io/instance` value to select by when no name matches (the release). */
  instance?: string;
  /** The app name, to narrow several matches by `app.kubernetes.io/name`. */
  app?: string;
  /** `--workload`: `deployment/web`, `sts/db` or a bare name. */
  explicit?: string;
  /** `--container`. */
  container?: string;
}

export interface Workload {
  ref: WorkloadRef;
  object: WireWorkload;
  /** The app's pod spec: the live pod's when one of the current revision runs, else the template's. */
  podSpec: V1PodSpec;
  templateLabels: Record<string, string>;
  templateAnnotations: Record<string, string>;
  container: V1Container;
  /** A running pod of the current revision (undefined while swapped or scaled to zero). */
  pod: V1Pod | undefined;
  swap: SwapState | undefined;
}

interface WireList<T> {
  items?: T[];
}

const kindAliases: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
};

async function listWorkloads(kube: KubeClient, namespace: string): Promise<WireWorkload[]> {
  const ns = encodeURIComponent(namespace);
  const [deployments, statefulSets] = await Promise.all(
    (['deployments', 'statefulsets'] as const).map((plural) =>
      requestJson<WireList<WireWorkload>>(kube, {
        method: 'GET',
        path: `/apis/apps/v1/namespaces/${ns}/${plural}`,
        doing: `listing ${plural} in ${namespace}`,
      }),
    ),
  );
  return [
    ...(deployments?.items ?? []).map((item) => ({ ...item, kind: 'Deployment' })),
    ...(statefulSets?.items ?? []).map((item) => ({ ...item, kind: 'StatefulSet' })),
  ];
}

function refOf(object: WireWorkload): WorkloadRef {
  return {
    kind: object.kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment',
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  };
}

const label = (object: WireWorkload, key: string): string | undefined => object.metadata.labels?.[key];

function pick(candidates: readonly WireWorkload[], query: WorkloadQuery): WireWorkload {
  const names = (list: readonly WireWorkload[]): string =>
    list
      .map((item) => `${item.kind === 'StatefulSet' ? 'sts' : 'deployment'}/${item.metadata.name}`)
      .join(', ');
  if (query.explicit !== undefined) {
    const [first, second] = query.explicit.split('/', 2) as [string, string | undefined];
    const kind = second === undefined ? undefined : kindAliases[first.toLowerCase()];
    if (second !== undefined && kind === undefined) {
      throw devError('dev-no-workload', `--workload ${query.explicit}: unknown kind ${first}`, {
        hint: 'Use deployment/<name> or statefulset/<name>.',
      });
    }
    const name = second ?? first;
    const found = candidates.filter(
      (item) => item.metadata.name === name && (kind === undefined || item.kind === kind),
    );
    if (found.length === 1 && found[0] !== undefined) return found[0];
    if (found.length > 1) {
      throw devError('dev-ambiguous-workload', `both a Deployment and a StatefulSet are named ${name}`, {
        hint: `Say which: --workload deployment/${name} or --workload sts/${name}.`,
      });
    }
    throw devError('dev-no-workload', `no workload ${query.explicit} in namespace ${query.namespace}`, {
      hint: candidates.length === 0 ? 'The namespace has none.' : `It has: ${names(candidates)}.`,
    });
  }
  for (const name of query.names) {
    const byName = candidates.filter((item) => item.metadata.name === name);
    if (byName.length === 1 && byName[0] !== undefined) return byName[0];
  }
  if (query.instance !== undefined) {
    let matches = candidates.filter((item) => label(item, 'app.kubernetes.io/instance') === query.instance);
    if (matches.length > 1 && query.app !== undefined) {
      const narrowed = matches.filter((item) => label(item, 'app.kubernetes.io/name') === query.app);
      if (narrowed.length > 0) matches = narrowed;
    }
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) {
      throw devError(
        'dev-ambiguous-workload',
        `release ${query.instance} has ${matches.length} workloads: ${names(matches)}`,
        { hint: 'Say which with --workload.' },
      );
    }
  }
  throw devError(
    'dev-no-workload',
    `no workload for ${query.names.join(' or ')} in namespace ${query.namespace}`,
    {
      hint:
        candidates.length === 0
          ? 'The namespace has no Deployments or StatefulSets; is the app deployed there?'
          : `It has: ${names(candidates)}; pick one with --workload.`,
    },
  );
}

function chooseContainer(spec: V1PodSpec, query: WorkloadQuery, ref: WorkloadRef): V1Container {
  const containers = spec.containers;
  const wanted = query.container;
  if (wanted !== undefined) {
    const found = containers.find((container) => container.name === wanted);
    if (found !== undefined) return found;
    throw devError('dev-no-container', `${describeWorkload(ref)} has no container ${wanted}`, {
      hint: `Its containers: ${containers.map((c) => c.name).join(', ')}.`,
    });
  }
  const only = containers.length === 1 ? containers[0] : undefined;
  if (only !== undefined) return only;
  const named = containers.find((c) => [ref.name, ...query.names].includes(c.name));
  if (named !== undefined) return named;
  throw devError('dev-no-container', `${describeWorkload(ref)} has ${containers.length} containers`, {
    hint: `Say which runs locally with --container (${containers.map((c) => c.name).join(', ')}).`,
  });
}

function selectorOf(object: WireWorkload): string {
  const matchLabels = (object.spec.selector as { matchLabels?: Record<string, string> } | undefined)
    ?.matchLabels;
  return Object.entries(matchLabels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * The label that marks pods of the workload's current revision: the newest ReplicaSet's
 * `pod-template-hash` for a Deployment, `controller-revision-hash` = updateRevision for a
 * StatefulSet. Undefined when it cannot be told (then no pod is trusted over the template).
 */
async function currentRevisionLabel(kube: KubeClient, object: WireWorkload): Promise<string | undefined> {
  if (object.kind === 'StatefulSet') {
    const revision = object.status?.updateRevision;
    return typeof revision === 'string' ? `controller-revision-hash=${revision}` : undefined;
  }
  const revision = object.metadata.annotations?.['deployment.kubernetes.io/revision'];
  if (revision === undefined) return undefined;
  const sets = await requestJson<WireList<WireWorkload>>(kube, {
    method: 'GET',
    path: `/apis/apps/v1/namespaces/${encodeURIComponent(object.metadata.namespace)}/replicasets?labelSelector=${encodeURIComponent(selectorOf(object))}`,
    doing: `listing the ReplicaSets of deployment ${object.metadata.name}`,
  });
  const current = (sets.items ?? []).find(
    (set) =>
      set.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision &&
      (set.metadata.ownerReferences as { uid?: string }[] | undefined)?.some(
        (owner) => owner.uid === object.metadata.uid,
      ) === true,
  );
  const hash = current?.metadata.labels?.['pod-template-hash'];
  return hash === undefined ? undefined : `pod-template-hash=${hash}`;
}

async function runningPod(kube: KubeClient, object: WireWorkload): Promise<V1Pod | undefined> {
  const revision = await currentRevisionLabel(kube, object);
  const selector = selectorOf(object);
  if (revision === undefined || selector === '') return undefined;
  const pods = await requestJson<WireList<V1Pod>>(kube, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(object.metadata.namespace)}/pods?labelSelector=${encodeURIComponent(`${selector},${revision},!${devLabels.session}`)}`,
    doing: `listing the pods of ${object.metadata.name}`,
  });
  const running = (pods.items ?? []).filter(
    (pod) => pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined,
  );
  const ready = running.find((pod) =>
    pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return ready ?? running[0];
}

export async function readWorkload(kube: KubeClient, ref: WorkloadRef): Promise<WireWorkload | undefined> {
  try {
    const object = await requestJson<WireWorkload>(kube, {
      method: 'GET',
      path: workloadPath(ref),
      doing: `reading ${describeWorkload(ref)}`,
    });
    return { ...object, kind: ref.kind };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

export async function findWorkload(kube: KubeClient, query: WorkloadQuery): Promise<Workload> {
  const object = pick(await listWorkloads(kube, query.namespace), query);
  const ref = refOf(object);
  const swap = readSwap(object);
  const template = ((swap?.originalSpec ?? object.spec).template ?? {}) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: V1PodSpec;
  };
  const templateSpec = template.spec ?? { containers: [] };
  const pod = swap === undefined ? await runningPod(kube, object) : undefined;
  const container = chooseContainer(templateSpec, query, ref);
  const podContainer = pod?.spec?.containers.find((c) => c.name === container.name);
  return {
    ref,
    object,
    podSpec: podContainer === undefined || pod?.spec === undefined ? templateSpec : pod.spec,
    templateLabels: template.metadata?.labels ?? {},
    templateAnnotations: template.metadata?.annotations ?? {},
    container: podContainer ?? container,
    pod,
    swap,
  };
}
