/**
 * The talk's rollout lesson: `maxSurge: 25%`, `maxUnavailable: 10%`. Fewer pods down at once keeps
 * the rest from drowning while new pods burn CPU at start; a bounded surge keeps the start-up
 * spikes from landing together on the same nodes.
 */
import { num, obj, str } from '../json.js';
import type { CheckResult, CheckDefinition } from '../model.js';
import { parseIntOrPercent, scaled, type IntOrPercent } from '../../kube/quantity.js';
import { replicasOf } from '../workload.js';
import { fail, pass } from './helpers.js';
import { hpasFor } from './references.js';

const kubernetesDefault: IntOrPercent = { kind: 'percent', value: 25 };

function show(value: IntOrPercent): string {
  return value.kind === 'percent' ? `${value.value}%` : String(value.value);
}

/** Is `value` above `bound` for a Deployment of `replicas` pods? */
function above(value: IntOrPercent, bound: IntOrPercent, replicas: number, roundUp: boolean): boolean {
  if (value.kind === 'percent' && bound.kind === 'percent') return value.value > bound.value;
  return scaled(value, replicas, roundUp) > scaled(bound, replicas, roundUp);
}

export const rollingUpdateBounds: CheckDefinition = {
  id: 'rolling-update-bounds',
  title: 'Rolling update keeps capacity',
  family: 'rollout',
  severity: 'warning',
  why: 'The default rolling update takes 25% of the pods down and starts 25% new ones at once. With pods that burn 3× their CPU request while starting, the remaining 75% take the load of the missing ones while the new ones steal CPU on the same nodes: latency climbs, the HPA scales on the spike. The talk settled on maxSurge 25% / maxUnavailable 10%.',
  fix: 'Set `strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 10%}}` (options `maxSurge`/`maxUnavailable` set your own bounds).',
  run: (manifest, context) => {
    if (manifest.kind !== 'Deployment') return [];
    const type = str(manifest.doc, 'spec.strategy.type') ?? 'RollingUpdate';
    if (type !== 'RollingUpdate') return []; // deployment-strategy speaks about Recreate
    const surgeBound = parseIntOrPercent(context.options.maxSurge) ?? { kind: 'percent', value: 25 };
    const unavailableBound = parseIntOrPercent(context.options.maxUnavailable) ?? {
      kind: 'percent',
      value: 10,
    };
    const rolling = obj(manifest.doc, 'spec.strategy.rollingUpdate');
    const surge = parseIntOrPercent(rolling?.maxSurge) ?? kubernetesDefault;
    const unavailable = parseIntOrPercent(rolling?.maxUnavailable) ?? kubernetesDefault;
    const hpa = hpasFor(manifest, context.index)[0];
    const replicas =
      hpa === undefined ? (replicasOf(manifest) ?? 1) : (num(hpa.doc, 'spec.minReplicas') ?? 1);
    const path = 'spec.strategy.rollingUpdate';
    const surgePods = scaled(surge, replicas, true);
    const downPods = scaled(unavailable, replicas, false);
    if (surgePods === 0 && downPods === 0) {
      return [
        fail('maxSurge and maxUnavailable are both 0: the rollout cannot make progress', {
          path,
          severity: 'danger',
        }),
      ];
    }
    if (replicas > 1 && downPods >= replicas) {
      return [
        fail(`maxUnavailable ${show(unavailable)} lets all ${replicas} pods go down at once`, {
          path,
          severity: 'danger',
        }),
      ];
    }
    const results: CheckResult[] = [];
    const defaults = rolling === undefined ? ' (the Kubernetes default)' : '';
    if (above(unavailable, unavailableBound, replicas, false)) {
      results.push(
        fail(
          `maxUnavailable is ${show(unavailable)}${defaults}, above ${show(unavailableBound)}: too much capacity leaves during a rollout`,
          { path },
        ),
      );
    }
    if (above(surge, surgeBound, replicas, true)) {
      results.push(
        fail(
          `maxSurge is ${show(surge)}, above ${show(surgeBound)}: too many pods start (and spike CPU) at once`,
          { path },
        ),
      );
    }
    return results.length === 0 ? [pass] : results;
  },
};

export const rolloutChecks: CheckDefinition[] = [rollingUpdateBounds];
