import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubStandin } from '../testing/github-standin.js';
import { GitHubApi, GitHubApiError, truncate } from './client.js';
import { DeploymentReporter } from './deployments.js';

const token = 'ghs_standinToken0123456789';
const standin = new GitHubStandin({
  token,
  repos: {
    'acme/webapp': Object.fromEntries(
      Array.from({ length: 130 }, (_, i) => [`branch-${String(i).padStart(3, '0')}`, 'a'.repeat(40)]),
    ),
  },
});
let apiUrl = '';
beforeAll(async () => {
  apiUrl = await standin.start();
});
afterAll(async () => {
  await standin.stop();
});

describe('GitHub client against the stand-in', () => {
  it('creates a transient deployment with statuses, as previews report them', async () => {
    const warnings: string[] = [];
    const reporter = new DeploymentReporter(
      new GitHubApi({ apiUrl, token, repo: 'acme/webapp', retries: 0 }),
      { warn: (message) => warnings.push(message) },
    );
    const id = await reporter.started({
      branch: 'feature/login',
      commit: 'b'.repeat(40),
      namespace: 'webapp-feature-login-1a2b3c',
      url: 'https://feature-login-1a2b3c.example.com/',
      logUrl: 'https://chartroom.example.com/previews?preview=webapp-feature-login-1a2b3c',
    });
    expect(id).toBeDefined();
    await reporter.failed(id ?? '', {
      summary: `pod webapp-1 container web: ImagePullBackOff ${'x'.repeat(200)}`,
      logUrl: 'https://chartroom.example.com/l',
    });
    await reporter.inactive(id ?? '', 'preview torn down: branch deleted');
    expect(warnings).toEqual([]);
    const [deployment] = standin.environment('preview/feature/login');
    expect(deployment).toMatchObject({
      ref: 'b'.repeat(40),
      transient_environment: true,
      production_environment: false,
      payload: { namespace: 'webapp-feature-login-1a2b3c' },
    });
    expect(deployment?.statuses.map((status) => status.state)).toEqual([
      'in_progress',
      'failure',
      'inactive',
    ]);
    expect(deployment?.statuses[1]?.description).toHaveLength(140);
    const create = standin.requests.find(
      (request) => request.method === 'POST' && request.path.endsWith('/deployments'),
    );
    expect(create?.body).toMatchObject({ auto_merge: false, required_contexts: [] });
  });

  it('reads every branch across pages', async () => {
    const api = new GitHubApi({ apiUrl, token, repo: 'acme/webapp' });
    const names = await api.branches();
    expect(names).toHaveLength(130);
    expect(names.at(-1)).toBe('branch-129');
    expect(standin.requests.filter((request) => request.path.includes('/branches'))).toHaveLength(2);
  });

  it('reports refused tokens and unknown repositories as errors, and retries 5xx', async () => {
    const bad = new GitHubApi({ apiUrl, token: 'wrong', repo: 'acme/webapp', retries: 0 });
    await expect(bad.branches()).rejects.toThrow(/401 Bad credentials/);
    const missing = new GitHubApi({ apiUrl, token, repo: 'acme/nope', retries: 0 });
    await expect(missing.branches()).rejects.toBeInstanceOf(GitHubApiError);
    standin.failNextRequests(2);
    const flaky = new GitHubApi({ apiUrl, token, repo: 'acme/webapp', retries: 2 });
    expect(
      await flaky.createDeployment({
        ref: 'branch-001',
        environment: 'preview/x',
        description: 'd',
        payload: {},
      }),
    ).toBeGreaterThan(1000);
  });

  it('never lets a GitHub failure escape the reporter', async () => {
    const warnings: string[] = [];
    const reporter = new DeploymentReporter(
      new GitHubApi({ apiUrl, token: 'wrong', repo: 'acme/webapp', retries: 0 }),
      { warn: (message) => warnings.push(message) },
    );
    expect(
      await reporter.started({
        branch: 'b',
        commit: 'c'.repeat(40),
        namespace: 'n',
        url: 'https://u/',
        logUrl: 'https://l/',
      }),
    ).toBeUndefined();
    expect(warnings[0]).toMatch(/create deployment failed: .*401/);
  });

  it('keeps descriptions within 140 characters on one line', () => {
    expect(truncate('a\n  b')).toBe('a b');
    expect(truncate('x'.repeat(141))).toHaveLength(140);
  });
});
