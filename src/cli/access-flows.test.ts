/**
 * The access CLI end to end, in-process, against moto (IAM identities behind STS
 * GetCallerIdentity, EKS DescribeCluster). Granting needs a cluster: see test/e2e/access.test.ts.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../access/testing/cli.js';
import { startMoto, type MotoServer } from '../testing/moto.js';

const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

describe('chartroom access (kubeconfig, mapping, requests)', () => {
  let moto: MotoServer;
  let dir: string;
  let catalog: string;
  let alice: Awaited<ReturnType<MotoServer['createUser']>>;
  let bob: Awaited<ReturnType<MotoServer['createUser']>>;
  const envFor = (who: { accessKeyId: string; secretAccessKey: string }) => ({
    HOME: dir,
    CHARTROOM_DATA: join(dir, 'data'),
    CHARTROOM_CLUSTERS: catalog,
    AWS_ACCESS_KEY_ID: who.accessKeyId,
    AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
    AWS_ENDPOINT_URL: moto.url,
  });

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'access-flows-'));
    alice = await moto.createUser('alice');
    bob = await moto.createUser('bob');
    catalog = join(dir, 'clusters.yaml');
    writeFileSync(
      catalog,
      `clusters:\n  - name: prod\n    server: https://127.0.0.1:6443\n    certificateAuthorityData: ${ca}\n    region: eu-west-1\n    clusterId: prod-cluster\n    roles:\n      - { name: admin, arn: "arn:aws:iam::123456789012:role/ProdAdmin" }\n    approvers: ["${alice.arn}"]\n    maxDuration: 8h\n`,
    );
  }, 60_000);
  afterAll(async () => {
    await moto.stop();
  });

  it('merges one context per role into an existing kubeconfig, keeping everything else', async () => {
    const kubeconfig = join(dir, 'config');
    const original = `# my clusters\napiVersion: v1\nkind: Config\nclusters:\n  - name: home # the lab\n    cluster: {server: "https://10.0.0.1:6443"}\nusers:\n  - name: home\n    user: {token: abc}\ncontexts:\n  - name: home\n    context: {cluster: home, user: home}\ncurrent-context: home\n`;
    writeFileSync(kubeconfig, original, { mode: 0o644 });
    const first = await cli(
      envFor(bob),
      'access',
      'kubeconfig',
      '--cluster',
      'prod',
      '--all-roles',
      '--kubeconfig',
      kubeconfig,
      '--exec-command',
      '/opt/bin/chartroom',
    );
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Contexts: prod, prod-admin (current: prod-admin)');
    const text = readFileSync(kubeconfig, 'utf8');
    expect(text.startsWith('# my clusters\n')).toBe(true);
    expect(text).toContain('- name: home # the lab');
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    const config = parse(text) as {
      'current-context': string;
      clusters: { name: string; cluster: Record<string, unknown> }[];
      users: { name: string; user: { exec?: Record<string, unknown> } }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
    };
    expect(config['current-context']).toBe('prod-admin');
    expect(config.clusters.map((c) => c.name)).toEqual(['home', 'chartroom-prod']);
    expect(config.clusters[1]?.cluster).toEqual({
      server: 'https://127.0.0.1:6443',
      'certificate-authority-data': ca,
    });
    expect(config.contexts.map((c) => c.name)).toEqual(['home', 'prod', 'prod-admin']);
    expect(config.users[2]?.user.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: '/opt/bin/chartroom',
      args: [
        'access',
        'token',
        '--cluster-id',
        'prod-cluster',
        '--region',
        'eu-west-1',
        '--role',
        'arn:aws:iam::123456789012:role/ProdAdmin',
      ],
      interactiveMode: 'IfAvailable',
      provideClusterInfo: false,
      installHint: expect.stringContaining('chartroom') as unknown,
    });
    const again = await cli(
      envFor(bob),
      '-o',
      'json',
      'access',
      'kubeconfig',
      '--cluster',
      'prod',
      '--role',
      'admin',
      '--kubeconfig',
      kubeconfig,
      '--no-set-current',
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      added: [],
      replaced: ['cluster chartroom-prod', 'user chartroom-prod-admin', 'context prod-admin'],
    });
    expect((parse(readFileSync(kubeconfig, 'utf8')) as { contexts: unknown[] }).contexts).toHaveLength(3);
  });

  it('writes a kubeconfig for an EKS cluster found with DescribeCluster', async () => {
    const eks = new EKSClient({
      region: 'us-east-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'x' },
    });
    await eks.send(
      new CreateClusterCommand({
        name: 'shop',
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    eks.destroy();
    const result = await cli(
      envFor(bob),
      'access',
      'kubeconfig',
      '--from-eks',
      '--cluster',
      'shop',
      '--region',
      'us-east-1',
      '--dry-run',
    );
    expect(result.stderr).toBe('');
    const config = parse(result.stdout) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { exec: { args: string[] } } }[];
    };
    expect(config.clusters[0]?.cluster.server).toMatch(/^https:\/\//);
    expect(config.clusters[0]?.cluster['certificate-authority-data']).not.toBe('');
    expect(config.users[0]?.user.exec.args).toEqual([
      'access',
      'token',
      '--cluster-id',
      'shop',
      '--region',
      'us-east-1',
    ]);
    const missing = await cli(
      envFor(bob),
      'access',
      'kubeconfig',
      '--from-eks',
      '--cluster',
      'nope',
      '--region',
      'us-east-1',
    );
    expect(missing.code).toBe(4);
  });

  it('refuses a bad catalog and a bad mapping with the line at fault', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters:\n  - name: prod\n    server: http://insecure\n');
    const result = await cli(envFor(bob), 'access', 'kubeconfig', '--cluster', 'prod', '--catalog', bad);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${bad}:3: clusters.0.server: an https:// URL`);
    const mapping = join(dir, 'aws-auth.yaml');
    writeFileSync(
      mapping,
      'mapRoles:\n  - rolearn: arn:aws:iam::123456789012:role/Dev\n    username: dev\n    group: [a]\n',
    );
    const check = await cli(envFor(bob), 'access', 'mapping', 'check', mapping);
    expect(check.code).toBe(3);
    expect(check.stderr).toContain(`${mapping}:4: unknown key "group"`);
    writeFileSync(
      mapping,
      'mapRoles:\n  - rolearn: arn:aws:iam::123456789012:role/Dev\n    username: dev\n    groups: [a]\n',
    );
    expect((await cli(envFor(bob), 'access', 'mapping', 'check', mapping)).stdout).toContain(
      'ok — 1 role(s), 0 user(s), 0 account(s)',
    );
  });

  it('files a request as the STS caller; only an approver other than the requester decides', async () => {
    const asked = await cli(
      envFor(bob),
      '-o',
      'json',
      'access',
      'request',
      '--cluster',
      'prod',
      '--level',
      'edit',
      '-n',
      'shop',
      '--for',
      '2h',
      '--reason',
      'fix the cart',
    );
    expect(asked.stderr).toBe('');
    const request = JSON.parse(asked.stdout) as { id: string; state: string; requester: { arn: string } };
    expect(request).toMatchObject({ state: 'pending', requester: { arn: bob.arn } });

    const tooLong = await cli(
      envFor(bob),
      'access',
      'request',
      '--cluster',
      'prod',
      '--level',
      'view',
      '--for',
      '9h',
      '--reason',
      'x',
    );
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('lasts between 1m and 8h');

    const self = await cli(envFor(bob), 'access', 'deny', request.id);
    expect(self.code).toBe(8);
    expect(self.stderr).toContain('is not an approver of cluster prod');

    const denied = await cli(envFor(alice), 'access', 'deny', request.id, '--note', 'use staging');
    expect(denied.stdout).toContain(`Denied: ${request.id}  denied  prod  edit namespace shop for 2h`);
    const listed = await cli(envFor(alice), '-o', 'json', 'access', 'requests', '--all');
    expect(
      (JSON.parse(listed.stdout) as { id: string; state: string }[]).map((r) => [r.id, r.state]),
    ).toEqual([[request.id, 'denied']]);
    const audit = await cli(envFor(alice), '-o', 'json', 'access', 'audit', request.id);
    expect(
      (JSON.parse(audit.stdout) as { action: string; actor: string }[]).map((e) => [e.action, e.actor]),
    ).toEqual([
      ['requested', bob.arn],
      ['denied', alice.arn],
    ]);
  });
});
