/**
 * A real local Kubernetes control plane for development and tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes and pods), all on 127.0.0.1.
 */
export { upCluster, type UpOptions, type UpResult } from './up.js';
export type { WebhookCredentials } from './audit.js';
export {
  downCluster,
  clusterStatus,
  clusterKubeconfig,
  type ClusterStatus,
  type DownResult,
} from './lifecycle.js';
export { faultAnnotation, faults, type Fault } from './stages.js';
export { zones } from './nodes.js';
export type { ClusterState } from './state.js';
