/**
 * bin/chartroom.js as kubectl runs it: a warm `access token` must be answered by the bundled warm
 * path (no ESM loader, no CLI framework) with exactly the full CLI's output. Needs the build that
 * `npm ci` runs (the prepare script): dist/access-token-warm.cjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const repo = resolve(import.meta.dirname, '..', '..');

describe('bin/chartroom.js', () => {
  it('serves a cached token without loading the ESM loader, byte for byte what the CLI prints', async () => {
    expect(
      existsSync(join(repo, 'dist', 'access-token-warm.cjs')),
      'dist/access-token-warm.cjs is missing: run `npm run build`',
    ).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'launcher-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      CHARTROOM_CACHE: join(home, 'cache'),
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE01',
      AWS_SECRET_ACCESS_KEY: 'secret/example/key',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const args = ['access', 'token', '--cluster-id', 'prod', '--region', 'us-west-2'];
    const signed = await runCliInMemory(args, { env });
    expect(signed.code).toBe(0);

    // Reports, as the process exits, whether Node set up its ESM loader.
    const probe = join(home, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeSync(2, 'esm-loader:' + process.moduleLoadList.some((m) => m.includes('esm/loader')) + '\\n'));\n`,
    );
    const launch = (extra: string[]) =>
      spawnSync(
        process.execPath,
        ['--require', probe, join(repo, 'bin', 'chartroom.js'), ...args, ...extra],
        {
          env,
          encoding: 'utf8',
        },
      );

    const warm = launch([]);
    expect(warm.status).toBe(0);
    expect(warm.stderr).toBe('esm-loader:false\n');
    expect(warm.stdout).toBe(signed.stdout);

    const tokenOnly = launch(['--token-only']);
    expect(tokenOnly.stderr).toBe('esm-loader:false\n');
    expect(tokenOnly.stdout).toBe(`${/"token":"([^"]+)"/.exec(signed.stdout)?.[1] ?? 'no token'}\n`);

    // Anything the warm path does not answer goes to the full CLI (through the ESM loader).
    const noCache = launch(['--no-cache']);
    expect(noCache.status).toBe(0);
    expect(noCache.stderr).toBe('esm-loader:true\n');
    expect(noCache.stdout).toMatch(/^\{"kind":"ExecCredential"/);
  });
});
