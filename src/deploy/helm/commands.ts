/** The Helm 3 command lines Chartroom runs. */
import { formatGoDuration } from './duration.js';

export interface ClusterTarget {
  namespace: string;
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

function clusterArgs(target: ClusterTarget): string[] {
  return [
    '--namespace',
    target.namespace,
    ...(target.kubeconfig === undefined ? [] : ['--kubeconfig', target.kubeconfig]),
    ...(target.context === undefined ? [] : ['--kube-context', target.context]),
  ];
}

export interface UpgradeArgs extends ClusterTarget {
  release: string;
  chart: string;
  timeoutMs: number;
  atomic: boolean;
  /** From values/assemble.ts, in order. */
  valuesArgs: readonly string[];
  historyMax?: number;
}

/**
 * `helm upgrade --install` with `--wait` and `--wait-for-jobs`: Helm stays the authority on
 * success, the tracker beside it explains failures early. `--debug` makes Helm log each object
 * it applies, which tells the tracker when the new spec is in place. Its stdout (values, notes)
 * is filtered out in process.ts.
 */
export function upgradeArgs(options: UpgradeArgs): string[] {
  return [
    'upgrade',
    '--install',
    options.release,
    options.chart,
    ...clusterArgs(options),
    '--wait',
    '--wait-for-jobs',
    '--timeout',
    formatGoDuration(options.timeoutMs),
    '--history-max',
    String(options.historyMax ?? 20),
    ...(options.atomic ? ['--atomic'] : []),
    '--debug',
    ...options.valuesArgs,
  ];
}

/**
 * `helm template` of what an upgrade would apply, for `deploy diff`: the same values, the
 * cluster's API versions (`--validate` reads them from the cluster, and checks the objects), and
 * `--is-upgrade` when the release exists, so templates that branch on it render as the upgrade will.
 */
export function templateArgs(
  options: ClusterTarget & {
    release: string;
    chart: string;
    isUpgrade: boolean;
    valuesArgs: readonly string[];
  },
): string[] {
  return [
    'template',
    options.release,
    options.chart,
    ...clusterArgs(options),
    '--validate',
    ...(options.isUpgrade ? ['--is-upgrade'] : []),
    ...options.valuesArgs,
  ];
}

export function rollbackArgs(
  options: ClusterTarget & { release: string; revision: number; timeoutMs: number },
): string[] {
  return [
    'rollback',
    options.release,
    String(options.revision),
    ...clusterArgs(options),
    '--timeout',
    formatGoDuration(options.timeoutMs),
    '--history-max',
    '20',
  ];
}

export function uninstallArgs(options: ClusterTarget & { release: string; timeoutMs: number }): string[] {
  return [
    'uninstall',
    options.release,
    ...clusterArgs(options),
    '--wait',
    '--timeout',
    formatGoDuration(options.timeoutMs),
  ];
}
