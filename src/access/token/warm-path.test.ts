import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../../testing/cli.js';
import { TokenCache, tokenCacheDir, tokenCacheKey } from './cache.js';
import { defaultSessionName } from './session-name.js';
import { parseWarmFlags, warmTokenOutput } from './warm-path.js';

const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'secret/example/key' };
const execInfoV1 =
  '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}';

describe('the warm path of `access token`', () => {
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    const home = mkdtempSync(join(tmpdir(), 'access-warm-'));
    env = { ...keys, HOME: home, CHARTROOM_CACHE: join(home, 'cache'), AWS_EC2_METADATA_DISABLED: 'true' };
  });

  /** What the full CLI prints for these flags (it signs on a miss, so call it once to fill the cache). */
  async function fullCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    const run = await runCliInMemory(['access', 'token', ...args], { env: { ...env, ...extraEnv } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  }

  it('prints what the full CLI prints for a cached token, for every spelling of the flags', async () => {
    const signed = await fullCli(['-i', 'prod', '--region', 'us-west-2']);
    expect(signed).toMatch(/^\{"kind":"ExecCredential".*"token":"k8s-aws-v1\.[\w-]+"\}\}\n$/);
    const spellings = [
      ['-i', 'prod', '--region', 'us-west-2'],
      ['--cluster-id=prod', '--region=us-west-2'],
      ['--region', 'us-west-2', '--cluster-id', 'prod'],
      ['--region', 'us-west-2', '--cluster-id', 'prod', '--token-only'],
    ];
    for (const args of spellings) {
      for (const extra of [{}, { KUBERNETES_EXEC_INFO: execInfoV1 }]) {
        const warm = warmTokenOutput(args, { ...env, ...extra });
        expect(warm, args.join(' ')).toBe(await fullCli(args, extra));
      }
    }
    // The same token the CLI signed, not a new one.
    expect(warmTokenOutput(['-i', 'prod', '--region', 'us-west-2'], env)).toBe(signed);
    expect(warmTokenOutput(['-i', 'prod', '--region', 'us-west-2', '--token-only'], env)).toMatch(
      /^k8s-aws-v1\.[\w-]+\n$/,
    );
  });

  it('finds the region where the CLI finds it: AWS_REGION, then the profile in the config file', async () => {
    await fullCli(['-i', 'prod'], { AWS_REGION: 'eu-west-1' });
    expect(warmTokenOutput(['-i', 'prod'], { ...env, AWS_REGION: 'eu-west-1' })).toBe(
      await fullCli(['-i', 'prod'], { AWS_REGION: 'eu-west-1' }),
    );
    // Another region is another token: not in the cache yet.
    expect(warmTokenOutput(['-i', 'prod'], { ...env, AWS_REGION: 'eu-central-1' })).toBeUndefined();

    const config = join(env.HOME ?? '', 'config');
    writeFileSync(config, '[profile dev]\nregion = ap-south-1\n');
    const profile = { AWS_CONFIG_FILE: config, AWS_PROFILE: 'dev' };
    expect(warmTokenOutput(['-i', 'prod'], { ...env, ...profile })).toBeUndefined();
    // The static keys in the environment still sign; the profile only decides the region.
    const signed = await fullCli(['-i', 'prod'], profile);
    expect(warmTokenOutput(['-i', 'prod'], { ...env, ...profile })).toBe(signed);
    expect(warmTokenOutput(['-i', 'prod', '--region', 'ap-south-1'], { ...env, ...profile })).toBe(signed);
  });

  it('answers for an assumed role under its session name, as the CLI does', async () => {
    // Assuming a role needs STS, which cannot be reached here: put the role's token in the cache the
    // way the CLI keys it, then both must serve it.
    const expiration = new Date(Date.now() + 10 * 60_000);
    const role = 'arn:aws:iam::111122223333:role/dev';
    const cache = new TokenCache(tokenCacheDir(env));
    const put = (sessionName: string, token: string) => {
      cache.write(
        tokenCacheKey({ clusterId: 'prod', region: 'us-west-2', roleArn: role, sessionName, env }),
        { token, expiration },
      );
    };
    put(defaultSessionName(), 'k8s-aws-v1.default-session');
    put('ci', 'k8s-aws-v1.ci-session');
    for (const args of [
      ['-i', 'prod', '--region', 'us-west-2', '-r', role],
      ['-i', 'prod', '--region', 'us-west-2', '--role', role, '--session-name', 'ci'],
    ]) {
      const warm = warmTokenOutput(args, env);
      expect(warm).toBe(await fullCli(args));
    }
    expect(warmTokenOutput(['-i', 'prod', '--region', 'us-west-2', '--role', role], env)).toContain(
      'default-session',
    );
    expect(
      warmTokenOutput(['-i', 'prod', '--region', 'us-west-2', '--role', role, '--session-name=ci'], env),
    ).toContain('ci-session');
    // Without the role it is another key.
    expect(warmTokenOutput(['-i', 'prod', '--region', 'us-west-2'], env)).toBeUndefined();
  });

  it('leaves everything unusual to the full CLI', async () => {
    await fullCli(['-i', 'prod', '--region', 'us-west-2']);
    const base = ['-i', 'prod', '--region', 'us-west-2'];
    for (const args of [
      [...base, '--no-cache'],
      [...base, '--help'],
      [...base, '--output', 'json'],
      [...base, '-i', 'prod'],
      [...base, '--token-only', '--token-only'],
      [...base, '--token-only=yes'],
      ['-iprod', '--region', 'us-west-2'],
      ['-i', '--region', 'us-west-2'],
      ['--region', 'us-west-2', '-i'],
      ['-i', '', '--region', 'us-west-2'],
      ['--', '-i', 'prod'],
      ['--region', 'us-west-2'],
    ]) {
      expect(warmTokenOutput(args, env), args.join(' ')).toBeUndefined();
    }
    expect(parseWarmFlags(base)).toEqual({ clusterId: 'prod', region: 'us-west-2', tokenOnly: false });
  });

  it('does not serve a token about to expire, or a cache file others can read', async () => {
    const args = ['-i', 'prod', '--region', 'us-west-2'];
    await fullCli(args);
    expect(warmTokenOutput(args, env)).toBeDefined();
    // Tokens are announced for 14 minutes and refreshed a minute before that.
    expect(warmTokenOutput(args, env, () => Date.now() + 13 * 60_000 + 1000)).toBeUndefined();
    const dir = tokenCacheDir(env);
    for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
    expect(warmTokenOutput(args, env)).toBeUndefined();
    // A cache folder that is not there (first call ever) is a miss, not an error.
    mkdirSync(join(env.HOME ?? '', 'empty'));
    expect(warmTokenOutput(args, { ...env, CHARTROOM_CACHE: join(env.HOME ?? '', 'empty') })).toBeUndefined();
  });
});
