/**
 * More of client-node's model types, for code that reads pod templates, endpoints and
 * autoscalers (the dev capability). Re-exported so that only src/kube depends on the library.
 */
export type {
  V1EndpointSlice,
  V1EnvVar,
  V1EnvVarSource,
  V1ManagedFieldsEntry,
  V1PodSpec,
  V1PodTemplateSpec,
  V1ServicePort,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
