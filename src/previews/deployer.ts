/**
 * Previews deploy through the deploy capability (src/deploy): the same Helm deploy as
 * `chartroom deploy --env staging`, with the staging values and secrets of the app in Helm's
 * order, plus one generated values document last (host, image tag = commit, env name). Never
 * production's values: an environment or values file that names production is refused.
 *
 * The small interface keeps the controller independent of how a deploy is done, and is the one
 * place that knows the deploy capability's API.
 */
import { ChartroomError, ExitCode } from '../core/errors.js';
import {
  deploy,
  DeployFailedError,
  loadAppConfig,
  resolveEnvironment,
  uninstall,
  type DeployEvent,
  type Diagnosis,
} from '../deploy/index.js';
import type { Store } from '../store/index.js';

export interface PreviewDeployRequest {
  appDir: string;
  env: string;
  namespace: string;
  release: string;
  commit: string;
  who: string;
  /** The generated values, added after the environment's files. */
  values: Record<string, unknown>;
  timeout?: string;
  kubeconfig?: string;
  processEnv: NodeJS.ProcessEnv;
  store: Store;
  signal: AbortSignal;
  onEvent: (event: DeployEvent) => void;
}

export interface PreviewDeployOutcome {
  status: 'succeeded' | 'failed' | 'interrupted';
  /** One line for people: what happened. */
  summary: string;
  diagnosis: Diagnosis | undefined;
  hint: string | undefined;
  /** The deploy history record (deploy capability). */
  deployId: string | undefined;
  revision: number | undefined;
  notes: string | undefined;
}

export interface PreviewDeployer {
  /** The app's name and its environment's default release, read from its chartroom.yaml. */
  describe(appDir: string, env: string): Promise<{ name: string; release: string }>;
  deploy(request: PreviewDeployRequest): Promise<PreviewDeployOutcome>;
  uninstall(request: {
    namespace: string;
    release: string;
    kubeconfig?: string;
    processEnv: NodeJS.ProcessEnv;
    signal?: AbortSignal;
  }): Promise<boolean>;
}

/** Refuses an environment whose values would bring production settings or secrets. */
async function stagingOnly(appDir: string, env: string) {
  const app = await loadAppConfig(appDir);
  const target = resolveEnvironment(app, env);
  const production = target.values.find((file) => /prod/i.test(file.display));
  if (/^prod/i.test(env) || production !== undefined) {
    throw new ChartroomError(
      `previews never deploy production values: environment ${env} uses ${production?.display ?? env}`,
      {
        code: 'previews-production-values',
        exitCode: ExitCode.config,
        hint: 'Point previews at the staging environment, whose values and secrets are staging-only.',
      },
    );
  }
  return { app, target };
}

export const chartroomDeployer: PreviewDeployer = {
  async describe(appDir, env) {
    const { app, target } = await stagingOnly(appDir, env);
    return { name: app.name, release: target.release };
  },

  async deploy(request) {
    try {
      await stagingOnly(request.appDir, request.env);
      const result = await deploy({
        app: request.appDir,
        env: request.env,
        namespace: request.namespace,
        release: request.release,
        commit: request.commit,
        who: request.who,
        extraValues: [{ name: 'preview values (generated)', values: request.values }],
        ...(request.timeout === undefined ? {} : { timeout: request.timeout }),
        ...(request.kubeconfig === undefined ? {} : { kubeconfig: request.kubeconfig }),
        // The controller owns the namespace (labels, quota); a deploy must never recreate it.
        createNamespace: false,
        processEnv: request.processEnv,
        store: request.store,
        signal: request.signal,
        onEvent: request.onEvent,
        cwd: request.appDir,
      });
      return {
        status: 'succeeded',
        summary: `deployed ${request.commit.slice(0, 7)}: release ${result.release} revision ${String(result.revision ?? '?')}`,
        diagnosis: undefined,
        hint: undefined,
        deployId: result.historyId,
        revision: result.revision,
        notes: result.notes,
      };
    } catch (error) {
      if (error instanceof DeployFailedError) {
        const result = error.result;
        return {
          status: result.status === 'interrupted' ? 'interrupted' : 'failed',
          summary: result.diagnosis?.summary ?? error.message,
          diagnosis: result.diagnosis,
          hint: result.diagnosis?.hint ?? error.hint,
          deployId: result.historyId,
          revision: result.revision,
          notes: undefined,
        };
      }
      if (request.signal.aborted) {
        return {
          status: 'interrupted',
          summary: `interrupted: ${(request.signal.reason as Error | undefined)?.message ?? 'stopped'}`,
          diagnosis: undefined,
          hint: undefined,
          deployId: undefined,
          revision: undefined,
          notes: undefined,
        };
      }
      // A config, values or cluster error before Helm ran: a failed deploy with that reason.
      const chartroom = error instanceof ChartroomError ? error : undefined;
      return {
        status: 'failed',
        summary: error instanceof Error ? error.message : String(error),
        diagnosis: undefined,
        hint: chartroom?.hint,
        deployId: undefined,
        revision: undefined,
        notes: undefined,
      };
    }
  },

  async uninstall(request) {
    return uninstall({
      namespace: request.namespace,
      release: request.release,
      ...(request.kubeconfig === undefined ? {} : { kubeconfig: request.kubeconfig }),
      processEnv: request.processEnv,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
  },
};

/** `{ ingress: { host } }` from `ingress.host`: the generated values as a nested document. */
export function valuesAt(entries: readonly (readonly [string | null, unknown])[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    if (path === null) continue;
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((key) => {
      const next = node[key];
      node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
    });
    node[keys.at(-1) ?? path] = value;
  }
  return root;
}
