/** Services, Ingresses, NetworkPolicies and ports: does traffic reach pods, and only the right ones? */
import { labelSelectorMatches } from '../../kube/selector.js';
import { arr, num, obj, objs, str, text } from '../json.js';
import type { CheckResult, CheckDefinition, Json, Manifest, ObjectIndexView } from '../model.js';
import {
  containersOf,
  isEmptySelector,
  isWorkload,
  podTemplateOf,
  podsSelectedBy,
  selectorFrom,
} from '../workload.js';
import { fail, pass, perContainer, skip } from './helpers.js';

export const serviceTargetsPod: CheckDefinition = {
  id: 'service-targets-pod',
  title: 'Service selects pods',
  family: 'networking',
  severity: 'danger',
  why: 'A Service whose selector matches no pod template (a renamed label, a typo) has no endpoints: every request fails while the Service looks fine.',
  fix: 'Make `spec.selector` match the labels of the pod template it should route to.',
  run: (manifest, context) => {
    if (manifest.kind !== 'Service') return [];
    const type = str(manifest.doc, 'spec.type');
    if (type === 'ExternalName') return [];
    const selector = selectorFrom(obj(manifest.doc, 'spec.selector'), true);
    if (selector === undefined || isEmptySelector(selector))
      return [skip('Service has no selector (endpoints are managed by hand)')];
    return podsSelectedBy(selector, manifest, context.index).length > 0
      ? [pass]
      : [
          fail(
            `no pods found matching service labels (${Object.entries(selector.matchLabels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`,
          ),
        ];
  },
};

export const serviceNodePort: CheckDefinition = {
  id: 'service-type-nodeport',
  title: 'Service is not a NodePort',
  family: 'networking',
  severity: 'warning',
  why: 'A NodePort opens the port on every node of the cluster, outside any load balancer and usually outside the firewall rules people look at.',
  fix: 'Use `ClusterIP` behind an Ingress, or `LoadBalancer`.',
  run: (manifest) => {
    if (manifest.kind !== 'Service') return [];
    return str(manifest.doc, 'spec.type') === 'NodePort' ? [fail('Service is of type NodePort')] : [pass];
  },
};

/**
 * Ingress backends in the shape of the object's own apiVersion: networking.k8s.io/v1 has
 * `service.name`/`service.port`, the v1beta1 APIs `serviceName`/`servicePort` (the API server
 * drops the other shape's fields, so a v1 Ingress written the old way has empty backends).
 */
function ingressBackends(ingress: Manifest): { service: string; port: unknown }[] {
  const v1 = ingress.apiVersion === 'networking.k8s.io/v1';
  const spec = obj(ingress.doc, 'spec') ?? {};
  const backends: Json[] = [];
  const add = (b: Json | undefined): void => {
    if (b !== undefined) backends.push(b);
  };
  add(obj(spec, 'defaultBackend'));
  add(obj(spec, 'backend'));
  for (const rule of objs(spec, 'rules'))
    for (const path of objs(rule, 'http.paths')) add(obj(path, 'backend'));
  return backends
    .filter((b) => obj(b, 'resource') === undefined)
    .map((b) =>
      v1
        ? {
            service: str(b, 'service.name') ?? '',
            port: obj(b, 'service.port')?.number ?? obj(b, 'service.port')?.name,
          }
        : { service: str(b, 'serviceName') ?? '', port: b.servicePort },
    );
}

function servicePortMatches(service: Manifest, port: unknown): boolean {
  if (port === undefined) return true;
  return objs(service.doc, 'spec.ports').some((p) =>
    typeof port === 'number'
      ? num(p, 'port') === port
      : str(p, 'name') === text(port) || String(num(p, 'port')) === text(port),
  );
}

export const ingressTargetsService: CheckDefinition = {
  id: 'ingress-targets-service',
  title: 'Ingress backends exist',
  family: 'networking',
  severity: 'danger',
  why: 'An Ingress rule pointing at a Service (or port) that does not exist answers 503 for that path.',
  fix: 'Point every backend at an existing Service and one of its ports.',
  run: (manifest, context) => {
    if (manifest.kind !== 'Ingress') return [];
    const results = ingressBackends(manifest).map((backend) => {
      if (backend.service === '')
        return fail(`an Ingress backend names no Service (for ${manifest.apiVersion})`);
      const service = context.index.find('Service', backend.service, manifest.namespace);
      if (service === undefined) return fail(`no Service "${backend.service}" for an Ingress backend`);
      if (!servicePortMatches(service, backend.port))
        return fail(`Service "${backend.service}" has no port ${String(backend.port)}`);
      return pass;
    });
    return results;
  },
};

export const ingressTls: CheckDefinition = {
  id: 'ingress-tls',
  title: 'Ingress serves TLS',
  family: 'networking',
  severity: 'warning',
  why: 'An Ingress without `tls` serves plain HTTP: credentials and cookies cross the network in clear text.',
  fix: 'Add `spec.tls` with the hosts and a certificate Secret (cert-manager can issue it).',
  run: (manifest) => {
    if (manifest.kind !== 'Ingress') return [];
    return arr(manifest.doc, 'spec.tls').length > 0 ? [pass] : [fail('Ingress has no TLS configuration')];
  },
};

function policiesSelecting(
  labels: Record<string, string>,
  owner: Manifest,
  index: ObjectIndexView,
): Manifest[] {
  return index.inNamespace('NetworkPolicy', owner.namespace).filter((policy) => {
    const selector = selectorFrom(obj(policy.doc, 'spec.podSelector'));
    return selector !== undefined && labelSelectorMatches(selector, labels);
  });
}

function policyTypes(policy: Manifest): string[] {
  const declared = arr(policy.doc, 'spec.policyTypes').map(String);
  if (declared.length > 0) return declared;
  return arr(policy.doc, 'spec.egress').length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

export const podNetworkPolicy: CheckDefinition = {
  id: 'pod-network-policy',
  title: 'Pods are isolated by a NetworkPolicy',
  family: 'networking',
  severity: 'warning',
  why: 'Pods that no NetworkPolicy selects accept connections from every pod in the cluster: one compromised pod reaches them all.',
  fix: 'Add a NetworkPolicy selecting the pods, with `policyTypes: [Ingress, Egress]` and the flows they need.',
  run: (manifest, context) => {
    if (!isWorkload(manifest)) return [];
    const template = podTemplateOf(manifest);
    if (template === undefined) return [];
    const policies = policiesSelecting(template.labels, manifest, context.index);
    if (context.options.anyPolicy === true)
      return policies.length > 0 ? [pass] : [fail('no NetworkPolicy selects the pods')];
    const types = new Set(policies.flatMap(policyTypes));
    const wanted = Array.isArray(context.options.policyTypes)
      ? context.options.policyTypes.map(String)
      : ['Ingress', 'Egress'];
    const missing = wanted.filter((t) => !types.has(t));
    if (missing.length === 0) return [pass];
    return policies.length === 0
      ? [fail('no NetworkPolicy selects the pods', { severity: 'danger' })]
      : [fail(`no NetworkPolicy restricts ${missing.join(' and ')} for the pods`)];
  },
};

export const networkPolicyTargetsPod: CheckDefinition = {
  id: 'network-policy-targets-pod',
  title: 'NetworkPolicy selects pods',
  family: 'networking',
  severity: 'warning',
  why: 'A NetworkPolicy whose podSelector matches nothing protects nothing; usually a label was renamed.',
  fix: 'Make `spec.podSelector` match the labels of the pods it is meant to isolate.',
  run: (manifest, context) => {
    if (manifest.kind !== 'NetworkPolicy') return [];
    const selector = selectorFrom(obj(manifest.doc, 'spec.podSelector'));
    if (selector === undefined) return [];
    if (isEmptySelector(selector)) return [pass]; // selects every pod of the namespace
    return podsSelectedBy(selector, manifest, context.index).length > 0
      ? [pass]
      : [fail(`no pods found matching the NetworkPolicy's podSelector`)];
  },
};

export const networkPolicyPeers: CheckDefinition = {
  id: 'network-policy-peer-selects-pods',
  title: 'NetworkPolicy rules select pods',
  family: 'networking',
  severity: 'warning',
  optional: true,
  why: 'A rule whose podSelector matches no pods (in the same namespace) allows traffic from nobody, which is rarely what was meant.',
  fix: "Make the rule's `podSelector` match real pod labels.",
  run: (manifest, context) => {
    if (manifest.kind !== 'NetworkPolicy') return [];
    const results: CheckResult[] = [];
    for (const rule of [
      ...objs(manifest.doc, 'spec.ingress').flatMap((r) => objs(r, 'from')),
      ...objs(manifest.doc, 'spec.egress').flatMap((r) => objs(r, 'to')),
    ]) {
      if (obj(rule, 'namespaceSelector') !== undefined) continue;
      const selector = selectorFrom(obj(rule, 'podSelector'));
      if (selector === undefined || isEmptySelector(selector)) continue;
      if (podsSelectedBy(selector, manifest, context.index).length === 0) {
        results.push(
          fail(
            `no pods found matching a rule's podSelector (${Object.entries(selector.matchLabels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`,
          ),
        );
      }
    }
    return results.length === 0 ? [pass] : results;
  },
};

export const serviceTargetPorts: CheckDefinition = {
  id: 'service-target-port',
  title: 'Service target ports are valid and exist',
  family: 'networking',
  severity: 'danger',
  why: 'A Service targetPort outside 1–65535, with an invalid name, or naming a port no selected container declares sends traffic nowhere.',
  fix: "Use a `targetPort` number or name that the pod template's containers declare.",
  run: (manifest, context) => {
    if (manifest.kind !== 'Service') return [];
    const selector = selectorFrom(obj(manifest.doc, 'spec.selector'), true);
    const pods =
      selector === undefined || isEmptySelector(selector)
        ? []
        : podsSelectedBy(selector, manifest, context.index);
    const names = new Set<string>();
    for (const pod of pods) {
      const template = podTemplateOf(pod);
      if (template === undefined) continue;
      for (const ref of containersOf(template))
        for (const p of objs(ref.container, 'ports')) names.add(str(p, 'name') ?? '');
    }
    return objs(manifest.doc, 'spec.ports').flatMap((port) => {
      const target = port.targetPort;
      if (target === undefined) return [];
      if (typeof target === 'number' || /^\d+$/.test(text(target))) {
        const n = Number(target);
        return n >= 1 && n <= 65535
          ? [pass]
          : [fail(`targetPort "${text(target)}" must be between 1 and 65535`)];
      }
      const name = text(target);
      const problem = portNameProblem(name);
      if (problem !== undefined) return [fail(`targetPort "${name}" ${problem}`)];
      if (pods.length === 0) return [pass];
      return names.has(name)
        ? [pass]
        : [fail(`targetPort "${name}" is not a port name of the selected pods`)];
    });
  },
};

/** Why a port name is not a valid IANA service name, or undefined when it is. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'must be no more than 15 characters';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes('--'))
    return 'must be lowercase letters, digits and single dashes';
  return undefined;
}

export const invalidPorts: CheckDefinition = {
  id: 'invalid-port',
  title: 'Port names and numbers are valid',
  family: 'networking',
  severity: 'danger',
  why: 'Port names must be IANA service names (≤ 15 characters, lowercase letters, digits and dashes, at least one letter) and unique in a container; containerPort must be set. Otherwise the API server or the probes that name them fail.',
  fix: 'Rename the port (e.g. `http`, `metrics`) and give every entry a containerPort.',
  run: (manifest) => {
    const template = podTemplateOf(manifest);
    if (template === undefined) return [];
    const results: CheckResult[] = [];
    for (const ref of containersOf(template, { init: true })) {
      const seen = new Set<string>();
      for (const port of objs(ref.container, 'ports')) {
        const where = { container: ref.name, path: ref.path };
        if (num(port, 'containerPort') === undefined)
          results.push(fail(`container "${ref.name}" has a port without containerPort`, where));
        const name = str(port, 'name');
        if (name === undefined) continue;
        const problem = portNameProblem(name);
        if (problem !== undefined)
          results.push(fail(`port name "${name}" in container "${ref.name}" ${problem}`, where));
        else if (seen.has(name))
          results.push(fail(`container "${ref.name}" declares port name "${name}" twice`, where));
        seen.add(name);
      }
    }
    return results.length === 0 ? [pass] : results;
  },
};

export const sshPort: CheckDefinition = {
  id: 'ssh-port',
  title: 'No SSH port',
  family: 'networking',
  severity: 'warning',
  why: 'An SSH server in a container is a second way in that bypasses `kubectl exec` auditing and RBAC.',
  fix: 'Remove the SSH server; use `kubectl exec` (or `chartroom dev`) to get a shell.',
  run: (manifest) =>
    perContainer(manifest, {}, (ref) =>
      objs(ref.container, 'ports').some(
        (p) => num(p, 'containerPort') === 22 && (str(p, 'protocol') ?? 'TCP') === 'TCP',
      )
        ? `port 22 and protocol TCP in container "${ref.name}" found`
        : undefined,
    ),
};

export const privilegedPorts: CheckDefinition = {
  id: 'privileged-port',
  title: 'No ports below 1024',
  family: 'networking',
  severity: 'warning',
  optional: true,
  why: 'Binding a port below 1024 needs root or NET_BIND_SERVICE, which a hardened container should not have.',
  fix: 'Listen on a port ≥ 1024 and map it in the Service (`port: 80, targetPort: 8080`).',
  run: (manifest) =>
    perContainer(manifest, {}, (ref) => {
      const low = objs(ref.container, 'ports').find((p) => (num(p, 'containerPort') ?? 1024) < 1024);
      return low === undefined
        ? undefined
        : `container "${ref.name}" listens on privileged port ${String(num(low, 'containerPort'))}`;
    }),
};

export const statefulSetServiceName: CheckDefinition = {
  id: 'statefulset-service-name',
  title: 'StatefulSet has a headless Service',
  family: 'networking',
  severity: 'danger',
  why: "A StatefulSet's pods get stable DNS names only through the headless Service named in `serviceName`; without it peers cannot find each other.",
  fix: 'Create a Service with `clusterIP: None` selecting the pods, and name it in `spec.serviceName`.',
  run: (manifest, context) => {
    if (manifest.kind !== 'StatefulSet') return [];
    const name = str(manifest.doc, 'spec.serviceName');
    const template = podTemplateOf(manifest);
    if (name === undefined || name === '') return [fail('StatefulSet has no serviceName')];
    const service = context.index.find('Service', name, manifest.namespace);
    if (service === undefined) return [fail(`StatefulSet's serviceName "${name}" names no Service`)];
    if (str(service.doc, 'spec.clusterIP') !== 'None')
      return [fail(`Service "${name}" is not headless (clusterIP: None)`)];
    const selector = selectorFrom(obj(service.doc, 'spec.selector'), true);
    if (
      template === undefined ||
      selector === undefined ||
      isEmptySelector(selector) ||
      !labelSelectorMatches(selector, template.labels)
    ) {
      return [fail(`Service "${name}" does not select the StatefulSet's pods`)];
    }
    return [pass];
  },
};

export const networkingChecks: CheckDefinition[] = [
  serviceTargetsPod,
  serviceNodePort,
  ingressTargetsService,
  ingressTls,
  podNetworkPolicy,
  networkPolicyTargetsPod,
  networkPolicyPeers,
  serviceTargetPorts,
  invalidPorts,
  sshPort,
  privilegedPorts,
  statefulSetServiceName,
];
