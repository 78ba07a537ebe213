import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { deployMigrations } from '../deploy/index.js';
import { openStore } from '../store/index.js';
import { runCliInMemory } from '../testing/cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'chartroom-deploy-cli-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const example = resolve(import.meta.dirname, '../../examples/webapp');

function cli(...args: string[]) {
  return runCliInMemory(args, {
    env: {
      CHARTROOM_DATA: dataDir,
      SOPS_AGE_KEY_FILE: join(example, 'demo-age-key.txt'),
      KUBECONFIG: join(dataDir, 'no-kubeconfig'),
    },
    cwd: example,
  });
}

describe('chartroom deploy (without a cluster)', { timeout: 60_000 }, () => {
  it('documents its flags', async () => {
    const result = await cli('deploy', '--help');
    expect(result.code).toBe(0);
    for (const flag of [
      '--env',
      '--app',
      '--release',
      '--namespace',
      '--set-file',
      '--timeout',
      '--atomic',
      '--lock-timeout',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('needs --env', async () => {
    const result = await cli('deploy');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: missing --env\nhint: Say which environment to deploy, e.g. --env staging.\n',
    );
  });

  it('refuses the talk’s Helm 2 timeout with the Helm 3 spelling', async () => {
    const result = await cli('deploy', '--env', 'staging', '--timeout', '600');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: --timeout "600" is not a duration\nhint: Helm 3 durations need a unit: write 600s (or 10m0s).\n',
    );
  });

  it('names the environments it knows', async () => {
    const result = await cli('deploy', '--env', 'qa');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: app webapp has no environment "qa"');
    expect(result.stderr).toContain('hint: Known environments: staging, production.');
  });

  it('stops before the cluster when a secrets file cannot be decrypted', async () => {
    const result = await cli('deploy', '--env', 'production');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: cannot decrypt helm\/env\/secrets\.production\.yaml: /);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('lists an empty history, as text and as JSON', async () => {
    const text = await cli('deploy', 'history');
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('no deploys recorded yet\n');
    const json = await cli('--output', 'json', 'deploy', 'history', '--app', '.');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it("filters the history by history's own options, not deploy's of the same name", async () => {
    const store = await openStore({ dataDir });
    await store.migrate(deployMigrations);
    for (const [env, namespace] of [
      ['staging', 'webapp-staging'],
      ['production', 'webapp'],
    ] as const) {
      await store.run(
        `INSERT INTO deploy_history (id, app, env, release, namespace, cluster, chart, revision, commit_sha, values_digest, who, started_at, result, recovery)
         VALUES ($1, 'webapp', $2, 'webapp', $3, 'https://k8s.example', 'webapp-0.1.0', 1, NULL, 'digest', 'ci', '2026-11-26T10:00:00Z', 'succeeded', NULL)`,
        [randomUUID(), env, namespace],
      );
    }
    await store.close();
    const envs = async (...filter: string[]): Promise<string[]> => {
      const result = await cli('--output', 'json', 'deploy', 'history', ...filter);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { env: string }[]).map((record) => record.env).sort();
    };
    expect(await envs()).toEqual(['production', 'staging']);
    expect(await envs('--env', 'production')).toEqual(['production']);
    expect(await envs('-n', 'webapp-staging')).toEqual(['staging']);
    expect(await envs('--release', 'other')).toEqual([]);
  });
});
