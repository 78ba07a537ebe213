/**
 * Everything a deploy checks before it touches the cluster: the app config, the chart, the
 * values (secrets decrypted in memory), Helm, and the cluster connection. A mistake here fails
 * in a second with a clear message, not after taking a lock.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ExitCode } from '../core/errors.js';
import { KubeApiError, KubeClient } from '../kube/index.js';
import { loadAppConfig, resolveEnvironment, type ResolvedEnvironment } from './config/load.js';
import { deployError } from './errors.js';
import { helmBinary } from './helm/process.js';
import { helmDriver, type HelmDriver } from './helm/storage.js';
import { deployer, gitCommit } from './identity.js';
import { assembleValues, type AssembledValues, type ExtraValues } from './values/assemble.js';

export interface PrepareOptions {
  /** The app's folder (default: the working directory). */
  app?: string;
  env: string;
  release?: string;
  namespace?: string;
  /** A Go duration (Helm 3): `10m`, `600s`. */
  timeout?: string;
  atomic?: boolean;
  values?: string[];
  set?: string[];
  setString?: string[];
  setFile?: string[];
  /** Generated values added last (previews: host, image tag, env name). */
  extraValues?: ExtraValues[];
  kubeconfig?: string;
  context?: string;
  /**
   * Create the namespace when it does not exist (default true); false fails instead; 'skip'
   * does not look (`deploy diff`, which changes nothing: no namespace is just no release).
   */
  createNamespace?: boolean | 'skip';
  who?: string;
  commit?: string;
  processEnv?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  warn?: (message: string) => void;
}

export interface PreparedDeploy {
  target: ResolvedEnvironment;
  chartRef: string;
  values: AssembledValues;
  kube: KubeClient;
  cluster: string;
  driver: HelmDriver;
  processEnv: NodeJS.ProcessEnv;
  kubeconfig: string | undefined;
  context: string | undefined;
  who: string;
  commit: string | undefined;
}

async function chartRef(chart: string): Promise<string> {
  try {
    const meta = parse(await readFile(join(chart, 'Chart.yaml'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return `${meta.name ?? 'chart'}-${meta.version ?? '0.0.0'}`;
  } catch (error) {
    throw deployError(
      'chart-invalid',
      `cannot read ${join(chart, 'Chart.yaml')}: ${(error as Error).message.split('\n')[0] ?? ''}`,
      {
        exitCode: ExitCode.config,
        hint: 'Fix the chart’s Chart.yaml.',
        cause: error,
      },
    );
  }
}

async function ensureNamespace(kube: KubeClient, namespace: string, create: boolean): Promise<void> {
  try {
    if ((await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) !== undefined) return;
  } catch (error) {
    // A namespace-scoped deployer may not read Namespaces: assume it exists, Helm will tell.
    if (error instanceof KubeApiError && error.status === 403) return;
    throw error;
  }
  if (!create) {
    throw deployError('namespace-missing', `namespace ${namespace} does not exist`, {
      exitCode: ExitCode.notFound,
      hint: 'Create it, or let chartroom deploy create it (drop --no-create-namespace).',
    });
  }
  try {
    await kube.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'chartroom' } },
    });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
}

export async function prepareDeploy(options: PrepareOptions): Promise<PreparedDeploy> {
  const processEnv = options.processEnv ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const app = await loadAppConfig(resolve(cwd, options.app ?? '.'));
  const target = resolveEnvironment(app, options.env, {
    ...(options.release === undefined ? {} : { release: options.release }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.atomic === undefined ? {} : { atomic: options.atomic }),
  });
  const driver = helmDriver(processEnv);
  helmBinary(processEnv);
  const ref = await chartRef(target.chart);
  const values = await assembleValues({
    files: target.values,
    extraFiles: options.values ?? [],
    extraValues: options.extraValues ?? [],
    set: options.set ?? [],
    setString: options.setString ?? [],
    setFile: options.setFile ?? [],
    cwd,
    env: processEnv,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.warn === undefined ? {} : { warn: options.warn }),
  });
  try {
    // The same cluster for client-node and Helm: Helm gets processEnv, so does the client.
    const envKubeconfig = processEnv.KUBECONFIG;
    const kubeconfig =
      options.kubeconfig ??
      (envKubeconfig !== undefined && !envKubeconfig.includes(':') && envKubeconfig !== ''
        ? envKubeconfig
        : undefined);
    const context = options.context ?? target.context;
    const kube = KubeClient.load({
      ...(kubeconfig === undefined ? {} : { kubeconfig }),
      ...(context === undefined ? {} : { context }),
    });
    if (options.createNamespace !== 'skip')
      await ensureNamespace(kube, target.namespace, options.createNamespace ?? true);
    return {
      target,
      chartRef: ref,
      values,
      kube,
      cluster: kube.server,
      driver,
      processEnv,
      kubeconfig: options.kubeconfig,
      context,
      who: options.who ?? deployer(processEnv),
      commit: options.commit ?? (await gitCommit(app.dir)),
    };
  } catch (error) {
    values.channel.dispose();
    throw error;
  }
}
