/** Every check Chartroom knows, in report order (family by family). */
import type { CheckDefinition } from '../model.js';
import { apiChecks } from './api.js';
import { autoscalingChecks } from './autoscaling.js';
import { availabilityChecks } from './availability.js';
import { hostChecks } from './host.js';
import { imageChecks } from './images.js';
import { networkingChecks } from './networking.js';
import { probeChecks } from './probes.js';
import { rbacChecks } from './rbac.js';
import { resourceChecks } from './resources.js';
import { rolloutChecks } from './rollout.js';
import { schedulingChecks } from './scheduling.js';
import { securityChecks } from './security.js';
import { spotChecks } from './spot.js';
import { startupChecks } from './startup.js';
import { workloadChecks } from './workloads.js';

export const allChecks: readonly CheckDefinition[] = [
  ...autoscalingChecks,
  ...startupChecks,
  ...rolloutChecks,
  ...spotChecks,
  ...resourceChecks,
  ...probeChecks,
  ...imageChecks,
  ...securityChecks,
  ...hostChecks,
  ...availabilityChecks,
  ...schedulingChecks,
  ...networkingChecks,
  ...apiChecks,
  ...rbacChecks,
  ...workloadChecks,
];

export const checkIds: ReadonlySet<string> = new Set(allChecks.map((c) => c.id));

export function checkById(id: string): CheckDefinition | undefined {
  return allChecks.find((c) => c.id === id);
}
