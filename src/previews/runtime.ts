/**
 * Everything the previews server part shares: the config, the apps as resolved at start, the
 * cluster, the store, the deployer, and the log and metrics.
 */
import type { Registry } from 'prom-client';
import { ConfigError } from '../core/errors.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import type { PreviewsConfig, ResolvedApp } from './config.js';
import type { PreviewDeployer } from './deployer.js';
import { GitHubApi } from './github/client.js';
import { DeploymentReporter } from './github/deployments.js';
import { PreviewMetrics } from './metrics.js';
import { checkTemplates, previewNames, type NameTemplates, type PreviewNames } from './naming.js';
import type { PreviewRecords } from './records.js';
import type { AppSources } from './source.js';

export interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface AppRuntime {
  config: ResolvedApp;
  name: string;
  /** Namespace, host and release templates; a preview's names come from previewNames(). */
  templates: NameTemplates;
  /** GitHub's API for the app's repository (when a token is given). */
  githubApi: GitHubApi | undefined;
  /** GitHub Deployments (when a token is given and deployments are not turned off). */
  reporter: DeploymentReporter | undefined;
  /** Environment for the deploys of this app (the server's, plus the app's `env`). */
  processEnv: NodeJS.ProcessEnv;
}

export interface Runtime {
  config: PreviewsConfig;
  apps: Map<string, AppRuntime>;
  kube: KubeClient;
  /** The kubeconfig file Helm uses (the server's); undefined: KUBECONFIG or in-cluster. */
  kubeconfig: string | undefined;
  records: PreviewRecords;
  store: Store;
  deployer: PreviewDeployer;
  sources: AppSources;
  publicUrl: string;
  log: Log;
  metrics: PreviewMetrics;
}

/** Glob for branch names: `*` within a path segment, `**` across them. */
export function branchGlob(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((piece) =>
          piece
            .split('?')
            .map((text) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]'),
        )
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

export function ignoredBranch(app: AppRuntime, branch: string, defaultBranch?: string): string | undefined {
  if (defaultBranch !== undefined && branch === defaultBranch) return `${branch} is the default branch`;
  const glob = app.config.ignoreBranches.find((pattern) => branchGlob(pattern).test(branch));
  return glob === undefined ? undefined : `${branch} matches ignoreBranches ${glob}`;
}

export function namesFor(app: AppRuntime, branch: string, hashLength?: number): PreviewNames {
  return previewNames(branch, app.templates, hashLength);
}

export function previewUrl(config: PreviewsConfig, host: string): string {
  const port =
    config.port === undefined || (config.scheme === 'https' ? config.port === 443 : config.port === 80)
      ? ''
      : `:${config.port}`;
  return `${config.scheme}://${host}${port}/`;
}

export function dashboardUrl(publicUrl: string, namespace: string, run?: string): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/previews?preview=${encodeURIComponent(namespace)}`;
  return run === undefined ? base : `${base}&run=${encodeURIComponent(run)}`;
}

/** Resolves each configured app: its name and release (from chartroom.yaml when it is on disk). */
export async function resolveApps(options: {
  config: PreviewsConfig;
  deployer: PreviewDeployer;
  env: NodeJS.ProcessEnv;
  log: Log;
}): Promise<Map<string, AppRuntime>> {
  const apps = new Map<string, AppRuntime>();
  for (const [index, app] of options.config.apps.entries()) {
    let name = app.name;
    let release = app.release;
    if (app.source.kind === 'path') {
      const described = await options.deployer.describe(app.source.path, app.environment);
      name ??= described.name;
      release ??= described.release;
    }
    if (name === undefined)
      throw new ConfigError(
        `previews.apps.${index}.name: required for an app deployed from git`,
        'Give the app’s name (its chart is read from each commit).',
      );
    const templates: NameTemplates = {
      app: name,
      domain: options.config.domain,
      namespace: app.namespace,
      host: app.host,
      release: release ?? name,
    };
    const problem = checkTemplates(templates);
    if (problem !== undefined) throw new ConfigError(`previews.apps.${index}: ${problem}`);
    if (apps.has(name)) throw new ConfigError(`previews.apps: two apps are named ${name}`);
    const github = app.github;
    // The API serves the sweep's branch list even when Deployments are turned off.
    const githubApi =
      github?.token === undefined
        ? undefined
        : new GitHubApi({ apiUrl: github.apiUrl, token: github.token, repo: github.repo });
    const reporter =
      githubApi === undefined || github?.deployments !== true
        ? undefined
        : new DeploymentReporter(githubApi, {
            warn: (message) => {
              options.log.warn({ app: name }, message);
            },
          });
    apps.set(name, {
      config: app,
      name,
      templates,
      githubApi,
      reporter,
      processEnv: { ...options.env, ...app.env },
    });
  }
  return apps;
}

export function appForRepo(apps: Map<string, AppRuntime>, repo: string): AppRuntime[] {
  const wanted = repo.toLowerCase();
  return [...apps.values()].filter((app) => app.config.repo.toLowerCase() === wanted);
}

export function metricsFor(registry: Registry): PreviewMetrics {
  return new PreviewMetrics(registry);
}
