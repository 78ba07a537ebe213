/**
 * The workload spec during a swap: the same workload, one replica, the app's container replaced by
 * the relay. Everything the Services and the rest of the pod rely on stays (labels, ports with
 * their names, other containers, volumes, the service account); what only the app needs goes
 * (command, args, probes, lifecycle hooks, env, mounts, working dir), as Telepresence 1's swap
 * did. The relay runs as an unprivileged user with a read-only root, so it passes the
 * `restricted` Pod Security level.
 */
import { createHash } from 'node:crypto';
import type { V1Container, V1PodSpec } from '../../kube/index.js';
import { devLabels } from './record.js';
import { relayScript } from './relay-script.js';

export const defaultRelayImage = 'node:20-alpine';
/** The relay's control port (127.0.0.1 in the pod); moved when the app uses it. */
export const defaultControlPort = 47_474;

export interface RelaySettings {
  container: string;
  image: string;
  session: string;
  token: string;
  ports: readonly number[];
  controlPort: number;
}

/** The relay's environment (also what the kwok stand-in runs with). */
export function relayEnv(settings: RelaySettings): Record<string, string> {
  return {
    CHARTROOM_RELAY_PORTS: settings.ports.join(','),
    CHARTROOM_RELAY_CONTROL_PORT: String(settings.controlPort),
    CHARTROOM_RELAY_TOKEN_SHA256: createHash('sha256').update(settings.token).digest('hex'),
  };
}

export function controlPortFor(ports: readonly number[]): number {
  let port = defaultControlPort;
  while (ports.includes(port)) port += 1;
  return port;
}

function relayContainer(original: V1Container, settings: RelaySettings): V1Container {
  return {
    name: original.name,
    image: settings.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['node', '-e', relayScript],
    env: Object.entries(relayEnv(settings)).map(([name, value]) => ({ name, value })),
    ...(original.ports === undefined ? {} : { ports: original.ports }),
    ...(original.resources === undefined ? {} : { resources: original.resources }),
    securityContext: {
      runAsNonRoot: true,
      // The `node` user of the official Node.js images.
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** The swapped spec, from the original (the API's JSON, not modified). */
export function swappedSpec(
  original: Record<string, unknown>,
  settings: RelaySettings,
): Record<string, unknown> {
  const spec = structuredClone(original) as Record<string, unknown> & {
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: V1PodSpec;
    };
  };
  spec.replicas = 1;
  const template = (spec.template ??= {});
  const metadata = (template.metadata ??= {});
  metadata.labels = { ...metadata.labels, [devLabels.session]: settings.session };
  const podSpec = template.spec;
  if (podSpec !== undefined) {
    podSpec.containers = podSpec.containers.map((container) =>
      container.name === settings.container ? relayContainer(container, settings) : container,
    );
  }
  return spec;
}
