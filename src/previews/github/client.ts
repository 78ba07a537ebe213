/**
 * The few GitHub REST calls previews make: Deployments and their statuses (so the pull request
 * shows "View deployment" and why a preview failed), and the branch list (for the sweep). Plain
 * fetch with GitHub's documented headers; 5xx answers and network errors are retried a few
 * times, anything else is an error that names the call.
 */
import { ChartroomError, ExitCode } from '../../core/errors.js';
import { packageInfo } from '../../core/package-info.js';
import { sleepUnlessAborted as sleep } from '../../core/abort.js';

export class GitHubApiError extends ChartroomError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, {
      code: 'github-api',
      exitCode: ExitCode.remote,
      hint:
        status === 401
          ? 'The GitHub token was refused; check previews.apps[].github.token*.'
          : status === 403 || status === 404
            ? 'The token needs the repo_deployment scope (or Deployments: write) on the repository.'
            : 'GitHub answered with an error; see the message.',
    });
  }
}

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface GitHubApiOptions {
  apiUrl: string;
  token: string;
  /** owner/name */
  repo: string;
  fetch?: typeof fetch;
  retries?: number;
}

export class GitHubApi {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GitHubApiOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private get repoPath(): string {
    const [owner, name] = this.options.repo.split('/');
    return `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`;
  }

  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: object,
    signal?: AbortSignal,
  ): Promise<{ data: unknown; headers: Headers }> {
    const attempts = (this.options.retries ?? 3) + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetch(`${this.options.apiUrl}${path}`, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.options.token}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': `chartroom/${packageInfo().version}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: signal ?? AbortSignal.timeout(30_000),
        });
      } catch (error) {
        lastError = error;
        if (signal?.aborted === true) break;
        await sleep(250 * 2 ** attempt, signal);
        continue;
      }
      if (response.status >= 500 && attempt < attempts) {
        lastError = new GitHubApiError(response.status, `${method} ${path}: HTTP ${response.status}`);
        await sleep(250 * 2 ** attempt, signal);
        continue;
      }
      const text = await response.text();
      if (!response.ok) {
        let message = text.slice(0, 300);
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // not JSON: keep the text
        }
        throw new GitHubApiError(response.status, `GitHub ${method} ${path}: ${response.status} ${message}`);
      }
      return { data: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
    }
    throw new GitHubApiError(
      0,
      `GitHub ${method} ${path} failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  /**
   * A transient deployment of `ref` for a preview environment. auto_merge is off (GitHub would
   * otherwise merge the default branch into the ref) and required_contexts empty (a preview is
   * deployed before the checks finish).
   */
  async createDeployment(
    deployment: { ref: string; environment: string; description: string; payload: object },
    signal?: AbortSignal,
  ): Promise<number> {
    const { data } = await this.request(
      'POST',
      `${this.repoPath}/deployments`,
      {
        ref: deployment.ref,
        task: 'deploy',
        environment: deployment.environment,
        description: truncate(deployment.description),
        payload: deployment.payload,
        transient_environment: true,
        production_environment: false,
        auto_merge: false,
        required_contexts: [],
      },
      signal,
    );
    return (data as { id: number }).id;
  }

  async createDeploymentStatus(
    id: number,
    status: {
      state: DeploymentState;
      description?: string;
      environmentUrl?: string;
      logUrl?: string;
    },
    signal?: AbortSignal,
  ): Promise<void> {
    await this.request(
      'POST',
      `${this.repoPath}/deployments/${id}/statuses`,
      {
        state: status.state,
        ...(status.description === undefined ? {} : { description: truncate(status.description) }),
        ...(status.environmentUrl === undefined ? {} : { environment_url: status.environmentUrl }),
        ...(status.logUrl === undefined ? {} : { log_url: status.logUrl }),
      },
      signal,
    );
  }

  /** Every branch name of the repository (all pages). */
  async branches(signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; page <= 100; page += 1) {
      const { data, headers } = await this.request(
        'GET',
        `${this.repoPath}/branches?per_page=100&page=${page}`,
        undefined,
        signal,
      );
      names.push(...(data as { name: string }[]).map((branch) => branch.name));
      if (!/rel="next"/.test(headers.get('link') ?? '')) return names;
    }
    return names;
  }
}

/** GitHub keeps 140 characters of a description. */
export function truncate(text: string, max = 140): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
