/**
 * Previews under stress and over time, on the local cluster with the real helm: a server killed
 * with SIGKILL mid-deploy finishes the preview after a restart; 50 pushes across 10 branches at
 * once give exactly 10 previews of the newest commits with the concurrency bound held; the TTL
 * and the sweep tear down what they should and nothing else.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { V1Namespace, V1Secret } from '../../src/kube/index.js';
import { previewAnnotations, previewLabels } from '../../src/previews/index.js';
import { GitHubStandin } from '../../src/previews/testing/github-standin.js';
import { eventually, helm, kube, ok } from './harness.js';
import {
  commitId,
  exampleAppConfig,
  githubPush,
  previewDetail,
  spawnServe,
  startPreviewsServer,
  waitForPreview,
  writeServerConfig,
  type TestServer,
} from './previews-support.js';

const secret = 'e2e-lifecycle-secret-0123456789abcdef';

/** Undoes what the current test made when it finishes (last made, first undone). */
function cleanup(undo: () => Promise<unknown>): void {
  onTestFinished(async () => {
    await undo().catch(() => undefined);
  });
}

const appNamespaces = async (app: string): Promise<string[]> =>
  (await kube().list<V1Namespace>('v1', 'Namespace', { labelSelector: `${previewLabels.app}=${app}` }))
    .map((ns) => ns.metadata?.name ?? '')
    .sort();

function removeNamespacesOf(app: string): () => Promise<void> {
  return async () => {
    for (const name of await appNamespaces(app))
      await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name });
  };
}

async function started(previews: Record<string, unknown>): Promise<TestServer> {
  const server = await startPreviewsServer(previews);
  cleanup(() => server.close());
  return server;
}

describe('previews over restarts, load and time', () => {
  it('finishes a preview after the server is killed with SIGKILL in the middle of its Helm deploy', async () => {
    const appConfig = exampleAppConfig();
    const app = appConfig.name as string;
    cleanup(removeNamespacesOf(app));
    const { dir, file, port } = await writeServerConfig({
      concurrency: 2,
      resyncInterval: '5s',
      webhooks: { github: { secret } },
      apps: [appConfig],
    });
    let serve = await spawnServe(file, port);
    cleanup(async () => {
      serve.child.kill('SIGKILL');
      await serve.exited;
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    });
    const commit = commitId('killed-1');
    const push = await githubPush({ url: serve.url, secret, branch: 'killed', after: commit });
    expect(push.status).toBe(202);
    const namespace = push.body.previews?.[0]?.namespace ?? '';
    expect(namespace).toBe(`${app}-killed`);

    // Kill it while Helm is installing: the release exists and is pending-install.
    await eventually(
      async () => {
        const releases = await kube().list<V1Secret>('v1', 'Secret', {
          namespace,
          labelSelector: 'owner=helm,status=pending-install',
        });
        return releases.length > 0 ? true : undefined;
      },
      { seconds: 90, what: `helm to start installing in ${namespace}\n${serve.output()}` },
    );
    serve.child.kill('SIGKILL');
    await serve.exited;
    const afterKill = await kube().get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    // The killed server did not get to record the deploy: only the wish is on the namespace.
    expect(afterKill?.metadata?.annotations?.[previewAnnotations.desiredCommit]).toBe(commit);
    expect(afterKill?.metadata?.annotations?.[previewAnnotations.deployedCommit]).toBeUndefined();

    serve = await spawnServe(file, port);
    const row = await waitForPreview(
      serve.url,
      namespace,
      (preview) => preview.status === 'ready' && preview.deployed_commit === commit,
      180,
    );
    expect(row.branch).toBe('killed');
    const status = JSON.parse(ok(await helm(['status', 'webapp', '-n', namespace, '-o', 'json'])).stdout) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
    const runs = (await previewDetail(serve.url, namespace))?.runs ?? [];
    const results = runs.filter((run) => run.kind === 'deploy').map((run) => run.result);
    // Newest first: the restarted server's deploy succeeded; the killed one's run is abandoned.
    expect(results[0]).toBe('succeeded');
    expect(results.slice(1)).toEqual(['abandoned']);
  });

  it('turns 50 pushes across 10 branches into exactly 10 previews, never more deploys at once than allowed', async () => {
    const appConfig = exampleAppConfig();
    const app = appConfig.name as string;
    cleanup(removeNamespacesOf(app));
    const server = await started({
      concurrency: 3,
      maxPreviews: 20,
      webhooks: { github: { secret } },
      apps: [appConfig],
    });
    const branches = Array.from({ length: 10 }, (_, index) => `load-${index}`);
    const base = Math.floor(Date.now() / 1000);
    // Five commits per branch, pushed one second apart by the host; all delivered at once.
    const pushes = branches.flatMap((branch) =>
      [0, 1, 2, 3, 4].map((k) => ({ branch, commit: commitId(`${branch}-${k}`), pushedAt: base + k })),
    );
    const answers = await Promise.all(
      pushes.map((push) =>
        githubPush({
          url: server.url,
          secret,
          branch: push.branch,
          after: push.commit,
          pushedAt: push.pushedAt,
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(pushes.map(() => 202));
    for (const answer of answers)
      expect(['deploy', 'stale', 'unchanged']).toContain(answer.body.previews?.[0]?.action);

    const newest = new Map(branches.map((branch) => [branch, commitId(`${branch}-4`)]));
    await eventually(
      async () => {
        const rows = (await (await fetch(`${server.url}/api/previews`)).json()) as {
          previews: { app: string; status: string; branch: string; deployed_commit: string | null }[];
        };
        const mine = rows.previews.filter((row) => row.app === app);
        return mine.length === 10 &&
          mine.every((row) => row.status === 'ready' && row.deployed_commit === newest.get(row.branch))
          ? true
          : undefined;
      },
      { seconds: 300, what: '10 previews ready at their newest commits' },
    );
    await server.previews.controller.idle();
    expect(await appNamespaces(app)).toHaveLength(10);
    const releases = JSON.parse(ok(await helm(['list', '-A', '-o', 'json'])).stdout) as {
      namespace: string;
      status: string;
    }[];
    expect(releases.filter((release) => release.namespace.startsWith(`${app}-`))).toHaveLength(10);
    const stats = server.previews.controller.stats();
    expect(stats.maxRunning).toBe(3);
    // Coalesced: far fewer deploys than pushes, and each branch's last deploy is its newest commit.
    const deploys = await server.previews.runtime.records.allRuns({ kind: 'deploy' });
    const mine = deploys.filter((run) => run.app === app);
    expect(mine.length).toBeGreaterThanOrEqual(10);
    expect(mine.length).toBeLessThan(30);
    expect(mine.every((run) => run.result === 'succeeded')).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/chartroom_previews_runs_running_max 3\b/);
  });

  it('tears down on TTL expiry and in the sweep what it should, and nothing else', async () => {
    const token = 'ghs_lifecycleStandin';
    const github = new GitHubStandin({
      token,
      repos: { 'acme/webapp': { main: commitId('main'), pinned: commitId('pinned-1') } },
    });
    const apiUrl = await github.start();
    cleanup(() => github.stop());
    const appConfig = exampleAppConfig({
      github: { token, apiUrl, deployments: false },
      branchesFrom: 'github',
    });
    const app = appConfig.name as string;
    cleanup(removeNamespacesOf(app));
    const server = await started({
      concurrency: 3,
      ttl: '15s',
      resyncInterval: '1s',
      sweepInterval: '1h',
      sweepGrace: 0,
      webhooks: { github: { secret } },
      apps: [appConfig],
    });
    // Bystanders: a namespace that is not a preview, and another server's preview (another app).
    const bystanders = [`${app}-plain`, `${app}x-other`];
    await kube().apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: bystanders[0] } },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: bystanders[1],
          labels: { [previewLabels.preview]: 'true', [previewLabels.app]: `${app}x` },
          annotations: {
            [previewAnnotations.branch]: 'ancient',
            [previewAnnotations.lastPushAt]: '2020-01-01T00:00:00.000Z',
          },
        },
      },
    ] as never[]);
    cleanup(async () => {
      for (const name of bystanders) await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name });
    });

    const expire = await githubPush({ url: server.url, secret, branch: 'expire', after: commitId('e1') });
    const pinned = await githubPush({
      url: server.url,
      secret,
      branch: 'pinned',
      after: commitId('pinned-1'),
    });
    const expireNs = expire.body.previews?.[0]?.namespace ?? '';
    const pinnedNs = pinned.body.previews?.[0]?.namespace ?? '';
    // `pinned` is kept past the TTL (the keep annotation, e.g. `kubectl annotate namespace … chartroom.dev/preview-keep=true`).
    await kube().mergePatch(
      { apiVersion: 'v1', kind: 'Namespace', name: pinnedNs },
      { metadata: { annotations: { [previewAnnotations.keep]: 'true' } } },
    );
    await waitForPreview(server.url, pinnedNs, (row) => row.status === 'ready');

    const expired = await waitForPreview(server.url, expireNs, (row) => row.status === 'removed', 120);
    expect(expired.removed_reason).toBe('ttl');
    expect(await kube().get({ apiVersion: 'v1', kind: 'Namespace', name: expireNs })).toBeUndefined();
    expect((await previewDetail(server.url, pinnedNs))?.preview.status).toBe('ready');

    // The sweep: `swept` is pushed but the host no longer lists it (a missed delete event).
    const swept = await githubPush({ url: server.url, secret, branch: 'swept', after: commitId('s1') });
    const sweptNs = swept.body.previews?.[0]?.namespace ?? '';
    // An outage that lists no branches must not look like "every branch was deleted".
    const listed = github.options.repos['acme/webapp'] ?? {};
    github.options.repos['acme/webapp'] = {};
    const [blind] = await server.previews.controller.sweep();
    expect(blind?.skipped).toMatch(/no branches/);
    github.options.repos['acme/webapp'] = listed;
    const [result] = await server.previews.controller.sweep();
    expect(result?.gone.map((state) => state.namespace)).toEqual([sweptNs]);
    const sweptRow = await waitForPreview(server.url, sweptNs, (row) => row.status === 'removed', 120);
    expect(sweptRow.removed_reason).toBe('sweep');

    // Nothing else went: the pinned preview, the plain namespace, the other app's preview.
    expect((await previewDetail(server.url, pinnedNs))?.preview.status).toBe('ready');
    for (const name of [pinnedNs, ...bystanders]) {
      const namespace = await kube().get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name });
      expect(namespace?.metadata?.deletionTimestamp).toBeUndefined();
      expect(namespace?.metadata?.annotations?.[previewAnnotations.teardown]).toBeUndefined();
    }
  });
});
