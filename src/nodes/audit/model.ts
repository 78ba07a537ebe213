/** A node group as the audit sees it, whether read from a kops InstanceGroup or an AWS ASG. */
export interface NodeGroup {
  source: 'kops' | 'aws';
  name: string;
  /** The kops file it came from. */
  file?: string;
  role?: string;
  spot: boolean;
  instanceTypes: string[];
  /** Attribute-based instance selection (any type matching requirements): diversified by design. */
  instanceRequirements: boolean;
  zones: string[];
  suspendedProcesses: string[];
  capacityRebalance: boolean;
  /** Termination lifecycle hooks; `kops-queue` when kops' node-termination-handler queue mode creates them. */
  terminationHooks: { name: string; heartbeatTimeout?: number }[] | 'kops-queue';
  spotAllocationStrategy?: string;
  maxPrice?: string;
  mixedInstancesPolicy: boolean;
  instanceMetadata?: { httpTokens?: string; hopLimit?: number };
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  source: NodeGroup['source'];
  group: string;
  check: string;
  severity: Severity;
  message: string;
  /** What to change, as the snippet or command for this source. */
  fix: string;
}

export interface AuditReport {
  groups: NodeGroup[];
  findings: Finding[];
  /** How many findings are at or above the failing severity; the audit passes when none are. */
  failing: number;
  passed: boolean;
}
