import { existsSync, rmSync } from 'node:fs';
import { NotFoundError } from '../core/errors.js';
import { KubeClient, type V1Node } from '../kube/index.js';
import { clusterDir, clusterFiles } from './layout.js';
import { componentNames, readState, type ClusterState, type ComponentName } from './state.js';
import { isAlive, lastLines, stopProcesses } from './supervisor.js';

export interface DownResult {
  name: string;
  stopped: number;
  /** Processes of this cluster still alive afterwards (should always be empty). */
  remaining: number[];
}

/** Stops every process of the cluster and removes its folder. Safe to run twice. */
export async function downCluster(
  options: { name?: string; env?: NodeJS.ProcessEnv; keepData?: boolean } = {},
): Promise<DownResult> {
  const name = options.name ?? 'chartroom';
  const files = clusterFiles(clusterDir(name, options.env));
  const state = readState(files.state);
  const pids =
    state === undefined
      ? []
      : [...Object.values(state.pids), ...(state.watchdogPid === undefined ? [] : [state.watchdogPid])];
  const alive = pids.filter(isAlive);
  // Everything of a local cluster is thrown away, so a short grace is enough: the API server's
  // graceful termination would otherwise wait on its own watches for many seconds.
  await stopProcesses(alive, 3000);
  const remaining = pids.filter(isAlive);
  if (options.keepData !== true && remaining.length === 0)
    rmSync(files.dir, { recursive: true, force: true });
  return { name, stopped: alive.length, remaining };
}

export interface ComponentStatus {
  name: ComponentName;
  pid: number | undefined;
  running: boolean;
  logFile: string | undefined;
  /** The end of the log of a component that is not running. */
  lastLog?: string[];
}

export interface ClusterStatus {
  name: string;
  exists: boolean;
  healthy: boolean;
  server?: string;
  kubeconfig?: string;
  apiserverReady?: boolean;
  nodes?: { name: string; ready: boolean; zone?: string; instanceType?: string; capacityType?: string }[];
  components: ComponentStatus[];
}

export async function clusterStatus(
  options: { name?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ClusterStatus> {
  const name = options.name ?? 'chartroom';
  const files = clusterFiles(clusterDir(name, options.env));
  const state = readState(files.state);
  if (state === undefined) return { name, exists: false, healthy: false, components: [] };
  const components = componentNames.map((component): ComponentStatus => {
    const pid = state.pids[component];
    const running = pid !== undefined && isAlive(pid);
    const logFile = state.logs[component];
    return {
      name: component,
      pid,
      running,
      logFile,
      ...(running || logFile === undefined ? {} : { lastLog: lastLines(logFile, 10) }),
    };
  });
  const allRunning = components.every((c) => c.running);
  let apiserverReady = false;
  let nodes: ClusterStatus['nodes'];
  if (allRunning) {
    const kube = KubeClient.load({ kubeconfig: state.kubeconfig });
    apiserverReady = (await kube.raw('/readyz', { timeoutMs: 5000 }).catch(() => undefined))?.status === 200;
    if (apiserverReady) nodes = await nodeSummary(kube, state);
  }
  return {
    name,
    exists: true,
    healthy: allRunning && apiserverReady && (nodes ?? []).every((n) => n.ready),
    server: state.server,
    kubeconfig: state.kubeconfig,
    apiserverReady,
    ...(nodes === undefined ? {} : { nodes }),
    components,
  };
}

async function nodeSummary(kube: KubeClient, state: ClusterState): Promise<ClusterStatus['nodes']> {
  const nodes = await kube.list<V1Node>('v1', 'Node');
  return nodes
    .filter((node) => state.nodes.includes(node.metadata?.name ?? ''))
    .map((node) => {
      const labels = node.metadata?.labels ?? {};
      return {
        name: node.metadata?.name ?? '',
        ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
        zone: labels['topology.kubernetes.io/zone'],
        instanceType: labels['node.kubernetes.io/instance-type'],
        capacityType: labels['karpenter.sh/capacity-type'],
      };
    });
}

/** The admin kubeconfig of a running cluster. */
export function clusterKubeconfig(options: { name?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const name = options.name ?? 'chartroom';
  const files = clusterFiles(clusterDir(name, options.env));
  if (!existsSync(files.kubeconfig)) {
    throw new NotFoundError(`no local cluster named ${name}`, 'Start one with `chartroom cluster up`.');
  }
  return files.kubeconfig;
}
