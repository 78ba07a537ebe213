/**
 * Warm `chartroom cluster up` (binaries cached) to every node Ready, against kwokctl's binary
 * runtime (create cluster + scale 3 nodes + nodes Ready) with the same binaries, alternating, in
 * one run. Also times `down`. Usage: npx tsx bench/cluster-up.ts [rounds]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downCluster, upCluster } from '../src/cluster/index.js';
import { peersBinDir } from '../src/core/peers.js';

const rounds = Number(process.argv[2] ?? 3);
const bin = (name: string): string => join(peersBinDir(), name);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function chartroomRound(): Promise<{ up: number; down: number }> {
  const t0 = performance.now();
  await upCluster({ name: 'bench-up', nodes: 3 });
  const up = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await downCluster({ name: 'bench-up' });
  return { up, down: (performance.now() - t1) / 1000 };
}

function kwokctlRound(): { up: number; down: number } {
  const workdir = mkdtempSync(join(tmpdir(), 'kwokctl-bench-'));
  const env = { ...process.env, KWOK_WORKDIR: workdir };
  const kwokctl = (...args: string[]): string =>
    execFileSync(bin('kwokctl'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const t0 = performance.now();
  kwokctl(
    'create',
    'cluster',
    '--name',
    'bench',
    '--runtime',
    'binary',
    `--etcd-binary=${bin('etcd')}`,
    `--kube-apiserver-binary=${bin('kube-apiserver')}`,
    `--kube-controller-manager-binary=${bin('kube-controller-manager')}`,
    `--kube-scheduler-binary=${bin('kube-scheduler')}`,
    `--kwok-controller-binary=${bin('kwok')}`,
    '--wait',
    '2m',
  );
  kwokctl('scale', 'node', '--replicas', '3', '--name', 'bench');
  const kubeconfig = join(workdir, 'kubeconfig');
  execFileSync('sh', ['-c', `${bin('kwokctl')} get kubeconfig --name bench > ${kubeconfig}`], { env });
  execFileSync(
    bin('kubectl'),
    ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s'],
    { stdio: 'ignore' },
  );
  const up = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  kwokctl('delete', 'cluster', '--name', 'bench');
  const down = (performance.now() - t1) / 1000;
  rmSync(workdir, { recursive: true, force: true });
  return { up, down };
}

const ours: { up: number; down: number }[] = [];
const theirs: { up: number; down: number }[] = [];
for (let round = 0; round < rounds; round += 1) {
  ours.push(await chartroomRound());
  theirs.push(kwokctlRound());
  console.log(
    `round ${round + 1}: chartroom up ${ours.at(-1)?.up.toFixed(1)}s down ${ours.at(-1)?.down.toFixed(1)}s | kwokctl up ${theirs.at(-1)?.up.toFixed(1)}s down ${theirs.at(-1)?.down.toFixed(1)}s`,
  );
}
const upOurs = median(ours.map((r) => r.up));
const upTheirs = median(theirs.map((r) => r.up));
console.log(
  `\nmedian warm up to 3 nodes Ready: chartroom ${upOurs.toFixed(1)}s, kwokctl ${upTheirs.toFixed(1)}s, ratio ${(upOurs / upTheirs).toFixed(2)}`,
);
console.log(
  `median down: chartroom ${median(ours.map((r) => r.down)).toFixed(1)}s, kwokctl ${median(theirs.map((r) => r.down)).toFixed(2)}s`,
);
