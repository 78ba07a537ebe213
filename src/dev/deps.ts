/**
 * Which Services the app depends on, and where its environment names them: the dependencies
 * declared in chartroom.yaml and on the command line, plus (unless turned off) every host in the
 * env values that is a Service of the cluster (`svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`, and
 * `pod.svc…` of headless Services). The result is the list of forwards to open and, for each
 * reference, which forward replaces it.
 */
import { requestJson, type KubeClient } from '../kube/index.js';
import type { EnvEntry } from './env/resolve.js';
import {
  defaultPorts,
  findHosts,
  looksLikeHostVariable,
  siblingPortVariables,
  type HostOccurrence,
} from './env/hosts.js';

export interface ServicePortInfo {
  name: string;
  port: number;
  protocol: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  externalName: string | undefined;
  hasSelector: boolean;
  ports: ServicePortInfo[];
}

/** One local listener: a Service port (or one pod of a headless Service) on 127.0.0.1. */
export interface ForwardTarget {
  key: string;
  service: ServiceInfo;
  /** The pod's DNS label for `pod.svc` references to headless Services. */
  podHostname: string | undefined;
  port: ServicePortInfo;
}

export type ReferenceAction =
  { kind: 'forward'; target: ForwardTarget; hostOnly: boolean } | { kind: 'external'; host: string };

export interface Reference {
  variable: string;
  occurrence: HostOccurrence;
  action: ReferenceAction;
}

export interface DependencySpec {
  service: string;
  namespace?: string;
  ports?: number[];
  env?: string[];
}

export interface DependencyPlan {
  forwards: ForwardTarget[];
  references: Reference[];
  /** Variables holding the port of a rewritten host (`DB_PORT` beside `DB_HOST`). */
  siblingPorts: { variable: string; target: ForwardTarget }[];
  /** Things the user should know: Services that cannot be forwarded, ports that do not match. */
  notes: string[];
}

export interface PlanOptions {
  env: readonly EnvEntry[];
  namespace: string;
  clusterDomain: string;
  declared: readonly DependencySpec[];
  scan: boolean;
  services: ServiceLookup;
}

/** Finds Services by namespace and name (cached; the cluster or a test's fixtures). */
export interface ServiceLookup {
  get(namespace: string, name: string): Promise<ServiceInfo | undefined>;
}

interface WireService {
  metadata: { name: string; namespace: string };
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; protocol?: string }[];
  };
}

export function toServiceInfo(service: WireService): ServiceInfo {
  const spec = service.spec ?? {};
  return {
    namespace: service.metadata.namespace,
    name: service.metadata.name,
    type: spec.type ?? 'ClusterIP',
    clusterIP: spec.clusterIP ?? '',
    externalName: spec.externalName,
    hasSelector: Object.keys(spec.selector ?? {}).length > 0,
    ports: (spec.ports ?? []).map((port) => ({
      name: port.name ?? '',
      port: port.port,
      protocol: port.protocol ?? 'TCP',
    })),
  };
}

export function clusterServiceLookup(kube: KubeClient): ServiceLookup {
  const cache = new Map<string, Promise<ServiceInfo | undefined>>();
  return {
    get(namespace, name) {
      const key = `${namespace}/${name}`;
      let entry = cache.get(key);
      if (entry === undefined) {
        entry = requestJson<WireService>(kube, {
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`,
          doing: `reading Service ${namespace}/${name}`,
        }).then(
          (service) => toServiceInfo(service),
          // Not a Service (or one we may not read): then the host is not a cluster name.
          () => undefined,
        );
        cache.set(key, entry);
      }
      return entry;
    },
  };
}

interface HostMatch {
  service: ServiceInfo;
  podHostname: string | undefined;
}

/** Resolves a host to a Service (or a headless Service's pod), trying the forms DNS would. */
async function matchHost(
  host: string,
  options: PlanOptions,
  bareAllowed: boolean,
): Promise<HostMatch | undefined> {
  let labels = host.replace(/\.$/, '').split('.');
  const domain = options.clusterDomain.split('.');
  const tail = labels.slice(-domain.length).join('.');
  let qualified = false;
  if (labels.length > domain.length && tail === options.clusterDomain) {
    labels = labels.slice(0, -domain.length);
    qualified = true;
  }
  if (labels.at(-1) === 'svc' && labels.length >= 3) {
    labels = labels.slice(0, -1);
    qualified = true;
  } else if (qualified) {
    return undefined;
  }
  const [first, second, third] = labels;
  if (first === undefined) return undefined;
  if (labels.length === 1) {
    if (!bareAllowed) return undefined;
    const service = await options.services.get(options.namespace, first);
    return service === undefined ? undefined : { service, podHostname: undefined };
  }
  if (labels.length === 2 && second !== undefined) {
    const service = await options.services.get(second, first);
    if (service !== undefined) return { service, podHostname: undefined };
    // `pod.svc` of a headless Service in the app's namespace.
    const headless = await options.services.get(options.namespace, second);
    if (headless !== undefined && headless.clusterIP === 'None')
      return { service: headless, podHostname: first };
    return undefined;
  }
  if (labels.length === 3 && second !== undefined && third !== undefined) {
    const headless = await options.services.get(third, second);
    if (headless !== undefined && headless.clusterIP === 'None')
      return { service: headless, podHostname: first };
  }
  return undefined;
}

function choosePort(
  service: ServiceInfo,
  occurrence: HostOccurrence,
  siblingPort: number | undefined,
): ServicePortInfo | undefined {
  const byNumber = (port: number | undefined) =>
    port === undefined ? undefined : service.ports.find((candidate) => candidate.port === port);
  if (occurrence.port !== undefined) return byNumber(occurrence.port);
  const implied = occurrence.scheme === undefined ? undefined : defaultPorts[occurrence.scheme];
  return (
    byNumber(implied) ?? byNumber(siblingPort) ?? (service.ports.length === 1 ? service.ports[0] : undefined)
  );
}

function forwardKey(service: ServiceInfo, podHostname: string | undefined, port: ServicePortInfo): string {
  return `${service.namespace}/${service.name}${podHostname === undefined ? '' : `/${podHostname}`}:${port.port}`;
}

export async function planDependencies(options: PlanOptions): Promise<DependencyPlan> {
  const forwards = new Map<string, ForwardTarget>();
  const references: Reference[] = [];
  const siblingPorts: DependencyPlan['siblingPorts'] = [];
  const notes: string[] = [];
  const values = new Map(options.env.map((entry) => [entry.name, entry.value]));
  const declared = new Map(
    options.declared.map((dep) => [`${dep.namespace ?? options.namespace}/${dep.service}`, dep]),
  );

  const addForward = (service: ServiceInfo, podHostname: string | undefined, port: ServicePortInfo) => {
    const key = forwardKey(service, podHostname, port);
    let target = forwards.get(key);
    if (target === undefined) {
      target = { key, service, podHostname, port };
      forwards.set(key, target);
    }
    return target;
  };
  const forwardable = (service: ServiceInfo): boolean => {
    if (service.type === 'ExternalName') return false;
    if (!service.hasSelector) {
      notes.push(
        `Service ${service.namespace}/${service.name} has no selector (its endpoints are not pods): not forwarded`,
      );
      return false;
    }
    return true;
  };

  // Declared dependencies are forwarded whether or not a variable names them.
  for (const dep of options.declared) {
    const namespace = dep.namespace ?? options.namespace;
    const service = await options.services.get(namespace, dep.service);
    if (service === undefined) {
      notes.push(`dependency ${namespace}/${dep.service} is not a Service of the cluster: skipped`);
      continue;
    }
    if (!forwardable(service)) continue;
    const ports = service.ports.filter((port) => dep.ports === undefined || dep.ports.includes(port.port));
    for (const port of ports) addForward(service, undefined, port);
  }

  for (const entry of options.env) {
    if (entry.origin.kind === 'serviceLink') continue;
    for (const occurrence of findHosts(entry.value)) {
      const bareAllowed =
        occurrence.port !== undefined || occurrence.scheme !== undefined || looksLikeHostVariable(entry.name);
      const match = await matchHost(occurrence.host, options, bareAllowed);
      if (match === undefined) continue;
      const { service, podHostname } = match;
      const dep = declared.get(`${service.namespace}/${service.name}`);
      const wanted = dep !== undefined ? dep.env === undefined || dep.env.includes(entry.name) : options.scan;
      if (!wanted) continue;
      if (service.type === 'ExternalName' && service.externalName !== undefined) {
        references.push({
          variable: entry.name,
          occurrence,
          action: { kind: 'external', host: service.externalName },
        });
        continue;
      }
      if (!forwardable(service)) continue;
      const siblingVariable = siblingPortVariables(entry.name).find((name) => values.has(name));
      const siblingValue = siblingVariable === undefined ? undefined : Number(values.get(siblingVariable));
      const port = choosePort(service, occurrence, siblingValue);
      if (port === undefined) {
        notes.push(
          occurrence.port === undefined
            ? `${entry.name} names ${service.name} without a port, and it has several: forwarding them all, host rewritten`
            : `${entry.name} names ${service.name}:${occurrence.port}, which is not one of its ports (${service.ports.map((p) => p.port).join(', ')}): left as is`,
        );
        if (occurrence.port === undefined) {
          const all = service.ports.map((p) => addForward(service, podHostname, p));
          const first = all[0];
          if (first !== undefined)
            references.push({
              variable: entry.name,
              occurrence,
              action: { kind: 'forward', target: first, hostOnly: true },
            });
        }
        continue;
      }
      const target = addForward(service, podHostname, port);
      references.push({
        variable: entry.name,
        occurrence,
        action: {
          kind: 'forward',
          target,
          hostOnly: occurrence.port === undefined && occurrence.scheme === undefined,
        },
      });
      if (siblingVariable !== undefined && siblingValue === port.port) {
        siblingPorts.push({ variable: siblingVariable, target });
      }
    }
  }
  for (const dep of options.declared) {
    for (const variable of dep.env ?? []) {
      if (!references.some((ref) => ref.variable === variable)) {
        notes.push(`${variable} is declared for ${dep.service} but names no host of it: left as is`);
      }
    }
  }
  return { forwards: [...forwards.values()], references, siblingPorts, notes };
}
