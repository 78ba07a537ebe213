/**
 * The part of `chartroom dev` that only reads the cluster: find the app's workload in the
 * environment, resolve its container's environment as the kubelet would, and plan the forwards
 * its dependencies need. `chartroom dev env` stops here.
 */
import { UsageError } from '../core/errors.js';
import { clusterServiceLookup, planDependencies, type DependencyPlan, type DependencySpec } from './deps.js';
import { resolveContainerEnv, type EnvEntry } from './env/resolve.js';
import { clusterEnvSources, podFacts } from './env/sources.js';
import { resolveTarget, type DevTarget, type TargetOptions } from './target.js';
import { findWorkload, type Workload } from './workload.js';

export interface PrepareOptions extends TargetOptions {
  /** `--workload`. */
  workload?: string;
  /** `--container`. */
  container?: string;
  /** `--forward svc[:port,port]`: more dependencies. */
  forward?: readonly string[];
  /** Look for Service names in env values (default true). */
  scan?: boolean;
  clusterDomain?: string;
}

export interface Prepared {
  target: DevTarget;
  workload: Workload;
  env: EnvEntry[];
  plan: DependencyPlan;
}

/** `redis`, `redis:6379`, `redis:6379,6380`, `cache/redis:6379` → a dependency. */
export function parseForwardFlag(text: string): DependencySpec {
  const match = /^(?:([a-z0-9-]+)\/)?([a-z0-9-]+)(?::(\d+(?:,\d+)*))?$/.exec(text);
  if (match?.[2] === undefined) {
    throw new UsageError(
      `--forward ${text}: not a Service`,
      'Use <service>, <service>:<port>[,<port>…] or <namespace>/<service>[:<port>…].',
    );
  }
  return {
    service: match[2],
    ...(match[1] === undefined ? {} : { namespace: match[1] }),
    ...(match[3] === undefined ? {} : { ports: match[3].split(',').map(Number) }),
  };
}

export async function prepareDev(options: PrepareOptions): Promise<Prepared> {
  const target = await resolveTarget(options);
  const { kube, namespace } = target;
  const workload = await findWorkload(kube, {
    namespace,
    names: [...new Set([target.release, target.appName])],
    instance: target.release,
    app: target.appName,
    ...(options.workload === undefined ? {} : { explicit: options.workload }),
    ...(options.container === undefined ? {} : { container: options.container }),
  });
  const pod = await podFacts({
    kube,
    namespace,
    workloadName: workload.ref.name,
    podSpec: workload.podSpec,
    labels: workload.templateLabels,
    annotations: workload.templateAnnotations,
    pod: workload.pod,
  });
  const env = await resolveContainerEnv({
    namespace,
    podSpec: workload.podSpec,
    container: workload.container,
    pod,
    sources: clusterEnvSources(kube),
  });
  const plan = await planDependencies({
    env,
    namespace,
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    declared: [...target.declared, ...(options.forward ?? []).map(parseForwardFlag)],
    scan: options.scan ?? true,
    services: clusterServiceLookup(kube),
  });
  return { target, workload, env, plan };
}
