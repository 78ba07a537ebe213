/**
 * The ports the relay listens on: the swapped container's TCP ports, and the target ports of
 * every Service that selects the workload's pods (a numeric targetPort need not be declared as a
 * containerPort; a named one is resolved against the container's ports, as kube-proxy would).
 */
import { requestJson, type KubeClient, type V1Container } from '../../kube/index.js';

interface WireServiceList {
  items?: {
    spec?: {
      selector?: Record<string, string>;
      ports?: { port: number; targetPort?: number | string; protocol?: string }[];
    };
  }[];
}

export async function relayPorts(options: {
  kube: KubeClient;
  namespace: string;
  container: V1Container;
  podLabels: Record<string, string>;
}): Promise<{ ports: number[]; skipped: string[] }> {
  const ports = new Set<number>();
  const skipped: string[] = [];
  for (const port of options.container.ports ?? []) {
    if ((port.protocol ?? 'TCP') === 'TCP') ports.add(port.containerPort);
    else skipped.push(`${port.containerPort}/${port.protocol ?? ''} (port-forward carries TCP only)`);
  }
  const services = await requestJson<WireServiceList>(options.kube, {
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/services`,
    doing: `listing Services in ${options.namespace}`,
  });
  for (const service of services.items ?? []) {
    const selector = Object.entries(service.spec?.selector ?? {});
    if (selector.length === 0 || !selector.every(([key, value]) => options.podLabels[key] === value))
      continue;
    for (const port of service.spec?.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP') continue;
      const target = port.targetPort ?? port.port;
      if (typeof target === 'number') ports.add(target);
      else {
        const named = options.container.ports?.find((candidate) => candidate.name === target);
        if (named !== undefined) ports.add(named.containerPort);
      }
    }
  }
  return { ports: [...ports].sort((a, b) => a - b), skipped };
}
