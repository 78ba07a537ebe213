/**
 * The talk's spot lessons: a spot node gets two minutes' notice, so PDBs and grace periods must let
 * a node drain in that time; the cluster-autoscaler must be allowed to move pods; and ASG-driven
 * terminations (AZRebalance) give no spot notice at all, so spot groups suspend AZRebalance.
 */
import { arr, num, obj, objs, str } from '../json.js';
import type { CheckResult, CheckDefinition, Manifest } from '../model.js';
import { podTemplateOf } from '../workload.js';
import { allowedDisruptions, selectedReplicas } from './availability.js';
import { fail, optionNumber, pass, perPod, skip } from './helpers.js';
import { hasHostAntiAffinity } from './scheduling.js';
import { expectedStartupSeconds, startupProbeBudget } from './startup.js';
import { containersOf } from '../workload.js';

const defaultGrace = 30;

/** Seconds until a replacement pod is Ready, from what the manifest says about boot time. */
function replacementReadySeconds(workload: Manifest): number {
  const template = podTemplateOf(workload);
  if (template === undefined) return 10;
  const times = containersOf(template).map((ref) =>
    Math.max(
      expectedStartupSeconds(ref.container, template),
      Math.min(startupProbeBudget(ref.container) ?? 0, 60),
      10,
    ),
  );
  return Math.max(10, ...times);
}

export const pdbSpotDrain: CheckDefinition = {
  id: 'pdb-spot-drain',
  title: 'PDB lets a node drain within the spot notice',
  family: 'spot',
  severity: 'warning',
  why: 'A spot instance is reclaimed two minutes after its notice. The termination handler drains the node, but eviction goes one PDB-allowed batch at a time and each batch waits for its replacements to become Ready. If that takes longer than the notice, the remaining pods die with the node, uncounted by the PDB.',
  fix: 'Raise `maxUnavailable` (e.g. 25%), spread replicas over nodes with anti-affinity so one node holds few of them, keep terminationGracePeriodSeconds well under 120s and make pods start fast (startupProbe, warm-up).',
  run: (manifest, context) => {
    if (manifest.kind !== 'PodDisruptionBudget') return [];
    const notice = optionNumber(context.options, 'noticeSeconds', 120);
    const selected = selectedReplicas(manifest, context.index);
    if (selected === undefined) return [];
    const allowed = allowedDisruptions(manifest, selected.replicas);
    if (allowed === undefined) return [];
    if (allowed === 0) return [skip('allows no disruption at all (see pdb-blocks-eviction)')];
    const results: CheckResult[] = [];
    for (const workload of selected.workloads) {
      const template = podTemplateOf(workload);
      if (template === undefined) continue;
      const grace = num(template.spec, 'terminationGracePeriodSeconds') ?? defaultGrace;
      const spread =
        hasHostAntiAffinity(template) ||
        objs(template.spec, 'topologySpreadConstraints').some(
          (c) => str(c, 'topologyKey') === 'kubernetes.io/hostname' && (num(c, 'maxSkew') ?? 1) <= 1,
        );
      const podsOnNode = spread ? 1 : selected.replicas;
      const rounds = Math.ceil(podsOnNode / allowed);
      const ready = replacementReadySeconds(workload);
      const seconds = rounds * grace + (rounds - 1) * ready;
      if (seconds > notice) {
        results.push(
          fail(
            `draining a node with ${podsOnNode} pod(s) of ${workload.kind} ${workload.name} takes ~${seconds}s (${rounds} eviction round(s) of ${allowed}, ${grace}s grace, ~${ready}s to replace), more than the ${notice}s spot notice`,
          ),
        );
      }
    }
    return results.length === 0 ? [pass] : results;
  },
};

export const terminationGrace: CheckDefinition = {
  id: 'termination-grace-within-spot-notice',
  title: 'Grace period fits the spot notice',
  family: 'spot',
  severity: 'warning',
  why: "A spot node is gone two minutes after its notice, whatever the pods' terminationGracePeriodSeconds says; a longer grace period only means the pod is killed mid-shutdown.",
  fix: 'Keep `terminationGracePeriodSeconds` below 120 (≈ 90 leaves time for the drain) and make shutdown fit in it.',
  run: (manifest, context) => {
    const notice = optionNumber(context.options, 'noticeSeconds', 120);
    return perPod(manifest, (template) => {
      const grace = num(template.spec, 'terminationGracePeriodSeconds');
      return grace !== undefined && grace > notice
        ? `terminationGracePeriodSeconds is ${grace}s, longer than the ${notice}s spot notice`
        : undefined;
    });
  },
};

const safeToEvict = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const safeLocalVolumes = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

export const autoscalerEviction: CheckDefinition = {
  id: 'cluster-autoscaler-safe-to-evict',
  title: 'cluster-autoscaler may move the pods',
  family: 'spot',
  severity: 'warning',
  why: 'The cluster-autoscaler never removes a node running a pod annotated safe-to-evict "false", or a pod with local storage (emptyDir, hostPath) unless it is declared safe. Such pods pin half-empty (and on-demand overflow) nodes for good.',
  fix: 'Remove `safe-to-evict: "false"`, and for pods whose emptyDir is scratch space set `cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes: "<volume>,…"` (or `safe-to-evict: "true"`).',
  run: (manifest) => {
    if (manifest.kind === 'DaemonSet') return []; // the autoscaler ignores DaemonSet pods
    return perPod(manifest, (template) => {
      const annotations = { ...manifest.annotations, ...template.annotations };
      if (annotations[safeToEvict] === 'false')
        return `pod is annotated ${safeToEvict}: "false": its node can never be scaled down`;
      if (annotations[safeToEvict] === 'true') return undefined;
      const declared = new Set((annotations[safeLocalVolumes] ?? '').split(',').map((v) => v.trim()));
      const local = objs(template.spec, 'volumes')
        .filter((v) => obj(v, 'emptyDir') !== undefined || obj(v, 'hostPath') !== undefined)
        .map((v) => str(v, 'name') ?? '')
        .filter((name) => !declared.has(name));
      return local.length === 0
        ? undefined
        : `local volume(s) ${local.map((n) => `"${n}"`).join(', ')} block cluster-autoscaler scale-down; declare them in ${safeLocalVolumes}`;
    });
  },
};

/** A kops InstanceGroup or an ASG (describe-auto-scaling-groups JSON) that runs spot capacity. */
function spotReason(manifest: Manifest): string | undefined {
  if (manifest.kind === 'InstanceGroup') {
    if (str(manifest.doc, 'spec.maxPrice') !== undefined || num(manifest.doc, 'spec.maxPrice') !== undefined)
      return 'maxPrice is set';
    const mixed = obj(manifest.doc, 'spec.mixedInstancesPolicy');
    if (mixed !== undefined && (num(mixed, 'onDemandAboveBase') ?? 100) < 100)
      return 'mixedInstancesPolicy runs spot above the on-demand base';
    return undefined;
  }
  if (manifest.kind === 'AutoScalingGroup') {
    const distribution = obj(manifest.doc, 'MixedInstancesPolicy.InstancesDistribution');
    if (
      distribution !== undefined &&
      (num(distribution, 'OnDemandPercentageAboveBaseCapacity') ?? 100) < 100
    ) {
      return 'its MixedInstancesPolicy runs spot above the on-demand base';
    }
    const tags = objs(manifest.doc, 'Tags');
    if (
      tags.some(
        (t) =>
          /spot/i.test(`${str(t, 'Key') ?? ''}=${str(t, 'Value') ?? ''}`) &&
          /lifecycle|spot/i.test(str(t, 'Key') ?? ''),
      )
    )
      return 'it is tagged as spot';
    return undefined;
  }
  return undefined;
}

function suspended(manifest: Manifest): string[] {
  if (manifest.kind === 'InstanceGroup') return arr(manifest.doc, 'spec.suspendProcesses').map(String);
  return objs(manifest.doc, 'SuspendedProcesses').map((p) => str(p, 'ProcessName') ?? '');
}

export const spotAzRebalance: CheckDefinition = {
  id: 'spot-azrebalance-suspended',
  title: 'Spot groups suspend AZRebalance',
  family: 'spot',
  severity: 'danger',
  why: "AZRebalance launches instances in under-represented zones and then terminates others through the ASG, not through EC2 spot reclaim: no spot interruption notice is ever issued, so the termination handler never drains the node and its pods die mid-request (the talk's outage).",
  fix: 'Add `suspendProcesses: [AZRebalance]` to the kops InstanceGroup (`aws autoscaling suspend-processes --scaling-processes AZRebalance` for a plain ASG), or run the termination handler in queue mode with an ASG lifecycle hook.',
  run: (manifest) => {
    const reason = spotReason(manifest);
    if (reason === undefined)
      return manifest.kind === 'InstanceGroup' || manifest.kind === 'AutoScalingGroup' ? [pass] : [];
    const list = suspended(manifest);
    if (list.includes('AZRebalance') || list.includes('Launch')) return [pass];
    return [
      fail(
        `spot ${manifest.kind === 'InstanceGroup' ? 'InstanceGroup' : 'Auto Scaling group'} (${reason}) does not suspend AZRebalance`,
        { path: manifest.kind === 'InstanceGroup' ? 'spec.suspendProcesses' : 'SuspendedProcesses' },
      ),
    ];
  },
};

export const spotChecks: CheckDefinition[] = [
  pdbSpotDrain,
  terminationGrace,
  autoscalerEviction,
  spotAzRebalance,
];
