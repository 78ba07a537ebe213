import { labelSelectorMatches, type V1Pod, type V1PodDisruptionBudget } from '../../kube/index.js';
import type { BudgetView } from './types.js';

type Selector = NonNullable<NonNullable<V1PodDisruptionBudget['spec']>['selector']>;

/**
 * Label selector semantics of policy/v1: an empty selector selects every pod in the namespace, a
 * missing one selects none.
 */
export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && labelSelectorMatches(selector, labels);
}

/** The budgets of the pod's namespace that cover it (more than one makes the eviction API refuse). */
export function budgetsFor(pod: V1Pod, budgets: readonly V1PodDisruptionBudget[]): V1PodDisruptionBudget[] {
  const labels = pod.metadata?.labels ?? {};
  return budgets.filter(
    (budget) =>
      budget.metadata?.namespace === pod.metadata?.namespace && selects(budget.spec?.selector, labels),
  );
}

function rule(budget: V1PodDisruptionBudget): string {
  const spec = budget.spec;
  if (spec?.minAvailable !== undefined) return `minAvailable ${String(spec.minAvailable)}`;
  if (spec?.maxUnavailable !== undefined) return `maxUnavailable ${String(spec.maxUnavailable)}`;
  return 'no rule';
}

/** What a budget allows now, and why, in words someone on call can act on. */
export function viewBudget(budget: V1PodDisruptionBudget): BudgetView {
  const status = budget.status;
  const view = {
    name: budget.metadata?.name ?? '?',
    disruptionsAllowed: status?.disruptionsAllowed ?? 0,
    currentHealthy: status?.currentHealthy ?? 0,
    desiredHealthy: status?.desiredHealthy ?? 0,
    expectedPods: status?.expectedPods ?? 0,
  };
  const neverAllows = view.expectedPods > 0 && view.desiredHealthy >= view.expectedPods;
  let why: string;
  if (neverAllows) {
    why =
      `${rule(budget)} requires all ${view.expectedPods} pods healthy, so it never allows an eviction ` +
      'unless the workload scales up or the budget is relaxed';
  } else if (view.disruptionsAllowed > 0) {
    why = `allows ${view.disruptionsAllowed} disruption(s) but its status is catching up`;
  } else {
    why =
      `${view.currentHealthy} of ${view.expectedPods} pods healthy and ${rule(budget)} needs ` +
      `${view.desiredHealthy}: waiting for replacements to become ready`;
  }
  return { ...view, neverAllows, why };
}
