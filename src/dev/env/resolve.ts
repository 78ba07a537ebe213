/**
 * A container's environment exactly as the kubelet builds it (makeEnvironmentVariables in
 * pkg/kubelet/kubelet_pods.go): `envFrom` sources in order (ConfigMaps and Secrets, with their
 * prefix), then `env` entries in order (`value` with `$(VAR)` expansion, or `valueFrom` a
 * ConfigMap key, Secret key, pod field or resource), then the Service link variables that no
 * entry has set. Missing non-optional references fail as they would keep the pod from starting;
 * missing optional ones leave the variable out, as the kubelet does.
 */
import { parseQuantity, type V1Container, type V1EnvVarSource, type V1PodSpec } from '../../kube/index.js';
import { devError } from '../errors.js';
import { expandReferences } from './expand.js';
import { serviceLinks, type LinkService } from './service-links.js';

export type EnvOrigin =
  | { kind: 'value' }
  | { kind: 'configMap'; name: string; key: string }
  | { kind: 'secret'; name: string; key: string }
  | { kind: 'field'; path: string }
  | { kind: 'resource'; resource: string }
  | { kind: 'serviceLink'; service: string };

export interface EnvEntry {
  name: string;
  value: string;
  origin: EnvOrigin;
  /** From a Secret: masked when printed unless asked. */
  secret: boolean;
}

/** Where ConfigMaps, Secrets and Services come from (the cluster, or a test's fixtures). */
export interface EnvSources {
  /** The ConfigMap's `data`, or undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The Secret's `data`, decoded, or undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Services of the namespace and `kubernetes` in `default`, for the link variables. */
  linkServices(namespace: string): Promise<LinkService[]>;
}

/** What `fieldRef` and `resourceFieldRef` read: a running pod of the workload, as far as known. */
export interface PodFacts {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nodeName: string;
  serviceAccountName: string;
  /** The process runs here, so the pod's and host's IPs are this machine's loopback. */
  podIP: string;
  hostIP: string;
  /** The node's allocatable resources: what `limits.*` read when the container sets no limit. */
  nodeAllocatable: Record<string, string>;
}

export interface ResolveEnvOptions {
  namespace: string;
  podSpec: V1PodSpec;
  container: V1Container;
  pod: PodFacts;
  sources: EnvSources;
}

function missing(message: string, hint: string): Error {
  return devError('dev-env-ref-missing', message, { hint });
}

const podWouldFail = 'The pod cannot start with this either; fix the reference or mark it optional.';

/** `metadata.labels['app']` → ['labels', 'app']. */
function fieldValue(path: string, pod: PodFacts): string | undefined {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed !== null) {
    const map = keyed[1] === 'labels' ? pod.labels : pod.annotations;
    return map[keyed[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'spec.nodeName':
      return pod.nodeName;
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    case 'status.podIP':
    case 'status.podIPs':
      return pod.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return pod.hostIP;
    default:
      return undefined;
  }
}

/**
 * `resourceFieldRef`: the container's request or limit divided by the divisor, rounded up, as the
 * kubelet does (CPU in millicores first). A missing limit reads the node's allocatable.
 */
function resourceValue(
  ref: NonNullable<V1EnvVarSource['resourceFieldRef']>,
  container: V1Container,
  pod: PodFacts,
): string | undefined {
  const [kind, name] = ref.resource.split('.', 2) as [string, string | undefined];
  if (name === undefined || (kind !== 'limits' && kind !== 'requests')) return undefined;
  const resources = container.resources ?? {};
  const fromLimits = resources.limits?.[name] as string | number | undefined;
  const fromRequests = resources.requests?.[name] as string | number | undefined;
  // A request defaults to the limit; a limit defaults to the node's allocatable.
  const raw =
    kind === 'limits'
      ? (fromLimits ?? pod.nodeAllocatable[name])
      : (fromRequests ?? fromLimits ?? (name === 'cpu' || name === 'memory' ? '0' : undefined));
  const amount = parseQuantity(raw);
  const divisor = parseQuantity(ref.divisor) ?? 1;
  if (amount === undefined || divisor === 0) return undefined;
  if (name === 'cpu') {
    return String(Math.ceil(Math.round(amount * 1000) / Math.round(divisor * 1000)));
  }
  return String(Math.ceil(amount / divisor));
}

/** Resolves the container's environment; the result is in the order a process would list it. */
export async function resolveContainerEnv(options: ResolveEnvOptions): Promise<EnvEntry[]> {
  const { namespace, container, sources } = options;
  const entries = new Map<string, EnvEntry>();
  const set = (entry: EnvEntry): void => {
    entries.delete(entry.name);
    entries.set(entry.name, entry);
  };
  const links = serviceLinks(
    await sources.linkServices(namespace),
    namespace,
    options.podSpec.enableServiceLinks !== false,
  );

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (ref === undefined) continue;
    const isSecret = from.secretRef !== undefined;
    const name = ref.name ?? '';
    const data = isSecret ? await sources.secret(namespace, name) : await sources.configMap(namespace, name);
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw missing(
        `envFrom of container ${container.name}: ${isSecret ? 'Secret' : 'ConfigMap'} ${namespace}/${name} does not exist`,
        podWouldFail,
      );
    }
    for (const [key, value] of Object.entries(data)) {
      const variable = prefix + key;
      // The kubelet skips names a process environment cannot hold.
      if (variable === '' || variable.includes('=')) continue;
      set({
        name: variable,
        value,
        origin: { kind: isSecret ? 'secret' : 'configMap', name, key },
        secret: isSecret,
      });
    }
  }

  const lookup = (name: string): string | undefined => entries.get(name)?.value ?? links.get(name);
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined && variable.value !== '') {
      set({
        name: variable.name,
        value: expandReferences(variable.value, lookup),
        origin: { kind: 'value' },
        secret: false,
      });
      continue;
    }
    if (from === undefined) {
      set({ name: variable.name, value: '', origin: { kind: 'value' }, secret: false });
      continue;
    }
    const resolved = await resolveSource(variable.name, from, options);
    if (resolved !== undefined) set({ name: variable.name, ...resolved });
  }

  for (const [name, value] of links) {
    if (!entries.has(name)) {
      const service = /^(.*?)_(SERVICE_|PORT)/.exec(name)?.[1] ?? name;
      set({ name, value, origin: { kind: 'serviceLink', service }, secret: false });
    }
  }
  return [...entries.values()];
}

async function resolveSource(
  variable: string,
  from: V1EnvVarSource,
  options: ResolveEnvOptions,
): Promise<Omit<EnvEntry, 'name'> | undefined> {
  const { namespace, sources, container, pod } = options;
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (keyRef !== undefined) {
    const isSecret = from.secretKeyRef !== undefined;
    const kind = isSecret ? 'Secret' : 'ConfigMap';
    const name = keyRef.name ?? '';
    const data = isSecret ? await sources.secret(namespace, name) : await sources.configMap(namespace, name);
    const value = data?.[keyRef.key];
    if (value === undefined) {
      if (keyRef.optional === true) return undefined;
      throw missing(
        data === undefined
          ? `env ${variable}: ${kind} ${namespace}/${name} does not exist`
          : `env ${variable}: ${kind} ${namespace}/${name} has no key ${keyRef.key}`,
        podWouldFail,
      );
    }
    return {
      value,
      origin: { kind: isSecret ? 'secret' : 'configMap', name, key: keyRef.key },
      secret: isSecret,
    };
  }
  if (from.fieldRef !== undefined) {
    const value = fieldValue(from.fieldRef.fieldPath, pod);
    if (value === undefined) {
      throw missing(
        `env ${variable}: unsupported fieldRef ${from.fieldRef.fieldPath}`,
        'The API server would refuse this pod spec; check the field path.',
      );
    }
    return { value, origin: { kind: 'field', path: from.fieldRef.fieldPath }, secret: false };
  }
  if (from.resourceFieldRef !== undefined) {
    const value = resourceValue(from.resourceFieldRef, container, pod);
    if (value === undefined) {
      throw missing(
        `env ${variable}: cannot resolve resourceFieldRef ${from.resourceFieldRef.resource}`,
        'Only limits/requests of cpu, memory and ephemeral-storage can be read.',
      );
    }
    return {
      value,
      origin: { kind: 'resource', resource: from.resourceFieldRef.resource },
      secret: false,
    };
  }
  // A source this version does not know (e.g. fileKeyRef): leave the variable out, loudly.
  throw missing(
    `env ${variable}: unsupported valueFrom (${Object.keys(from).join(', ')})`,
    'Set the variable yourself before running, or ask for support of this source.',
  );
}
