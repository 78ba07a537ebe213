/**
 * Every fixture case where Chartroom's verdict differs from the anchor's, and why. The conformance
 * test fails on a disagreement missing here and on an entry here that no longer disagrees, so this
 * list is always exactly the set of differences.
 */
export const explainedDisagreements: Readonly<Record<string, string>> = {
  'polaris:hpaMinAvailability:test/checks/hpaMinAvailability/success.minReplicaAbsent.yaml':
    'Polaris only checks minReplicas when it is written. The API defaults an absent minReplicas to 1, so Chartroom reports the HPA as allowed to scale to one replica.',
  'polaris:missingNetworkPolicy:test/checks/missingNetworkPolicy/failure.netpol_missing_egress_rules.yaml':
    'The policy lists Egress in policyTypes with no egress rules, which denies all egress: the pods are isolated more strictly, not less. Polaris wants at least one rule in each direction; Chartroom counts deny-all as isolation.',
  'polaris:missingNetworkPolicy:test/checks/missingNetworkPolicy/failure.netpol_missing_ingress_rules.yaml':
    'As above for Ingress: policyTypes Ingress with no ingress rules denies all ingress, which Chartroom counts as isolation.',
  'polaris:clusterrolebindingPodExecAttach:test/checks/clusterrolebindingPodExecAttach/failure.binding_points_to_missing_ref.yaml':
    'The binding names a ClusterRole that is not among the manifests. Polaris fails what it cannot verify; Chartroom reports grants it can see, because charts routinely bind to roles installed elsewhere (a failure here would fire on every such chart).',
  'polaris:rolebindingClusterRolePodExecAttach:test/checks/rolebindingClusterRolePodExecAttach/failure.binding_points_to_missing_ref.yaml':
    'Same as clusterrolebindingPodExecAttach: the referenced ClusterRole is not among the manifests, so there is no grant to judge.',
  'polaris:rolebindingRolePodExecAttach:test/checks/rolebindingRolePodExecAttach/failure.binding_points_to_missing_ref.yaml':
    'Same: the referenced Role is not among the manifests, so there is no grant to judge.',
};
