/**
 * Rollout progress per workload kind, with kubectl rollout status's rules (see
 * kubectl/pkg/polymorphichelpers/rollout_status.go), and the pods that belong to the revision
 * being rolled out — only those are diagnosed: an old ReplicaSet's crash loop is not this deploy's.
 */
import type {
  KubernetesObject,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1Pod,
  V1ReplicaSet,
  V1StatefulSet,
} from '../../kube/index.js';
import { podStateText } from './pod-issues.js';
import type { FailureClass, WorkloadProgress, WorkloadRef } from './types.js';

export interface ClusterView {
  object(ref: WorkloadRef): KubernetesObject | undefined;
  replicaSets(namespace: string): readonly V1ReplicaSet[];
  pods(namespace: string): readonly V1Pod[];
}

/** A failure the controller itself reports (progress deadline, quota, a failed Job). */
export interface ControllerIssue {
  class: FailureClass;
  reason: string;
  message: string;
  /** Fatal at once (deadline exceeded, Job failed) or after the create-failure threshold. */
  immediate: boolean;
}

export interface WorkloadView {
  progress: WorkloadProgress;
  /** Pods of the revision being rolled out. */
  pods: V1Pod[];
  issue?: ControllerIssue;
}

const ownedBy = (object: KubernetesObject, uid: string | undefined): boolean =>
  uid !== undefined && (object.metadata?.ownerReferences ?? []).some((owner) => owner.uid === uid);

const isReady = (pod: V1Pod): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function observed(object: {
  metadata?: { generation?: number };
  status?: { observedGeneration?: number };
}): boolean {
  return (object.status?.observedGeneration ?? 0) >= (object.metadata?.generation ?? 0);
}

/** The first pod that is not ready, in words, for the progress line. */
function waitingOn(pods: readonly V1Pod[]): string {
  const pod = pods.find((p) => !isReady(p) && p.status?.phase !== 'Succeeded');
  return pod === undefined ? '' : `; pod ${pod.metadata?.name ?? '?'}: ${podStateText(pod)}`;
}

function base(ref: WorkloadRef): WorkloadProgress {
  return {
    ref,
    state: 'pending',
    desired: 0,
    updated: 0,
    ready: 0,
    available: 0,
    message: 'not created yet',
  };
}

function deployment(ref: WorkloadRef, dep: V1Deployment, cluster: ClusterView): WorkloadView {
  const desired = dep.spec?.replicas ?? 1;
  const status = dep.status ?? {};
  const revision = dep.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const current = observed(dep)
    ? cluster
        .replicaSets(ref.namespace)
        .find(
          (rs) =>
            ownedBy(rs, dep.metadata?.uid) &&
            rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision,
        )
    : undefined;
  const pods =
    current === undefined
      ? []
      : cluster.pods(ref.namespace).filter((pod) => ownedBy(pod, current.metadata?.uid));
  const updated = status.updatedReplicas ?? 0;
  const ready = current?.status?.readyReplicas ?? 0;
  const available = current?.status?.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const progress: WorkloadProgress = {
    ...base(ref),
    state: 'progressing',
    desired,
    updated,
    ready,
    available,
    message: '',
  };
  const conditions = status.conditions ?? [];
  const deadline = conditions.find(
    (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
  );
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  let issue: ControllerIssue | undefined;
  if (deadline !== undefined) {
    issue = {
      class: 'progress-deadline',
      reason: 'ProgressDeadlineExceeded',
      message: deadline.message ?? 'progress deadline exceeded',
      immediate: true,
    };
  } else if (replicaFailure !== undefined) {
    issue = {
      class: 'create-failed',
      reason: replicaFailure.reason ?? 'FailedCreate',
      message: replicaFailure.message ?? 'pods could not be created',
      immediate: false,
    };
  }
  if (dep.spec?.paused === true) {
    progress.state = 'ready';
    progress.message = 'paused';
  } else if (!observed(dep)) {
    progress.message = 'waiting for the controller to see the new spec';
  } else if (updated < desired) {
    progress.message = `${updated} of ${desired} new replicas updated${waitingOn(pods)}`;
  } else if (total > updated) {
    progress.message = `${total - updated} old replica${total - updated === 1 ? '' : 's'} pending termination`;
  } else if (available < updated || (status.availableReplicas ?? 0) < desired) {
    progress.message = `${available} of ${updated} updated replicas available${waitingOn(pods)}`;
  } else {
    progress.state = 'ready';
    progress.message = 'rolled out';
  }
  return { progress, pods, ...(issue === undefined ? {} : { issue }) };
}

function statefulSet(ref: WorkloadRef, sts: V1StatefulSet, cluster: ClusterView): WorkloadView {
  const desired = sts.spec?.replicas ?? 1;
  const status = sts.status ?? { replicas: 0 };
  const updateRevision = status.updateRevision;
  const pods = cluster
    .pods(ref.namespace)
    .filter(
      (pod) =>
        ownedBy(pod, sts.metadata?.uid) &&
        pod.metadata?.labels?.['controller-revision-hash'] === updateRevision,
    );
  const ready = status.readyReplicas ?? 0;
  const progress: WorkloadProgress = {
    ...base(ref),
    state: 'progressing',
    desired,
    updated: status.updatedReplicas ?? 0,
    ready,
    available: status.availableReplicas ?? ready,
    message: '',
  };
  const strategy = sts.spec?.updateStrategy;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  if (!observed(sts)) progress.message = 'waiting for the controller to see the new spec';
  else if (strategy?.type === 'OnDelete') progress.state = 'ready';
  else if (ready < desired) progress.message = `${ready} of ${desired} pods ready${waitingOn(pods)}`;
  else if (partition > 0 && progress.updated < desired - partition)
    progress.message = `${progress.updated} of ${desired - partition} pods updated (partition ${partition})`;
  else if (partition === 0 && updateRevision !== status.currentRevision)
    progress.message = `${progress.updated} of ${desired} pods updated${waitingOn(pods)}`;
  else progress.state = 'ready';
  if (progress.state === 'ready') progress.message = 'rolled out';
  return { progress, pods };
}

function daemonSet(ref: WorkloadRef, ds: V1DaemonSet, cluster: ClusterView): WorkloadView {
  const status = ds.status ?? {
    currentNumberScheduled: 0,
    desiredNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
  };
  const generation = String(ds.metadata?.generation ?? '');
  const pods = cluster
    .pods(ref.namespace)
    .filter(
      (pod) =>
        ownedBy(pod, ds.metadata?.uid) && pod.metadata?.labels?.['pod-template-generation'] === generation,
    );
  const desired = status.desiredNumberScheduled;
  const progress: WorkloadProgress = {
    ...base(ref),
    state: 'progressing',
    desired,
    updated: status.updatedNumberScheduled ?? 0,
    ready: status.numberReady,
    available: status.numberAvailable ?? 0,
    message: '',
  };
  if (!observed(ds)) progress.message = 'waiting for the controller to see the new spec';
  else if (ds.spec?.updateStrategy?.type === 'OnDelete') progress.state = 'ready';
  else if (progress.updated < desired)
    progress.message = `${progress.updated} of ${desired} pods updated${waitingOn(pods)}`;
  else if (progress.available < desired)
    progress.message = `${progress.available} of ${desired} pods available${waitingOn(pods)}`;
  else progress.state = 'ready';
  if (progress.state === 'ready') progress.message = 'rolled out';
  return { progress, pods };
}

function job(ref: WorkloadRef, value: V1Job, cluster: ClusterView): WorkloadView {
  const status = value.status ?? {};
  const completions = value.spec?.completions ?? 1;
  const pods = cluster.pods(ref.namespace).filter((pod) => ownedBy(pod, value.metadata?.uid));
  const progress: WorkloadProgress = {
    ...base(ref),
    state: 'progressing',
    desired: completions,
    updated: 0,
    ready: status.ready ?? 0,
    available: 0,
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    message: `${status.succeeded ?? 0} of ${completions} completed${(status.active ?? 0) > 0 ? `, ${status.active} running` : ''}${(status.failed ?? 0) > 0 ? `, ${status.failed} failed` : ''}`,
  };
  const conditions = status.conditions ?? [];
  const failed = conditions.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
    progress.state = 'ready';
    progress.message = 'completed';
  }
  const issue: ControllerIssue | undefined =
    failed === undefined
      ? undefined
      : {
          class: ref.hook === undefined ? 'job-failed' : 'hook-failed',
          reason: failed.reason ?? 'Failed',
          message: failed.message ?? 'the Job failed',
          immediate: true,
        };
  return { progress, pods, ...(issue === undefined ? {} : { issue }) };
}

function pod(ref: WorkloadRef, value: V1Pod): WorkloadView {
  const ready = isReady(value) || value.status?.phase === 'Succeeded';
  return {
    progress: {
      ...base(ref),
      state: ready ? 'ready' : 'progressing',
      desired: 1,
      updated: 1,
      ready: ready ? 1 : 0,
      available: ready ? 1 : 0,
      message: podStateText(value),
    },
    pods: [value],
  };
}

/** Progress, current pods and controller-reported failure of one workload. */
export function viewWorkload(ref: WorkloadRef, cluster: ClusterView): WorkloadView {
  const object = cluster.object(ref);
  if (object === undefined) return { progress: base(ref), pods: [] };
  switch (ref.kind) {
    case 'Deployment':
      return deployment(ref, object, cluster);
    case 'StatefulSet':
      return statefulSet(ref, object, cluster);
    case 'DaemonSet':
      return daemonSet(ref, object, cluster);
    case 'Job':
      return job(ref, object, cluster);
    case 'Pod':
      return pod(ref, object);
  }
}
