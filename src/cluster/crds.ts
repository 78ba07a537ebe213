/**
 * CustomResourceDefinitions for kwok's per-pod behaviours (port-forward, exec, logs, attach), so
 * tests and `chartroom dev` can add them at run time. kwok v0.8.0 watches these kinds when given
 * `--enable-crds` but does not install the definitions itself. The schemas keep unknown fields:
 * kwok validates the content, the API server only stores it.
 */
export const kwokDynamicKinds = [
  { kind: 'PortForward', plural: 'portforwards', namespaced: true },
  { kind: 'ClusterPortForward', plural: 'clusterportforwards', namespaced: false },
  { kind: 'Exec', plural: 'execs', namespaced: true },
  { kind: 'ClusterExec', plural: 'clusterexecs', namespaced: false },
  { kind: 'Logs', plural: 'logs', namespaced: true },
  { kind: 'ClusterLogs', plural: 'clusterlogs', namespaced: false },
  { kind: 'Attach', plural: 'attaches', namespaced: true },
  { kind: 'ClusterAttach', plural: 'clusterattaches', namespaced: false },
] as const;

const group = 'kwok.x-k8s.io';

export function kwokCrds(): object[] {
  return kwokDynamicKinds.map(({ kind, plural, namespaced }) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          // The keys are client-node's model names: KubeClient.apply serialises through the typed
          // model, which drops `x-kubernetes-preserve-unknown-fields` written as the wire name, and
          // without it the API server prunes every rule's spec to `{}`.
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                status: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
              },
            },
          },
        },
      ],
    },
  }));
}
