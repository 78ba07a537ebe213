/**
 * Preview status on GitHub: one transient Deployment per deploy run, in environment
 * `preview/<branch>`, with statuses in_progress → success (with the preview's URL, GitHub's
 * "View deployment") or failure (with the rollout diagnosis in one line), and inactive when a
 * newer deploy replaces it or the preview is torn down. GitHub marks earlier deployments inactive
 * by itself only for non-transient environments, so this does it for previews.
 *
 * A GitHub outage never blocks a preview: errors are logged and the deploy goes on.
 */
import type { GitHubApi } from './client.js';

export interface ReporterLog {
  warn(message: string): void;
}

export function environmentName(branch: string): string {
  return `preview/${branch}`;
}

export class DeploymentReporter {
  constructor(
    private readonly api: GitHubApi,
    private readonly log: ReporterLog,
  ) {}

  private async quietly<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.log.warn(`GitHub ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Creates the deployment and marks it in progress; its id, or undefined when GitHub failed. */
  async started(run: {
    branch: string;
    commit: string;
    namespace: string;
    url: string;
    logUrl: string;
  }): Promise<string | undefined> {
    const id = await this.quietly('create deployment', () =>
      this.api.createDeployment({
        ref: run.commit,
        environment: environmentName(run.branch),
        description: `Chartroom preview of ${run.branch} at ${run.commit.slice(0, 7)}`,
        payload: { namespace: run.namespace, url: run.url },
      }),
    );
    if (id === undefined) return undefined;
    await this.quietly('deployment status in_progress', () =>
      this.api.createDeploymentStatus(id, {
        state: 'in_progress',
        description: `Deploying ${run.commit.slice(0, 7)}`,
        logUrl: run.logUrl,
      }),
    );
    return String(id);
  }

  async succeeded(id: string, run: { url: string; logUrl: string; seconds: number }): Promise<void> {
    await this.quietly('deployment status success', () =>
      this.api.createDeploymentStatus(Number(id), {
        state: 'success',
        environmentUrl: run.url,
        logUrl: run.logUrl,
        description: `Ready in ${Math.round(run.seconds)}s`,
      }),
    );
  }

  async failed(id: string, run: { summary: string; logUrl: string }): Promise<void> {
    await this.quietly('deployment status failure', () =>
      this.api.createDeploymentStatus(Number(id), {
        state: 'failure',
        description: run.summary,
        logUrl: run.logUrl,
      }),
    );
  }

  async inactive(id: string, description: string): Promise<void> {
    await this.quietly('deployment status inactive', () =>
      this.api.createDeploymentStatus(Number(id), { state: 'inactive', description }),
    );
  }
}
