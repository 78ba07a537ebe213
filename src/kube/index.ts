/**
 * The only door to the Kubernetes API. Everything else in Chartroom talks to clusters through
 * what this module exports, so client-node stays an implementation detail.
 */
export { KubeClient, fieldManager, type KubeClientOptions, type ListOptions } from './client.js';
export { KubeApiError, isNotFound, toKubeError } from './errors.js';
export type * from './types.js';
export { annotateNode, cordonNode, uncordonNode, podsOnNode, type NodeTaint } from './nodes.js';
export { recordEvent, type EventTarget, type RecordEventOptions } from './events.js';
export { watchObjects, type ObjectWatch, type WatchOptions, type WatchResource } from './watch.js';
export { readPodLog, type PodLogOptions } from './logs.js';
export { Leases, type LeaseRecord, type LeaseWrite } from './lease.js';
export { requestServiceProxy, type ServiceProxyRequest } from './service-proxy.js';
export { openPortForward, type PortForwardOptions } from './port-forward.js';
export { requestJson, type JsonRequest } from './raw-json.js';
export type * from './workload-types.js';
export { formatCores, parseIntOrPercent, parseQuantity, scaled, type IntOrPercent } from './quantity.js';
export { labelSelectorMatches, type LabelSelectorLike } from './selector.js';
