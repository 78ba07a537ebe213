import {
  AutoScalingClient,
  DescribeLaunchConfigurationsCommand,
  DescribeLifecycleHooksCommand,
  paginateDescribeAutoScalingGroups,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { NodeGroup } from './model.js';

export interface AwsSourceOptions {
  region: string;
  /** Only these groups (default: every group in the region). */
  names?: string[];
  /** Only groups carrying this tag (`key` or `key=value`), e.g. kubernetes.io/cluster/prod. */
  tags?: string[];
  signal?: AbortSignal;
}

function matchesTags(group: AutoScalingGroup, tags: readonly string[]): boolean {
  return tags.every((wanted) => {
    const [key, value] = wanted.split('=', 2);
    return (group.Tags ?? []).some((tag) => tag.Key === key && (value === undefined || tag.Value === value));
  });
}

/**
 * Reads Auto Scaling groups with what decides their termination behaviour: suspended processes,
 * lifecycle hooks, capacity rebalancing, and whether they run spot (mixed instances policy, a
 * launch configuration's SpotPrice, or a launch template's spot market options).
 */
export async function loadAwsGroups(options: AwsSourceOptions): Promise<NodeGroup[]> {
  const autoscaling = new AutoScalingClient({ region: options.region });
  const ec2 = new EC2Client({ region: options.region });
  const abort = options.signal === undefined ? {} : { abortSignal: options.signal };
  try {
    const groups: AutoScalingGroup[] = [];
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: autoscaling },
      options.names === undefined ? {} : { AutoScalingGroupNames: options.names },
    )) {
      groups.push(...(page.AutoScalingGroups ?? []).filter((g) => matchesTags(g, options.tags ?? [])));
    }
    const configNames = [
      ...new Set(groups.map((g) => g.LaunchConfigurationName).filter((n): n is string => n !== undefined)),
    ];
    const configs =
      configNames.length === 0
        ? []
        : ((
            await autoscaling.send(
              new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: configNames }),
              abort,
            )
          ).LaunchConfigurations ?? []);
    return await Promise.all(
      groups.map(async (group) => {
        const name = group.AutoScalingGroupName ?? '?';
        const hooks = await autoscaling.send(
          new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name }),
          abort,
        );
        const config = configs.find((c) => c.LaunchConfigurationName === group.LaunchConfigurationName);
        const template = await launchTemplate(ec2, group, abort);
        const mixed = group.MixedInstancesPolicy;
        const distribution = mixed?.InstancesDistribution;
        const onDemandAbove = distribution?.OnDemandPercentageAboveBaseCapacity ?? 100;
        const spot =
          mixed !== undefined
            ? onDemandAbove < 100
            : config?.SpotPrice !== undefined || template?.spot === true;
        const overrides = mixed?.LaunchTemplate?.Overrides ?? [];
        const overrideTypes = overrides
          .map((o) => o.InstanceType)
          .filter((t): t is string => t !== undefined);
        const maxPrice = distribution?.SpotMaxPrice ?? config?.SpotPrice ?? template?.maxPrice;
        const single = config?.InstanceType ?? template?.instanceType;
        return {
          source: 'aws' as const,
          name,
          spot,
          instanceTypes: overrideTypes.length > 0 ? overrideTypes : single === undefined ? [] : [single],
          instanceRequirements: overrides.some((o) => o.InstanceRequirements !== undefined),
          zones: group.AvailabilityZones ?? [],
          suspendedProcesses: (group.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? ''),
          capacityRebalance: group.CapacityRebalance === true,
          terminationHooks: (hooks.LifecycleHooks ?? [])
            .filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING')
            .map((h) => ({
              name: h.LifecycleHookName ?? '?',
              ...(h.HeartbeatTimeout === undefined ? {} : { heartbeatTimeout: h.HeartbeatTimeout }),
            })),
          ...(distribution?.SpotAllocationStrategy === undefined
            ? {}
            : { spotAllocationStrategy: distribution.SpotAllocationStrategy }),
          ...(maxPrice === undefined || maxPrice === '' ? {} : { maxPrice }),
          mixedInstancesPolicy: mixed !== undefined,
          ...(template?.metadata === undefined ? {} : { instanceMetadata: template.metadata }),
        } satisfies NodeGroup;
      }),
    );
  } finally {
    autoscaling.destroy();
    ec2.destroy();
  }
}

async function launchTemplate(
  ec2: EC2Client,
  group: AutoScalingGroup,
  abort: { abortSignal?: AbortSignal },
): Promise<
  | {
      spot: boolean;
      maxPrice?: string;
      instanceType?: string;
      metadata?: { httpTokens?: string; hopLimit?: number };
    }
  | undefined
> {
  const spec =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (spec === undefined) return undefined;
  const result = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({
      ...(spec.LaunchTemplateId === undefined
        ? { LaunchTemplateName: spec.LaunchTemplateName }
        : { LaunchTemplateId: spec.LaunchTemplateId }),
      Versions: [spec.Version ?? '$Default'],
    }),
    abort,
  );
  const data = result.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
  if (data === undefined) return undefined;
  const market = data.InstanceMarketOptions;
  const metadata = data.MetadataOptions;
  return {
    spot: market?.MarketType === 'spot',
    ...(market?.SpotOptions?.MaxPrice === undefined ? {} : { maxPrice: market.SpotOptions.MaxPrice }),
    ...(data.InstanceType === undefined ? {} : { instanceType: data.InstanceType }),
    ...(metadata === undefined
      ? {}
      : {
          metadata: {
            ...(metadata.HttpTokens === undefined ? {} : { httpTokens: metadata.HttpTokens }),
            ...(metadata.HttpPutResponseHopLimit === undefined
              ? {}
              : { hopLimit: metadata.HttpPutResponseHopLimit }),
          },
        }),
  };
}
