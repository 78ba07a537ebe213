/**
 * The only door to the Kubernetes API. Everything else in Chartroom talks to clusters through
 * what this module exports, so client-node stays an implementation detail.
 */
export { KubeClient, fieldManager, type KubeClientOptions, type ListOptions } from './client.js';
export { KubeApiError, isNotFound, toKubeError } from './errors.js';
export type * from './types.js';
