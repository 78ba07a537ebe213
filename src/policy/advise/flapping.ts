/**
 * HPA flapping: the desired replica count going up, then down, then up again within minutes.
 * Each reversal of direction is counted; many reversals per hour mean the stabilization window
 * is shorter than the load's (or the start-up spike's) rhythm.
 */
import type { PrometheusClient } from './prometheus.js';
import { scopeSelector } from './workloads.js';

export interface Flapping {
  namespace: string;
  hpa: string;
  reversals: number;
  reversalsPerHour: number;
  /** Median seconds between a scale-up and the following scale-down. */
  medianUpToDownSeconds: number;
  highest: number;
  lowest: number;
}

export async function findFlapping(
  client: PrometheusClient,
  namespace: string | undefined,
  options: { windowSeconds: number; stepSeconds: number; now: number; reversalsPerHour: number },
): Promise<Flapping[]> {
  const scope = scopeSelector(namespace);
  const start = options.now - options.windowSeconds;
  const series = await client.range(
    `kube_horizontalpodautoscaler_status_desired_replicas{${scope}}`,
    start,
    options.now,
    options.stepSeconds,
  );
  const out: Flapping[] = [];
  for (const s of series) {
    const changes: { t: number; dir: 1 | -1 }[] = [];
    for (let i = 1; i < s.values.length; i++) {
      const [t, v] = s.values[i] ?? [0, 0];
      const prev = s.values[i - 1]?.[1] ?? v;
      if (v !== prev) changes.push({ t, dir: v > prev ? 1 : -1 });
    }
    const reversals: number[] = [];
    let lastUp: number | undefined;
    let count = 0;
    for (let i = 1; i < changes.length; i++) {
      const a = changes[i - 1];
      const b = changes[i];
      if (a === undefined || b === undefined) continue;
      if (a.dir !== b.dir) count += 1;
      if (b.dir === 1) lastUp = b.t;
      if (b.dir === -1 && lastUp !== undefined) {
        reversals.push(b.t - lastUp);
        lastUp = undefined;
      }
      if (i === 1 && a.dir === 1) lastUp ??= a.t;
    }
    const hours = (s.values.length * options.stepSeconds) / 3600;
    const perHour = hours > 0 ? count / hours : 0;
    if (perHour < options.reversalsPerHour) continue;
    const values = s.values.map(([, v]) => v);
    const sorted = [...reversals].sort((x, y) => x - y);
    out.push({
      namespace: s.labels.namespace ?? '',
      hpa: s.labels.horizontalpodautoscaler ?? s.labels.hpa ?? '',
      reversals: count,
      reversalsPerHour: Math.round(perHour * 10) / 10,
      medianUpToDownSeconds: sorted[Math.floor(sorted.length / 2)] ?? 0,
      highest: Math.max(...values),
      lowest: Math.min(...values),
    });
  }
  return out;
}
