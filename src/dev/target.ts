/**
 * Where `chartroom dev <app> --env <env>` looks: the app's chartroom.yaml (the deploy
 * capability's file: name, environments with their namespace, the dependencies), an environment
 * from it, or a preview of the app (a namespace per branch, found by its labels), or, without a
 * chartroom.yaml, the namespace given with --namespace.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InternalError, UsageError } from '../core/errors.js';
import { appConfigFileName, loadAppConfig, type AppConfig } from '../deploy/index.js';
import { KubeClient } from '../kube/index.js';
import type { DependencySpec } from './deps.js';
import { devError } from './errors.js';

export interface TargetOptions {
  /** The app: its name, or its folder. */
  app: string;
  env?: string;
  namespace?: string;
  /** The folder with chartroom.yaml (default: `app` when it is a folder, else the current one). */
  appDir?: string;
  cwd: string;
  kubeconfig?: string;
  context?: string;
}

export interface DevTarget {
  appName: string;
  /** The environment's name, or the preview's label. */
  env: string | undefined;
  namespace: string;
  /** The Helm release (the workload's name or instance label). */
  release: string;
  declared: DependencySpec[];
  /** Set when the environment is a preview: its branch. */
  previewBranch: string | undefined;
  kube: KubeClient;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

async function findAppConfig(options: TargetOptions): Promise<AppConfig | undefined> {
  if (options.appDir !== undefined) return loadAppConfig(resolve(options.cwd, options.appDir));
  const asFolder = resolve(options.cwd, options.app);
  if (options.app.includes('/') || options.app === '.') {
    if (!isDir(asFolder)) throw new UsageError(`app folder ${options.app} does not exist`);
    return loadAppConfig(asFolder);
  }
  if (isDir(asFolder) && existsSync(join(asFolder, appConfigFileName))) return loadAppConfig(asFolder);
  if (existsSync(join(options.cwd, appConfigFileName))) {
    const here = await loadAppConfig(options.cwd);
    if (here.name === options.app) return here;
  }
  return undefined;
}

async function previewNamespace(
  options: TargetOptions,
  appName: string,
  env: string,
): Promise<{ namespace: string; release: string; branch: string } | undefined> {
  const { listClusterPreviews } = await import('../previews/index.js');
  const previews = await listClusterPreviews({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
    app: appName,
  });
  const match =
    previews.find((preview) => preview.label === env) ??
    previews.find((preview) => preview.branch === env) ??
    previews.find((preview) => preview.namespace === env);
  return match === undefined
    ? undefined
    : { namespace: match.namespace, release: match.release, branch: match.branch };
}

export async function resolveTarget(options: TargetOptions): Promise<DevTarget> {
  const app = await findAppConfig(options);
  const appName = app?.name ?? options.app;
  const declared: DependencySpec[] = (app?.dependencies ?? []).map((dep) => ({
    service: dep.service,
    ...(dep.namespace === undefined ? {} : { namespace: dep.namespace }),
    ...(dep.ports === undefined ? {} : { ports: dep.ports }),
    ...(dep.env === undefined ? {} : { env: dep.env }),
  }));
  const { namespace, env } = options;
  const environment = env === undefined ? undefined : app?.environments[env];
  const context = options.context ?? environment?.context;
  // Checked before the kubeconfig is read: a missing flag is the likelier mistake.
  if (namespace === undefined && env === undefined) {
    throw new UsageError(
      'say which environment: --env <env> (or --namespace <ns>)',
      app === undefined
        ? `No ${appConfigFileName} names app ${options.app}; pass --namespace, or --app-dir with its folder.`
        : `Environments of ${app.name}: ${Object.keys(app.environments).join(', ')}; previews work too.`,
    );
  }
  const kube = KubeClient.load({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(context === undefined ? {} : { context }),
  });
  const release = environment?.release ?? app?.release ?? appName;
  const base = { appName, env, declared, kube };

  if (namespace !== undefined) return { ...base, namespace, release, previewBranch: undefined };
  if (env === undefined) throw new InternalError('no environment after the check above');
  if (environment?.namespace !== undefined) {
    return { ...base, namespace: environment.namespace, release, previewBranch: undefined };
  }
  const preview = await previewNamespace(options, appName, env);
  if (preview !== undefined) {
    return { ...base, namespace: preview.namespace, release: preview.release, previewBranch: preview.branch };
  }
  throw devError('dev-no-workload', `app ${appName} has no environment or preview ${JSON.stringify(env)}`, {
    hint:
      app === undefined
        ? `No ${appConfigFileName} names app ${options.app}; pass --namespace, or --app-dir with its folder.`
        : `Environments: ${Object.keys(app.environments).join(', ')}; previews: chartroom previews list --app ${appName}.`,
  });
}
