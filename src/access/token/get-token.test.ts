import { mkdtempSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from './cache.js';
import { getClusterToken } from './get-token.js';

// The SDK's chain reads process.env: never let it probe instance metadata from a test.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'secret/example/key' };

describe('getClusterToken with the disk cache', () => {
  let dir: string;
  let clock: Date;
  const options = () => ({
    clusterId: 'prod',
    region: 'us-west-2',
    env: { ...keys, HOME: dir },
    cacheDir: join(dir, 'cache'),
    now: () => clock,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-token-'));
    clock = new Date('2024-05-01T10:00:00Z');
  });
  afterEach(() => {
    clock = new Date(0);
  });

  it('signs once, then serves the cached token until a minute before its expiry', async () => {
    const first = await getClusterToken(options());
    expect(first.fromCache).toBe(false);
    expect(first.expiration.toISOString()).toBe('2024-05-01T10:14:00.000Z');
    const files = readdirSync(join(dir, 'cache'));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, 'cache', files[0] ?? '')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'cache')).mode & 0o777).toBe(0o700);

    clock = new Date('2024-05-01T10:12:59Z');
    const second = await getClusterToken(options());
    expect(second).toMatchObject({ fromCache: true, token: first.token });

    clock = new Date('2024-05-01T10:13:00Z');
    const third = await getClusterToken(options());
    expect(third.fromCache).toBe(false);
    expect(third.token).not.toBe(first.token);
  });

  it('keys the cache by cluster, role and credentials', async () => {
    const a = await getClusterToken(options());
    const otherCluster = await getClusterToken({ ...options(), clusterId: 'staging' });
    const otherKeys = await getClusterToken({
      ...options(),
      env: { ...keys, AWS_SECRET_ACCESS_KEY: 'rotated', HOME: dir },
    });
    expect(otherCluster.fromCache).toBe(false);
    expect(otherKeys.fromCache).toBe(false);
    expect(new Set([a.token, otherCluster.token, otherKeys.token]).size).toBe(3);
  });

  it('ignores a cache file others can read, and --no-cache always signs', async () => {
    const first = await getClusterToken(options());
    const file = join(dir, 'cache', onlyFile(join(dir, 'cache')));
    chmodSync(file, 0o644);
    clock = new Date('2024-05-01T10:00:01Z');
    expect((await getClusterToken(options())).fromCache).toBe(false);
    expect((await getClusterToken({ ...options(), cache: false })).token).not.toBe(first.token);
  });

  it('treats a corrupt cache file as a miss and replaces it', async () => {
    await getClusterToken(options());
    const file = join(dir, 'cache', onlyFile(join(dir, 'cache')));
    writeFileSync(file, '{"token": 1', { mode: 0o600 });
    expect((await getClusterToken(options())).fromCache).toBe(false);
    expect((await getClusterToken(options())).fromCache).toBe(true);
  });

  it('lets only one of several concurrent refreshes sign', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => getClusterToken(options())));
    expect(results.filter((r) => !r.fromCache)).toHaveLength(1);
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
  });

  it('takes over the lock of a holder that died', async () => {
    const cache = new TokenCache(join(dir, 'locks'));
    await cache.withLock('k', { whileLocked: () => Promise.resolve() });
    // A lock file left by a pid that no longer exists.
    writeFileSync(join(dir, 'locks', 'k.lock'), '999999999', { mode: 0o600 });
    const value = await cache.withLock('k', { whileLocked: () => Promise.resolve(42) });
    expect(value).toBe(42);
  });

  it('explains missing credentials with a hint', async () => {
    await expect(
      getClusterToken({
        ...options(),
        env: {
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        cache: false,
      }),
    ).rejects.toMatchObject({ code: 'aws-credentials' });
  });

  it('reports an STS endpoint that cannot be reached as unreachable (exit 6), not as a refused role', async () => {
    // The STS client of --role reads its endpoint from the process environment, as the CLI does.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:1');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    try {
      await expect(
        getClusterToken({
          ...options(),
          roleArn: 'arn:aws:iam::111122223333:role/Admin',
          sessionName: 'test',
          cache: false,
        }),
      ).rejects.toMatchObject({
        code: 'unreachable',
        exitCode: 6,
        message: 'could not get AWS credentials: could not reach 127.0.0.1:1: ECONNREFUSED',
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

function onlyFile(folder: string): string {
  const [name] = readdirSync(folder);
  if (name === undefined) throw new Error(`${folder} is empty`);
  return name;
}
