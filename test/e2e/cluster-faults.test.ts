import { describe, expect, it } from 'vitest';
import type { V1Pod } from '../../src/kube/index.js';
import { eventually, kube, testNamespace } from './harness.js';

/** The kwok fault stages that deploy diagnostics rely on, checked against what the API reports. */
async function podWithFault(ns: string, fault: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = `pod-${fault}`;
  await kube().apply([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, annotations: { 'chartroom.dev/kwok-fault': fault } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/team/app:1.2.3',
            env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          },
        ],
        ...extra,
      },
    },
  ]);
  return name;
}

async function containerState(ns: string, name: string, until: (pod: V1Pod) => boolean): Promise<V1Pod> {
  return eventually(
    async () => {
      const pod = await kube().get<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name, namespace: ns });
      return pod !== undefined && until(pod) ? pod : undefined;
    },
    { what: `pod ${name} to reach the expected state` },
  );
}

describe('kwok fault stages', () => {
  it('image pull failure: ErrImagePull then ImagePullBackOff, with the image in the message', async () => {
    const ns = await testNamespace('fault');
    const name = await podWithFault(ns, 'image-pull');
    const pod = await containerState(
      ns,
      name,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(
      'registry.example.com/team/app:1.2.3',
    );
  });

  it('crash loop: CrashLoopBackOff, rising restarts, last exit code and reason', async () => {
    const ns = await testNamespace('fault');
    const name = await podWithFault(ns, 'crashloop');
    const pod = await containerState(
      ns,
      name,
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
    );
    const status = pod.status?.containerStatuses?.[0];
    expect(status?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(status?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status?.ready).toBe(false);
  });

  it('OOMKilled: exit code 137 and reason OOMKilled in lastState', async () => {
    const ns = await testNamespace('fault');
    const name = await podWithFault(ns, 'oom');
    const pod = await containerState(
      ns,
      name,
      (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated !== undefined,
    );
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'OOMKilled',
    });
  });

  it('never ready: Running, container started, Ready condition False', async () => {
    const ns = await testNamespace('fault');
    const name = await podWithFault(ns, 'never-ready');
    const pod = await containerState(ns, name, (p) => p.status?.phase === 'Running');
    expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
    });
  });

  it('missing Secret key: CreateContainerConfigError naming the key and the Secret', async () => {
    const ns = await testNamespace('fault');
    const name = await podWithFault(ns, 'missing-secret-key');
    const pod = await containerState(
      ns,
      name,
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe(
      `couldn't find key password in Secret ${ns}/db`,
    );
  });

  it('unschedulable pods stay Pending with the scheduler’s reason (the real scheduler, no stage)', async () => {
    const ns = await testNamespace('fault');
    await kube().apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'huge', namespace: ns },
        spec: { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '500' } } }] },
      },
    ]);
    const pod = await containerState(
      ns,
      'huge',
      (p) =>
        p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') === true,
    );
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toMatch(
      /Insufficient cpu/,
    );
  });
});
