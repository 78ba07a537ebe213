/**
 * Opens the local end of every forward of a plan: one EndpointSlice watch per namespace, one
 * 127.0.0.1 listener per Service port, and reports which pod each one reaches.
 */
import type { KubeClient } from '../../kube/index.js';
import type { ForwardTarget } from '../deps.js';
import { EndpointTracker } from './endpoints.js';
import { LocalForward, type ForwardEvent } from './listener.js';

export interface ForwardStatus {
  key: string;
  service: string;
  namespace: string;
  port: number;
  localPort: number;
  /** The pod it reaches now (undefined: none ready yet). */
  pod: string | undefined;
}

export interface OpenForwards {
  forwards: LocalForward[];
  localPorts: Map<string, number>;
  status(): ForwardStatus[];
  close(): Promise<void>;
}

export interface OpenForwardsOptions {
  kube: KubeClient;
  targets: readonly ForwardTarget[];
  /** `--local-port`: local ports asked for, by `service` or `service:port` (strict). */
  pinned?: ReadonlyMap<string, number>;
  onEvent?: (event: ForwardEvent) => void;
  waitForPodMs?: number;
  signal?: AbortSignal;
}

function pinnedPort(
  pinned: ReadonlyMap<string, number> | undefined,
  target: ForwardTarget,
): number | undefined {
  return pinned?.get(`${target.service.name}:${target.port.port}`) ?? pinned?.get(target.service.name);
}

export async function openForwards(options: OpenForwardsOptions): Promise<OpenForwards> {
  const byNamespace = new Map<string, string[]>();
  for (const target of options.targets) {
    const names = byNamespace.get(target.service.namespace) ?? [];
    names.push(target.service.name);
    byNamespace.set(target.service.namespace, names);
  }
  const trackers = new Map(
    [...byNamespace].map(([namespace, services]) => [
      namespace,
      new EndpointTracker(options.kube, {
        namespace,
        services,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    ]),
  );
  const forwards: LocalForward[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(forwards.map((forward) => forward.close()));
    await Promise.all([...trackers.values()].map((tracker) => tracker.stop()));
  };
  try {
    for (const target of options.targets) {
      const tracker = trackers.get(target.service.namespace);
      if (tracker === undefined) continue;
      const pinned = pinnedPort(options.pinned, target);
      const forward = new LocalForward({
        kube: options.kube,
        target,
        tracker,
        preferredPort: pinned ?? target.port.port,
        strictPort: pinned !== undefined,
        ...(options.waitForPodMs === undefined ? {} : { waitForPodMs: options.waitForPodMs }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      });
      forwards.push(forward);
      await forward.listen();
    }
    await Promise.all([...trackers.values()].map((tracker) => tracker.synced));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    forwards,
    localPorts: new Map(forwards.map((forward) => [forward.target.key, forward.port])),
    status: () =>
      forwards.map((forward) => {
        const { target } = forward;
        const tracker = trackers.get(target.service.namespace);
        const backend = tracker?.pick({
          service: target.service.name,
          portName: target.port.name,
          ...(target.podHostname === undefined ? {} : { podHostname: target.podHostname }),
        });
        return {
          key: target.key,
          service:
            target.podHostname === undefined
              ? target.service.name
              : `${target.podHostname}.${target.service.name}`,
          namespace: target.service.namespace,
          port: target.port.port,
          localPort: forward.port,
          pod: backend?.pod,
        };
      }),
    close,
  };
}
