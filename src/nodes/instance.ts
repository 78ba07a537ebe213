import type { V1Node } from '../kube/index.js';

/** Set on Chartroom's own fake nodes and by some provisioners; the providerID is the usual source. */
export const instanceIdAnnotation = 'chartroom.dev/instance-id';

/**
 * The EC2 instance id of a node: from `spec.providerID` (`aws:///us-east-1a/i-0abc…`, the form
 * the AWS cloud provider writes), else from the `chartroom.dev/instance-id` annotation.
 */
export function instanceIdOf(node: V1Node): string | undefined {
  const match = /\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '');
  return match?.[1] ?? node.metadata?.annotations?.[instanceIdAnnotation];
}

/** The node of an instance, by providerID first (what queue events name). */
export function nodeForInstance(nodes: readonly V1Node[], instanceId: string): V1Node | undefined {
  return nodes.find((node) => instanceIdOf(node) === instanceId);
}
