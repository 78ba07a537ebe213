import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  PutLifecycleHookCommand,
} from '@aws-sdk/client-auto-scaling';
import { findPeer } from '../../src/core/peers.js';
import { podsOnNode, type CoreV1Event, type V1Node, type V1Pod } from '../../src/kube/index.js';
import type { DrainReport } from '../../src/nodes/index.js';
import { startFaultProxy } from '../../src/nodes/testing/fault-proxy.js';
import { LifecycleStandIn } from '../../src/nodes/testing/lifecycle-standin.js';
import { startAemm, writeTempFile } from '../../src/nodes/testing/processes.js';
import { startMoto, testCredentials } from '../../src/testing/moto.js';
import { run, runChartroom } from '../../src/testing/run.js';
import {
  freshNamespace,
  restoreNode,
  startNodesCluster,
  type NodesCluster,
} from './nodes-support/cluster.js';
import { startService, type LogLine } from './nodes-support/service-process.js';
import { startWebhookReceiver } from './nodes-support/webhook-receiver.js';
import { barePod, budget, daemonSet, deployment, placeOn, readyPodsOn } from './nodes-support/workloads.js';

/*
 * The nodes capability end to end, on its own small cluster (these tests cordon and drain nodes,
 * which the shared e2e cluster must not suffer). Each test has a worker of its own: a drain takes
 * every pod on its node whatever the namespace, so a test sharing a node would drain (and count)
 * what an earlier test left terminating there.
 */
let cluster: NodesCluster;
beforeAll(async () => {
  cluster = await startNodesCluster(6);
});
afterAll(async () => {
  await cluster.down();
});

const node = (index: number): string => cluster.nodes[index] ?? '';

async function nodeObject(name: string): Promise<V1Node | undefined> {
  return cluster.kube.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name });
}

async function instanceIdOf(name: string): Promise<string> {
  return (await nodeObject(name))?.metadata?.annotations?.['chartroom.dev/instance-id'] ?? '';
}

async function nodeEvents(name: string): Promise<CoreV1Event[]> {
  return (await cluster.kube.list<CoreV1Event>('v1', 'Event', { namespace: 'default' })).filter(
    (e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === name,
  );
}

/** Pods of the namespace still on the node, DaemonSet pods aside. */
async function leftOn(name: string, namespace: string): Promise<string[]> {
  return (await podsOnNode(cluster.kube, name))
    .filter(
      (p) => p.metadata?.namespace === namespace && p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet',
    )
    .map((p) => p.metadata?.name ?? '');
}

function drain(args: string[]) {
  return runChartroom(['nodes', 'drain', ...args, '--kubeconfig', cluster.kubeconfig], {
    timeoutMs: 120_000,
  });
}

/** Counts the app's Ready, not-terminating pods across the cluster every 100ms until stopped. */
function watchHealthy(namespace: string, app: string): { stop: () => Promise<number> } {
  let min = Number.POSITIVE_INFINITY;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const pods = await cluster.kube.list<V1Pod>('v1', 'Pod', { namespace, labelSelector: `app=${app}` });
      const healthy = pods.filter(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      ).length;
      min = Math.min(min, healthy);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return min;
    },
  };
}

describe('chartroom nodes drain', () => {
  it('refuses like kubectl without --force / --delete-emptydir-data, evicting nothing', async () => {
    const node = cluster.nodes[4] ?? '';
    const ns = await freshNamespace(cluster.kube, 'drain-refuse');
    await placeOn(
      cluster.kube,
      node,
      [deployment({ namespace: ns, name: 'web', replicas: 2 }), barePod(ns, 'lonely', node)],
      3,
    );
    await placeOn(
      cluster.kube,
      node,
      [deployment({ namespace: ns, name: 'cache', replicas: 1, emptyDir: true })],
      4,
    );
    const result = await drain([node, '--deadline', '30s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot drain');
    expect(result.stdout).toMatch(new RegExp(`${ns}/lonely\\s.*--force`));
    expect(result.stdout).toMatch(/cache-.*--delete-emptydir-data/);
    expect((await readyPodsOn(cluster.kube, node, ns)).length).toBe(4);
    const patched = await cluster.kube.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name: node });
    expect(patched?.spec?.unschedulable).toBe(true);
    await restoreNode(cluster.kube, node);
    await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  it('evicts within the deadline as budgets allow and reports what a budget kept', async () => {
    const node = cluster.nodes[3] ?? '';
    const hold = 'chartroom.dev/e2e-hold';
    const ns = await freshNamespace(cluster.kube, 'drain');
    await placeOn(
      cluster.kube,
      node,
      [
        deployment({ namespace: ns, name: 'web', replicas: 4, terminationDelay: '1s' }),
        deployment({ namespace: ns, name: 'api', replicas: 3, terminationDelay: '2s' }),
        budget(ns, 'api', { minAvailable: 2 }),
        deployment({ namespace: ns, name: 'db', replicas: 2 }),
        budget(ns, 'db', { minAvailable: 2 }),
        daemonSet(ns, 'agent'),
        barePod(ns, 'lonely', node),
        barePod(ns, 'leaving', node, { finalizers: [hold] }),
      ],
      12,
    );
    // Already shutting down when the drain begins (a finalizer holds it until the drain is under
    // way): waited for, never evicted a second time, and reported as such.
    const leaving = { apiVersion: 'v1', kind: 'Pod', name: 'leaving', namespace: ns };
    await cluster.kube.delete(leaving);
    const drainState = { done: false };
    const released = (async () => {
      // A web pod gone means the drain has listed the node's pods and is evicting.
      while (
        !drainState.done &&
        (await readyPodsOn(cluster.kube, node, ns)).filter((p) => p.metadata?.name?.startsWith('web-'))
          .length === 4
      )
        await new Promise((resolve) => setTimeout(resolve, 200));
      await cluster.kube.mergePatch(leaving, {
        metadata: { name: 'leaving', namespace: ns, finalizers: null },
      });
    })();
    const api = watchHealthy(ns, 'api');
    // Room for three budget-paced api evictions on a loaded machine; the db pods hold the drain
    // until the deadline, so this is also how long the test takes.
    const deadlineSeconds = 40;
    const result = await drain([
      node,
      '--deadline',
      `${deadlineSeconds}s`,
      '--force',
      '--delete-emptydir-data',
      '-o',
      'json',
    ]);
    drainState.done = true;
    const minHealthy = await api.stop();
    await released;
    expect(result.code, result.stderr).toBe(7);
    const report = JSON.parse(result.stdout) as DrainReport;
    expect(report.status).toBe('incomplete');
    // The budget was respected: never fewer than minAvailable api pods healthy.
    expect(minHealthy).toBeGreaterThanOrEqual(2);
    // The report covers every pod on the node; this test's pods are the ones in its namespace.
    const gone = report.evicted.filter((p) => p.namespace === ns).map((p) => p.name);
    expect(new Set(gone).size, 'a pod reported evicted twice').toBe(gone.length);
    expect(gone.filter((n) => n.startsWith('api-'))).toHaveLength(3);
    expect(gone.filter((n) => n.startsWith('web-'))).toHaveLength(4);
    expect(gone).toContain('lonely');
    // Waited for, not evicted: an eviction would have given it a grace period, as it did 'lonely'.
    const leftAlone = report.evicted.find((p) => p.name === 'leaving');
    expect(leftAlone).toMatchObject({ namespace: ns, alreadyTerminating: true });
    expect(leftAlone?.gracePeriodSeconds).toBeUndefined();
    expect(report.evicted.find((p) => p.name === 'lonely')?.gracePeriodSeconds).toBe(30);
    expect(report.evicted.filter((p) => p.alreadyTerminating === true && p.namespace === ns)).toHaveLength(1);
    expect(report.left.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(
      (await podsOnNode(cluster.kube, node))
        .filter((p) => p.metadata?.namespace === ns && p.metadata.name?.startsWith('db-') === true)
        .map((p) => `${ns}/${p.metadata?.name ?? ''}`)
        .sort(),
    );
    expect(report.left).toHaveLength(2);
    for (const left of report.left) {
      expect(left.state).toBe('blocked-by-pdb');
      expect(left.budgets).toEqual(['db']);
      expect(left.reason).toContain('never allows');
    }
    expect(report.skipped.map((s) => s.reason)).toContainEqual(expect.stringContaining('DaemonSet agent'));
    // The drain stops at its deadline: at most one last round of listing and evicting after it.
    expect(report.seconds).toBeLessThan(deadlineSeconds + 5);
    await restoreNode(cluster.kube, node);
    await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });
});

describe('chartroom nodes agent (IMDS, with the real ec2-metadata-mock)', () => {
  it('spot interruption: taints, cordons and drains within the notice, as budgets allow, and says so', async () => {
    const target = node(1);
    const ns = await freshNamespace(cluster.kube, 'spot');
    await placeOn(
      cluster.kube,
      target,
      [
        deployment({ namespace: ns, name: 'web', replicas: 6, terminationDelay: '3s' }),
        deployment({ namespace: ns, name: 'api', replicas: 3, terminationDelay: '2s' }),
        budget(ns, 'api', { minAvailable: 2 }),
        deployment({ namespace: ns, name: 'cache', replicas: 1, emptyDir: true }),
        daemonSet(ns, 'logs'),
        barePod(ns, 'lonely', target),
      ],
      12,
    );
    const aemm = await startAemm({
      instanceId: await instanceIdOf(target),
      args: ['spot', '-a', 'terminate'],
    });
    const slack = await startWebhookReceiver();
    const api = watchHealthy(ns, 'api');
    const agent = startService([
      'nodes',
      'agent',
      '--node-name',
      target,
      '--imds-endpoint',
      aemm.url,
      '--poll-interval',
      '1s',
      '--metrics-address',
      '127.0.0.1:0',
      '--webhook-url',
      slack.url,
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    try {
      const notice = await agent.waitFor((l) => l.msg.startsWith('notice: spot instance terminate'), {
        seconds: 90,
        what: 'the spot notice',
      });
      const done = await agent.waitFor((l) => /drained in|NOT fully drained/.test(l.msg), {
        seconds: 120,
        what: 'the end of the drain',
      });
      const minHealthy = await api.stop();
      expect(done.msg, JSON.stringify(done)).toMatch(/^node .* drained in/);
      // The whole drain ended inside the notice: before the instance's stop time, with the margin to spare.
      expect(Date.parse(done.time)).toBeLessThan(Date.parse(String(notice.endsAt)) - 10_000);

      const patched = await nodeObject(target);
      expect(patched?.spec?.unschedulable).toBe(true);
      expect(patched?.spec?.taints).toContainEqual(
        expect.objectContaining({ key: 'chartroom.dev/spot-interruption', effect: 'NoSchedule' }),
      );
      expect(await leftOn(target, ns)).toEqual([]);
      expect((await readyPodsOn(cluster.kube, target, ns)).map((p) => p.metadata?.name)).toEqual([
        expect.stringMatching(/^logs-/),
      ]);
      // The budget held: never fewer than minAvailable api pods, and the agent said which budget made it wait.
      expect(minHealthy).toBeGreaterThanOrEqual(2);
      // Whether the budget ever refused an eviction depends on how fast the replacements became
      // ready (on a quiet machine they may always be ready in time); when it did, the agent named it.
      const blocked = agent.lines.filter((l: LogLine) => l.msg.startsWith('eviction blocked'));
      for (const line of blocked) expect(line.msg).toContain('PodDisruptionBudget api: ');

      const reasons = (await nodeEvents(target)).map((e) => `${e.type ?? ''}/${e.reason ?? ''}`);
      expect(reasons).toEqual(expect.arrayContaining(['Warning/SpotInterruption', 'Normal/NodeDrained']));
      const texts = slack.bodies.map((body) => (body as { text?: string }).text);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toMatch(/^spot instance terminate at .*; node .* cordoned, draining$/);
      // Other tests' pods may share the node: at least this test's eleven went.
      const gone = Number(/drained in .*: (\d+) pod\(s\) gone, \d+ skipped$/.exec(texts[1] ?? '')?.[1]);
      expect(gone).toBeGreaterThanOrEqual(11);

      const port = (agent.lines.find((l) => l.msg === 'metrics listening')?.port ?? 0) as number;
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('chartroom_nodes_notices_total{kind="spot-interruption"} 1');
      expect(metrics).toContain(`chartroom_nodes_pods_evicted_total ${gone}`);
      const promtool = findPeer('promtool');
      if (promtool === undefined) throw new Error('promtool is not installed; run npm run peers');
      const lint = await run(promtool, ['check', 'metrics'], { input: metrics });
      expect(lint.stderr + lint.stdout).not.toMatch(/error/i);
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ status: 'ok', imds: 'up', imdsMode: 'v2' });

      expect(await agent.stop()).toBe(0);
      expect(agent.lines.at(-1)?.msg).toBe('agent stopped');
    } finally {
      await restoreNode(cluster.kube, target);
      await agent.stop();
      await aemm.stop();
      await slack.stop();
      await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    }
  });

  it('rebalance recommendation on an IMDSv2-only instance: cordons only; IMDS errors are retried and reported', async () => {
    const target = node(0);
    const ns = await freshNamespace(cluster.kube, 'rebalance');
    await placeOn(cluster.kube, target, [deployment({ namespace: ns, name: 'web', replicas: 2 })], 2);
    const aemm = await startAemm({
      instanceId: await instanceIdOf(target),
      imdsv2Only: true,
      // A rebalance recommendation now; the interruption itself would come in ten minutes.
      args: ['--mock-delay-sec', '600', 'spot', '-r', new Date(Date.now() - 1000).toISOString()],
    });
    // The first polls meet a failing metadata service: 503s and dropped connections.
    let gets = 0;
    const flaky = await startFaultProxy({
      target: aemm.url,
      fault: (request) => {
        if (request.method !== 'GET') return 'pass';
        gets += 1;
        return gets <= 12 ? (gets % 2 === 0 ? 'reset' : { status: 503 }) : 'pass';
      },
    });
    const agent = startService([
      'nodes',
      'agent',
      '--node-name',
      target,
      '--imds-endpoint',
      flaky.url,
      '--poll-interval',
      '500ms',
      '--metrics-address',
      '127.0.0.1:0',
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    try {
      await agent.waitFor((l) => l.msg === 'node cordoned and tainted', { seconds: 90, what: 'the cordon' });
      const failed = agent.lines.filter((l) => l.msg.startsWith('IMDS'));
      expect(failed.map((l) => l.msg)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^IMDS request failed, retrying: .*HTTP 503/),
          expect.stringMatching(/^IMDS poll failed: /),
          'IMDS poll works again',
        ]),
      );
      const patched = await nodeObject(target);
      expect(patched?.spec?.unschedulable).toBe(true);
      expect(patched?.spec?.taints).toContainEqual(
        expect.objectContaining({ key: 'chartroom.dev/rebalance-recommendation' }),
      );
      // Cordon only: a few more polls later, the pods are still running there.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await readyPodsOn(cluster.kube, target, ns)).length).toBe(2);
      expect(agent.lines.some((l) => l.msg === 'draining')).toBe(false);
      expect((await nodeEvents(target)).map((e) => e.reason)).toContain('RebalanceRecommendation');
      const port = (agent.lines.find((l) => l.msg === 'metrics listening')?.port ?? 0) as number;
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/chartroom_nodes_imds_errors_total\{reason="server-error"\} [1-9]/);
      expect(agent.exited()).toBe(false);
    } finally {
      await restoreNode(cluster.kube, target);
      await agent.stop();
      await flaky.stop();
      await aemm.stop();
      await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    }
  });
});

describe('chartroom nodes watch-queue (EventBridge in moto SQS)', () => {
  it('ASG lifecycle termination: drains the node, then completes the lifecycle action', async () => {
    const target = node(2);
    const instanceId = await instanceIdOf(target);
    const ns = await freshNamespace(cluster.kube, 'queue');
    await placeOn(
      cluster.kube,
      target,
      [
        deployment({ namespace: ns, name: 'web', replicas: 4, terminationDelay: '2s' }),
        deployment({ namespace: ns, name: 'api', replicas: 2, terminationDelay: '1s' }),
        budget(ns, 'api', { maxUnavailable: 1 }),
      ],
      6,
    );
    const region = 'us-east-1';
    const moto = await startMoto();
    // At the moment the lifecycle action completes, what is still on the node?
    const leftAtCompletion: string[][] = [];
    const standIn = new LifecycleStandIn({
      motoUrl: moto.url,
      credentials: testCredentials,
      region,
      onComplete: async () => {
        leftAtCompletion.push(await leftOn(target, ns));
      },
    });
    const aws = { region, credentials: testCredentials };
    const sqs = new SQSClient({ ...aws, endpoint: moto.url });
    const autoscaling = new AutoScalingClient({ ...aws, endpoint: await standIn.start() });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'node-events' }))).QueueUrl ?? '';
    await autoscaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'nodes',
        ImageId: 'ami-12345678',
        InstanceType: 'm5.xlarge',
      }),
    );
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'nodes',
        LaunchConfigurationName: 'nodes',
        MinSize: 0,
        MaxSize: 5,
        AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      }),
    );
    await autoscaling.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: 'nodes',
        LifecycleHookName: 'chartroom-drain',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        HeartbeatTimeout: 300,
        DefaultResult: 'CONTINUE',
      }),
    );
    const token = 'c0ffee00-1111-2222-3333-444455556666';
    standIn.expect({ group: 'nodes', hook: 'chartroom-drain', token, instanceId });
    const send = (body: unknown) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
    await send({ Event: 'autoscaling:TEST_NOTIFICATION', AutoScalingGroupName: 'nodes' });
    // AZRebalance's way of taking a node: an ordinary ASG termination, seen only through the hook.
    await send({
      version: '0',
      id: '7e8b1c2a-0000-4000-8000-000000000001',
      'detail-type': 'EC2 Instance-terminate Lifecycle Action',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: new Date().toISOString(),
      region,
      resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/nodes'],
      detail: {
        LifecycleActionToken: token,
        AutoScalingGroupName: 'nodes',
        LifecycleHookName: 'chartroom-drain',
        EC2InstanceId: instanceId,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        Origin: 'AutoScalingGroup',
        Destination: 'EC2',
      },
    });
    const watcher = startService(
      [
        'nodes',
        'watch-queue',
        '--queue-url',
        queueUrl,
        '--metrics-address',
        'off',
        '--kubeconfig',
        cluster.kubeconfig,
      ],
      {
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
        AWS_ENDPOINT_URL_SQS: moto.url,
        AWS_ENDPOINT_URL_AUTO_SCALING: standIn.url,
      },
    );
    try {
      await watcher.waitFor((l) => l.msg.startsWith('lifecycle action completed'), {
        seconds: 120,
        what: 'the lifecycle completion',
      });
      expect(standIn.refusals).toEqual([]);
      expect(standIn.completions).toMatchObject([
        { group: 'nodes', hook: 'chartroom-drain', token, instanceId, result: 'CONTINUE' },
      ]);
      // Drained first, completed after: nothing of the workload was left on the node at completion.
      expect(leftAtCompletion).toEqual([[]]);
      expect(watcher.lines.some((l) => l.msg.startsWith('message ignored: the test notification'))).toBe(
        true,
      );
      const patched = await nodeObject(target);
      expect(patched?.spec?.unschedulable).toBe(true);
      expect(patched?.spec?.taints).toContainEqual(
        expect.objectContaining({ key: 'chartroom.dev/asg-lifecycle-termination' }),
      );
      expect((await nodeEvents(target)).map((e) => e.reason)).toEqual(
        expect.arrayContaining(['ASGLifecycleTermination', 'NodeDrained']),
      );
      // Both messages were handled and deleted: nothing waits or hides in the queue.
      await expect
        .poll(
          async () => {
            const attributes = await sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl: queueUrl,
                AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
              }),
            );
            return attributes.Attributes;
          },
          { timeout: 10_000 },
        )
        .toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
      expect(await watcher.stop()).toBe(0);
    } finally {
      await restoreNode(cluster.kube, target);
      await watcher.stop();
      sqs.destroy();
      autoscaling.destroy();
      await standIn.stop();
      await moto.stop();
      await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    }
  });
});

describe('the nodes-agent Helm chart', () => {
  it('installs, and its ServiceAccount may drain a node but do nothing else', async () => {
    const helm = findPeer('helm');
    const kubectl = findPeer('kubectl');
    if (helm === undefined || kubectl === undefined)
      throw new Error('helm/kubectl are not installed; run npm run peers');
    const chart = fileURLToPath(new URL('../../charts/nodes-agent', import.meta.url));
    const env = { KUBECONFIG: cluster.kubeconfig, HELM_CACHE_HOME: '/tmp/chartroom-e2e-helm' };
    const install = await run(
      helm,
      ['install', 'na', chart, '-n', 'nodes-agent', '--create-namespace', '--wait', '--timeout', '90s'],
      { env },
    );
    expect(install.code, install.stderr).toBe(0);
    // A DaemonSet pod on every node, tolerating whatever taints the agent itself put there.
    const agents = await cluster.kube.list<V1Pod>('v1', 'Pod', { namespace: 'nodes-agent' });
    expect(new Set(agents.map((p) => p.spec?.nodeName)).size).toBe(cluster.nodes.length);
    expect(agents[0]?.spec?.hostNetwork).toBe(true);
    expect(agents[0]?.spec?.containers[0]?.env?.[0]?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');

    const as = ['--as', 'system:serviceaccount:nodes-agent:na-nodes-agent'];
    const can = async (...args: string[]) =>
      (await run(kubectl, ['auth', 'can-i', ...args, ...as], { env })).stdout.trim();
    expect(await can('create', 'events', '-n', 'default')).toBe('yes');
    expect(await can('create', 'pods', '--subresource=eviction', '-A')).toBe('yes');
    expect(await can('delete', 'pods', '-A')).toBe('no');
    expect(await can('get', 'secrets', '-A')).toBe('no');
    expect(await can('delete', 'nodes')).toBe('no');

    // The real proof: a drain run with the ServiceAccount's own token.
    const token = await run(kubectl, ['create', 'token', 'na-nodes-agent', '-n', 'nodes-agent'], { env });
    const admin = parseDocument(readFileSync(cluster.kubeconfig, 'utf8')).toJS() as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    };
    const kubeconfig = writeTempFile(
      'sa.kubeconfig',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: admin.clusters[0]?.cluster }],
        users: [{ name: 'agent', user: { token: token.stdout.trim() } }],
        contexts: [{ name: 'agent', context: { cluster: 'c', user: 'agent' } }],
        'current-context': 'agent',
      }),
    );
    const target = node(5);
    const ns = await freshNamespace(cluster.kube, 'rbac');
    await placeOn(
      cluster.kube,
      target,
      [deployment({ namespace: ns, name: 'web', replicas: 2 }), budget(ns, 'web', { maxUnavailable: 1 })],
      2,
    );
    try {
      const drained = await runChartroom(
        ['nodes', 'drain', target, '--deadline', '60s', '--kubeconfig', kubeconfig.path],
        { timeoutMs: 120_000 },
      );
      expect(drained.code, drained.stderr).toBe(0);
      expect(await leftOn(target, ns)).toEqual([]);
    } finally {
      kubeconfig.remove();
      await restoreNode(cluster.kube, target);
      await cluster.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    }
  });
});
