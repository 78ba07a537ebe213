import { describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Pod } from '../../kube/index.js';
import { FirstSeen, podIssues, readinessWindow, type PodContext } from './pod-issues.js';
import { defaultThresholds } from './types.js';

/** Pods as the API server returns them (JSON, timestamps as strings), in the kubelet's words. */
function pod(status: Record<string, unknown>, spec: Record<string, unknown> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-7d9f-x2x', namespace: 'shop', uid: 'uid-1' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/shop/web:1.4.2',
          resources: { limits: { memory: '256Mi' } },
        },
      ],
      ...spec,
    },
    status: { phase: 'Pending', ...status },
  };
}

function event(reason: string, message: string, fieldPath = 'spec.containers{web}'): CoreV1Event {
  return {
    metadata: { name: `e-${reason}` },
    involvedObject: { kind: 'Pod', name: 'web-7d9f-x2x', uid: 'uid-1', fieldPath },
    reason,
    message,
    type: 'Warning',
  };
}

const waiting = (
  reason: string,
  message?: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  containerStatuses: [
    {
      name: 'web',
      image: 'registry.example.com/shop/web:1.4.2',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason, ...(message === undefined ? {} : { message }) } },
      ...extra,
    },
  ],
});

function context(now: number, seen = new FirstSeen(), events: CoreV1Event[] = []): PodContext {
  return { now, seen, thresholds: defaultThresholds, events };
}

describe('pod diagnosis', () => {
  it('image pull: keeps the registry’s message from ErrImagePull through the back-off', () => {
    const seen = new FirstSeen();
    const registry =
      'rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/web:1.4.2": not found';
    const first = podIssues(pod(waiting('ErrImagePull', registry)), context(1000, seen))[0];
    expect(first).toMatchObject({ class: 'image-pull', fatal: false, container: 'web' });
    // A pull error may be a blip: it becomes a failure after the threshold, or at the back-off.
    expect(
      podIssues(pod(waiting('ErrImagePull', registry)), context(1000 + defaultThresholds.imagePull, seen))[0]
        ?.fatal,
    ).toBe(true);
    const backoff = podIssues(
      pod(waiting('ImagePullBackOff', 'Back-off pulling image "registry.example.com/shop/web:1.4.2"')),
      context(3000, seen),
    )[0];
    expect(backoff).toMatchObject({ class: 'image-pull', fatal: true, reason: 'ImagePullBackOff' });
    expect(backoff?.message).toBe(`image "registry.example.com/shop/web:1.4.2": ${registry}`);
  });

  it('image pull: finds the registry’s message in the back-off when ErrImagePull went unseen', () => {
    const registry = 'failed to pull and unpack image "registry.example.com/shop/web:1.4.2": not found';
    const backoff = podIssues(
      pod(
        waiting(
          'ImagePullBackOff',
          `Back-off pulling image "registry.example.com/shop/web:1.4.2": ErrImagePull: ${registry}`,
        ),
      ),
      context(1000, new FirstSeen()),
    )[0];
    expect(backoff).toMatchObject({ class: 'image-pull', fatal: true });
    expect(backoff?.message).toBe(`image "registry.example.com/shop/web:1.4.2": ${registry}`);
  });

  it('image pull: takes the kubelet’s Failed event when the status has no message', () => {
    const events = [
      event(
        'Failed',
        'Failed to pull image "registry.example.com/shop/web:1.4.2": unauthorized: authentication required',
      ),
    ];
    const issue = podIssues(pod(waiting('ImagePullBackOff')), context(0, new FirstSeen(), events))[0];
    expect(issue?.message).toContain('unauthorized: authentication required');
  });

  it('crash loop: exit code, reason, restarts, and asks for the previous log', () => {
    const status = waiting('CrashLoopBackOff', 'back-off 40s restarting failed container=web', {
      restartCount: 3,
      lastState: { terminated: { exitCode: 2, reason: 'Error', message: 'config.yaml: no such file\n' } },
    });
    const issue = podIssues(pod(status), context(0))[0];
    expect(issue).toMatchObject({
      class: 'crash-loop',
      fatal: true,
      exitCode: 2,
      restarts: 3,
      logs: 'previous',
    });
    expect(issue?.message).toBe('exited with code 2 (Error): config.yaml: no such file; restarted 3 times');
  });

  it('OOMKilled: in a crash loop, and after a restart that is not ready yet', () => {
    const looping = waiting('CrashLoopBackOff', 'back-off', {
      restartCount: 1,
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
    });
    expect(podIssues(pod(looping), context(0))[0]).toMatchObject({
      class: 'oom-killed',
      fatal: true,
      exitCode: 137,
    });
    const restarted = {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          image: 'x',
          ready: false,
          restartCount: 1,
          state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        },
      ],
    };
    expect(podIssues(pod(restarted), context(0))[0]).toMatchObject({ class: 'oom-killed', fatal: true });
  });

  it('missing Secret key: CreateContainerConfigError after a short grace', () => {
    const seen = new FirstSeen();
    const status = waiting('CreateContainerConfigError', "couldn't find key password in Secret shop/db");
    expect(podIssues(pod(status), context(0, seen))[0]).toMatchObject({
      class: 'config-missing',
      fatal: false,
    });
    expect(podIssues(pod(status), context(defaultThresholds.config, seen))[0]).toMatchObject({
      class: 'config-missing',
      fatal: true,
      message: "couldn't find key password in Secret shop/db",
    });
  });

  it('missing Secret volume: FailedMount events, after the kubelet had time to retry', () => {
    const seen = new FirstSeen();
    const events = [
      event('FailedMount', 'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found', ''),
    ];
    const status = waiting('ContainerCreating');
    expect(podIssues(pod(status), context(0, seen, events))[0]).toMatchObject({
      class: 'config-missing',
      fatal: false,
    });
    expect(podIssues(pod(status), context(defaultThresholds.mount, seen, events))[0]).toMatchObject({
      class: 'config-missing',
      fatal: true,
    });
  });

  it('unschedulable: the scheduler’s message, unless the cluster autoscaler is adding a node', () => {
    const seen = new FirstSeen();
    const message =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const status = {
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    };
    expect(podIssues(pod(status), context(0, seen))[0]).toMatchObject({
      class: 'unschedulable',
      fatal: false,
    });
    expect(podIssues(pod(status), context(defaultThresholds.unschedulable, seen))[0]).toMatchObject({
      fatal: true,
      message,
    });
    const scaling = [event('TriggeredScaleUp', 'pod triggered scale-up: [{eks-spot 3->4 (max: 10)}]', '')];
    expect(podIssues(pod(status), context(60_000, seen, scaling))[0]).toMatchObject({ fatal: false });
    const noScale = [
      event('NotTriggerScaleUp', "pod didn't trigger scale-up: 2 max node group size reached", ''),
    ];
    expect(podIssues(pod(status), context(1, new FirstSeen(), noScale))[0]?.message).toContain(
      'max node group size reached',
    );
  });

  it('readiness never true: fails after the probe’s own budget, with the last probe failure', () => {
    const seen = new FirstSeen();
    const spec = {
      containers: [
        {
          name: 'web',
          image: 'x',
          readinessProbe: {
            httpGet: { path: '/healthz', port: 8080 },
            initialDelaySeconds: 2,
            periodSeconds: 2,
            failureThreshold: 3,
          },
        },
      ],
    };
    const status = {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          image: 'x',
          ready: false,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
        },
      ],
    };
    const events = [event('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')];
    expect(readinessWindow(spec.containers[0] as never, defaultThresholds)).toBe(8000);
    expect(podIssues(pod(status, spec), context(0, seen, events))[0]).toMatchObject({
      class: 'readiness',
      fatal: false,
    });
    const late = podIssues(pod(status, spec), context(8000, seen, events))[0];
    expect(late).toMatchObject({ class: 'readiness', fatal: true });
    expect(late?.message).toBe(
      'Readiness probe failed: HTTP probe failed with statuscode: 503 (readiness probe httpGet 8080/healthz (every 2s, 3 failures allowed))',
    );
  });

  it('a failed pod of a Job: the exit code, and the current log', () => {
    const status = {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'web',
          image: 'x',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    };
    expect(podIssues(pod(status, { restartPolicy: 'Never' }), context(0))[0]).toMatchObject({
      class: 'pod-failed',
      fatal: true,
      exitCode: 1,
      logs: 'current',
    });
  });

  it('a healthy, a finished and a terminating pod have no issues', () => {
    const running = {
      phase: 'Running',
      containerStatuses: [{ name: 'web', image: 'x', ready: true, restartCount: 0, state: { running: {} } }],
    };
    expect(podIssues(pod(running), context(0))).toEqual([]);
    expect(podIssues(pod({ phase: 'Succeeded' }), context(0))).toEqual([]);
    const terminating = pod(waiting('CrashLoopBackOff'));
    Object.assign(terminating.metadata ?? {}, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(podIssues(terminating, context(0))).toEqual([]);
  });
});
