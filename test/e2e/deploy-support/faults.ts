/**
 * The failure classes of the deploy tracker, each as values for the example chart that make the
 * local cluster fail the rollout the way a real one does (kwok fault stages, the real scheduler,
 * the real deployment and job controllers). Shared by the e2e test and the benchmark.
 */
import type { FailureClass } from '../../../src/deploy/index.js';
import type { V1Deployment, V1Job, V1Pod } from '../../../src/kube/index.js';

/** What an independent observer polling the API sees of a namespace. */
export interface Observed {
  pods: V1Pod[];
  deployments: V1Deployment[];
  jobs: V1Job[];
}

const containers = (o: Observed) => o.pods.flatMap((pod) => pod.status?.containerStatuses ?? []);
const waitingFor = (reasons: string[]) => (o: Observed) =>
  containers(o).some((c) => reasons.includes(c.state?.waiting?.reason ?? ''));

const fault = 'chartroom.dev/kwok-fault';

export interface FaultCase {
  name: string;
  class: FailureClass;
  values: Record<string, unknown>;
  container: string;
  /** Text the diagnosis must carry: the cluster's own words for the cause. */
  cause: RegExp;
  /** The symptom is in the API (for the benchmark's independent clock). */
  visible: (observed: Observed) => boolean;
  /** What `visible` looks for, for the benchmark's table. */
  symptom: string;
}

export const crashLogLines = [
  'starting webapp 1.0.0',
  'Error: connect ECONNREFUSED 10.96.0.12:5432 (postgres)',
  'exiting with code 3',
];

export const faultCases: FaultCase[] = [
  {
    name: 'image pull failure',
    class: 'image-pull',
    values: { image: { tag: '9.9.9-missing' }, podAnnotations: { [fault]: 'image-pull' } },
    container: 'web',
    cause:
      /image "registry\.example\.com\/webapp:9\.9\.9-missing": failed to pull and unpack image .*not found/,
    visible: waitingFor(['ErrImagePull', 'ImagePullBackOff']),
    symptom: 'container waiting: ErrImagePull',
  },
  {
    name: 'crash loop',
    class: 'crash-loop',
    values: { podAnnotations: { [fault]: 'crashloop', 'chartroom.dev/kwok-exit-code': '3' } },
    container: 'web',
    cause: /exited with code 3 \(Error\); restarted \d+ times?/,
    visible: waitingFor(['CrashLoopBackOff']),
    symptom: 'container waiting: CrashLoopBackOff',
  },
  {
    name: 'OOMKilled',
    class: 'oom-killed',
    values: { podAnnotations: { [fault]: 'oom' } },
    container: 'web',
    cause: /exited with code 137 \(OOMKilled\)/,
    visible: (o) => containers(o).some((c) => c.lastState?.terminated?.reason === 'OOMKilled'),
    symptom: 'lastState.terminated.reason: OOMKilled',
  },
  {
    name: 'unschedulable',
    class: 'unschedulable',
    values: { resources: { requests: { cpu: '500', memory: '128Mi' }, limits: { memory: '256Mi' } } },
    container: '',
    cause: /0\/3 nodes are available: 3 Insufficient cpu/,
    visible: (o) =>
      o.pods.some((p) =>
        p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
      ),
    symptom: 'PodScheduled=False, Unschedulable',
  },
  {
    name: 'missing Secret key',
    class: 'config-missing',
    values: { podAnnotations: { [fault]: 'missing-secret-key' } },
    container: 'web',
    cause: /couldn't find key db_password in Secret [a-z0-9-]+\/webapp/,
    visible: waitingFor(['CreateContainerConfigError']),
    symptom: 'container waiting: CreateContainerConfigError',
  },
  {
    name: 'readiness never true',
    class: 'readiness',
    values: {
      podAnnotations: { [fault]: 'never-ready' },
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 3 },
    },
    container: 'web',
    cause:
      /running but not ready after \d+s \(readiness probe httpGet http\/healthz \(every 2s, 3 failures allowed\)\)/,
    visible: (o) => containers(o).some((c) => c.state?.running !== undefined && !c.ready),
    symptom: 'container running, not ready (the probe then gets 3 × 2 s)',
  },
  {
    name: 'progress deadline exceeded',
    class: 'progress-deadline',
    values: {
      podAnnotations: { [fault]: 'never-ready' },
      progressDeadlineSeconds: 3,
      // A probe that allows minutes: the controller's deadline is what gives up first.
      readinessProbe: {
        httpGet: { path: '/healthz', port: 'http' },
        periodSeconds: 30,
        failureThreshold: 10,
      },
    },
    container: 'web',
    cause: /ReplicaSet "webapp-[a-z0-9]+" has timed out progressing/,
    visible: (o) =>
      o.deployments.some((d) => d.status?.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded')),
    symptom: 'Progressing=False, ProgressDeadlineExceeded',
  },
  {
    name: 'failed hook Job',
    class: 'hook-failed',
    values: { migrations: { podAnnotations: { [fault]: 'fail', 'chartroom.dev/kwok-exit-code': '2' } } },
    container: 'migrate',
    cause: /BackoffLimitExceeded|backoff limit|exited with code 2/,
    visible: (o) => o.pods.some((p) => p.status?.phase === 'Failed'),
    symptom: 'hook pod phase Failed',
  },
];
