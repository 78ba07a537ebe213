import { createHash } from 'node:crypto';

/**
 * Fake nodes that look like an EKS/kops fleet: three zones, a mix of instance types, and spot and
 * on-demand capacity, labelled the way the nodes, policy and deploy capabilities expect.
 */
export const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

const shapes = [
  { type: 'm5.xlarge', cpu: '4', memory: '16Gi' },
  { type: 'c5.2xlarge', cpu: '8', memory: '16Gi' },
  { type: 'r5.large', cpu: '2', memory: '16Gi' },
] as const;

export interface FakeNode {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { providerID: string };
  status: { capacity: Record<string, string>; allocatable: Record<string, string> };
}

/** Node i: zone i mod 3; every other node is spot, so each zone has both kinds once there are 6. */
export function fakeNodes(clusterName: string, count: number): FakeNode[] {
  return Array.from({ length: count }, (_, index) => {
    const zone = zones[index % zones.length] ?? 'us-east-1a';
    const shape = shapes[index % shapes.length] ?? shapes[0];
    const spot = index % 2 === 1;
    const name = `${clusterName}-worker-${index}`;
    // A stable, realistic-looking EC2 instance id, so IMDS mocks and queue events can name it.
    const instanceId = `i-0${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
    const resources = { cpu: shape.cpu, memory: shape.memory, pods: '110', 'ephemeral-storage': '100Gi' };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node-role.kubernetes.io/worker': '',
          'topology.kubernetes.io/region': 'us-east-1',
          'topology.kubernetes.io/zone': zone,
          'node.kubernetes.io/instance-type': shape.type,
          'eks.amazonaws.com/capacityType': spot ? 'SPOT' : 'ON_DEMAND',
          'karpenter.sh/capacity-type': spot ? 'spot' : 'on-demand',
          'node.kubernetes.io/lifecycle': spot ? 'spot' : 'on-demand',
          type: 'kwok',
        },
        annotations: {
          'kwok.x-k8s.io/node': 'fake',
          'node.alpha.kubernetes.io/ttl': '0',
          'chartroom.dev/instance-id': instanceId,
        },
      },
      spec: { providerID: `aws:///${zone}/${instanceId}` },
      status: { capacity: resources, allocatable: resources },
    };
  });
}
