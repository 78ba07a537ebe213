import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { clusterDir } from './layout.js';
import { downCluster } from './lifecycle.js';

describe('cluster names', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('accepts DNS labels, the names the CLI and the e2e setup use', () => {
    const env = { CHARTROOM_CACHE: '/cache' };
    expect(clusterDir('chartroom', env)).toBe('/cache/clusters/chartroom');
    expect(clusterDir('e2e-down-12345', env)).toBe('/cache/clusters/e2e-down-12345');
    expect(clusterDir('a'.repeat(50), env)).toBe(`/cache/clusters/${'a'.repeat(50)}`);
  });

  it.each(['..', '../..', 'a/b', '', '.', 'Bad Name!', 'dev-', '-dev', 'a'.repeat(51)])(
    'refuses %j as a usage error',
    (name) => {
      expect(() => clusterDir(name, { CHARTROOM_CACHE: '/cache' })).toThrow(UsageError);
    },
  );

  it('`down --name ..` leaves the cache (and the peers in it) alone', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'chartroom-layout-'));
    roots.push(cache);
    mkdirSync(join(cache, 'clusters'));
    mkdirSync(join(cache, 'peers'));
    writeFileSync(join(cache, 'peers', 'kept'), 'x');
    await expect(downCluster({ name: '..', env: { CHARTROOM_CACHE: cache } })).rejects.toThrow(
      'invalid cluster name ".."',
    );
    expect(existsSync(join(cache, 'peers', 'kept'))).toBe(true);
  });
});
