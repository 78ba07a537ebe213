/**
 * Previews end to end on the local cluster with the real helm: signed GitHub pushes become ready
 * previews, bad signatures and repeated deliveries change nothing, a push during a deploy is
 * coalesced, and a deleted branch takes namespace and release with it — with GitHub Deployments
 * reported to a stand-in of GitHub's API that checks every request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1ConfigMap, V1Deployment, V1Namespace } from '../../src/kube/index.js';
import { GitHubStandin } from '../../src/previews/testing/github-standin.js';
import { eventually, helm, kube, ok } from './harness.js';
import {
  commitId,
  exampleAppConfig,
  githubDelete,
  getWithHost,
  githubPush,
  previewDetail,
  previewRows,
  startPreviewsServer,
  waitForPreview,
  type TestServer,
} from './previews-support.js';

const secret = 'e2e-webhook-secret-0123456789abcdef';
const token = 'ghs_e2eStandinToken';
const github = new GitHubStandin({ token, repos: { 'acme/webapp': { main: commitId('main') } } });
let server: TestServer;
let app: string;

beforeAll(async () => {
  const apiUrl = await github.start();
  const appConfig = exampleAppConfig({ github: { token, apiUrl } });
  app = appConfig.name as string;
  server = await startPreviewsServer({
    concurrency: 2,
    webhooks: { github: { secret } },
    apps: [appConfig],
  });
});

afterAll(async () => {
  // Leave nothing behind in the shared cluster.
  for (const row of await previewRows(server.url)) {
    if (row.status !== 'removed')
      await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name: row.namespace });
  }
  await server.close();
  await github.stop();
});

const namespaces = async (): Promise<string[]> =>
  (
    await kube().list<V1Namespace>('v1', 'Namespace', { labelSelector: `chartroom.dev/preview-app=${app}` })
  ).map((ns) => ns.metadata?.name ?? '');

describe('previews from GitHub pushes', () => {
  it('turns a signed push into a ready preview listed with its URL', async () => {
    const commit = commitId('login-1');
    const delivery = await githubPush({ url: server.url, secret, branch: 'feature/Login', after: commit });
    expect(delivery.status).toBe(202);
    const [result] = delivery.body.previews ?? [];
    expect(result).toMatchObject({ branch: 'feature/Login', action: 'deploy' });
    const namespace = result?.namespace ?? '';
    expect(namespace).toMatch(new RegExp(`^${app}-feature-login-[0-9a-f]{6}$`));
    expect(result?.url).toBe(`http://${namespace.slice(app.length + 1)}.preview.localhost:${server.port}/`);

    const row = await waitForPreview(server.url, namespace, (preview) => preview.status === 'ready');
    expect(row).toMatchObject({ branch: 'feature/Login', deployed_commit: commit, url: result?.url });

    // The release is deployed by Helm with the generated values last: host, image tag, env name.
    const status = JSON.parse(ok(await helm(['status', 'webapp', '-n', namespace, '-o', 'json'])).stdout) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
    const deployment = await kube().get<V1Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'webapp',
      namespace,
    });
    expect(deployment?.spec?.template.spec?.containers[0]?.image).toBe(
      `registry.example.com/webapp:${commit}`,
    );
    const ingress = await kube().get<{ kind?: string; spec?: { rules?: { host?: string }[] } }>({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      name: 'webapp',
      namespace,
    });
    expect(ingress?.spec?.rules?.[0]?.host).toBe(`${namespace.slice(app.length + 1)}.preview.localhost`);
    const config = await kube().get<V1ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'webapp',
      namespace,
    });
    expect(config?.data).toMatchObject({
      LOG_LEVEL: 'debug',
      CHARTROOM_ENV: `preview-${namespace.slice(app.length + 1)}`,
    });
    // Staging secrets, decrypted in memory by the deploy capability, never production's.
    const secretObject = await kube().get<{ kind?: string; data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      name: 'webapp',
      namespace,
    });
    expect(Object.keys(secretObject?.data ?? {}).sort()).toEqual([
      'db_password',
      'db_username',
      'session_secret',
    ]);
    expect(Buffer.from(secretObject?.data?.db_password ?? '', 'base64').toString()).toMatch(/^staging-/);
    // Guard rails of every preview namespace.
    for (const kind of ['ResourceQuota', 'LimitRange'])
      expect(
        await kube().get({ apiVersion: 'v1', kind, name: 'chartroom-preview', namespace }),
      ).toBeDefined();

    // Listed with its URL, in the API and on the dashboard.
    expect((await previewRows(server.url)).find((preview) => preview.namespace === namespace)?.url).toBe(
      result?.url,
    );
    const page = await (await fetch(`${server.url}/previews`)).text();
    expect(page).toContain('feature/Login');
    expect(page).toContain(`href="${result?.url ?? ''}"`);
    // The URL answers through the server's host-routing proxy (simulated pods: it says so).
    const viaProxy = await getWithHost(`${server.url}/`, new URL(result?.url ?? '').host);
    expect(viaProxy.status).toBe(502);
    expect(viaProxy.headers['x-chartroom-preview']).toBe(namespace);
    expect(viaProxy.text).toMatch(/Preview of <code>feature\/Login<\/code> is deployed and ready/);

    // GitHub: a transient deployment of the commit, in progress, then success with the URL.
    const [deployment0] = github.environment('preview/feature/Login');
    expect(deployment0).toMatchObject({
      ref: commit,
      transient_environment: true,
      production_environment: false,
    });
    expect(deployment0?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment0?.statuses[1]?.environment_url).toBe(result?.url);
  });

  it('answers a bad signature with 401 and changes nothing', async () => {
    const before = { namespaces: await namespaces(), requests: github.requests.length };
    const deliveries = await server.previews.runtime.records.countDeliveries();
    const rejected = await githubPush({
      url: server.url,
      secret: 'not-the-secret-at-all-1234',
      branch: 'evil',
      after: commitId('evil'),
    });
    expect(rejected.status).toBe(401);
    expect(rejected.body.error).toMatch(/X-Hub-Signature-256/);
    expect(await server.previews.runtime.records.countDeliveries()).toBe(deliveries);
    expect(await namespaces()).toEqual(before.namespaces);
    expect(github.requests.length).toBe(before.requests);
    expect((await previewRows(server.url)).some((row) => row.branch === 'evil')).toBe(false);
  });

  it('does nothing for a repeated delivery id', async () => {
    const first = await githubPush({
      url: server.url,
      secret,
      branch: 'redeliver',
      after: commitId('r1'),
      deliveryId: 'delivery-r1',
    });
    expect(first.status).toBe(202);
    const namespace = first.body.previews?.[0]?.namespace ?? '';
    await waitForPreview(server.url, namespace, (row) => row.status === 'ready');
    await server.previews.controller.idle();
    const runs = (await previewDetail(server.url, namespace))?.runs.length;
    const again = await githubPush({
      url: server.url,
      secret,
      branch: 'redeliver',
      after: commitId('r1'),
      deliveryId: 'delivery-r1',
    });
    expect(again).toEqual({
      status: 200,
      body: { status: 'duplicate', delivery: 'delivery-r1', previews: [] },
    });
    // Even a replayed id with another commit does nothing.
    const replay = await githubPush({
      url: server.url,
      secret,
      branch: 'redeliver',
      after: commitId('r2'),
      deliveryId: 'delivery-r1',
    });
    expect(replay.body.status).toBe('duplicate');
    await server.previews.controller.idle();
    expect((await previewDetail(server.url, namespace))?.runs.length).toBe(runs);
    expect((await previewDetail(server.url, namespace))?.preview.desired_commit).toBe(commitId('r1'));
  });

  it('coalesces pushes that arrive during a deploy into one deploy of the newest commit', async () => {
    const [c1, c2, c3] = ['c1', 'c2', 'c3'].map((seed) => commitId(`coalesce-${seed}`)) as [
      string,
      string,
      string,
    ];
    const first = await githubPush({ url: server.url, secret, branch: 'coalesce', after: c1 });
    const namespace = first.body.previews?.[0]?.namespace ?? '';
    await waitForPreview(server.url, namespace, (row) => row.status === 'deploying', 60);
    // GitHub's pushed_at has one-second steps; fixed times keep the order what the test means
    // on a slow machine, and a redelivery carries its original payload, time included.
    const pushedAt = Math.floor(Date.now() / 1000);
    const middlePush = { url: server.url, secret, branch: 'coalesce', before: c1, after: c2, pushedAt };
    const second = await githubPush(middlePush);
    const third = await githubPush({
      url: server.url,
      secret,
      branch: 'coalesce',
      before: c2,
      after: c3,
      pushedAt: pushedAt + 1,
    });
    expect([second.body.previews?.[0]?.action, third.body.previews?.[0]?.action]).toEqual([
      'deploy',
      'deploy',
    ]);
    // A late redelivery of the middle push is stale: c3 went on top of it.
    const late = await githubPush(middlePush);
    expect(late.body.previews?.[0]).toMatchObject({ action: 'stale' });
    await waitForPreview(
      server.url,
      namespace,
      (row) => row.status === 'ready' && row.deployed_commit === c3,
    );
    await server.previews.controller.idle();
    const deploys =
      (await previewDetail(server.url, namespace))?.runs.filter((run) => run.kind === 'deploy') ?? [];
    expect(deploys.map((run) => run.commit_sha).reverse()).toEqual([c1, c3]);
    expect(deploys.every((run) => run.result === 'succeeded')).toBe(true);
    expect(github.environment('preview/coalesce').map((deployment) => deployment.ref)).toEqual([c1, c3]);
    // The replaced deployment is made inactive (GitHub does not do it for transient ones).
    expect(github.environment('preview/coalesce')[0]?.statuses.at(-1)?.state).toBe('inactive');
  });

  it('removes namespace and release when the branch is deleted, once for both events', async () => {
    const commit = commitId('gone-1');
    const push = await githubPush({ url: server.url, secret, branch: 'gone', after: commit });
    const namespace = push.body.previews?.[0]?.namespace ?? '';
    await waitForPreview(server.url, namespace, (row) => row.status === 'ready');
    // GitHub sends a push with deleted: true and a delete event for one deletion.
    const viaPush = await githubPush({
      url: server.url,
      secret,
      branch: 'gone',
      before: commit,
      after: commit,
      deleted: true,
    });
    const viaDelete = await githubDelete({ url: server.url, secret, branch: 'gone' });
    expect(viaPush.body.previews?.[0]?.action).toBe('teardown');
    expect(viaDelete.body.previews?.[0]?.action).toBe('already-removed');
    await waitForPreview(server.url, namespace, (row) => row.status === 'removed');
    expect(await kube().get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })).toBeUndefined();
    const releases = JSON.parse(ok(await helm(['list', '-A', '-o', 'json', '--all'])).stdout) as {
      namespace: string;
    }[];
    expect(releases.filter((release) => release.namespace === namespace)).toEqual([]);
    const detail = await previewDetail(server.url, namespace);
    expect(detail?.preview.removed_reason).toBe('branch-deleted');
    expect(detail?.runs.filter((run) => run.kind === 'teardown')).toHaveLength(1);
    expect(github.environment('preview/gone')[0]?.statuses.map((s) => s.state)).toEqual([
      'in_progress',
      'success',
      'inactive',
    ]);
    // A third event for the same deletion is still harmless.
    expect((await githubDelete({ url: server.url, secret, branch: 'gone' })).body.previews?.[0]?.action).toBe(
      'already-removed',
    );
    await eventually(async () => ((await namespaces()).includes(namespace) ? undefined : true));
  });
});
