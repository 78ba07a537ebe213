/**
 * bin/chartroom.js as kubectl, git and scripts run it: a warm `access token` and `secrets …` are
 * answered by the launcher's bundles (no ESM loader, no group discovery), with exactly the full
 * CLI's output, errors and exit codes. Needs the build that `npm ci` runs (the prepare script).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const repo = resolve(import.meta.dirname, '..', '..');
const ageFixtures = resolve(repo, '../shared/fixtures/sops/sops-age');
const probeLine = /esm-loader:(true|false)\n$/;

let home: string;
let probe: string;

beforeAll(() => {
  for (const bundle of ['access-token-warm.cjs', 'cli-secrets.cjs'])
    expect(existsSync(join(repo, 'dist', bundle)), `dist/${bundle} is missing: run \`npm run build\``).toBe(
      true,
    );
  home = mkdtempSync(join(tmpdir(), 'launcher-'));
  // Reports, as the process exits, whether Node set up its ESM loader.
  probe = join(home, 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeSync(2, 'esm-loader:' + process.moduleLoadList.some((m) => m.includes('esm/loader')) + '\\n'));\n`,
  );
});

/** Runs bin/chartroom.js; stderr without the probe's line, which goes to `esmLoader`. */
function launch(args: string[], env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, ['--require', probe, join(repo, 'bin', 'chartroom.js'), ...args], {
    env,
    encoding: 'utf8',
  });
  const esmLoader = probeLine.exec(run.stderr)?.[1];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr.replace(probeLine, ''), esmLoader };
}

describe('bin/chartroom.js', () => {
  it('serves a cached token without loading the ESM loader, byte for byte what the CLI prints', async () => {
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

    expect(launch(args, env)).toEqual({ code: 0, stdout: signed.stdout, stderr: '', esmLoader: 'false' });
    const tokenOnly = launch([...args, '--token-only'], env);
    expect(tokenOnly.esmLoader).toBe('false');
    expect(tokenOnly.stdout).toBe(`${/"token":"([^"]+)"/.exec(signed.stdout)?.[1] ?? 'no token'}\n`);

    // Anything the warm path does not answer goes to the full CLI (through the ESM loader).
    const noCache = launch([...args, '--no-cache'], env);
    expect(noCache).toMatchObject({ code: 0, esmLoader: 'true' });
    expect(noCache.stdout).toMatch(/^\{"kind":"ExecCredential"/);
  });

  it('runs `secrets` from its bundle with the full CLI’s output, errors and exit codes', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      SOPS_AGE_KEY_FILE: join(ageFixtures, 'key.txt'),
    };
    const encrypted = join(ageFixtures, 'tests/data/secret.enc.yaml');
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [['secrets', 'decrypt', encrypted], env],
      [['secrets', 'decrypt', '--output-type', 'json', encrypted], env],
      [['secrets', 'decrypt', '--extract', '["nope"]', encrypted], env],
      [['secrets', 'decrypt', join(home, 'missing.yaml')], env],
      [['secrets', 'decrypt', encrypted], { ...env, SOPS_AGE_KEY_FILE: join(home, 'missing-key.txt') }],
      [['secrets', '--help'], env],
      [['secrets', 'decrypt', '--no-such-flag', encrypted], env],
    ];
    const codes = new Set<number>();
    for (const [args, caseEnv] of cases) {
      const expected = await runCliInMemory(args, { env: caseEnv });
      const launched = launch(args, caseEnv);
      expect(launched, args.join(' ')).toEqual({ ...expected, esmLoader: 'false' });
      codes.add(expected.code);
    }
    // The cases above cover success and several distinct failures, not one error many times.
    expect(codes.size).toBeGreaterThanOrEqual(4);
  });
});
