/**
 * `chartroom deploy diff` with the real helm on the local cluster: what a deploy would change,
 * before it runs, with the example app's sops secrets decrypted in memory — and no Secret value
 * printed, no change made.
 */
import { describe, expect, it } from 'vitest';
import { deployArgs, runDeploy, sandbox, stagingSecrets } from './deploy-support/app.js';
import { kube, testNamespace } from './harness.js';

const diffArgs = (ns: string, ...extra: string[]): string[] => {
  const [, ...rest] = deployArgs(ns);
  return ['deploy', 'diff', ...rest, ...extra];
};

interface JsonDiff {
  against: { revision: number; status: string } | null;
  changes: number;
  objects: { kind: string; name: string; change: string; lines: string[] }[];
}

describe('chartroom deploy diff', () => {
  it('shows a first install as all new without creating anything, then only what a change would change', async () => {
    const box = sandbox();
    const ns = `deploy-diff-${String(process.pid)}-${Date.now().toString(36)}`;
    const first = await runDeploy(['--output', 'json', ...diffArgs(ns)], box.env);
    expect(first.code, first.stderr).toBe(0);
    const initial = JSON.parse(first.stdout) as JsonDiff;
    expect(initial.against).toBeNull();
    expect(initial.objects.map((o) => `${o.change} ${o.kind}`).sort()).toEqual([
      'added ConfigMap',
      'added Deployment',
      'added Ingress',
      'added Job',
      'added Secret',
      'added Service',
    ]);
    // A diff changes nothing: not even the namespace it would deploy to.
    expect(await kube().get({ apiVersion: 'v1', kind: 'Namespace', name: ns })).toBeUndefined();

    const deployed = await testNamespace('deploy-diff');
    const install = await runDeploy(deployArgs(deployed), box.env);
    expect(install.code, install.stderr).toBe(0);

    const same = await runDeploy([...diffArgs(deployed), '--exit-code'], box.env);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe('');
    expect(same.stderr).toContain('no changes against webapp revision 1 (deployed)');

    const rotated = 'rotated-Wq2cV9nB4xZ7';
    const changed = await runDeploy(
      [
        ...diffArgs(deployed),
        '--exit-code',
        '--set',
        'replicaCount=3',
        '--set-string',
        `app_secrets.db_password=${rotated}`,
      ],
      { ...box.env, NO_COLOR: '1' },
    );
    expect(changed.code, changed.stderr).toBe(1);
    expect(changed.stdout).toContain('~ Deployment');
    expect(changed.stdout).toContain('-  replicas: 1\n+  replicas: 3');
    expect(changed.stdout).toMatch(/~ Secret \S+\/webapp \(changed\)/);
    expect(changed.stdout).toContain(
      `-  db_password: "<secret: ${String(stagingSecrets.db_password.length)} bytes>"\n+  db_password: "<secret: ${String(rotated.length)} bytes, changed>"`,
    );
    for (const secret of [rotated, ...Object.values(stagingSecrets)])
      expect(changed.stdout + changed.stderr).not.toContain(secret);
    expect(changed.stderr).toContain(
      '2 changed, 0 added, 0 removed, 4 unchanged — against webapp revision 1 (deployed)',
    );
    // Still revision 1 with one replica: nothing was applied.
    const history = await runDeploy(
      ['--output', 'json', 'deploy', 'history', '--namespace', deployed],
      box.env,
    );
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(1);
  });

  it('says what Helm refuses, with the same explanation as a deploy', async () => {
    const box = sandbox();
    const ns = await testNamespace('deploy-diff');
    // podAnnotations must be a map; a string breaks the Deployment's YAML.
    const bad = await runDeploy([...diffArgs(ns), '--set', 'podAnnotations=oops'], box.env);
    expect(bad.code, bad.stderr).toBe(5);
    expect(bad.stderr).toContain(
      'error: helm template failed: YAML parse error on webapp/templates/deployment.yaml: error converting YAML to JSON',
    );
    expect(bad.stderr).toContain(
      'hint: The chart does not render with these values (webapp/templates/deployment.yaml): reproduce it with helm template',
    );
  });
});
