/** The RbacClient on a real cluster, through src/kube. */
import { KubeClient } from '../../kube/index.js';
import { bindingObject, type GrantBinding, type RbacClient } from './rbac.js';

export function kubeRbacClient(options: { kubeconfig?: string; context?: string } = {}): RbacClient {
  // Loaded on first use: denying a request needs no cluster connection.
  let client: KubeClient | undefined;
  const kube = (): KubeClient => (client ??= KubeClient.load(options));
  return {
    async bind(binding: GrantBinding): Promise<void> {
      await kube().apply([bindingObject(binding) as { apiVersion: string; kind: string }]);
    },
    async unbind(binding: GrantBinding): Promise<void> {
      await kube().delete({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: binding.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
        name: binding.name,
        ...(binding.namespace === undefined ? {} : { namespace: binding.namespace }),
      });
    },
  };
}
