/** CPU, memory and ephemeral-storage requests and limits. */
import { get, obj, str } from '../json.js';
import type { CheckDefinition } from '../model.js';
import { parseQuantity } from '../../kube/quantity.js';
import { optionBool, perContainer } from './helpers.js';
import type { ContainerRef } from '../workload.js';

type Field = 'requests' | 'limits';

function quantity(ref: ContainerRef, field: Field, resource: string): unknown {
  return get(ref.container, `resources.${field}`) === undefined
    ? undefined
    : obj(ref.container, `resources.${field}`)?.[resource];
}

/** Set and not zero: `cpu: 0` or `""` is as good as missing for scheduling. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  const parsed = parseQuantity(value);
  return parsed === undefined || parsed > 0;
}

function missing(
  id: string,
  title: string,
  field: Field,
  resource: 'cpu' | 'memory',
  why: string,
  fix: string,
): CheckDefinition {
  const singular = field === 'requests' ? 'request' : 'limit';
  return {
    id,
    title,
    family: 'resources',
    severity: 'warning',
    why,
    fix,
    run: (manifest, context) =>
      perContainer(manifest, { init: optionBool(context.options, 'initContainers', false) }, (ref) =>
        isSet(quantity(ref, field, resource))
          ? undefined
          : `container "${ref.name}" has no ${resource} ${singular}`,
      ),
  };
}

export const cpuRequestMissing = missing(
  'cpu-request-missing',
  'CPU request set',
  'requests',
  'cpu',
  'The scheduler and the cluster-autoscaler place pods by their requests, and the HPA measures CPU utilisation against them. Without a request a pod can land on a full node, and a CPU-based HPA cannot work at all.',
  'Set `resources.requests.cpu` to the steady-state usage (p95 after warm-up). `chartroom policy advise` proposes it from real metrics.',
);
export const memoryRequestMissing = missing(
  'memory-request-missing',
  'Memory request set',
  'requests',
  'memory',
  'Without a memory request the pod is scheduled as if it needed none and is among the first evicted under node memory pressure.',
  'Set `resources.requests.memory` to the working set the container needs.',
);
export const cpuLimitMissing = missing(
  'cpu-limit-missing',
  'CPU limit set',
  'limits',
  'cpu',
  "A container without a CPU limit can take every spare core on the node, starving its neighbours (the talk's pods used 3+ cores while requesting 1).",
  'Set `resources.limits.cpu`; if you prefer unthrottled pods, turn this check off in the config and rely on requests.',
);
export const memoryLimitMissing = missing(
  'memory-limit-missing',
  'Memory limit set',
  'limits',
  'memory',
  'Without a memory limit a leak grows until the kernel OOM-kills something on the node, possibly another workload.',
  'Set `resources.limits.memory` a little above the peak working set.',
);

export const ephemeralStorage: CheckDefinition = {
  id: 'ephemeral-storage-missing',
  title: 'Ephemeral storage request and limit set',
  family: 'resources',
  severity: 'warning',
  why: 'Logs, emptyDir volumes and the writable layer use node disk. Without a limit one pod can fill the disk and get the whole node evicted.',
  fix: 'Set `resources.requests.ephemeral-storage` and `resources.limits.ephemeral-storage`.',
  run: (manifest, context) =>
    perContainer(manifest, { init: optionBool(context.options, 'initContainers', true) }, (ref) => {
      const request = isSet(quantity(ref, 'requests', 'ephemeral-storage'));
      const limit = isSet(quantity(ref, 'limits', 'ephemeral-storage'));
      if (request && limit) return undefined;
      // No limit lets one pod fill the node's disk; a missing request only misplaces it.
      if (limit) return `container "${ref.name}" has no ephemeral-storage request`;
      return { message: `container "${ref.name}" has no ephemeral-storage limit`, severity: 'danger' };
    }),
};

function equalCheck(id: string, title: string, resources: readonly string[]): CheckDefinition {
  return {
    id,
    title,
    family: 'resources',
    severity: 'warning',
    optional: true,
    why: 'Pods whose requests equal their limits get the Guaranteed QoS class: they are evicted last and never throttled below what they were promised.',
    fix: `Set the ${resources.join(' and ')} limits equal to the requests.`,
    run: (manifest) =>
      perContainer(manifest, { init: true }, (ref) => {
        for (const resource of resources) {
          const request = quantity(ref, 'requests', resource);
          const limit = quantity(ref, 'limits', resource);
          if (!isSet(request) || !isSet(limit))
            return `container "${ref.name}" has no ${resource} request or limit`;
          if (parseQuantity(request) !== parseQuantity(limit)) {
            return `container "${ref.name}" has a ${resource} request (${str(request) ?? String(request)}) different from its limit (${str(limit) ?? String(limit)})`;
          }
        }
        return undefined;
      }),
  };
}

export const requestsEqualLimits = equalCheck(
  'requests-equal-limits',
  'CPU and memory requests equal limits',
  ['cpu', 'memory'],
);
export const cpuRequestsEqualLimits = equalCheck('cpu-requests-equal-limits', 'CPU request equals limit', [
  'cpu',
]);
export const memoryRequestsEqualLimits = equalCheck(
  'memory-requests-equal-limits',
  'Memory request equals limit',
  ['memory'],
);
export const ephemeralRequestEqualsLimit = equalCheck(
  'ephemeral-storage-request-equals-limit',
  'Ephemeral storage request equals limit',
  ['ephemeral-storage'],
);

export const resourceChecks: CheckDefinition[] = [
  cpuRequestMissing,
  memoryRequestMissing,
  cpuLimitMissing,
  memoryLimitMissing,
  ephemeralStorage,
  requestsEqualLimits,
  cpuRequestsEqualLimits,
  memoryRequestsEqualLimits,
  ephemeralRequestEqualsLimit,
];
