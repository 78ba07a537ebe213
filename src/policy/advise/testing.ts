/**
 * Test support for the advisor: generates OpenMetrics series the way cAdvisor and
 * kube-state-metrics would report them (with a start-up CPU spike for chosen pods and a flapping
 * HPA), loads them into a real Prometheus with `promtool tsdb create-blocks-from openmetrics`,
 * and runs it on loopback. Never imported by production code.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { peerPath, startPeerProcess, type PeerProcess } from '../../testing/peer-process.js';

export interface PodSpec {
  namespace: string;
  deployment: string;
  pod: string;
  container: string;
  requestCores: number;
  startedAt: number;
  /** Cores used in the first `spikeSeconds`, then `steadyCores`. */
  spikeCores: number;
  spikeSeconds: number;
  steadyCores: number;
}

export interface HpaSpec {
  namespace: string;
  name: string;
  target: string;
  /** Desired replicas as a function of time. */
  desired: (t: number) => number;
}

/** OpenMetrics text for the pods and HPAs, one sample per `step` seconds from `from` to `to`. */
export function openMetrics(
  pods: readonly PodSpec[],
  hpas: readonly HpaSpec[],
  from: number,
  to: number,
  step = 15,
): string {
  const lines: string[] = [];
  const family = (name: string, type: string, samples: () => void): void => {
    lines.push(`# TYPE ${name} ${type}`);
    samples();
  };
  const times = (start: number): number[] => {
    const out: number[] = [];
    for (let t = Math.max(from, Math.ceil(start / step) * step); t <= to; t += step) out.push(t);
    return out;
  };
  family('container_cpu_usage_seconds', 'counter', () => {
    for (const p of pods) {
      let total = 0;
      let last = p.startedAt;
      for (const t of times(p.startedAt)) {
        const cores = t - p.startedAt <= p.spikeSeconds ? p.spikeCores : p.steadyCores;
        total += cores * (t - last);
        last = t;
        lines.push(
          `container_cpu_usage_seconds_total{namespace="${p.namespace}",pod="${p.pod}",container="${p.container}"} ${total.toFixed(3)} ${t}`,
        );
      }
    }
  });
  const gauge = (
    name: string,
    rows: { labels: string; start: number; value: (t: number) => number }[],
  ): void => {
    family(name, 'gauge', () => {
      for (const row of rows)
        for (const t of times(row.start)) lines.push(`${name}{${row.labels}} ${row.value(t)} ${t}`);
    });
  };
  gauge(
    'kube_pod_container_state_started',
    pods.map((p) => ({
      labels: `namespace="${p.namespace}",pod="${p.pod}",container="${p.container}"`,
      start: p.startedAt,
      value: () => p.startedAt,
    })),
  );
  gauge(
    'kube_pod_container_resource_requests',
    pods.map((p) => ({
      labels: `namespace="${p.namespace}",pod="${p.pod}",container="${p.container}",resource="cpu",unit="core"`,
      start: p.startedAt,
      value: () => p.requestCores,
    })),
  );
  gauge(
    'kube_pod_owner',
    pods.map((p) => ({
      labels: `namespace="${p.namespace}",pod="${p.pod}",owner_kind="ReplicaSet",owner_name="${p.deployment}-7d9f"`,
      start: p.startedAt,
      value: () => 1,
    })),
  );
  const replicaSets = [...new Map(pods.map((p) => [`${p.namespace}/${p.deployment}`, p])).values()];
  gauge(
    'kube_replicaset_owner',
    replicaSets.map((p) => ({
      labels: `namespace="${p.namespace}",replicaset="${p.deployment}-7d9f",owner_kind="Deployment",owner_name="${p.deployment}"`,
      start: from,
      value: () => 1,
    })),
  );
  gauge(
    'kube_horizontalpodautoscaler_info',
    hpas.map((h) => ({
      labels: `namespace="${h.namespace}",horizontalpodautoscaler="${h.name}",scaletargetref_kind="Deployment",scaletargetref_name="${h.target}"`,
      start: from,
      value: () => 1,
    })),
  );
  gauge(
    'kube_horizontalpodautoscaler_status_desired_replicas',
    hpas.map((h) => ({
      labels: `namespace="${h.namespace}",horizontalpodautoscaler="${h.name}"`,
      start: from,
      value: h.desired,
    })),
  );
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export type RunningPrometheus = PeerProcess;

/** Builds TSDB blocks from the OpenMetrics text with promtool, then starts Prometheus on them. */
export async function startPrometheus(dir: string, metrics: string): Promise<RunningPrometheus> {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(dir, 'series.om'), metrics);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  await promisify(execFile)(
    peerPath('promtool'),
    ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), data],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return startPeerProcess({
    peer: 'prometheus',
    args: (port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    ready: async (url) => (await fetch(`${url}/-/ready`)).ok,
  });
}
