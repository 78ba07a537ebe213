/** Replicas and PodDisruptionBudgets: will the workload survive a node going away? */
import { num, obj, str } from '../json.js';
import type { CheckDefinition, Manifest, ObjectIndexView } from '../model.js';
import { parseIntOrPercent, scaled } from '../../kube/quantity.js';
import { podsSelectedBy, replicasOf, selectorFrom } from '../workload.js';
import { fail, kindSelected, optionBool, optionNumber, pass, skip } from './helpers.js';
import { hpasFor, isTargetedByService, pdbsFor } from './references.js';

export const replicas: CheckDefinition = {
  id: 'replicas',
  title: 'More than one replica',
  family: 'availability',
  severity: 'warning',
  why: 'A single replica means downtime on every node drain, spot interruption and rollout with maxUnavailable > 0.',
  fix: 'Set `replicas: 2` or more (or let an HPA with minReplicas ≥ 2 own the count).',
  run: (manifest, context) => {
    if (!kindSelected(context.options, manifest.kind)) return [];
    const min = optionNumber(context.options, 'minReplicas', 2);
    if (
      optionBool(context.options, 'skipIfAutoscaled', true) &&
      hpasFor(manifest, context.index).length > 0
    ) {
      return [skip('controlled by a HorizontalPodAutoscaler')];
    }
    if (
      optionBool(context.options, 'onlyIfTargetedByService', false) &&
      !isTargetedByService(manifest, context.index)
    ) {
      return [skip('not targeted by a Service')];
    }
    const explicit = num(manifest.doc, 'spec.replicas');
    if (explicit === undefined && optionBool(context.options, 'requireExplicit', false)) {
      return [fail(`${manifest.kind} does not set spec.replicas`)];
    }
    const count = replicasOf(manifest) ?? 1;
    return count >= min
      ? [pass]
      : [fail(`${manifest.kind} has ${count} replica${count === 1 ? '' : 's'}, fewer than ${min}`)];
  },
};

export const pdbMissing: CheckDefinition = {
  id: 'pdb-missing',
  title: 'Covered by a PodDisruptionBudget',
  family: 'availability',
  severity: 'warning',
  why: 'Without a PDB a node drain (upgrade, cluster-autoscaler scale-down, spot interruption handling) may evict every replica at once.',
  fix: 'Add a PodDisruptionBudget selecting the pods with `maxUnavailable: 1` (or a percentage).',
  run: (manifest, context) => {
    if (!kindSelected(context.options, manifest.kind)) return [];
    const min = optionNumber(context.options, 'minReplicas', 2);
    const count =
      num(manifest.doc, 'spec.replicas') === undefined
        ? optionNumber(context.options, 'unsetReplicas', 1)
        : (replicasOf(manifest) ?? 1);
    if (count < min && hpasFor(manifest, context.index).length === 0) {
      return [skip(`fewer than ${min} replicas`)];
    }
    return pdbsFor(manifest, context.index).length > 0
      ? [pass]
      : [fail(`${manifest.kind} is not covered by any PodDisruptionBudget`)];
  },
};

export const pdbHasPolicy: CheckDefinition = {
  id: 'pdb-has-policy',
  title: 'PodDisruptionBudget sets a policy',
  family: 'availability',
  severity: 'danger',
  why: 'A PDB with neither minAvailable nor maxUnavailable protects nothing.',
  fix: 'Set `maxUnavailable: 1` (or `minAvailable`).',
  run: (manifest) => {
    if (manifest.kind !== 'PodDisruptionBudget') return [];
    const spec = obj(manifest.doc, 'spec') ?? {};
    return spec.minAvailable !== undefined || spec.maxUnavailable !== undefined
      ? [pass]
      : [fail('PodDisruptionBudget has neither minAvailable nor maxUnavailable')];
  },
};

/** Total replicas of the workloads a PDB selects (undefined when none are in the manifests). */
export function selectedReplicas(
  pdb: Manifest,
  index: ObjectIndexView,
): { replicas: number; workloads: Manifest[] } | undefined {
  const selector = selectorFrom(obj(pdb.doc, 'spec.selector'));
  if (selector === undefined) return undefined;
  const workloads = podsSelectedBy(selector, pdb, index);
  if (workloads.length === 0) return undefined;
  let total = 0;
  for (const workload of workloads) {
    const hpa = hpasFor(workload, index)[0];
    total += hpa === undefined ? (replicasOf(workload) ?? 1) : (num(hpa.doc, 'spec.minReplicas') ?? 1);
  }
  return { replicas: total, workloads };
}

/** How many pods the PDB lets go at once for `total` replicas (Kubernetes' own rounding). */
export function allowedDisruptions(pdb: Manifest, total: number): number | undefined {
  const spec = obj(pdb.doc, 'spec') ?? {};
  const maxUnavailable = parseIntOrPercent(spec.maxUnavailable);
  if (maxUnavailable !== undefined) return scaled(maxUnavailable, total, true);
  const minAvailable = parseIntOrPercent(spec.minAvailable);
  if (minAvailable !== undefined) return Math.max(0, total - scaled(minAvailable, total, true));
  return undefined;
}

export const pdbBlocksEviction: CheckDefinition = {
  id: 'pdb-blocks-eviction',
  title: 'PodDisruptionBudget allows evictions',
  family: 'availability',
  severity: 'danger',
  why: 'A PDB that allows zero disruptions (maxUnavailable 0, minAvailable 100% or ≥ the replicas) blocks every drain: node upgrades hang and the cluster-autoscaler can never remove the node.',
  fix: 'Use `maxUnavailable: 1` (or a percentage that rounds to at least one pod).',
  run: (manifest, context) => {
    if (manifest.kind !== 'PodDisruptionBudget') return [];
    const spec = obj(manifest.doc, 'spec') ?? {};
    const maxUnavailable = parseIntOrPercent(spec.maxUnavailable);
    if (maxUnavailable !== undefined && maxUnavailable.value === 0)
      return [fail('maxUnavailable is 0: no voluntary eviction is possible')];
    const minAvailable = parseIntOrPercent(spec.minAvailable);
    if (minAvailable?.kind === 'percent' && minAvailable.value >= 100)
      return [fail('minAvailable is 100%: no voluntary eviction is possible')];
    if (minAvailable?.kind === 'int' && optionBool(context.options, 'compareReplicas', true)) {
      const selected = selectedReplicas(manifest, context.index);
      if (selected !== undefined && minAvailable.value >= selected.replicas) {
        return [
          fail(
            `minAvailable ${minAvailable.value} is not below the ${selected.replicas} replica(s) it selects: no voluntary eviction is possible`,
          ),
        ];
      }
    }
    return [pass];
  },
};

export const pdbUnhealthyEviction: CheckDefinition = {
  id: 'pdb-unhealthy-pod-eviction-policy',
  title: 'PodDisruptionBudget lets unhealthy pods go',
  family: 'availability',
  severity: 'warning',
  why: 'With the default policy (IfHealthyBudget) a crash-looping pod counts against the budget and can block drains forever.',
  fix: 'Set `spec.unhealthyPodEvictionPolicy: AlwaysAllow`.',
  run: (manifest) => {
    if (manifest.kind !== 'PodDisruptionBudget') return [];
    return str(manifest.doc, 'spec.unhealthyPodEvictionPolicy') === undefined
      ? [fail('unhealthyPodEvictionPolicy is not explicitly set')]
      : [pass];
  },
};

export const pdbAboveHpaMin: CheckDefinition = {
  id: 'pdb-min-available-above-hpa-min',
  title: 'PDB minAvailable fits the HPA minimum',
  family: 'availability',
  severity: 'warning',
  why: 'When the HPA scales down to minReplicas and the PDB wants more pods available than that, no pod can be evicted.',
  fix: "Lower `minAvailable` below the HPA's `minReplicas`, or use `maxUnavailable`.",
  run: (manifest, context) => {
    if (manifest.kind !== 'Deployment') return [];
    const hpa = hpasFor(manifest, context.index)[0];
    const pdb = pdbsFor(manifest, context.index)[0];
    if (hpa === undefined || pdb === undefined) return [pass];
    const minReplicas = num(hpa.doc, 'spec.minReplicas');
    const minAvailable = parseIntOrPercent(obj(pdb.doc, 'spec')?.minAvailable);
    if (minReplicas === undefined || minAvailable === undefined) return [pass];
    const needed = scaled(minAvailable, minReplicas, true);
    return needed > minReplicas
      ? [
          fail(
            `PodDisruptionBudget ${pdb.name} wants ${needed} available but HorizontalPodAutoscaler ${hpa.name} may scale to ${minReplicas}`,
          ),
        ]
      : [pass];
  },
};

export const availabilityChecks: CheckDefinition[] = [
  replicas,
  pdbMissing,
  pdbHasPolicy,
  pdbBlocksEviction,
  pdbUnhealthyEviction,
  pdbAboveHpaMin,
];
