/**
 * The RbacClient on a real cluster, through src/kube. The Kubernetes client is loaded on first
 * use: filing or denying a request needs no cluster connection, and no client-node start-up cost.
 */
import type { KubeClient } from '../../kube/index.js';
import { bindingObject, type GrantBinding, type RbacClient } from './rbac.js';

export function kubeRbacClient(
  options: { kubeconfig?: string; context?: string; client?: () => KubeClient } = {},
): RbacClient {
  let client: KubeClient | undefined;
  const kube = async (): Promise<KubeClient> => {
    if (client === undefined) {
      if (options.client !== undefined) {
        client = options.client();
      } else {
        const { KubeClient } = await import('../../kube/index.js');
        client = KubeClient.load({
          ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
          ...(options.context === undefined ? {} : { context: options.context }),
        });
      }
    }
    return client;
  };
  return {
    async bind(binding: GrantBinding): Promise<void> {
      await (await kube()).apply([bindingObject(binding) as { apiVersion: string; kind: string }]);
    },
    async unbind(binding: GrantBinding): Promise<void> {
      await (
        await kube()
      ).delete({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: binding.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
        name: binding.name,
        ...(binding.namespace === undefined ? {} : { namespace: binding.namespace }),
      });
    },
  };
}
