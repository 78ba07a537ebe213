/** What the rollout tracker reports: progress per workload, and a diagnosis when it fails. */

export const failureClasses = [
  'image-pull',
  'crash-loop',
  'oom-killed',
  'unschedulable',
  'config-missing',
  'volume-mount',
  'readiness',
  'progress-deadline',
  'hook-failed',
  'job-failed',
  'pod-failed',
  'create-failed',
  'helm-failed',
  'timeout',
  'interrupted',
] as const;
export type FailureClass = (typeof failureClasses)[number];

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'Pod';
export const trackedKinds: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'];

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Helm hook events (`pre-upgrade`, …) when the object is a hook. */
  hook?: string[];
}

export const refText = (ref: WorkloadRef): string => `${ref.kind}/${ref.name}`;

export type WorkloadState = 'pending' | 'progressing' | 'ready' | 'failed';

export interface WorkloadProgress {
  ref: WorkloadRef;
  state: WorkloadState;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** For Jobs: pods that succeeded and failed so far. */
  succeeded?: number;
  failed?: number;
  /** What it waits for now, e.g. `pod webapp-7d9f-x2x: ContainerCreating`. */
  message: string;
}

export interface Diagnosis {
  class: FailureClass;
  /** One line: what failed and why, naming the pod and container. */
  summary: string;
  workload?: WorkloadRef;
  pod?: string;
  container?: string;
  /** The Kubernetes reason (ImagePullBackOff, Unschedulable, BackoffLimitExceeded, …). */
  reason?: string;
  /** The cluster's own words: the registry's error, the scheduler's message, the exit. */
  message: string;
  exitCode?: number;
  restarts?: number;
  /** The container's last log lines (previous run for a crash loop), redacted. */
  logs?: string[];
  /** Why there are no logs, when they were wanted. */
  logsNote?: string;
  hint: string;
  /** When the symptom was first seen in the API, and when the tracker called it a failure. */
  visibleAt: string;
  detectedAt: string;
}

/** How long a symptom must last before it is a failure (milliseconds). */
export interface Thresholds {
  /** ErrImagePull before ImagePullBackOff (a flaky registry may recover). */
  imagePull: number;
  /** CreateContainerConfigError / CreateContainerError (a Secret may be created just after). */
  config: number;
  /** FailedMount (the kubelet retries mounts). */
  mount: number;
  /** Unschedulable with no autoscaler scaling up (kstatus waits 15 s). */
  unschedulable: number;
  /** Running but never ready, for a container without a readiness probe. */
  readinessNoProbe: number;
  /** Extra time on top of a probe's own budget (initialDelay + period × failureThreshold). */
  readinessSlack: number;
  /** ReplicaFailure / FailedCreate (quota, admission). */
  createFailure: number;
}

export const defaultThresholds: Thresholds = {
  imagePull: 5_000,
  config: 3_000,
  mount: 10_000,
  unschedulable: 10_000,
  readinessNoProbe: 10_000,
  readinessSlack: 0,
  createFailure: 5_000,
};

export type TrackerEvent =
  | { type: 'release'; revision: number; status: string; at: string }
  | { type: 'progress'; workloads: WorkloadProgress[]; at: string }
  | { type: 'warning'; message: string; workload?: WorkloadRef; pod?: string; at: string }
  | { type: 'diagnosis'; diagnosis: Diagnosis; at: string };
