/**
 * From what the tracker sees to one diagnosis: which workload, pod and container failed, the
 * cluster's message, and what to do about it.
 */
import type { V1Pod } from '../../kube/index.js';
import { explainRefusal } from '../helm/error-hints.js';
import { podIssues, type PodContext, type PodIssue } from './pod-issues.js';
import { refText, type Diagnosis, type FailureClass, type WorkloadRef } from './types.js';
import type { ControllerIssue, WorkloadView } from './workloads.js';

export interface Finding {
  class: FailureClass;
  workload: WorkloadRef;
  pod?: V1Pod;
  issue?: PodIssue;
  controller?: ControllerIssue;
  /** Epoch ms when the symptom was first seen. */
  since: number;
}

export const classTitles: Record<FailureClass, string> = {
  'image-pull': 'image pull failed',
  'crash-loop': 'crash loop',
  'oom-killed': 'out of memory (OOMKilled)',
  unschedulable: 'pod cannot be scheduled',
  'config-missing': 'missing Secret, ConfigMap or key',
  'volume-mount': 'volume cannot be mounted',
  readiness: 'readiness never true',
  'progress-deadline': 'progress deadline exceeded',
  'hook-failed': 'Helm hook failed',
  'job-failed': 'Job failed',
  'pod-failed': 'pod failed',
  'create-failed': 'pods cannot be created',
  'helm-failed': 'Helm failed',
  timeout: 'timed out',
  interrupted: 'interrupted',
};

export function hintFor(
  diagnosis: Pick<Diagnosis, 'class' | 'pod' | 'container' | 'workload'>,
  memoryLimit?: string,
): string {
  const ns = diagnosis.workload?.namespace ?? '';
  const logs =
    diagnosis.pod === undefined
      ? ''
      : ` (kubectl logs -n ${ns} ${diagnosis.pod}${diagnosis.container === undefined ? '' : ` -c ${diagnosis.container}`}${diagnosis.class === 'crash-loop' ? ' --previous' : ''})`;
  switch (diagnosis.class) {
    case 'image-pull':
      return 'Check the image name and tag, and that the cluster may pull it (imagePullSecrets for a private registry).';
    case 'crash-loop':
      return `The container exits soon after it starts: read its log${logs}, fix the cause, deploy again.`;
    case 'oom-killed':
      return `The container used more memory than its limit${memoryLimit === undefined ? '' : ` (${memoryLimit})`}: raise resources.limits.memory or make it use less.`;
    case 'unschedulable':
      return 'No node can take the pod: add capacity, or lower resources.requests, or relax nodeSelector/affinity/tolerations.';
    case 'config-missing':
      return 'Create the missing Secret, ConfigMap or key (or fix the reference in the chart), then deploy again.';
    case 'volume-mount':
      return `The kubelet cannot mount a volume: kubectl describe pod -n ${ns} ${diagnosis.pod ?? ''} shows the events.`;
    case 'readiness':
      return `The readiness probe never passed: check its path and port, and the app's start-up${logs}.`;
    case 'progress-deadline':
      return 'The rollout made no progress within progressDeadlineSeconds; the pod state above says what it waits for.';
    case 'hook-failed':
      return `A Helm hook failed, so Helm stops the release: read its log${logs}, fix it, deploy again.`;
    case 'job-failed':
    case 'pod-failed':
      return `Read the log${logs}, fix the cause, deploy again.`;
    case 'create-failed':
      return 'The controller cannot create pods: check ResourceQuota, LimitRange and admission webhooks in the namespace.';
    case 'helm-failed':
      return 'Fix what Helm reports (chart, values or cluster access), then deploy again.';
    case 'timeout':
      return 'Nothing failed outright, but the rollout did not finish in time; raise --timeout if the app is just slow.';
    case 'interrupted':
      return 'The deploy was stopped; run it again to finish.';
  }
}

/** The failure of one workload, if any: controller verdicts first, then its pods' problems. */
export function findFailure(
  view: WorkloadView,
  ctx: Omit<PodContext, 'events'> & { eventsFor: (pod: V1Pod) => PodContext['events'] },
): Finding | undefined {
  const ref = view.progress.ref;
  const issuesOf = (pod: V1Pod): PodIssue[] => podIssues(pod, { ...ctx, events: ctx.eventsFor(pod) });
  const controller = view.issue;
  if (controller !== undefined) {
    const since = ctx.seen.since(`${ref.kind}/${ref.namespace}/${ref.name}/${controller.reason}`, ctx.now);
    if (controller.immediate || ctx.now - since >= ctx.thresholds.createFailure) {
      // Name the pod that shows why: a failed Job's newest failed pod, a stuck rollout's worst pod.
      const candidates = [...view.pods].sort(
        (a, b) =>
          Date.parse(String(b.metadata?.creationTimestamp ?? 0)) -
          Date.parse(String(a.metadata?.creationTimestamp ?? 0)),
      );
      for (const pod of candidates) {
        const issue = issuesOf(pod)[0];
        if (issue !== undefined)
          return { class: controller.class, workload: ref, pod, issue, controller, since };
      }
      return { class: controller.class, workload: ref, controller, since };
    }
  }
  for (const pod of view.pods) {
    // A Job retries failed pods up to its backoffLimit: its Failed condition (above) is the verdict.
    const issue = issuesOf(pod).find(
      (candidate) => candidate.fatal && !(ref.kind === 'Job' && candidate.terminated === true),
    );
    if (issue !== undefined) return { class: issue.class, workload: ref, pod, issue, since: issue.since };
  }
  return undefined;
}

function memoryLimit(pod: V1Pod | undefined, container: string | undefined): string | undefined {
  const spec = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find(
    (c) => c.name === container,
  );
  const limit = spec?.resources?.limits?.memory;
  return limit === undefined ? undefined : `limit ${limit}`;
}

export function toDiagnosis(
  finding: Finding,
  options: { now: number; logs?: string[]; logsNote?: string; redact: (text: string) => string },
): Diagnosis {
  const { issue, controller, pod } = finding;
  const podName = pod?.metadata?.name;
  const container = issue?.container;
  const where = [
    podName === undefined ? '' : `pod ${podName}`,
    container === undefined ? '' : `container ${container}${issue?.init === true ? ' (init)' : ''}`,
  ]
    .filter((part) => part !== '')
    .join(', ');
  const cause = [controller?.message, issue?.message]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('; ');
  const message = options.redact(cause === '' ? classTitles[finding.class] : cause);
  const limit = finding.class === 'oom-killed' ? memoryLimit(pod, container) : undefined;
  const partial = {
    class: finding.class,
    workload: finding.workload,
    ...(podName === undefined ? {} : { pod: podName }),
    ...(container === undefined ? {} : { container }),
  };
  const wall = (ms: number): string => new Date(ms).toISOString();
  return {
    ...partial,
    summary: `${refText(finding.workload)}: ${classTitles[finding.class]}${where === '' ? '' : ` — ${where}`}: ${message}${limit === undefined ? '' : ` (${limit})`}`,
    reason: controller?.reason ?? issue?.reason ?? finding.class,
    message,
    ...(issue?.exitCode === undefined ? {} : { exitCode: issue.exitCode }),
    ...(issue?.restarts === undefined ? {} : { restarts: issue.restarts }),
    ...(options.logs === undefined ? {} : { logs: options.logs.map(options.redact) }),
    ...(options.logsNote === undefined ? {} : { logsNote: options.logsNote }),
    hint:
      (finding.class === 'create-failed' ? refusalHint(message, finding.workload.namespace) : undefined) ??
      hintFor(partial, limit),
    visibleAt: wall(finding.since),
    detectedAt: wall(options.now),
  };
}

/** For pods the controller cannot create: the quota, admission webhook or ServiceAccount at fault. */
function refusalHint(message: string, namespace: string): string | undefined {
  return explainRefusal(message, { release: '', namespace })?.hint;
}
