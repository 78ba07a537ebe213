/**
 * `chartroom policy advise`: reads real usage from Prometheus (cAdvisor + kube-state-metrics),
 * finds the talk's offender pods and flapping HPAs, and proposes values as patches.
 */
import type { Manifest } from '../model.js';
import { findFlapping, type Flapping } from './flapping.js';
import { findOffenders, type Offender } from './offenders.js';
import { hpaPatch, offenderPatch, patchYaml, type Patch } from './patch.js';
import { PrometheusClient } from './prometheus.js';
import { scopeSelector } from './workloads.js';
import { UsageError } from '../../core/errors.js';

export interface AdviseOptions {
  prometheus: string;
  namespace?: string;
  /** Look-back, as a Prometheus duration: "6h", "2d". */
  window?: string;
  startupSeconds?: number;
  peakRatio?: number;
  reversalsPerHour?: number;
  /** The workloads' manifests, to copy probe handlers into the proposals. */
  manifests?: readonly Manifest[];
  now?: number;
  signal?: AbortSignal;
}

export interface AdviceReport {
  window: string;
  offenders: Offender[];
  flapping: Flapping[];
  patches: Patch[];
  /** The patches as multi-document YAML. */
  patch: string;
}

export function durationSeconds(value: string): number {
  const match = /^(\d+)(s|m|h|d|w)$/.exec(value);
  if (match === null)
    throw new UsageError(`not a duration: ${value}`, 'Use a Prometheus duration such as 30m, 6h or 2d.');
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

export async function advise(options: AdviseOptions): Promise<AdviceReport> {
  const window = options.window ?? '6h';
  const windowSeconds = durationSeconds(window);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const stepSeconds = Math.max(15, Math.ceil(windowSeconds / 10_000));
  const client = new PrometheusClient(
    options.prometheus,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const [offenders, flapping, hpaTargets] = await Promise.all([
    findOffenders(client, options.namespace, {
      window,
      windowSeconds,
      startupSeconds: options.startupSeconds ?? 300,
      peakRatio: options.peakRatio ?? 2,
      stepSeconds,
      now,
    }),
    findFlapping(client, options.namespace, {
      windowSeconds,
      stepSeconds,
      now,
      reversalsPerHour: options.reversalsPerHour ?? 2,
    }),
    client.query(
      `max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (max_over_time(kube_horizontalpodautoscaler_info{${scopeSelector(options.namespace)}}[${window}]))`,
      now,
    ),
  ]);
  const hpaOf = (kind: string, name: string, namespace: string): string | undefined =>
    hpaTargets.find(
      (h) =>
        h.labels.scaletargetref_kind === kind &&
        h.labels.scaletargetref_name === name &&
        h.labels.namespace === namespace,
    )?.labels.horizontalpodautoscaler;

  const patches: Patch[] = [];
  const hpaInputs = new Map<
    string,
    { name: string; namespace: string; warmupSeconds?: number; flapping?: Flapping }
  >();
  for (const offender of offenders) {
    patches.push(offenderPatch(offender, options.manifests ?? []));
    const hpa = hpaOf(offender.owner.kind, offender.owner.name, offender.owner.namespace);
    if (hpa !== undefined) {
      const key = `${offender.owner.namespace}/${hpa}`;
      const entry = hpaInputs.get(key) ?? { name: hpa, namespace: offender.owner.namespace };
      entry.warmupSeconds = Math.max(entry.warmupSeconds ?? 0, offender.warmupSeconds);
      hpaInputs.set(key, entry);
    }
  }
  for (const flap of flapping) {
    const key = `${flap.namespace}/${flap.hpa}`;
    const entry = hpaInputs.get(key) ?? { name: flap.hpa, namespace: flap.namespace };
    entry.flapping = flap;
    hpaInputs.set(key, entry);
  }
  for (const input of hpaInputs.values()) patches.push(hpaPatch(input, input));
  return { window, offenders, flapping, patches, patch: patchYaml(patches) };
}
