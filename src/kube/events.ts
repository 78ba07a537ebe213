import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client.js';
import type { CoreV1Event } from './types.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  /** Cluster-scoped objects (nodes) record their events in `default`, as kubelet does. */
  namespace?: string;
  uid?: string;
}

export interface RecordEventOptions {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase, short and stable: what `kubectl get events` sorts and filters on. */
  reason: string;
  message: string;
  /** Who reports it, e.g. `chartroom-nodes`. */
  component: string;
  host?: string;
}

/**
 * Records a core/v1 Event about an object, so `kubectl describe` and `kubectl get events` show
 * what Chartroom did to it and why.
 */
export function recordEvent(
  client: KubeClient,
  target: EventTarget,
  options: RecordEventOptions,
): Promise<CoreV1Event> {
  const now = new Date();
  const namespace = target.namespace ?? 'default';
  // Kubernetes names events `<object>.<unique suffix>`; the suffix only has to be unique.
  const name = `${target.name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`;
  return client.create<CoreV1Event>({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: {
      apiVersion: target.apiVersion,
      kind: target.kind,
      name: target.name,
      ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
      ...(target.uid === undefined ? {} : { uid: target.uid }),
    },
    type: options.type,
    reason: options.reason,
    message: options.message,
    source: { component: options.component, ...(options.host === undefined ? {} : { host: options.host }) },
    reportingComponent: options.component,
    reportingInstance: options.host ?? options.component,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
