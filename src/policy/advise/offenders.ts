/**
 * The talk's "offender pods": containers that request 1 core and use 3+ while starting. For every
 * container start in the window, the peak CPU in the first minutes after start is compared with
 * the request and with the container's own steady state afterwards.
 */
import type { PrometheusClient, Sample } from './prometheus.js';
import { podKey, podOwners, scopeSelector, type Owner } from './workloads.js';

export interface OffenderOptions {
  /** How far back to look, as a Prometheus duration ("6h"). */
  window: string;
  windowSeconds: number;
  /** The start-up phase: samples this long after a start count as start-up. */
  startupSeconds: number;
  /** peak / request at or above this makes an offender (the talk: 3). */
  peakRatio: number;
  stepSeconds: number;
  now: number;
}

export interface ContainerStart {
  namespace: string;
  pod: string;
  container: string;
  startedAt: number;
  requestCores: number;
  peakCores: number;
  /** Seconds from start until usage settled at or below 1.2 × the steady p95. */
  warmupSeconds: number;
  steadyP95Cores: number | undefined;
}

export interface Offender {
  owner: Owner;
  container: string;
  starts: ContainerStart[];
  requestCores: number;
  peakCores: number;
  peakRatio: number;
  warmupSeconds: number;
  steadyP95Cores: number | undefined;
}

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const containerKey = (labels: Record<string, string>): string =>
  `${labels.namespace ?? ''}/${labels.pod ?? ''}/${labels.container ?? ''}`;

export async function findOffenders(
  client: PrometheusClient,
  namespace: string | undefined,
  options: OffenderOptions,
): Promise<Offender[]> {
  const scope = scopeSelector(namespace);
  const comma = scope === '' ? '' : `${scope},`;
  const start = options.now - options.windowSeconds;
  const [usage, started, requests, owners] = await Promise.all([
    client.range(
      `rate(container_cpu_usage_seconds_total{${comma}container!="",container!="POD"}[1m])`,
      start,
      options.now,
      options.stepSeconds,
    ),
    client.query(
      `max by (namespace, pod, container) (max_over_time(kube_pod_container_state_started{${scope}}[${options.window}]))`,
      options.now,
    ),
    client.query(
      `max by (namespace, pod, container) (max_over_time(kube_pod_container_resource_requests{${comma}resource="cpu"}[${options.window}]))`,
      options.now,
    ),
    podOwners(client, scope, options.window, options.now),
  ]);
  const startedAt = new Map(started.map((s) => [containerKey(s.labels), s.values[0]?.[1] ?? NaN]));
  const requested = new Map(requests.map((s) => [containerKey(s.labels), s.values[0]?.[1] ?? NaN]));

  const starts: ContainerStart[] = [];
  for (const series of usage) {
    const k = containerKey(series.labels);
    const at = startedAt.get(k);
    const request = requested.get(k);
    // Only starts inside the window, so the start-up phase was observed.
    if (at === undefined || request === undefined || !(request > 0) || at < start) continue;
    starts.push(measure(series, at, request, options.startupSeconds));
  }

  const groups = new Map<string, { owner: Owner; container: string; starts: ContainerStart[] }>();
  for (const s of starts) {
    const owner = owners.get(podKey(s.namespace, s.pod)) ?? {
      kind: 'Pod',
      name: s.pod,
      namespace: s.namespace,
    };
    const gk = `${owner.kind}/${owner.namespace}/${owner.name}/${s.container}`;
    const group = groups.get(gk) ?? { owner, container: s.container, starts: [] };
    group.starts.push(s);
    groups.set(gk, group);
  }
  const out: Offender[] = [];
  for (const group of groups.values()) {
    const peakCores = Math.max(...group.starts.map((s) => s.peakCores));
    const requestCores = Math.max(...group.starts.map((s) => s.requestCores));
    const steady = group.starts.map((s) => s.steadyP95Cores).filter((v): v is number => v !== undefined);
    const offender: Offender = {
      ...group,
      requestCores,
      peakCores,
      peakRatio: peakCores / requestCores,
      warmupSeconds: Math.max(...group.starts.map((s) => s.warmupSeconds)),
      steadyP95Cores: steady.length === 0 ? undefined : Math.max(...steady),
    };
    if (offender.peakRatio >= options.peakRatio) out.push(offender);
  }
  return out.sort((a, b) => b.peakRatio - a.peakRatio);
}

function measure(series: Sample, startedAt: number, request: number, startupSeconds: number): ContainerStart {
  const early = series.values.filter(([t]) => t >= startedAt && t <= startedAt + startupSeconds);
  const late = series.values.filter(([t]) => t > startedAt + startupSeconds).map(([, v]) => v);
  const steady = percentile(late, 95);
  const settle = (steady ?? request) * 1.2;
  // The last start-up sample above the settle line marks the end of the warm-up.
  const hot = early.filter(([, v]) => v > settle);
  const warmupSeconds =
    hot.length === 0 ? 0 : Math.round((hot[hot.length - 1]?.[0] ?? startedAt) - startedAt);
  return {
    namespace: series.labels.namespace ?? '',
    pod: series.labels.pod ?? '',
    container: series.labels.container ?? '',
    startedAt,
    requestCores: request,
    peakCores: Math.max(0, ...early.map(([, v]) => v)),
    warmupSeconds,
    steadyP95Cores: steady,
  };
}
