/**
 * `npx tsx bench/dev.ts [runs]` — chartroom dev on a local cluster of its own: a Redis Service
 * whose (kwok) pod's port-forward reaches a real redis-server on loopback.
 *
 * 1. Start-up: from spawning `chartroom dev app -- <probe>` to the probe's first PONG through the
 *    forward (env resolved, forwards up, command running, one round trip). Peer in the same run:
 *    spawning `kubectl port-forward svc/redis :6379` to the first PONG through it.
 * 2. Latency: round trips of PING over one connection (and new connections) through chartroom's
 *    forward, through kubectl's, and directly to redis-server on loopback.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { downCluster, upCluster } from '../src/cluster/index.js';
import { findPeer } from '../src/core/peers.js';
import { freePort } from '../src/core/net.js';
import { KubeClient } from '../src/kube/index.js';
import { kubectlPortForward } from '../src/testing/port-forward.js';

const runs = Number(process.argv[2] ?? 5);
const pings = 500;
const connections = 20;

/** The probe run as the developer's command: PINGs Redis at $REDIS_URL and prints timings. */
const probe = `
const net = require('node:net');
const url = new URL(process.env.REDIS_URL);
const target = { host: url.hostname, port: Number(url.port) };
function connect() { return new Promise((ok, fail) => { const s = net.connect(target, () => ok(s)); s.once('error', fail); }); }
function ping(s) { return new Promise((ok) => { let t = ''; const on = (d) => { t += d; if (t.includes('\\r\\n')) { s.off('data', on); ok(); } }; s.on('data', on); s.write('PING\\r\\n'); }); }
(async () => {
  const s = await connect(); await ping(s);
  console.log('FIRST ' + Date.now());
  const n = Number(process.env.PINGS);
  if (n > 0) {
    const t0 = performance.now(); for (let i = 0; i < n; i++) await ping(s); const t1 = performance.now();
    const c = Number(process.env.CONNECTIONS); const t2 = performance.now();
    for (let i = 0; i < c; i++) { const x = await connect(); await ping(x); x.destroy(); }
    const t3 = performance.now();
    console.log('RTT ' + ((t1 - t0) / n) + ' ' + ((t3 - t2) / c));
  }
  s.destroy();
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

interface ProbeResult {
  firstMs: number;
  /** chartroom dev's own "ready after" (from its start-up, excluding Node's and tsx's). */
  readyMs: number | undefined;
  rttMs: number | undefined;
  connectMs: number | undefined;
}

function runProbe(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  withLatency: boolean,
  /** When the clock starts (default: now). */
  started = Date.now(),
): Promise<ProbeResult> {
  const child = spawn(command, args, {
    env: {
      ...process.env,
      ...env,
      PINGS: withLatency ? String(pings) : '0',
      CONNECTIONS: String(connections),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const first = /FIRST (\d+)/.exec(out);
      const rtt = /RTT (\S+) (\S+)/.exec(out);
      const ready = /ready after ([\d.]+)s/.exec(err);
      if (code !== 0 || first?.[1] === undefined) {
        reject(new Error(`probe failed (${String(code)}): ${out}\n${err}`));
        return;
      }
      resolve({
        firstMs: Number(first[1]) - started,
        readyMs: ready?.[1] === undefined ? undefined : Number(ready[1]) * 1000,
        rttMs: rtt?.[1] === undefined ? undefined : Number(rtt[1]),
        connectMs: rtt?.[2] === undefined ? undefined : Number(rtt[2]),
      });
    });
  });
}

/** `kubectl port-forward svc/redis :6379`, then the probe against it; time from the spawn. */
async function kubectlProbe(
  kubeconfig: string,
  namespace: string,
  withLatency: boolean,
): Promise<ProbeResult> {
  const started = Date.now();
  const forward = kubectlPortForward({ kubeconfig, namespace, target: 'svc/redis', remotePort: 6379 });
  try {
    const port = await forward.port;
    if (port === undefined) throw new Error('kubectl port-forward exited');
    return await runProbe(
      process.execPath,
      ['-e', probe],
      { REDIS_URL: `redis://127.0.0.1:${port}/0` },
      withLatency,
      started,
    );
  } finally {
    forward.stop();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const name = `bench-dev-${process.pid}`;
  const { state } = await upCluster({ name, nodes: 1, ownerPid: process.pid });
  const kubeconfig = state.kubeconfig;
  const redisPort = await freePort();
  const redis = spawn(
    findPeer('redis-server') ?? 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  try {
    const kube = KubeClient.load({ kubeconfig });
    const namespace = 'bench';
    const labels = (app: string) => ({ app });
    const deployment = (app: string, port: number, env: { name: string; value: string }[] = []) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels(app) },
        template: {
          metadata: { labels: labels(app) },
          spec: { containers: [{ name: app, image: `${app}:1`, ports: [{ containerPort: port }], env }] },
        },
      },
    });
    await kube.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      deployment('redis', 6379),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'redis', namespace },
        spec: { selector: labels('redis'), ports: [{ port: 6379, targetPort: 6379 }] },
      },
      deployment('app', 8080, [{ name: 'REDIS_URL', value: 'redis://redis:6379/0' }]),
    ]);
    let pod: string | undefined;
    while (pod === undefined) {
      const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=redis' });
      pod = pods.items.find((item) => item.status?.phase === 'Running')?.metadata?.name;
      if (pod === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await kube.apply([
      {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'PortForward',
        metadata: { name: pod, namespace },
        spec: { forwards: [{ ports: [6379], target: { address: '127.0.0.1', port: redisPort } }] },
      },
    ]);

    const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const chartroom = (withLatency: boolean) =>
      runProbe(
        process.execPath,
        ['--import', 'tsx', main, 'dev', 'app', '-n', namespace, '--', process.execPath, '-e', probe],
        { KUBECONFIG: kubeconfig },
        withLatency,
      );
    // One warm-up of each (tsx's cache, the API server's first port-forward).
    await chartroom(false);
    await kubectlProbe(kubeconfig, namespace, false);
    const ours: ProbeResult[] = [];
    const theirs: ProbeResult[] = [];
    for (let i = 0; i < runs; i += 1) {
      ours.push(await chartroom(i === 0));
      theirs.push(await kubectlProbe(kubeconfig, namespace, i === 0));
    }
    const direct = await runProbe(
      process.execPath,
      ['-e', probe],
      { REDIS_URL: `redis://127.0.0.1:${redisPort}/0` },
      true,
    );

    const startOurs = median(ours.map((r) => r.firstMs));
    const startTheirs = median(theirs.map((r) => r.firstMs));
    const lines = [
      `runs: ${runs}; load average: ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      `start → first PONG through the forward (median): chartroom dev ${startOurs} ms; kubectl port-forward ${startTheirs} ms; ratio ${(startOurs / startTheirs).toFixed(2)}`,
      `  of which chartroom dev's own work (resolve env, open forwards; its "ready after"): ${median(ours.map((r) => r.readyMs ?? Number.NaN))} ms; the rest is starting Node with tsx and loading modules`,
      `  chartroom runs: ${ours.map((r) => r.firstMs).join(', ')}; kubectl runs: ${theirs.map((r) => r.firstMs).join(', ')}`,
      `PING round trip over one connection (${pings}): chartroom ${ours[0]?.rttMs?.toFixed(3)} ms; kubectl ${theirs[0]?.rttMs?.toFixed(3)} ms; direct ${direct.rttMs?.toFixed(3)} ms`,
      `new connection + PING (${connections}): chartroom ${ours[0]?.connectMs?.toFixed(1)} ms; kubectl ${theirs[0]?.connectMs?.toFixed(1)} ms; direct ${direct.connectMs?.toFixed(3)} ms`,
    ];
    for (const line of lines) process.stdout.write(`${line}\n`);
  } finally {
    redis.kill();
    await downCluster({ name });
  }
}

await main();
