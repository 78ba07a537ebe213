/**
 * What a grant does in the cluster: one binding of a built-in ClusterRole to the grant's own
 * group, a RoleBinding in the namespace asked for or a ClusterRoleBinding for the whole cluster.
 * The RbacClient is the only way this module touches Kubernetes; kube-rbac.ts implements it with
 * src/kube.
 */
export type AccessLevel = 'view' | 'edit' | 'admin';
export const accessLevels: readonly AccessLevel[] = ['view', 'edit', 'admin'];

export interface GrantBinding {
  name: string;
  /** Undefined: cluster-wide (ClusterRoleBinding). */
  namespace?: string;
  clusterRole: string;
  group: string;
  requestId: string;
}

export interface RbacClient {
  /** Creates or updates the binding (idempotent). */
  bind(binding: GrantBinding): Promise<void>;
  /** Removes it; a binding already gone is fine. */
  unbind(binding: GrantBinding): Promise<void>;
}

export function grantGroup(requestId: string): string {
  return `chartroom:grant:${requestId}`;
}

/**
 * view/edit/admin are Kubernetes' user-facing ClusterRoles. Cluster-wide `admin` means
 * cluster-admin: the `admin` role bound cluster-wide still leaves out cluster-scoped objects,
 * which is not what someone asking for cluster admin expects.
 */
export function bindingFor(options: {
  requestId: string;
  level: AccessLevel;
  namespace?: string;
}): GrantBinding {
  const clusterRole =
    options.level === 'admin' && options.namespace === undefined ? 'cluster-admin' : options.level;
  return {
    name: `chartroom-grant-${options.requestId}`,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    clusterRole,
    group: grantGroup(options.requestId),
    requestId: options.requestId,
  };
}

/** The Kubernetes object for a binding. */
export function bindingObject(binding: GrantBinding): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: binding.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata: {
      name: binding.name,
      ...(binding.namespace === undefined ? {} : { namespace: binding.namespace }),
      labels: {
        'app.kubernetes.io/managed-by': 'chartroom',
        'chartroom.dev/access-request': binding.requestId,
      },
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: binding.clusterRole },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: binding.group }],
  };
}
