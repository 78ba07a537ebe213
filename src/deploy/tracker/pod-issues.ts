/**
 * Reads one pod the way an experienced operator would (kubedog, kapp and Argo CD's health checks
 * do the same), and returns what is wrong with it: the class of failure, the container, the
 * cluster's own message, and whether it has lasted long enough to be called a failure.
 */
import type { CoreV1Event, V1Container, V1ContainerStatus, V1Pod } from '../../kube/index.js';
import type { FailureClass, Thresholds } from './types.js';

export interface PodIssue {
  class: FailureClass;
  fatal: boolean;
  container?: string;
  init?: boolean;
  reason: string;
  message: string;
  exitCode?: number;
  restarts?: number;
  /** Milliseconds (tracker clock) when the symptom was first seen. */
  since: number;
  /** Which log to fetch for the report. */
  logs?: 'previous' | 'current';
  /** The container ended for good (a failed pod): for a Job's pod, the Job decides if that is fatal. */
  terminated?: boolean;
}

/** Remembers when each symptom was first seen, so thresholds are measured, not guessed. */
export class FirstSeen {
  private readonly seen = new Map<string, number>();
  /** Messages worth keeping after the state moves on (ErrImagePull → ImagePullBackOff). */
  readonly notes = new Map<string, string>();

  since(key: string, now: number): number {
    const at = this.seen.get(key);
    if (at !== undefined) return at;
    this.seen.set(key, now);
    return now;
  }
}

export interface PodContext {
  now: number;
  seen: FirstSeen;
  thresholds: Thresholds;
  /** Events whose involvedObject is this pod, oldest first. */
  events: readonly CoreV1Event[];
}

const imagePullReasons = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
  'ImageInspectError',
]);
const immediateImageFailures = new Set(['ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

function containerEvent(
  events: readonly CoreV1Event[],
  container: string,
  test: (event: CoreV1Event) => boolean,
): CoreV1Event | undefined {
  const field = `{${container}}`;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (event === undefined) continue;
    const path = event.involvedObject.fieldPath ?? '';
    if ((path === '' || path.includes(field)) && test(event)) return event;
  }
  return undefined;
}

/** The readiness budget a probe gives itself before anyone should worry. */
export function readinessWindow(container: V1Container | undefined, thresholds: Thresholds): number {
  const probe = container?.readinessProbe;
  if (probe === undefined) return thresholds.readinessNoProbe;
  const period = (probe.periodSeconds ?? 10) * 1000;
  let window = (probe.initialDelaySeconds ?? 0) * 1000 + period * (probe.failureThreshold ?? 3);
  const startup = container?.startupProbe;
  if (startup !== undefined) {
    window +=
      (startup.initialDelaySeconds ?? 0) * 1000 +
      (startup.periodSeconds ?? 10) * 1000 * (startup.failureThreshold ?? 3);
  }
  return window + thresholds.readinessSlack;
}

export function describeProbe(container: V1Container | undefined): string {
  const probe = container?.readinessProbe;
  if (probe === undefined) return 'no readiness probe';
  const how =
    probe.httpGet !== undefined
      ? `httpGet ${String(probe.httpGet.port)}${probe.httpGet.path ?? '/'}`
      : probe.tcpSocket !== undefined
        ? `tcpSocket ${String(probe.tcpSocket.port)}`
        : probe.exec !== undefined
          ? `exec ${(probe.exec.command ?? []).join(' ')}`
          : probe.grpc !== undefined
            ? `grpc ${probe.grpc.port}`
            : 'probe';
  return `readiness probe ${how} (every ${probe.periodSeconds ?? 10}s, ${probe.failureThreshold ?? 3} failures allowed)`;
}

function waitingIssue(
  pod: V1Pod,
  status: V1ContainerStatus,
  init: boolean,
  ctx: PodContext,
): PodIssue | undefined {
  const waiting = status.state?.waiting;
  if (waiting === undefined) return undefined;
  const reason = waiting.reason ?? '';
  const key = `${pod.metadata?.uid ?? ''}/${status.name}`;
  const base = { container: status.name, init, reason, restarts: status.restartCount };
  if (imagePullReasons.has(reason)) {
    // The registry's words are in ErrImagePull (and in the kubelet's Failed event); the back-off
    // message that follows only says it is backing off, so keep the first one.
    if (reason === 'ErrImagePull' && waiting.message !== undefined)
      ctx.seen.notes.set(`pull:${key}`, waiting.message);
    const pullEvent = containerEvent(
      ctx.events,
      status.name,
      (e) => e.reason === 'Failed' && /pull/i.test(e.message ?? ''),
    );
    // Recent kubelets repeat the cause in the back-off message (`…: ErrImagePull: <registry's
    // words>`), which matters when ErrImagePull itself was too brief to be seen.
    const repeated = /: ErrImagePull: (.+)$/s.exec(waiting.message ?? '')?.[1];
    const message =
      ctx.seen.notes.get(`pull:${key}`) ??
      repeated ??
      pullEvent?.message ??
      waiting.message ??
      `${reason} for image ${status.image}`;
    const since = ctx.seen.since(`${key}/image-pull`, ctx.now);
    const fatal = immediateImageFailures.has(reason) || ctx.now - since >= ctx.thresholds.imagePull;
    return {
      ...base,
      class: 'image-pull',
      fatal,
      message: `image ${JSON.stringify(status.image)}: ${message}`,
      since,
    };
  }
  if (reason === 'CrashLoopBackOff') {
    const last = status.lastState?.terminated;
    const oom = last?.reason === 'OOMKilled';
    const since = ctx.seen.since(`${key}/crash`, ctx.now);
    const exit =
      last === undefined
        ? 'crashed'
        : `exited with code ${last.exitCode}${last.reason === undefined ? '' : ` (${last.reason})`}`;
    return {
      ...base,
      class: oom ? 'oom-killed' : 'crash-loop',
      fatal: true,
      reason: oom ? 'OOMKilled' : reason,
      message: `${exit}${last?.message ? `: ${last.message.trim()}` : ''}; restarted ${status.restartCount} time${status.restartCount === 1 ? '' : 's'}`,
      ...(last?.exitCode === undefined ? {} : { exitCode: last.exitCode }),
      since,
      logs: 'previous',
    };
  }
  if (
    reason === 'CreateContainerConfigError' ||
    reason === 'CreateContainerError' ||
    reason === 'RunContainerError'
  ) {
    const since = ctx.seen.since(`${key}/${reason}`, ctx.now);
    const missing =
      reason === 'CreateContainerConfigError' || /not found|couldn't find/.test(waiting.message ?? '');
    return {
      ...base,
      class: missing ? 'config-missing' : 'create-failed',
      fatal: ctx.now - since >= ctx.thresholds.config,
      message: waiting.message ?? reason,
      since,
    };
  }
  return undefined;
}

function terminatedIssue(
  pod: V1Pod,
  status: V1ContainerStatus,
  init: boolean,
  ctx: PodContext,
): PodIssue | undefined {
  const terminated = status.state?.terminated;
  const failedPod = pod.status?.phase === 'Failed';
  if (terminated === undefined || terminated.exitCode === 0) return undefined;
  // With restartPolicy Always the kubelet restarts it: only a Failed pod (or a failed init
  // container of a pod that will not retry) is final.
  if (!failedPod && !(init && pod.spec?.restartPolicy === 'Never')) return undefined;
  const oom = terminated.reason === 'OOMKilled';
  return {
    class: oom ? 'oom-killed' : 'pod-failed',
    fatal: true,
    container: status.name,
    init,
    reason: terminated.reason ?? 'Error',
    message: `exited with code ${terminated.exitCode}${terminated.reason === undefined ? '' : ` (${terminated.reason})`}${terminated.message ? `: ${terminated.message.trim()}` : ''}`,
    exitCode: terminated.exitCode,
    restarts: status.restartCount,
    since: ctx.seen.since(`${pod.metadata?.uid ?? ''}/${status.name}/terminated`, ctx.now),
    logs: 'current',
    terminated: true,
  };
}

function notReadyIssue(pod: V1Pod, status: V1ContainerStatus, ctx: PodContext): PodIssue | undefined {
  if (status.state?.running === undefined || status.ready) return undefined;
  const key = `${pod.metadata?.uid ?? ''}/${status.name}`;
  const last = status.lastState?.terminated;
  if (last?.reason === 'OOMKilled') {
    return {
      class: 'oom-killed',
      fatal: true,
      container: status.name,
      reason: 'OOMKilled',
      message: `killed for using more memory than its limit (exit ${last.exitCode}); restarted ${status.restartCount} times`,
      exitCode: last.exitCode,
      restarts: status.restartCount,
      since: ctx.seen.since(`${key}/oom`, ctx.now),
      logs: 'previous',
    };
  }
  const spec = pod.spec?.containers.find((c) => c.name === status.name);
  const since = ctx.seen.since(`${key}/not-ready/${status.restartCount}`, ctx.now);
  const window = readinessWindow(spec, ctx.thresholds);
  const unhealthy = containerEvent(
    ctx.events,
    status.name,
    (e) => e.reason === 'Unhealthy' && /readiness/i.test(e.message ?? ''),
  );
  const waited = Math.round((ctx.now - since) / 1000);
  return {
    class: 'readiness',
    fatal: ctx.now - since >= window,
    container: status.name,
    reason: 'NotReady',
    message:
      unhealthy?.message !== undefined
        ? `${unhealthy.message.trim()} (${describeProbe(spec)})`
        : `running but not ready after ${waited}s (${describeProbe(spec)})`,
    restarts: status.restartCount,
    since,
  };
}

function schedulingIssue(pod: V1Pod, ctx: PodContext): PodIssue | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (condition?.status !== 'False' || condition.reason !== 'Unschedulable') return undefined;
  const since = ctx.seen.since(`${pod.metadata?.uid ?? ''}/unschedulable`, ctx.now);
  const scaleUp = [...ctx.events]
    .reverse()
    .find((e) => e.reason === 'TriggeredScaleUp' || e.reason === 'NotTriggerScaleUp');
  const message = condition.message ?? 'no node fits the pod';
  if (scaleUp?.reason === 'TriggeredScaleUp') {
    // The cluster autoscaler is adding a node: wait for it (the deploy's timeout still applies).
    return {
      class: 'unschedulable',
      fatal: false,
      reason: 'Unschedulable',
      message: `${message}; ${scaleUp.message ?? 'a node is being added'}`,
      since,
    };
  }
  return {
    class: 'unschedulable',
    fatal: scaleUp?.reason === 'NotTriggerScaleUp' || ctx.now - since >= ctx.thresholds.unschedulable,
    reason: 'Unschedulable',
    message:
      scaleUp?.reason === 'NotTriggerScaleUp'
        ? `${message}; ${scaleUp.message ?? 'no node group can fit it'}`
        : message,
    since,
  };
}

function mountIssue(pod: V1Pod, ctx: PodContext): PodIssue | undefined {
  if (pod.status?.phase !== 'Pending') return undefined;
  const failed = [...ctx.events]
    .reverse()
    .find((e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume');
  if (failed === undefined) return undefined;
  const message = failed.message ?? failed.reason ?? 'volume mount failed';
  const since = ctx.seen.since(`${pod.metadata?.uid ?? ''}/mount`, ctx.now);
  return {
    class: /(secret|configmap)s? "[^"]+" not found/i.test(message) ? 'config-missing' : 'volume-mount',
    fatal: ctx.now - since >= ctx.thresholds.mount,
    reason: failed.reason ?? 'FailedMount',
    message,
    since,
  };
}

/** Every problem of the pod, most telling first (init containers before the app's). */
export function podIssues(pod: V1Pod, ctx: PodContext): PodIssue[] {
  if (pod.metadata?.deletionTimestamp !== undefined) return [];
  if (pod.status?.phase === 'Succeeded') return [];
  const issues: PodIssue[] = [];
  const scheduling = schedulingIssue(pod, ctx);
  if (scheduling !== undefined) return [scheduling];
  for (const [statuses, init] of [
    [pod.status?.initContainerStatuses ?? [], true],
    [pod.status?.containerStatuses ?? [], false],
  ] as const) {
    for (const status of statuses) {
      const issue =
        waitingIssue(pod, status, init, ctx) ??
        terminatedIssue(pod, status, init, ctx) ??
        (init ? undefined : notReadyIssue(pod, status, ctx));
      if (issue !== undefined) issues.push(issue);
    }
  }
  const mount = mountIssue(pod, ctx);
  if (mount !== undefined && issues.every((issue) => !issue.fatal)) issues.push(mount);
  return issues.sort((a, b) => Number(b.fatal) - Number(a.fatal));
}

/** A short state for progress lines: `ContainerCreating`, `Running (not ready)`, `Pending`. */
export function podStateText(pod: V1Pod): string {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = statuses.find((s) => s.state?.waiting?.reason !== undefined)?.state?.waiting?.reason;
  if (waiting !== undefined) return waiting;
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Running') {
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready ? 'Running' : 'Running (not ready)';
  }
  return phase;
}
