/**
 * Rewrites the resolved environment so the local process reaches the cluster through the
 * forwards: every host reference to a forwarded Service becomes `127.0.0.1:<local port>` (only
 * the host when the value had no port), ports kept beside hosts (`DB_PORT`) follow, the Service
 * link variables of forwarded Services point at their forwards, ExternalName Services become
 * their external host (what cluster DNS would answer), and `KUBERNETES_SERVICE_*` point at the
 * API server of the kubeconfig.
 */
import type { DependencyPlan, ForwardTarget } from '../deps.js';
import type { EnvEntry } from './resolve.js';
import { linkPrefix } from './service-links.js';

export const localHost = '127.0.0.1';

export interface RewriteOptions {
  env: readonly EnvEntry[];
  /** The app's namespace: link variables exist for its Services only. */
  namespace: string;
  plan: DependencyPlan;
  /** The local port of each forward, by ForwardTarget.key. */
  localPorts: ReadonlyMap<string, number>;
  /** The API server as the kubeconfig reaches it. */
  apiServer: { host: string; port: number } | undefined;
}

export interface EnvChange {
  name: string;
  before: string;
  after: string;
  secret: boolean;
}

export interface RewriteResult {
  env: EnvEntry[];
  changes: EnvChange[];
  warnings: string[];
}

function linkValues(prefix: string, host: string, ports: { number: number; name: string; local: number }[]) {
  const values = new Map<string, string>();
  const first = ports[0];
  values.set(`${prefix}_SERVICE_HOST`, host);
  if (first !== undefined) {
    values.set(`${prefix}_SERVICE_PORT`, String(first.local));
    values.set(`${prefix}_PORT`, `tcp://${host}:${first.local}`);
  }
  for (const port of ports) {
    if (port.name !== '') values.set(`${prefix}_SERVICE_PORT_${linkPrefix(port.name)}`, String(port.local));
    const portPrefix = `${prefix}_PORT_${port.number}_TCP`;
    values.set(portPrefix, `tcp://${host}:${port.local}`);
    values.set(`${portPrefix}_PORT`, String(port.local));
    values.set(`${portPrefix}_ADDR`, host);
  }
  return values;
}

export function rewriteEnv(options: RewriteOptions): RewriteResult {
  const { plan, localPorts } = options;
  const warnings: string[] = [];
  const local = (target: ForwardTarget): number => localPorts.get(target.key) ?? target.port.port;
  const replacements = new Map<string, string>();

  // Host references, replaced from the end of each value so earlier offsets stay valid.
  const byVariable = new Map<string, typeof plan.references>();
  for (const reference of plan.references) {
    byVariable.set(reference.variable, [...(byVariable.get(reference.variable) ?? []), reference]);
  }
  const original = new Map(options.env.map((entry) => [entry.name, entry.value]));
  for (const [variable, references] of byVariable) {
    let value = original.get(variable) ?? '';
    for (const reference of [...references].sort((a, b) => b.occurrence.start - a.occurrence.start)) {
      const { occurrence, action } = reference;
      let text: string;
      if (action.kind === 'external') {
        text = occurrence.port === undefined ? action.host : `${action.host}:${occurrence.port}`;
      } else if (action.hostOnly) {
        text = localHost;
        const port = local(action.target);
        const hasSibling = plan.siblingPorts.some((sibling) => sibling.target === action.target);
        if (port !== action.target.port.port && !hasSibling) {
          warnings.push(
            `${variable} names ${action.target.service.name} without a port; its forward listens on ${localHost}:${port}, not ${action.target.port.port}`,
          );
        }
      } else {
        text = `${localHost}:${local(action.target)}`;
      }
      value = value.slice(0, occurrence.start) + text + value.slice(occurrence.end);
    }
    replacements.set(variable, value);
  }
  for (const sibling of plan.siblingPorts) replacements.set(sibling.variable, String(local(sibling.target)));

  // Link variables of forwarded Services, and of the API server.
  const forwarded = new Map<string, { number: number; name: string; local: number }[]>();
  for (const target of plan.forwards) {
    if (target.podHostname !== undefined || target.service.namespace !== options.namespace) continue;
    const key = `${target.service.namespace}/${target.service.name}`;
    forwarded.set(key, [
      ...(forwarded.get(key) ?? []),
      { number: target.port.port, name: target.port.name, local: local(target) },
    ]);
  }
  const linkReplacements = new Map<string, string>();
  for (const [key, ports] of forwarded) {
    const name = key.slice(key.indexOf('/') + 1);
    for (const [variable, value] of linkValues(linkPrefix(name), localHost, ports)) {
      linkReplacements.set(variable, value);
    }
  }
  if (options.apiServer !== undefined) {
    const { host, port } = options.apiServer;
    for (const [variable, value] of linkValues('KUBERNETES', host, [
      { number: 443, name: 'https', local: port },
    ])) {
      linkReplacements.set(variable, value);
    }
  }

  const changes: EnvChange[] = [];
  const env = options.env.map((entry): EnvEntry => {
    const replacement =
      replacements.get(entry.name) ??
      (entry.origin.kind === 'serviceLink' ? linkReplacements.get(entry.name) : undefined);
    if (replacement === undefined || replacement === entry.value) return entry;
    changes.push({ name: entry.name, before: entry.value, after: replacement, secret: entry.secret });
    return { ...entry, value: replacement };
  });
  return { env, changes, warnings };
}
