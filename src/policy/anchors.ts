/**
 * The mapping between Chartroom's checks and the three anchors' (kube-score, Polaris,
 * kube-linter). It drives three things: their ignore annotations (an anchor id ignores the
 * Chartroom checks it maps to), the conformance suite over their fixtures, and the mapping table
 * in docs/policy.md (a test keeps the two in step).
 */

export type AnchorTool = 'kube-score' | 'polaris' | 'kube-linter';

/**
 * kube-score grades a failing check; Chartroom's finding maps to one of these (when a target has
 * no grade, a danger finding is critical and a warning one a warning).
 */
export type KubeScoreGrade = 'critical' | 'warning' | 'almost-ok';

export interface AnchorTarget {
  check: string;
  /** Options that make the Chartroom check ask exactly what the anchor asks. */
  options?: Record<string, unknown>;
  /** kube-score only: the grade a failure of this check means. */
  grade?: KubeScoreGrade;
}

export interface AnchorMapping {
  tool: AnchorTool;
  anchor: string;
  targets: readonly AnchorTarget[];
  /** How Chartroom's default behaviour differs from the anchor's, when it does. */
  note?: string;
}

const t = (check: string, options?: Record<string, unknown>, grade?: KubeScoreGrade): AnchorTarget => ({
  check,
  ...(options === undefined ? {} : { options }),
  ...(grade === undefined ? {} : { grade }),
});

const ks = (anchor: string, targets: AnchorTarget[], note?: string): AnchorMapping => ({
  tool: 'kube-score',
  anchor,
  targets,
  ...(note === undefined ? {} : { note }),
});
const pol = (anchor: string, targets: AnchorTarget[], note?: string): AnchorMapping => ({
  tool: 'polaris',
  anchor,
  targets,
  ...(note === undefined ? {} : { note }),
});
const kl = (anchor: string, targets: AnchorTarget[], note?: string): AnchorMapping => ({
  tool: 'kube-linter',
  anchor,
  targets,
  ...(note === undefined ? {} : { note }),
});

const withInit = { initContainers: true };

export const anchorMappings: readonly AnchorMapping[] = [
  // kube-score
  ks('container-resources', [
    t('cpu-limit-missing', withInit, 'critical'),
    t('memory-limit-missing', withInit, 'critical'),
    t('cpu-request-missing', withInit, 'warning'),
    t('memory-request-missing', withInit, 'warning'),
  ]),
  ks('container-resource-requests-equal-limits', [t('requests-equal-limits', undefined, 'critical')]),
  ks('container-cpu-requests-equal-limits', [t('cpu-requests-equal-limits', undefined, 'critical')]),
  ks('container-memory-requests-equal-limits', [t('memory-requests-equal-limits', undefined, 'critical')]),
  ks('container-image-tag', [t('image-tag', undefined, 'critical')]),
  ks('container-image-pull-policy', [t('image-pull-policy', undefined, 'critical')]),
  ks('container-ephemeral-storage-request-and-limit', [t('ephemeral-storage-missing')]),
  ks('container-ephemeral-storage-request-equals-limit', [
    t('ephemeral-storage-request-equals-limit', undefined, 'critical'),
  ]),
  ks('container-ports-check', [t('invalid-port', undefined, 'critical')]),
  ks('environment-variable-key-duplication', [t('env-duplicates', undefined, 'critical')]),
  ks('statefulset-has-poddisruptionbudget', [
    t('pdb-missing', { kinds: ['StatefulSet'], unsetReplicas: 2 }, 'critical'),
  ]),
  ks('deployment-has-poddisruptionbudget', [
    t('pdb-missing', { kinds: ['Deployment'], unsetReplicas: 2 }, 'critical'),
  ]),
  ks('poddisruptionbudget-has-policy', [t('pdb-has-policy', undefined, 'critical')]),
  ks('pod-networkpolicy', [t('pod-network-policy')]),
  ks('networkpolicy-targets-pod', [t('network-policy-targets-pod', undefined, 'critical')]),
  ks(
    'pod-probes',
    [
      t('readiness-probe-missing', { onlyIfTargetedByService: true, anyContainer: true }, 'critical'),
      t('liveness-probe-missing', { onlyIfTargetedByService: true, anyContainer: true }, 'almost-ok'),
    ],
    'kube-score asks for probes only on pods a Service targets; Chartroom asks on every long-running pod.',
  ),
  ks('pod-probes-identical', [t('probes-identical', undefined, 'critical')]),
  ks('container-security-context-user-group-id', [t('user-group-id', undefined, 'critical')]),
  ks('container-security-context-privileged', [t('privileged', undefined, 'critical')]),
  ks('container-security-context-readonlyrootfilesystem', [t('read-only-root-fs', undefined, 'critical')]),
  ks('container-seccomp-profile', [t('seccomp-profile', undefined, 'warning')]),
  ks('service-targets-pod', [t('service-targets-pod', undefined, 'critical')]),
  ks('service-type', [t('service-type-nodeport', undefined, 'warning')]),
  ks('stable-version', [t('deprecated-api', undefined, 'warning')]),
  ks('deployment-has-host-podantiaffinity', [
    t('anti-affinity', { kinds: ['Deployment'], acceptTopologySpread: false, unsetReplicas: 2 }, 'warning'),
  ]),
  ks('statefulset-has-host-podantiaffinity', [
    t('anti-affinity', { kinds: ['StatefulSet'], acceptTopologySpread: false, unsetReplicas: 2 }, 'warning'),
  ]),
  ks('deployment-targeted-by-hpa-does-not-have-replicas-configured', [
    t('hpa-target-replicas-set', undefined, 'critical'),
  ]),
  ks('statefulset-has-servicename', [t('statefulset-service-name', undefined, 'critical')]),
  ks('deployment-pod-selector-labels-match-template-metadata-labels', [
    t('selector-matches-template', undefined, 'critical'),
  ]),
  ks('statefulset-pod-selector-labels-match-template-metadata-labels', [
    t('selector-matches-template', undefined, 'critical'),
  ]),
  ks('label-values', [t('label-values', undefined, 'critical')]),
  ks('horizontalpodautoscaler-has-target', [t('hpa-target-exists', undefined, 'critical')]),
  ks('horizontalpodautoscaler-replicas', [t('hpa-min-replicas', undefined, 'warning')]),
  ks('pod-topology-spread-constraints', [t('topology-spread-valid', undefined, 'critical')]),
  ks('deployment-strategy', [t('deployment-strategy', undefined, 'warning')]),
  ks('deployment-replicas', [
    t('replicas', { kinds: ['Deployment'], onlyIfTargetedByService: true }, 'warning'),
  ]),
  ks('ingress-targets-service', [t('ingress-targets-service', undefined, 'critical')]),
  ks('cronjob-has-deadline', [t('cronjob-deadline', undefined, 'critical')]),
  ks('cronjob-restartpolicy', [t('cronjob-restart-policy', undefined, 'critical')]),

  // Polaris
  pol('cpuRequestsMissing', [t('cpu-request-missing')]),
  pol('cpuLimitsMissing', [t('cpu-limit-missing')]),
  pol('memoryRequestsMissing', [t('memory-request-missing')]),
  pol('memoryLimitsMissing', [t('memory-limit-missing')]),
  pol('tagNotSpecified', [t('image-tag')]),
  pol('pullPolicyNotAlways', [t('image-pull-policy', { requireExplicit: true })]),
  pol('readinessProbeMissing', [t('readiness-probe-missing')]),
  pol('livenessProbeMissing', [t('liveness-probe-missing')]),
  pol(
    'deploymentMissingReplicas',
    [t('replicas', { kinds: ['Deployment'], requireExplicit: true, skipIfAutoscaled: false })],
    'Polaris wants spec.replicas written out; Chartroom skips autoscaled Deployments (where it must not be).',
  ),
  pol('missingPodDisruptionBudget', [t('pdb-missing', { kinds: ['Deployment'], minReplicas: 0 })]),
  pol('pdbDisruptionsIsZero', [t('pdb-blocks-eviction', { compareReplicas: false })]),
  pol('pdbMinAvailableGreaterThanHPAMinReplicas', [t('pdb-min-available-above-hpa-min')]),
  pol('topologySpreadConstraint', [t('topology-spread')]),
  pol('hpaMaxAvailability', [t('hpa-max-above-min')]),
  pol('hpaMinAvailability', [t('hpa-min-replicas')]),
  pol('priorityClassNotSet', [t('priority-class')]),
  pol('metadataAndInstanceMismatched', [t('instance-label')]),
  pol('automountServiceAccountToken', [t('automount-service-account-token')]),
  pol('hostIPCSet', [t('host-ipc')]),
  pol('hostPIDSet', [t('host-pid')]),
  pol('hostNetworkSet', [t('host-network')]),
  pol('hostPathSet', [t('host-path')]),
  pol('hostPortSet', [t('host-port')]),
  pol('hostProcess', [t('host-process')]),
  pol('linuxHardening', [t('linux-hardening')]),
  pol('missingNetworkPolicy', [t('pod-network-policy')]),
  pol('notReadOnlyRootFilesystem', [t('read-only-root-fs')]),
  pol('privilegeEscalationAllowed', [t('privilege-escalation')]),
  pol('procMount', [t('proc-mount')]),
  pol('runAsRootAllowed', [t('run-as-root', { runAsGroupZero: false })]),
  pol('runAsPrivileged', [t('privileged')]),
  pol('dangerousCapabilities', [t('dangerous-capabilities')]),
  pol('insecureCapabilities', [t('insecure-capabilities')]),
  pol('tlsSettingsMissing', [t('ingress-tls')]),
  pol('sensitiveContainerEnvVar', [t('secret-in-env')]),
  pol('sensitiveConfigmapContent', [t('secret-in-configmap')]),
  pol('clusterrolebindingClusterAdmin', [t('cluster-admin-binding', { kinds: ['ClusterRoleBinding'] })]),
  pol('rolebindingClusterAdminClusterRole', [
    t('cluster-admin-binding', { kinds: ['RoleBinding'], roleKinds: ['ClusterRole'] }),
  ]),
  pol('rolebindingClusterAdminRole', [
    t('cluster-admin-binding', { kinds: ['RoleBinding'], roleKinds: ['Role'] }),
  ]),
  pol('clusterrolebindingPodExecAttach', [t('pod-exec-access', { kinds: ['ClusterRoleBinding'] })]),
  pol('rolebindingClusterRolePodExecAttach', [
    t('pod-exec-access', { kinds: ['RoleBinding'], roleKinds: ['ClusterRole'] }),
  ]),
  pol('rolebindingRolePodExecAttach', [
    t('pod-exec-access', { kinds: ['RoleBinding'], roleKinds: ['Role'] }),
  ]),

  // kube-linter
  kl('dangling-horizontalpodautoscaler', [t('hpa-target-exists')]),
  kl('dangling-ingress', [t('ingress-targets-service')]),
  kl('dangling-networkpolicy', [t('network-policy-targets-pod')]),
  kl('dangling-networkpolicypeer-podselector', [t('network-policy-peer-selects-pods')]),
  kl('dangling-service', [t('service-targets-pod')]),
  kl('default-service-account', [t('default-service-account')]),
  kl('deprecated-service-account-field', [t('deprecated-service-account-field')]),
  kl('docker-sock', [t('docker-socket')]),
  kl('drop-net-raw-capability', [t('drop-net-raw')]),
  kl('duplicate-env-var', [t('env-duplicates')]),
  kl('env-var-secret', [t('secret-in-env')]),
  kl('host-ipc', [t('host-ipc')]),
  kl('host-network', [t('host-network')]),
  kl('host-pid', [t('host-pid')]),
  kl('hpa-minimum-three-replicas', [t('hpa-min-replicas', { minReplicas: 3 })]),
  kl('invalid-target-ports', [t('invalid-port'), t('service-target-port')]),
  kl('job-ttl-seconds-after-finished', [t('job-ttl')]),
  kl('latest-tag', [t('image-tag')]),
  kl('liveness-port', [t('probe-port-exposed', { probes: ['liveness'] })]),
  kl('readiness-port', [t('probe-port-exposed', { probes: ['readiness'] })]),
  kl('startup-port', [t('probe-port-exposed', { probes: ['startup'] })]),
  kl('minimum-three-replicas', [
    t('replicas', {
      minReplicas: 3,
      kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig'],
      skipIfAutoscaled: false,
    }),
  ]),
  kl('mismatching-selector', [t('selector-matches-template')]),
  kl('no-anti-affinity', [
    t('anti-affinity', {
      anyTopologyKey: true,
      acceptTopologySpread: false,
      kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig'],
    }),
  ]),
  kl('no-extensions-v1beta', [t('deprecated-api')]),
  kl('no-liveness-probe', [t('liveness-probe-missing')]),
  kl('no-readiness-probe', [t('readiness-probe-missing')]),
  kl('no-node-affinity', [t('node-affinity')]),
  kl('no-read-only-root-fs', [t('read-only-root-fs')]),
  kl('no-rolling-update-strategy', [t('deployment-strategy', { onlyIfTargetedByService: false })]),
  kl('non-existent-service-account', [t('service-account-exists')]),
  kl('non-isolated-pod', [t('pod-network-policy', { anyPolicy: true })]),
  kl('pdb-max-unavailable', [t('pdb-blocks-eviction')]),
  kl('pdb-min-available', [t('pdb-blocks-eviction')]),
  kl('pdb-unhealthy-pod-eviction-policy', [t('pdb-unhealthy-pod-eviction-policy')]),
  kl('priority-class-name', [
    t('priority-class', { accepted: ['system-cluster-critical', 'system-node-critical'] }),
  ]),
  kl('privilege-escalation-container', [t('privilege-escalation', { explicitOnly: true })]),
  kl('privileged-container', [t('privileged')]),
  kl('privileged-ports', [t('privileged-port')]),
  kl('read-secret-from-env-var', [t('secret-from-env')]),
  kl('restart-policy', [t('restart-policy')]),
  kl('run-as-non-root', [t('run-as-root')]),
  kl('sensitive-host-mounts', [t('sensitive-host-mount')]),
  kl('ssh-port', [t('ssh-port')]),
  kl('unsafe-proc-mount', [t('proc-mount')]),
  kl('unsafe-sysctls', [t('unsafe-sysctls')]),
  kl('unset-cpu-requirements', [t('cpu-request-missing')]),
  kl('unset-memory-requirements', [t('memory-limit-missing')]),
  kl('use-namespace', [t('use-namespace')]),
  kl('wildcard-in-rules', [t('rbac-wildcard')]),
  kl('writable-host-mount', [t('writable-host-mount')]),
  kl('access-to-secrets', [t('secrets-access')]),
  kl('access-to-create-pods', [t('create-pods-access')]),
  kl('cluster-admin-role-binding', [t('cluster-admin-binding')]),
];

/** kube-score ignores these along with the key (its "implied" ignores). */
const impliedKubeScore: Record<string, string[]> = {
  'container-resources': ['container-ephemeral-storage-request-and-limit'],
};

const byAnchor = new Map(anchorMappings.map((m) => [`${m.tool}:${m.anchor}`, m]));

export function anchorMapping(tool: AnchorTool, anchor: string): AnchorMapping | undefined {
  return byAnchor.get(`${tool}:${anchor}`);
}

/** The Chartroom checks an anchor's id stands for (for its ignore annotations). */
export function chartroomIdsFor(tool: AnchorTool, anchor: string): string[] {
  const anchors = tool === 'kube-score' ? [anchor, ...(impliedKubeScore[anchor] ?? [])] : [anchor];
  return [
    ...new Set(anchors.flatMap((a) => anchorMapping(tool, a)?.targets.map((target) => target.check) ?? [])),
  ];
}
