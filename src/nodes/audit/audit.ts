import { checkGroup } from './checks.js';
import type { AuditReport, NodeGroup, Severity } from './model.js';

export interface AuditOptions {
  /** A kops state folder (or file) with InstanceGroup YAML. */
  kops?: string;
  /** Read the region's Auto Scaling groups. */
  aws?: { region: string; names?: string[]; tags?: string[] };
  /** Findings at or above this fail the audit (default error). */
  failOn?: Severity;
  signal?: AbortSignal;
}

const rank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Finds the fleet settings that take nodes away without a drain: AZRebalance on groups no hook
 * watches, spot groups without a termination hook, capacity rebalancing off, too few instance
 * types, and their kin, each with the fix for where it was found.
 */
export async function auditNodeGroups(options: AuditOptions): Promise<AuditReport> {
  const groups: NodeGroup[] = [];
  if (options.kops !== undefined) {
    const { loadKopsGroups } = await import('./kops.js');
    groups.push(...loadKopsGroups(options.kops));
  }
  if (options.aws !== undefined) {
    const { loadAwsGroups } = await import('./aws.js');
    groups.push(
      ...(await loadAwsGroups({
        ...options.aws,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })),
    );
  }
  const findings = groups.flatMap(checkGroup);
  const failOn = rank[options.failOn ?? 'error'];
  const failing = findings.filter((f) => rank[f.severity] >= failOn).length;
  return { groups, findings, failing, passed: failing === 0 };
}
