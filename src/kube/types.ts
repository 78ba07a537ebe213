/**
 * Object types other capabilities may use. They come from client-node's models, re-exported here
 * so that only src/kube depends on the library.
 */
export type {
  KubernetesObject,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  CoreV1Event,
  V1Job,
  V1Lease,
  V1Namespace,
  V1Node,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1Secret,
  V1Service,
  V1StatefulSet,
  V1ObjectMeta,
  V1Container,
  V1ContainerStatus,
} from '@kubernetes/client-node';

/** The least an object needs to be found again. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}
