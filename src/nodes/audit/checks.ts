import { similarInstanceTypes } from './instance-types.js';
import type { Finding, NodeGroup, Severity } from './model.js';

/** The fix for each source: a kops IG snippet, or the AWS CLI command for that very group. */
interface Fix {
  kops: string;
  aws: string;
}

type Check = (
  group: NodeGroup,
) => { check: string; severity: Severity; message: string; fix: Fix } | undefined;

const quote = (name: string): string => (/^[\w.-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`);

function hasHook(group: NodeGroup): boolean {
  return group.terminationHooks === 'kops-queue' || group.terminationHooks.length > 0;
}

const hookFix = (group: NodeGroup): Fix => ({
  kops:
    'in the Cluster spec (kops creates the hooks, queue and EventBridge rules):\n' +
    'nodeTerminationHandler: {enabled: true, enableSQSTerminationDraining: true}\n' +
    'or add the hook yourself and run `chartroom nodes watch-queue` on that queue',
  aws:
    `aws autoscaling put-lifecycle-hook --auto-scaling-group-name ${quote(group.name)} --lifecycle-hook-name chartroom-drain ` +
    '--lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --default-result CONTINUE --heartbeat-timeout 300\n' +
    'then send its events to SQS with an EventBridge rule and run `chartroom nodes watch-queue --queue-url …`',
});

/**
 * AZRebalance terminates instances through the ASG to even out zones, which no spot notice or
 * IMDS spot path reports: the talk's nodes died undrained this way. Only a termination lifecycle
 * hook (queue mode) lets a handler see it.
 */
const azRebalance: Check = (group) => {
  if (group.zones.length < 2) return undefined;
  const suspended =
    group.suspendedProcesses.includes('AZRebalance') || group.suspendedProcesses.includes('Launch');
  if (suspended) return undefined;
  const fix: Fix = {
    kops: 'spec:\n  suspendProcesses:\n  - AZRebalance',
    aws: `aws autoscaling suspend-processes --auto-scaling-group-name ${quote(group.name)} --scaling-processes AZRebalance`,
  };
  if (hasHook(group)) {
    return {
      check: 'az-rebalance-not-suspended',
      severity: 'info',
      message:
        `AZRebalance is active across ${group.zones.length} zones; its terminations reach the termination hook, so a queue ` +
        'watcher drains them, but it still replaces nodes only to even out zones',
      fix,
    };
  }
  return {
    check: 'az-rebalance-not-suspended',
    severity: group.spot ? 'error' : 'warning',
    message:
      `AZRebalance is active across ${group.zones.length} zones and no termination lifecycle hook exists: when the group ` +
      're-balances zones (spot capacity shifts, the cluster-autoscaler removes nodes by use, not by zone) it terminates a ' +
      'node with no spot notice at all, so IMDS-only handlers miss it and its pods die undrained',
    fix,
  };
};

const terminationHook: Check = (group) => {
  if (hasHook(group)) return undefined;
  return {
    check: 'no-termination-lifecycle-hook',
    severity: 'warning',
    message:
      'no lifecycle hook for autoscaling:EC2_INSTANCE_TERMINATING: scale-in, health replacements, instance refresh, ' +
      'capacity rebalancing and AZRebalance terminate nodes without a drain; only spot interruptions seen through IMDS are handled',
    fix: hookFix(group),
  };
};

const hookTimeout: Check = (group) => {
  if (group.terminationHooks === 'kops-queue') return undefined;
  const short = group.terminationHooks.filter(
    (h) => h.heartbeatTimeout !== undefined && h.heartbeatTimeout < 120,
  );
  if (short.length === 0) return undefined;
  const hook = short[0];
  return {
    check: 'termination-hook-timeout-short',
    severity: 'warning',
    message: `termination hook ${hook?.name ?? ''} waits only ${hook?.heartbeatTimeout ?? 0}s: a drain gets less than the two minutes a spot notice gives`,
    fix: {
      kops: 'raise the hook heartbeat timeout to 300s',
      aws: `aws autoscaling put-lifecycle-hook --auto-scaling-group-name ${quote(group.name)} --lifecycle-hook-name ${quote(hook?.name ?? '')} --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 300`,
    },
  };
};

const capacityRebalance: Check = (group) => {
  if (!group.spot || group.capacityRebalance) return undefined;
  return {
    check: 'capacity-rebalance-off',
    severity: 'warning',
    message:
      'capacity rebalancing is off: on a rebalance recommendation the group does not start a replacement early, so ' +
      'capacity is lost for the time a new node needs after each interruption',
    fix: {
      kops: 'spec:\n  capacityRebalance: true',
      aws: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${quote(group.name)} --capacity-rebalance`,
    },
  };
};

const diversified: Check = (group) => {
  if (!group.spot || group.instanceRequirements || group.instanceTypes.length >= 3) return undefined;
  const current = group.instanceTypes;
  const suggested = [...current, ...similarInstanceTypes(current[0] ?? '', 4 - current.length)];
  const list = suggested.length > current.length ? suggested : [...current, '<similar types>'];
  return {
    check: 'spot-few-instance-types',
    severity: 'warning',
    message:
      `spot with ${current.length === 1 ? 'a single instance type' : `only ${current.length} instance types`} ` +
      `(${current.join(', ') || 'unknown'}): one capacity pool per zone, so interruptions come in waves and the group ` +
      'cannot replace nodes when that pool runs dry',
    fix: {
      kops:
        'spec:\n  mixedInstancesPolicy:\n' +
        `    instances: [${list.join(', ')}]\n` +
        '    onDemandAboveBase: 0\n    spotAllocationStrategy: price-capacity-optimized' +
        (group.maxPrice === undefined ? '' : '\n  # and remove maxPrice'),
      aws:
        `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${quote(group.name)} --mixed-instances-policy ` +
        `'{"LaunchTemplate":{"LaunchTemplateSpecification":{…},"Overrides":[${list.map((t) => `{"InstanceType":"${t}"}`).join(',')}]},` +
        '"InstancesDistribution":{"OnDemandPercentageAboveBaseCapacity":0,"SpotAllocationStrategy":"price-capacity-optimized"}}\'',
    },
  };
};

const allocationStrategy: Check = (group) => {
  if (!group.spot || !group.mixedInstancesPolicy) return undefined;
  const strategy = group.spotAllocationStrategy ?? 'lowest-price';
  if (strategy !== 'lowest-price') return undefined;
  return {
    check: 'spot-lowest-price-strategy',
    severity: 'warning',
    message: `spot allocation strategy ${group.spotAllocationStrategy === undefined ? 'is unset, so AWS uses lowest-price' : 'is lowest-price'}: it picks the cheapest pools, which are the most interrupted`,
    fix: {
      kops: 'spec:\n  mixedInstancesPolicy:\n    spotAllocationStrategy: price-capacity-optimized',
      aws: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${quote(group.name)} --mixed-instances-policy '{"InstancesDistribution":{"SpotAllocationStrategy":"price-capacity-optimized"}}'`,
    },
  };
};

const maxPrice: Check = (group) => {
  if (!group.spot || group.maxPrice === undefined) return undefined;
  return {
    check: 'spot-max-price',
    severity: 'info',
    message: `maxPrice ${group.maxPrice} caps the spot price: whenever the spot price rises above it the instances are interrupted; AWS advises leaving it unset (capped at the on-demand price)`,
    fix: {
      kops: 'use mixedInstancesPolicy with onDemandAboveBase: 0 and no maxPrice',
      aws: 'remove the max price (SpotMaxPrice) from the launch template or mixed instances policy',
    },
  };
};

const singleZone: Check = (group) => {
  if (!group.spot || group.zones.length !== 1) return undefined;
  return {
    check: 'spot-single-zone',
    severity: 'warning',
    message: `spot in one zone (${group.zones[0] ?? ''}): every pool of that zone can run dry at once`,
    fix: {
      kops: 'spec:\n  subnets: [<one per zone>]',
      aws: `add subnets in other zones to ${group.name}'s VPCZoneIdentifier`,
    },
  };
};

/** IMDSv2-only with hop limit 1: a termination agent in a pod without hostNetwork gets no token. */
const hopLimit: Check = (group) => {
  const metadata = group.instanceMetadata;
  if (metadata?.httpTokens !== 'required' || (metadata.hopLimit ?? 1) > 1) return undefined;
  return {
    check: 'imds-hop-limit',
    severity: 'info',
    message:
      'IMDSv2 is required with a hop limit of 1: a termination agent in a pod without hostNetwork cannot get a token ' +
      '(run the agent with hostNetwork, as its chart does, or raise the limit)',
    fix: {
      kops: 'spec:\n  instanceMetadata:\n    httpPutResponseHopLimit: 2\n    httpTokens: required',
      aws: 'set MetadataOptions.HttpPutResponseHopLimit to 2 in the launch template',
    },
  };
};

export const checks: readonly Check[] = [
  azRebalance,
  terminationHook,
  hookTimeout,
  capacityRebalance,
  diversified,
  allocationStrategy,
  maxPrice,
  singleZone,
  hopLimit,
];

export function checkGroup(group: NodeGroup): Finding[] {
  const findings: Finding[] = [];
  for (const check of checks) {
    const result = check(group);
    if (result === undefined) continue;
    findings.push({
      source: group.source,
      group: group.name,
      check: result.check,
      severity: result.severity,
      message: result.message,
      fix: result.fix[group.source],
    });
  }
  return findings;
}
