/**
 * The Service link variables the kubelet gives every container (pkg/kubelet/envvars): for each
 * Service with a cluster IP in the pod's namespace (when `enableServiceLinks` is not false), and
 * always for `kubernetes` in `default`, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]`
 * and the Docker-link style `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`.
 */
export interface LinkService {
  namespace: string;
  name: string;
  clusterIP: string | undefined;
  ports: readonly { name?: string; port: number; protocol?: string }[];
}

/** `my-svc` → `MY_SVC`, as the kubelet names them (dots are kept, as it does). */
export function linkPrefix(serviceName: string): string {
  return serviceName.replaceAll('-', '_').toUpperCase();
}

function hasClusterIP(service: LinkService): boolean {
  return service.clusterIP !== undefined && service.clusterIP !== '' && service.clusterIP !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables of one Service, in the kubelet's order. */
export function serviceLinkVariables(service: LinkService): [string, string][] {
  const ip = service.clusterIP;
  const first = service.ports[0];
  if (ip === undefined || !hasClusterIP(service) || first === undefined) return [];
  const prefix = linkPrefix(service.name);
  const vars: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(first.port)],
  ];
  for (const port of service.ports) {
    if (port.name !== undefined && port.name !== '') {
      vars.push([`${prefix}_SERVICE_PORT_${linkPrefix(port.name)}`, String(port.port)]);
    }
  }
  service.ports.forEach((port, index) => {
    const protocol = (port.protocol ?? 'TCP').toLowerCase();
    const url = `${protocol}://${joinHostPort(ip, port.port)}`;
    if (index === 0) vars.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    vars.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol],
      [`${portPrefix}_PORT`, String(port.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return vars;
}

/**
 * Every link variable a pod in `namespace` gets. A `kubernetes` Service in the pod's own namespace
 * wins over the one in `default`, as in the kubelet.
 */
export function serviceLinks(
  services: readonly LinkService[],
  namespace: string,
  enableServiceLinks: boolean,
): Map<string, string> {
  const chosen = new Map<string, LinkService>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    if (service.namespace === 'default' && service.name === 'kubernetes') {
      if (!chosen.has(service.name)) chosen.set(service.name, service);
    } else if (service.namespace === namespace && enableServiceLinks) {
      chosen.set(service.name, service);
    }
  }
  const vars = new Map<string, string>();
  for (const service of [...chosen.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [name, value] of serviceLinkVariables(service)) vars.set(name, value);
  }
  return vars;
}
