/**
 * access end to end: the real kube-apiserver (its own local control plane, with
 * --authentication-token-webhook pointed at Chartroom's webhook), the real kubectl with a
 * Chartroom-generated kubeconfig whose exec plugin is `chartroom access token`, moto for the IAM
 * identities the CLI sees, and the STS stand-in (SigV4-checking) behind the webhook.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { downCluster, upCluster } from '../../src/cluster/index.js';
import { findPeer } from '../../src/core/peers.js';
import { openStore, type Store } from '../../src/store/index.js';
import { run, runChartroom, type RunResult } from '../../src/testing/run.js';
import { AccessRequests } from '../../src/access/requests/service.js';
import { runExpiryLoop } from '../../src/access/requests/expiry.js';
import { kubeRbacClient } from '../../src/access/requests/kube-rbac.js';
import { startMoto, type MotoServer } from '../../src/testing/moto.js';
import { StsStandIn } from '../../src/access/testing/sts-standin.js';
import { presignClusterToken } from '../../src/access/token/presign.js';
import { startWebhookServer, type RunningWebhook } from '../../src/access/webhook/server.js';
import { selfSignedCertificate } from '../../src/access/webhook/tls.js';
import type { TokenReviewDecision } from '../../src/access/webhook/token-review.js';

const repo = resolve(import.meta.dirname, '../..');
// Not `e2e-…`: the shared setup removes `e2e-<pid>` clusters whose pid is gone.
const clusterName = `access-e2e-${process.pid}`;
const clusterId = 'e2e-access';
type User = Awaited<ReturnType<MotoServer['createUser']>>;

describe('access: kubectl → chartroom token → kube-apiserver → Chartroom webhook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-e2e-'));
  const controller = new AbortController();
  const decisions: TokenReviewDecision[] = [];
  let moto: MotoServer;
  let store: Store;
  let service: AccessRequests;
  let clockOffsetMs = 0;
  let webhook: RunningWebhook;
  let adminKubeconfig: string;
  let server: string;
  let caData: string;
  let alice: User;
  let bob: User;
  const kubectlPath = findPeer('kubectl') ?? 'kubectl';
  const userKubeconfig = join(dir, 'kubeconfig');
  const catalog = join(dir, 'clusters.yaml');

  const envOf = (user: User) => ({
    HOME: dir,
    CHARTROOM_CACHE: join(dir, `cache-${user.accessKeyId}`),
    CHARTROOM_DATA: join(dir, 'data'),
    CHARTROOM_CLUSTERS: catalog,
    AWS_ACCESS_KEY_ID: user.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const kubectl = (user: User | undefined, args: string[]): Promise<RunResult> =>
    run(kubectlPath, args, {
      env:
        user === undefined ? { KUBECONFIG: adminKubeconfig } : { ...envOf(user), KUBECONFIG: userKubeconfig },
    });
  const chartroom = (user: User, args: string[]): Promise<RunResult> =>
    runChartroom(args, { env: envOf(user), cwd: repo });
  const withToken = (token: string, args: string[]): Promise<RunResult> =>
    run(kubectlPath, [
      '--kubeconfig',
      '/dev/null',
      '--server',
      server,
      '--certificate-authority',
      join(dir, 'ca.crt'),
      '--token',
      token,
      ...args,
    ]);
  const whoami = async (user: User): Promise<{ username: string; groups: string[] } | string> => {
    const result = await kubectl(user, ['auth', 'whoami', '-o', 'json']);
    if (result.code !== 0) return result.stderr;
    return (JSON.parse(result.stdout) as { status: { userInfo: { username: string; groups: string[] } } })
      .status.userInfo;
  };

  beforeAll(async () => {
    moto = await startMoto();
    alice = await moto.createUser('alice');
    bob = await moto.createUser('bob');
    // The stand-in knows the same keys as moto and reports the same identities STS would.
    const sts = new StsStandIn({
      principals: [alice, bob].map((u) => ({
        accessKeyId: u.accessKeyId,
        secretAccessKey: u.secretAccessKey,
        account: '123456789012',
        arn: u.arn,
        userId: u.userId,
      })),
    });
    store = await openStore({ dataDir: join(dir, 'data') });
    // The service's clock can be moved forward, so expiry does not race a loaded machine.
    service = await AccessRequests.open({ store, now: () => new Date(Date.now() + clockOffsetMs) });
    const mapping = join(dir, 'aws-auth.yaml');
    writeFileSync(
      mapping,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapUsers: |\n    - userarn: ${alice.arn}\n      username: alice\n      groups: [platform, "acct-{{AccountID}}"]\n`,
    );
    const tls = await selfSignedCertificate({ dir: join(dir, 'tls'), hosts: ['127.0.0.1'] });
    webhook = await startWebhookServer({
      clusterId,
      mappingFile: mapping,
      grants: service.grantLookup('e2e'),
      tls,
      port: 0,
      signal: controller.signal,
      transport: sts.transport,
      onDecision: (d) => decisions.push(d),
    });
    const up = await upCluster({
      name: clusterName,
      nodes: 1,
      tokenWebhook: webhook.url,
      webhookCaFile: tls.certFile,
      tokenWebhookCacheTtl: '0s',
      ownerPid: process.pid,
    });
    adminKubeconfig = up.state.kubeconfig;
    const admin = parse(readFileSync(adminKubeconfig, 'utf8')) as {
      clusters: {
        cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string };
      }[];
    };
    const cluster = admin.clusters[0]?.cluster;
    server = cluster?.server ?? '';
    caData =
      cluster?.['certificate-authority-data'] ??
      readFileSync(cluster?.['certificate-authority'] ?? '').toString('base64');
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(caData, 'base64'));
    writeFileSync(
      catalog,
      `clusters:\n  - name: e2e\n    server: ${server}\n    certificateAuthorityData: ${caData}\n    region: us-east-1\n    clusterId: ${clusterId}\n    approvers: ["${alice.arn}"]\n    maxDuration: 1h\n`,
    );
    void runExpiryLoop({
      requests: service,
      cluster: 'e2e',
      rbac: kubeRbacClient({ kubeconfig: adminKubeconfig }),
      signal: controller.signal,
      maxSleepMs: 1000,
    });
    // The exec plugin kubectl runs: this checkout's executable as installed (the launcher, whose
    // warm path answers cached tokens; dist/ is built by `npm ci`, else it runs the sources).
    const plugin = join(dir, 'chartroom');
    writeFileSync(plugin, `#!/bin/sh\nexec ${process.execPath} ${join(repo, 'bin/chartroom.js')} "$@"\n`);
    chmodSync(plugin, 0o755);
    const generated = await chartroom(alice, [
      'access',
      'kubeconfig',
      '--cluster',
      'e2e',
      '--kubeconfig',
      userKubeconfig,
      '--exec-command',
      plugin,
    ]);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
  }, 240_000);

  afterAll(async () => {
    controller.abort();
    await downCluster({ name: clusterName });
    await webhook.close();
    await store.close();
    await moto.stop();
  }, 60_000);

  it('authenticates a statically mapped user: kubectl auth whoami shows the mapped user and groups', async () => {
    expect(await whoami(alice)).toMatchObject({
      username: 'alice',
      groups: ['platform', 'acct-123456789012', 'system:authenticated'],
    });
    expect(decisions.at(-1)).toMatchObject({ authenticated: true, username: 'alice', arn: alice.arn });
  });

  it('refuses an unmapped caller, and tokens for another cluster, expired or forged', async () => {
    expect(await whoami(bob)).toContain('Unauthorized');
    expect(decisions.at(-1)).toMatchObject({
      authenticated: false,
      reason: `${bob.arn} is not mapped to a Kubernetes user`,
    });
    const now = new Date();
    const other = await presignClusterToken({
      credentials: alice,
      region: 'us-east-1',
      clusterId: 'another-cluster',
      now,
    });
    const expired = await presignClusterToken({
      credentials: alice,
      region: 'us-east-1',
      clusterId,
      now: new Date(now.getTime() - 16 * 60_000),
    });
    const good = await presignClusterToken({ credentials: alice, region: 'us-east-1', clusterId, now });
    const goodUrl = Buffer.from(good.token.slice('k8s-aws-v1.'.length), 'base64url').toString();
    const forged =
      'k8s-aws-v1.' +
      Buffer.from(goodUrl.replace(/X-Amz-Signature=[0-9a-f]{8}/, 'X-Amz-Signature=00000000')).toString(
        'base64url',
      );
    expect((await withToken(good.token, ['auth', 'whoami', '-o', 'json'])).stdout).toContain(
      '"username": "alice"',
    );
    for (const [token, reason] of [
      [other.token, 'SignatureDoesNotMatch'],
      [expired.token, 'X-Amz-Date parameter is expired'],
      [forged, 'SignatureDoesNotMatch'],
    ] as const) {
      const result = await withToken(token, ['auth', 'whoami']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Unauthorized');
      expect(decisions.at(-1)).toMatchObject({
        authenticated: false,
        reason: expect.stringContaining(reason) as unknown,
      });
    }
  });

  it('grants on approval, RBAC allows and denies as the grant says, and expiry takes it away', async () => {
    expect((await kubectl(undefined, ['create', 'namespace', 'shop'])).code).toBe(0);
    const asked = await chartroom(bob, [
      '-o',
      'json',
      'access',
      'request',
      '--cluster',
      'e2e',
      '--level',
      'edit',
      '--namespace',
      'shop',
      '--for',
      '10m',
      '--reason',
      'fix the cart',
    ]);
    expect(asked.stderr).not.toContain('error');
    const request = JSON.parse(asked.stdout) as { id: string };
    const approved = await chartroom(alice, [
      'access',
      'approve',
      request.id,
      '--kubeconfig',
      adminKubeconfig,
      '--note',
      'go ahead',
    ]);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toContain(
      `Approved: ${request.id}  active  e2e  edit namespace shop for 10m until`,
    );

    expect(await whoami(bob)).toMatchObject({
      username: bob.arn,
      groups: [`chartroom:grant:${request.id}`, 'system:authenticated'],
    });
    expect((await kubectl(bob, ['auth', 'can-i', 'create', 'deployments', '-n', 'shop'])).stdout.trim()).toBe(
      'yes',
    );
    expect(
      (await kubectl(bob, ['auth', 'can-i', 'create', 'deployments', '-n', 'default'])).stdout.trim(),
    ).toBe('no');
    expect(
      (await kubectl(bob, ['create', 'configmap', 'cart', '-n', 'shop', '--from-literal=a=b'])).code,
    ).toBe(0);
    const forbidden = await kubectl(bob, ['get', 'pods', '-n', 'kube-system']);
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain('Forbidden');
    const binding = await kubectl(undefined, [
      'get',
      'rolebinding',
      `chartroom-grant-${request.id}`,
      '-n',
      'shop',
      '-o',
      'jsonpath={.roleRef.name} {.subjects[0].name}',
    ]);
    expect(binding.stdout).toBe(`edit chartroom:grant:${request.id}`);

    // Ten minutes later (the service's clock moved on), the expiry loop ends the grant: the same
    // kubectl, with the same cached token, is refused and the binding is gone.
    clockOffsetMs = 10 * 60_000;
    const deadline = Date.now() + 120_000;
    let state = '';
    while (Date.now() < deadline) {
      state = (await service.get(request.id)).bindingState;
      if (state === 'removed') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(state).toBe('removed');
    // kube-apiserver keeps every successful token authentication for 10 s on top of the webhook's
    // own cache (TokenSuccessCacheTTL, not a flag), so the refusal can lag the expiry by that much.
    const removedAt = Date.now();
    let answer = await whoami(bob);
    while (typeof answer !== 'string' && Date.now() - removedAt < 30_000) {
      await new Promise((r) => setTimeout(r, 500));
      answer = await whoami(bob);
    }
    expect(answer).toContain('Unauthorized');
    expect(decisions.at(-1)).toMatchObject({ authenticated: false, arn: bob.arn });
    const gone = await kubectl(undefined, [
      'get',
      'rolebinding',
      `chartroom-grant-${request.id}`,
      '-n',
      'shop',
    ]);
    expect(gone.stderr).toContain('NotFound');
    const audit = await chartroom(alice, ['-o', 'json', 'access', 'audit', request.id]);
    expect((JSON.parse(audit.stdout) as { action: string }[]).map((e) => e.action)).toEqual([
      'requested',
      'approved',
      'bound',
      'expired',
      'unbound',
    ]);
  });
});
