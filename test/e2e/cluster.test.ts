import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterStatus, downCluster, upCluster } from '../../src/cluster/index.js';
import type { V1Deployment, V1Node, V1Pod, V1PodDisruptionBudget } from '../../src/kube/index.js';
import { eventually, helm, kube, kubectl, ok, testNamespace } from './harness.js';

describe('the local control plane', () => {
  it('runs a 3-replica Deployment to Available, with pods on kwok nodes in every zone', async () => {
    const ns = await testNamespace('deploy');
    await kube().apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'topology.kubernetes.io/zone',
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { app: 'web' } },
                },
              ],
              containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m' } } }],
            },
          },
        },
      },
    ]);
    const deployment = await eventually(
      async () => {
        const d = await kube().get<V1Deployment>({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          namespace: ns,
        });
        const available = d?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
        return available === true && d?.status?.availableReplicas === 3 ? d : undefined;
      },
      { what: 'deployment web to be Available with 3 replicas' },
    );
    expect(deployment.status?.readyReplicas).toBe(3);
    const pods = await kube().list<V1Pod>('v1', 'Pod', { namespace: ns, labelSelector: 'app=web' });
    const nodes = await kube().list<V1Node>('v1', 'Node');
    const zoneOf = new Map(
      nodes.map((n) => [n.metadata?.name, n.metadata?.labels?.['topology.kubernetes.io/zone']]),
    );
    const kwokNodes = new Set(
      nodes
        .filter((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake')
        .map((n) => n.metadata?.name),
    );
    expect(pods).toHaveLength(3);
    for (const pod of pods) expect(kwokNodes.has(pod.spec?.nodeName)).toBe(true);
    expect(new Set(pods.map((p) => zoneOf.get(p.spec?.nodeName))).size).toBe(3);
  });

  it('takes a helm upgrade --install --wait of a small chart', async () => {
    const ns = await testNamespace('helm');
    const chart = await mkdtemp(join(tmpdir(), 'chartroom-chart-'));
    await mkdir(join(chart, 'templates'));
    await writeFile(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: hello\nversion: 0.1.0\nappVersion: "1.0"\n',
    );
    await writeFile(join(chart, 'values.yaml'), 'replicas: 2\nmessage: hi\n');
    await writeFile(
      join(chart, 'templates', 'all.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: {{ .Release.Name }}-config}',
        'data: {message: {{ .Values.message | quote }}}',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: {{ .Release.Name }}}',
        'spec:',
        '  replicas: {{ .Values.replicas }}',
        '  selector: {matchLabels: {app: {{ .Release.Name }}}}',
        '  template:',
        '    metadata: {labels: {app: {{ .Release.Name }}}}',
        '    spec:',
        '      containers: [{name: app, image: "nginx:1.27"}]',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: {{ .Release.Name }}}',
        'spec: {selector: {app: {{ .Release.Name }}}, ports: [{port: 80}]}',
      ].join('\n') + '\n',
    );
    const result = await helm([
      'upgrade',
      '--install',
      '--wait',
      '--timeout',
      '2m',
      '--namespace',
      ns,
      '--set',
      'message=from-test',
      'hello',
      chart,
    ]);
    ok(result);
    const status = JSON.parse(
      ok(await helm(['status', 'hello', '--namespace', ns, '-o', 'json'])).stdout,
    ) as {
      info: { status: string };
      version: number;
    };
    expect(status.info.status).toBe('deployed');
    expect(status.version).toBe(1);
    const config = ok(
      await kubectl(['get', 'configmap', 'hello-config', '-n', ns, '-o', 'jsonpath={.data.message}']),
    );
    expect(config.stdout).toBe('from-test');
    const ready = ok(
      await kubectl(['get', 'deploy', 'hello', '-n', ns, '-o', 'jsonpath={.status.readyReplicas}']),
    );
    expect(ready.stdout).toBe('2');
  });

  it('answers an eviction that would break a PodDisruptionBudget with 429 through the real API', async () => {
    const ns = await testNamespace('pdb');
    await kube().apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'db', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
          },
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'db', namespace: ns },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } },
      },
    ]);
    const pods = await eventually(async () => {
      const list = await kube().list<V1Pod>('v1', 'Pod', { namespace: ns, labelSelector: 'app=db' });
      const ready = list.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === 2 ? ready : undefined;
    });
    // The disruption controller must have counted the healthy pods before it allows or denies.
    await eventually(async () => {
      const pdb = await kube().get<
        { status?: { currentHealthy?: number; observedGeneration?: number } } & { kind: string }
      >({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        name: 'db',
        namespace: ns,
      });
      return pdb?.status?.currentHealthy === 2 ? pdb : undefined;
    });
    const name = pods[0]?.metadata?.name ?? '';
    const denied = await kube().evict(ns, name);
    expect(denied).toMatchObject({ evicted: false, status: 429 });
    if (!denied.evicted) expect(denied.message).toMatch(/disruption budget/i);

    // Relaxing the budget lets the same eviction through, and the pod really goes away.
    await kube().mergePatch(
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: 'db', namespace: ns },
      { spec: { minAvailable: 1 } },
    );
    // A patch that carries its own metadata still addresses the object the ref names.
    const labelled = await kube().mergePatch<V1PodDisruptionBudget>(
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: 'db', namespace: ns },
      { metadata: { labels: { relaxed: 'yes' } } },
    );
    expect(labelled.metadata).toMatchObject({ name: 'db', namespace: ns, labels: { relaxed: 'yes' } });
    const allowed = await eventually(async () => {
      const result = await kube().evict(ns, name);
      return result.evicted ? result : undefined;
    });
    expect(allowed.evicted).toBe(true);
    await eventually(async () =>
      (await kube().get({ apiVersion: 'v1', kind: 'Pod', name, namespace: ns })) === undefined
        ? true
        : undefined,
    );
  });
});

describe('cluster up and down', () => {
  it('leaves no etcd, kube-* or kwok process of the cluster behind after down', async () => {
    const name = `e2e-down-${process.pid}`;
    const up = await upCluster({ name, nodes: 1, ownerPid: process.pid });
    const pids = Object.values(up.state.pids);
    expect(pids).toHaveLength(5);
    const status = await clusterStatus({ name });
    expect(status.healthy).toBe(true);
    const processesOf = (): string[] =>
      execFileSync('ps', ['-eo', 'pid=,args='])
        .toString()
        .split('\n')
        .filter((line) => line.includes(`/clusters/${name}/`) && !line.includes('ps -eo'));
    expect(processesOf().length).toBeGreaterThanOrEqual(5);

    const down = await downCluster({ name });
    expect(down.remaining).toEqual([]);
    expect(down.stopped).toBeGreaterThanOrEqual(5);
    expect(processesOf()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(up.state.kubeconfig)).toBe(false);
    expect((await clusterStatus({ name })).exists).toBe(false);
  });
});
