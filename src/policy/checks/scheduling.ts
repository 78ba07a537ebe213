/** Spreading replicas over nodes and zones, and scheduling priority. */
import { labelSelectorMatches } from '../../kube/selector.js';
import { arr, num, obj, objs, str } from '../json.js';
import type { CheckDefinition, Json } from '../model.js';
import { replicasOf, selectorFrom, type PodTemplate } from '../workload.js';
import { kindSelected, optionBool, optionNumber, perPod, skip } from './helpers.js';
import { hpasFor } from './references.js';

const hostnameKey = 'kubernetes.io/hostname';

function antiAffinityTerms(template: PodTemplate): { term: Json; required: boolean }[] {
  const anti = obj(template.spec, 'affinity.podAntiAffinity');
  return [
    ...objs(anti, 'requiredDuringSchedulingIgnoredDuringExecution').map((term) => ({ term, required: true })),
    ...objs(anti, 'preferredDuringSchedulingIgnoredDuringExecution').map((weighted) => ({
      term: obj(weighted, 'podAffinityTerm') ?? {},
      required: false,
    })),
  ];
}

/** A required or preferred anti-affinity on the node's hostname that selects the pod's own labels. */
export function hasHostAntiAffinity(
  template: PodTemplate,
  options: { requiredOnly?: boolean; anyTopology?: boolean; namespace?: string } = {},
): boolean {
  return antiAffinityTerms(template).some(({ term, required }) => {
    if (options.requiredOnly === true && !required) return false;
    if (options.anyTopology !== true && str(term, 'topologyKey') !== hostnameKey) return false;
    const namespaces = arr(term, 'namespaces').map(String);
    if (namespaces.length > 0 && !namespaces.includes(options.namespace ?? 'default')) return false;
    const selector = selectorFrom(obj(term, 'labelSelector'));
    return selector !== undefined && labelSelectorMatches(selector, template.labels);
  });
}

export const antiAffinity: CheckDefinition = {
  id: 'anti-affinity',
  title: 'Replicas spread over nodes',
  family: 'scheduling',
  severity: 'warning',
  why: 'Without pod anti-affinity (or a topology spread) the scheduler may put every replica on one node; one spot interruption then takes the whole app down.',
  fix: "Add a preferred podAntiAffinity on `kubernetes.io/hostname` selecting the pod's own labels, or a topologySpreadConstraint on the hostname.",
  run: (manifest, context) => {
    if (!kindSelected(context.options, manifest.kind)) return [];
    const min = optionNumber(context.options, 'minReplicas', 2);
    const unset = optionNumber(context.options, 'unsetReplicas', 1);
    const count =
      hpasFor(manifest, context.index).length > 0
        ? min
        : num(manifest.doc, 'spec.replicas') === undefined
          ? unset
          : (replicasOf(manifest) ?? 1);
    if (count < min) return [skip(`fewer than ${min} replicas`)];
    return perPod(manifest, (template) => {
      if (
        hasHostAntiAffinity(template, {
          anyTopology: optionBool(context.options, 'anyTopologyKey', false),
          namespace: manifest.namespace,
        })
      )
        return undefined;
      if (
        optionBool(context.options, 'acceptTopologySpread', true) &&
        objs(template.spec, 'topologySpreadConstraints').some((c) => str(c, 'topologyKey') === hostnameKey)
      ) {
        return undefined;
      }
      return `${manifest.kind} has no pod anti-affinity on ${hostnameKey} selecting its own pods`;
    });
  },
};

export const topologySpreadSet: CheckDefinition = {
  id: 'topology-spread',
  title: 'Topology spread constraints set',
  family: 'scheduling',
  severity: 'warning',
  optional: true,
  why: 'A zone outage or an AZ rebalance takes out every replica that happens to sit in that zone; a topology spread keeps them balanced.',
  fix: 'Add `topologySpreadConstraints` on `topology.kubernetes.io/zone` (and the hostname) with `whenUnsatisfiable: ScheduleAnyway`.',
  run: (manifest) => {
    if (manifest.kind === 'Job' || manifest.kind === 'CronJob') return [];
    return perPod(manifest, (template) =>
      objs(template.spec, 'topologySpreadConstraints').length > 0
        ? undefined
        : 'pod has no topologySpreadConstraints',
    );
  },
};

export const topologySpreadValid: CheckDefinition = {
  id: 'topology-spread-valid',
  title: 'Topology spread constraints are valid',
  family: 'scheduling',
  severity: 'danger',
  why: 'A constraint without a labelSelector counts no pods and spreads nothing; maxSkew or minDomains of 0 is rejected by the API server.',
  fix: "Give each constraint a `labelSelector` matching the pod's labels, `maxSkew` ≥ 1 and `minDomains` ≥ 1 if set.",
  run: (manifest) =>
    perPod(manifest, (template) => {
      const constraints = objs(template.spec, 'topologySpreadConstraints');
      if (constraints.length === 0) return undefined;
      for (const c of constraints) {
        if (obj(c, 'labelSelector') === undefined) return 'a topologySpreadConstraint has no labelSelector';
        if ((str(c, 'topologyKey') ?? '') === '') return 'a topologySpreadConstraint has no topologyKey';
        if (!['DoNotSchedule', 'ScheduleAnyway'].includes(str(c, 'whenUnsatisfiable') ?? ''))
          return 'a topologySpreadConstraint has an invalid whenUnsatisfiable';
        if ((num(c, 'maxSkew') ?? 0) < 1) return 'a topologySpreadConstraint has maxSkew below 1';
        if (c.minDomains !== undefined && (num(c, 'minDomains') ?? 0) < 1)
          return 'a topologySpreadConstraint has minDomains below 1';
        if (c.minDomains !== undefined && str(c, 'whenUnsatisfiable') !== 'DoNotSchedule')
          return 'minDomains is set but whenUnsatisfiable is not DoNotSchedule';
      }
      return undefined;
    }),
};

export const priorityClass: CheckDefinition = {
  id: 'priority-class',
  title: 'Priority class set',
  family: 'scheduling',
  severity: 'warning',
  optional: true,
  why: "Without a priority class, critical pods and the cluster-autoscaler's pause pods (the talk's overflow capacity) have the same priority: nothing gets preempted in the right order.",
  fix: "Set `priorityClassName` to one of the cluster's classes.",
  run: (manifest, context) =>
    perPod(manifest, (template) => {
      const name = str(template.spec, 'priorityClassName');
      if (name === undefined) return 'pod has no priorityClassName';
      const accepted = Array.isArray(context.options.accepted)
        ? context.options.accepted.map(String)
        : undefined;
      return accepted === undefined || accepted.includes(name)
        ? undefined
        : `priorityClassName "${name}" is not one of ${accepted.join(', ')}`;
    }),
};

export const nodeAffinity: CheckDefinition = {
  id: 'node-affinity',
  title: 'Node affinity set',
  family: 'scheduling',
  severity: 'warning',
  optional: true,
  why: 'Workloads that must (or must not) run on spot or on a node group say so with node affinity; without it they go anywhere.',
  fix: 'Add `affinity.nodeAffinity` for the node group the workload belongs on.',
  run: (manifest) =>
    perPod(manifest, (template) =>
      obj(template.spec, 'affinity.nodeAffinity') === undefined ? 'pod has no node affinity' : undefined,
    ),
};

export const schedulingChecks: CheckDefinition[] = [
  antiAffinity,
  topologySpreadSet,
  topologySpreadValid,
  priorityClass,
  nodeAffinity,
];
