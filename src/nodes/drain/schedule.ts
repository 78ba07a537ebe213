import type { V1Pod } from '../../kube/index.js';

/** system-cluster-critical; system-node-critical is above it. */
export const criticalPriority = 2_000_000_000;
/** Kubernetes' default terminationGracePeriodSeconds. */
const defaultGrace = 30;
/** Critical pods are let go this long before the deadline at the latest, plus their grace. */
const criticalLeadMs = 5_000;

export function ownGrace(pod: V1Pod, override?: number): number {
  return override ?? pod.spec?.terminationGracePeriodSeconds ?? defaultGrace;
}

export function isCritical(pod: V1Pod): boolean {
  return (pod.spec?.priority ?? 0) >= criticalPriority;
}

/**
 * The order evictions are started in. Like kubelet's graceful node shutdown, critical pods
 * (cluster DNS and the like) go last so the rest can still use them while shutting down. Among
 * the others, lower priority first, and longer grace periods first so the slow shutdowns start
 * while there is time for them.
 */
export function evictionOrder(pods: readonly V1Pod[], graceOverride?: number): V1Pod[] {
  return [...pods].sort((a, b) => {
    const critical = Number(isCritical(a)) - Number(isCritical(b));
    if (critical !== 0) return critical;
    const priority = (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0);
    if (priority !== 0) return priority;
    const grace = ownGrace(b, graceOverride) - ownGrace(a, graceOverride);
    if (grace !== 0) return grace;
    const an = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
    const bn = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
}

/**
 * The grace period to ask for so the pod is dead by the deadline: its own, or what is left if
 * that is less (at least 1s: 0 would mean "kill now" to the API). Undefined once no time is left.
 */
export function fitGrace(
  own: number,
  now: number,
  deadline: Date | undefined,
): { gracePeriodSeconds: number; shortenedFrom?: number } | undefined {
  if (deadline === undefined) return { gracePeriodSeconds: own };
  const secondsLeft = Math.floor((deadline.getTime() - now) / 1000);
  if (secondsLeft < 1) return undefined;
  if (own <= secondsLeft) return { gracePeriodSeconds: own };
  return { gracePeriodSeconds: secondsLeft, shortenedFrom: own };
}

/**
 * Whether critical pods may be evicted now: once every other pod is gone, or when only their
 * own grace (plus a little) is left before the deadline.
 */
export function criticalReleased(options: {
  othersRemaining: number;
  now: number;
  deadline: Date | undefined;
  criticalGraceSeconds: number;
}): boolean {
  if (options.othersRemaining === 0) return true;
  if (options.deadline === undefined) return false;
  return options.deadline.getTime() - options.now <= options.criticalGraceSeconds * 1000 + criticalLeadMs;
}
