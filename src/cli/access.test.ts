import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../access/testing/cli.js';

describe('chartroom access token', () => {
  const home = mkdtempSync(join(tmpdir(), 'access-cli-'));
  const env = {
    HOME: home,
    CHARTROOM_CACHE: join(home, 'cache'),
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE01',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'eu-central-1',
  };

  it('prints an ExecCredential in the version kubectl asked for', async () => {
    const result = await cli(
      {
        ...env,
        KUBERNETES_EXEC_INFO:
          '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}',
      },
      'access',
      'token',
      '--cluster-id',
      'prod',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const credential = JSON.parse(result.stdout) as { apiVersion: string; status: { token: string } };
    expect(credential.apiVersion).toBe('client.authentication.k8s.io/v1');
    const url = Buffer.from(credential.status.token.slice('k8s-aws-v1.'.length), 'base64url').toString();
    expect(url).toMatch(/^https:\/\/sts\.eu-central-1\.amazonaws\.com\/\?Action=GetCallerIdentity&/);
  });

  it('prints only the token with --token-only, from the cache the first call filled', async () => {
    const first = await cli(env, 'access', 'token', '-i', 'prod', '--token-only');
    const second = await cli(env, 'access', 'token', '-i', 'prod', '--token-only');
    expect(first.stdout).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+\n$/);
    expect(second.stdout).toBe(first.stdout);
  });

  it('requires the cluster id', async () => {
    const result = await cli(env, 'access', 'token');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '-i, --cluster-id <id>' not specified");
  });
});
