import { describe, expect, it } from 'vitest';
import type { KubernetesObject, V1Pod, V1ReplicaSet } from '../../kube/index.js';
import { findFailure, toDiagnosis } from './diagnose.js';
import { FirstSeen } from './pod-issues.js';
import { defaultThresholds, type WorkloadRef } from './types.js';
import { viewWorkload, type ClusterView } from './workloads.js';

const dep = (status: Record<string, unknown>, generation = 2): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'dep-uid',
      generation,
      annotations: { 'deployment.kubernetes.io/revision': '5' },
    },
    spec: { replicas: 3 },
    status: { observedGeneration: 2, ...status },
  }) as KubernetesObject;

const rs = (name: string, revision: string, status: Record<string, unknown>): V1ReplicaSet =>
  ({
    metadata: {
      name,
      namespace: 'shop',
      uid: `${name}-uid`,
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [{ uid: 'dep-uid' }],
    },
    status,
  }) as unknown as V1ReplicaSet;

const pod = (name: string, owner: string, status: Record<string, unknown>): V1Pod =>
  ({
    metadata: {
      name,
      namespace: 'shop',
      uid: `${name}-uid`,
      ownerReferences: [{ uid: owner }],
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: { containers: [{ name: 'web', image: 'web:2' }] },
    status,
  }) as unknown as V1Pod;

function cluster(
  objects: Record<string, KubernetesObject>,
  replicaSets: V1ReplicaSet[],
  pods: V1Pod[],
): ClusterView {
  return {
    object: (ref) => objects[`${ref.kind}/${ref.name}`],
    replicaSets: () => replicaSets,
    pods: () => pods,
  };
}

const ref: WorkloadRef = { kind: 'Deployment', name: 'web', namespace: 'shop' };
const crashing = {
  phase: 'Running',
  containerStatuses: [
    {
      name: 'web',
      image: 'web:2',
      ready: false,
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    },
  ],
};

describe('rollout progress and failures per workload', () => {
  it('counts like kubectl rollout status and only looks at the new ReplicaSet’s pods', () => {
    const view = viewWorkload(
      ref,
      cluster(
        {
          'Deployment/web': dep({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 }),
        },
        [
          rs('web-old', '4', { readyReplicas: 3, availableReplicas: 3 }),
          rs('web-new', '5', { readyReplicas: 0, availableReplicas: 0 }),
        ],
        [pod('web-old-a', 'web-old-uid', crashing), pod('web-new-a', 'web-new-uid', { phase: 'Pending' })],
      ),
    );
    expect(view.progress).toMatchObject({
      state: 'progressing',
      desired: 3,
      updated: 1,
      ready: 0,
      available: 0,
    });
    expect(view.progress.message).toBe('1 of 3 new replicas updated; pod web-new-a: Pending');
    expect(view.pods.map((p) => p.metadata?.name)).toEqual(['web-new-a']);
  });

  it('waits for the controller to observe a new spec before judging pods', () => {
    const view = viewWorkload(
      ref,
      cluster(
        { 'Deployment/web': dep({ updatedReplicas: 3 }, 3) },
        [rs('web-new', '5', {})],
        [pod('p', 'web-new-uid', crashing)],
      ),
    );
    expect(view.progress.message).toBe('waiting for the controller to see the new spec');
    expect(view.pods).toEqual([]);
  });

  it('is ready when every replica is updated and available and no old one is left', () => {
    const view = viewWorkload(
      ref,
      cluster(
        {
          'Deployment/web': dep({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
        },
        [rs('web-new', '5', { readyReplicas: 3, availableReplicas: 3 })],
        [],
      ),
    );
    expect(view.progress).toMatchObject({ state: 'ready', ready: 3, available: 3, message: 'rolled out' });
  });

  it('reports a progress deadline with the pod that shows why', () => {
    const status = {
      replicas: 3,
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-new" has timed out progressing.',
        },
      ],
    };
    const view = viewWorkload(
      ref,
      cluster(
        { 'Deployment/web': dep(status) },
        [rs('web-new', '5', {})],
        [pod('web-new-a', 'web-new-uid', crashing)],
      ),
    );
    const finding = findFailure(view, {
      now: 0,
      seen: new FirstSeen(),
      thresholds: defaultThresholds,
      eventsFor: () => [],
    });
    expect(finding).toMatchObject({ class: 'progress-deadline' });
    const diagnosis = toDiagnosis(finding ?? (undefined as never), { now: 0, redact: (t) => t });
    expect(diagnosis.summary).toBe(
      'Deployment/web: progress deadline exceeded — pod web-new-a, container web: ReplicaSet "web-new" has timed out progressing.; exited with code 1 (Error); restarted 2 times',
    );
    expect(diagnosis.hint).toContain('progressDeadlineSeconds');
  });

  it('quota refusals (ReplicaFailure) fail after the create threshold', () => {
    const status = {
      conditions: [
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message:
            'pods "web-new-x" is forbidden: exceeded quota: preview, requested: cpu=500m, used: cpu=2, limited: cpu=2',
        },
      ],
    };
    const view = viewWorkload(ref, cluster({ 'Deployment/web': dep(status) }, [], []));
    const seen = new FirstSeen();
    const ctx = { seen, thresholds: defaultThresholds, eventsFor: () => [] };
    expect(findFailure(view, { ...ctx, now: 0 })).toBeUndefined();
    const finding = findFailure(view, { ...ctx, now: defaultThresholds.createFailure });
    expect(finding).toMatchObject({ class: 'create-failed' });
    // The hint names the quota and what was asked, not "check ResourceQuota, LimitRange and …".
    const diagnosis = toDiagnosis(finding ?? (undefined as never), { now: 0, redact: (t) => t });
    expect(diagnosis.hint).toBe(
      "The namespace's ResourceQuota preview refuses it (requested cpu=500m, limit cpu=2): ask for less (replicas, requests) or raise the quota.",
    );
  });

  it('a failed hook Job names its failed pod, exit code and asks for its log', () => {
    const hook: WorkloadRef = { kind: 'Job', name: 'web-migrate', namespace: 'shop', hook: ['pre-upgrade'] };
    const job = {
      kind: 'Job',
      metadata: { name: 'web-migrate', uid: 'job-uid' },
      spec: { completions: 1 },
      status: {
        failed: 1,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      },
    } as KubernetesObject;
    const failedPod = pod('web-migrate-q2', 'job-uid', {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'migrate',
          image: 'x',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 3, reason: 'Error' } },
        },
      ],
    });
    const view = viewWorkload(hook, cluster({ 'Job/web-migrate': job }, [], [failedPod]));
    expect(view.progress).toMatchObject({ state: 'progressing', failed: 1 });
    const finding = findFailure(view, {
      now: 0,
      seen: new FirstSeen(),
      thresholds: defaultThresholds,
      eventsFor: () => [],
    });
    expect(finding).toMatchObject({
      class: 'hook-failed',
      issue: { container: 'migrate', exitCode: 3, logs: 'current' },
    });
  });

  it('StatefulSets honour partitions and DaemonSets count scheduled pods', () => {
    const sts = {
      kind: 'StatefulSet',
      metadata: { name: 'db', uid: 'sts', generation: 1 },
      spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      status: {
        observedGeneration: 1,
        replicas: 3,
        readyReplicas: 3,
        updatedReplicas: 1,
        currentRevision: 'a',
        updateRevision: 'b',
      },
    } as KubernetesObject;
    expect(
      viewWorkload(
        { kind: 'StatefulSet', name: 'db', namespace: 'shop' },
        cluster({ 'StatefulSet/db': sts }, [], []),
      ).progress.state,
    ).toBe('ready');
    const ds = {
      kind: 'DaemonSet',
      metadata: { name: 'agent', uid: 'ds', generation: 4 },
      spec: {},
      status: {
        observedGeneration: 4,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 2,
        numberAvailable: 2,
        currentNumberScheduled: 3,
        numberMisscheduled: 0,
      },
    } as KubernetesObject;
    expect(
      viewWorkload(
        { kind: 'DaemonSet', name: 'agent', namespace: 'shop' },
        cluster({ 'DaemonSet/agent': ds }, [], []),
      ).progress,
    ).toMatchObject({
      state: 'progressing',
      message: '2 of 3 pods available',
    });
  });
});
