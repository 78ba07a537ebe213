/** apiVersions that the target Kubernetes version deprecates or no longer serves. */
import type { CheckDefinition } from '../model.js';
import { fail, pass } from './helpers.js';

interface Retired {
  apiVersion: string;
  kinds: readonly string[] | '*';
  /** First version where the replacement exists and this one is deprecated. */
  deprecated: string;
  /** First version that no longer serves it (undefined: still served). */
  removed?: string;
  replacement: string;
}

/** From the Kubernetes deprecated API migration guide. */
const retired: readonly Retired[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'],
    deprecated: '1.9',
    removed: '1.16',
    replacement: 'apps/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['NetworkPolicy'],
    deprecated: '1.9',
    removed: '1.16',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecated: '1.10',
    removed: '1.16',
    replacement: 'policy/v1beta1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Ingress'],
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  { apiVersion: 'apps/v1beta1', kinds: '*', deprecated: '1.9', removed: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: '*', deprecated: '1.9', removed: '1.16', replacement: 'apps/v1' },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kinds: ['Ingress', 'IngressClass'],
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'batch/v1beta1',
    kinds: ['CronJob'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'batch/v1',
  },
  {
    apiVersion: 'batch/v2alpha1',
    kinds: ['CronJob'],
    deprecated: '1.8',
    removed: '1.21',
    replacement: 'batch/v1',
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodDisruptionBudget'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'policy/v1',
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'Pod Security Admission',
  },
  {
    apiVersion: 'autoscaling/v2beta1',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.22',
    removed: '1.25',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'autoscaling/v2beta2',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.23',
    removed: '1.26',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.17',
    removed: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1alpha1',
    kinds: '*',
    deprecated: '1.17',
    removed: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.16',
    removed: '1.22',
    replacement: 'apiextensions.k8s.io/v1',
  },
  {
    apiVersion: 'apiregistration.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'apiregistration.k8s.io/v1',
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.16',
    removed: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'certificates.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'certificates.k8s.io/v1',
  },
  {
    apiVersion: 'coordination.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'coordination.k8s.io/v1',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'scheduling.k8s.io/v1',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1alpha1',
    kinds: '*',
    deprecated: '1.14',
    removed: '1.17',
    replacement: 'scheduling.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIStorageCapacity'],
    deprecated: '1.24',
    removed: '1.27',
    replacement: 'storage.k8s.io/v1',
  },
  {
    apiVersion: 'discovery.k8s.io/v1beta1',
    kinds: ['EndpointSlice'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'discovery.k8s.io/v1',
  },
  {
    apiVersion: 'events.k8s.io/v1beta1',
    kinds: ['Event'],
    deprecated: '1.19',
    removed: '1.25',
    replacement: 'events.k8s.io/v1',
  },
  {
    apiVersion: 'node.k8s.io/v1beta1',
    kinds: ['RuntimeClass'],
    deprecated: '1.20',
    removed: '1.25',
    replacement: 'node.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1',
    kinds: '*',
    deprecated: '1.23',
    removed: '1.26',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kinds: '*',
    deprecated: '1.26',
    removed: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kinds: '*',
    deprecated: '1.29',
    removed: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
];

/** Compares `major.minor` strings numerically; true when a ≥ b. */
export function versionAtLeast(a: string, b: string): boolean {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor > bMajor : aMinor >= bMinor;
}

export const deprecatedApi: CheckDefinition = {
  id: 'deprecated-api',
  title: 'apiVersion is served and not deprecated',
  family: 'api',
  severity: 'warning',
  why: 'An apiVersion the cluster no longer serves makes `helm upgrade` fail outright (often only at the next cluster upgrade); a deprecated one is next.',
  fix: 'Move the object to the replacement apiVersion (for HPAs: autoscaling/v2, whose fields differ — see hpa-external-metric).',
  run: (manifest, context) => {
    const version = context.settings.kubernetesVersion;
    const entry = retired.find(
      (r) => r.apiVersion === manifest.apiVersion && (r.kinds === '*' || r.kinds.includes(manifest.kind)),
    );
    if (entry === undefined || !versionAtLeast(version, entry.deprecated))
      return manifest.apiVersion === '' ? [] : [pass];
    if (entry.removed !== undefined && versionAtLeast(version, entry.removed)) {
      return [
        fail(
          `${manifest.apiVersion} ${manifest.kind} is not served since Kubernetes ${entry.removed}; use ${entry.replacement}`,
          { severity: 'danger', path: 'apiVersion' },
        ),
      ];
    }
    return [
      fail(
        `${manifest.apiVersion} ${manifest.kind} is deprecated since Kubernetes ${entry.deprecated}; use ${entry.replacement}`,
        { path: 'apiVersion' },
      ),
    ];
  },
};

export const apiChecks: CheckDefinition[] = [deprecatedApi];
