/**
 * Notice to node cordoned and to drain done, for 30 pods on a node, on a real local control plane
 * with kwok nodes:
 *  - the agent: the real ec2-metadata-mock serves a spot interruption, hidden by a proxy until the
 *    agent is polling; we time from the moment the notice is let through to the agent's
 *    "cordoned" and "drained" log lines (the agent polls IMDS every 2 s, its default);
 *  - the drain alone, next to the peer: `chartroom nodes drain` and `kubectl drain` (same flags,
 *    same 30 pods), alternating, round by round.
 * The workload: 20 web pods and 10 api pods under a PodDisruptionBudget (maxUnavailable 3), each
 * pod taking 1 s to shut down once deleted (kwok's termination delay).
 * Usage: npx tsx bench/nodes-drain.ts [rounds]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { downCluster, upCluster } from '../src/cluster/index.js';
import { findPeer } from '../src/core/peers.js';
import { KubeClient, podsOnNode, type KubernetesObject } from '../src/kube/index.js';
import type { DrainReport } from '../src/nodes/index.js';
import { startFaultProxy } from '../src/nodes/testing/fault-proxy.js';
import { startAemm } from '../src/nodes/testing/processes.js';
import { run, runChartroom } from '../src/testing/run.js';
import { freshNamespace, removeNamespace, restoreNode } from '../test/e2e/nodes-support/cluster.js';
import { startService } from '../test/e2e/nodes-support/service-process.js';
import { budget, deployment, placeOn } from '../test/e2e/nodes-support/workloads.js';

const rounds = Number(process.argv[2] ?? 3);
const podsPerNode = 30;
const name = `bench-nodes-${process.pid}`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function workload(namespace: string): KubernetesObject[] {
  return [
    deployment({ namespace, name: 'web', replicas: 20, terminationDelay: '1s' }),
    deployment({ namespace, name: 'api', replicas: 10, terminationDelay: '1s' }),
    budget(namespace, 'api', { maxUnavailable: 3 }),
  ];
}

const kubectl = findPeer('kubectl');
if (kubectl === undefined) throw new Error('kubectl is not installed; run npm run peers');

const up = await upCluster({ name, nodes: 3, ownerPid: process.pid });
const kubeconfig = up.state.kubeconfig;
const kube = KubeClient.load({ kubeconfig });
const target = up.state.nodes[0] ?? '';
const instanceId =
  (
    await kube.get<{ metadata?: { annotations?: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Node',
      name: target,
    })
  )?.metadata?.annotations?.['chartroom.dev/instance-id'] ?? '';

/** Places the 30 pods on the target node; returns their namespace. */
async function prepare(): Promise<string> {
  const ns = await freshNamespace(kube, 'bench');
  await placeOn(kube, target, workload(ns), podsPerNode);
  return ns;
}

async function reset(ns: string): Promise<void> {
  await restoreNode(kube, target);
  await removeNamespace(kube, ns);
}

async function assertEmpty(ns: string, who: string): Promise<void> {
  const left = (await podsOnNode(kube, target)).filter((p) => p.metadata?.namespace === ns);
  if (left.length > 0) throw new Error(`${who} left ${left.length} pod(s) on the node`);
}

/** Wall time of the CLI run (start-up included, like kubectl's) and the drain's own time. */
async function chartroomDrain(): Promise<{ wall: number; drain: number }> {
  const ns = await prepare();
  const t0 = performance.now();
  const result = await runChartroom(
    ['nodes', 'drain', target, '--deadline', '110s', '-o', 'json', '--kubeconfig', kubeconfig],
    { timeoutMs: 180_000 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (result.code !== 0) throw new Error(`chartroom nodes drain failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as DrainReport;
  await assertEmpty(ns, 'chartroom nodes drain');
  await reset(ns);
  return { wall, drain: report.seconds };
}

async function kubectlDrain(): Promise<number> {
  const ns = await prepare();
  const t0 = performance.now();
  const result = await run(
    kubectl ?? 'kubectl',
    ['drain', target, '--ignore-daemonsets', '--timeout=110s', '--kubeconfig', kubeconfig],
    { timeoutMs: 180_000 },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (result.code !== 0) throw new Error(`kubectl drain failed: ${result.stderr}`);
  await assertEmpty(ns, 'kubectl drain');
  await reset(ns);
  return seconds;
}

async function agentRound(): Promise<{ cordoned: number; drained: number }> {
  const ns = await prepare();
  const aemm = await startAemm({ instanceId, args: ['spot', '-a', 'terminate'] });
  // The mock serves the notice from the start; this proxy hides it until the agent is polling,
  // so the clock starts when the notice appears, not when the agent process starts.
  let released = 0;
  const gate = await startFaultProxy({
    target: aemm.url,
    fault: (request) =>
      released === 0 && (request.url ?? '').includes('/spot/instance-action') ? { status: 404 } : 'pass',
  });
  const agent = startService([
    'nodes',
    'agent',
    '--node-name',
    target,
    '--imds-endpoint',
    gate.url,
    '--metrics-address',
    'off',
    '--kubeconfig',
    kubeconfig,
  ]);
  try {
    await agent.waitFor((l) => l.msg === 'agent started', { seconds: 120 });
    const polled = gate.requests.length;
    while (gate.requests.length === polled) await sleep(20);
    released = Date.now();
    const cordoned = await agent.waitFor((l) => l.msg === 'node cordoned and tainted', { seconds: 60 });
    const drained = await agent.waitFor((l) => /drained in|NOT fully drained/.test(l.msg), { seconds: 150 });
    if (!drained.msg.includes(' drained in')) throw new Error(`the agent did not drain: ${drained.msg}`);
    await assertEmpty(ns, 'the agent');
    return {
      cordoned: (Date.parse(cordoned.time) - released) / 1000,
      drained: (Date.parse(drained.time) - released) / 1000,
    };
  } finally {
    await agent.stop();
    await gate.stop();
    await aemm.stop();
    await reset(ns);
  }
}

const ours: { wall: number; drain: number }[] = [];
const theirs: number[] = [];
const agent: { cordoned: number; drained: number }[] = [];
try {
  for (let round = 1; round <= rounds; round += 1) {
    ours.push(await chartroomDrain());
    theirs.push(await kubectlDrain());
    agent.push(await agentRound());
    const a = agent.at(-1);
    console.log(
      `round ${round}: chartroom drain ${ours.at(-1)?.wall.toFixed(1)}s (drain itself ${ours.at(-1)?.drain.toFixed(1)}s) | ` +
        `kubectl drain ${theirs.at(-1)?.toFixed(1)}s | ` +
        `agent: notice→cordoned ${a?.cordoned.toFixed(2)}s, notice→drained ${a?.drained.toFixed(1)}s`,
    );
  }
  const o = median(ours.map((r) => r.wall));
  const d = median(ours.map((r) => r.drain));
  const t = median(theirs);
  console.log(`\n${podsPerNode} pods, medians of ${rounds} rounds:`);
  console.log(
    `drain: chartroom ${o.toFixed(1)}s (drain itself ${d.toFixed(1)}s), kubectl ${t.toFixed(1)}s, ` +
      `ratio chartroom/kubectl ${(o / t).toFixed(2)} (drain itself ${(d / t).toFixed(2)})`,
  );
  console.log(
    `agent: notice→cordoned ${median(agent.map((a) => a.cordoned)).toFixed(2)}s, notice→drained ${median(agent.map((a) => a.drained)).toFixed(1)}s`,
  );
} finally {
  await downCluster({ name });
}
