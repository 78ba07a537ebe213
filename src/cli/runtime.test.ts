import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';
import { MemoryStream } from '../testing/memory-stream.js';
import { falcoFixture } from '../runtime/testing/fixtures.js';

function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; stderr?: MemoryStream } = {},
) {
  return runCliInMemory(args, options);
}

const rules = falcoFixture('rules/k8s_audit_rules.yaml');
const traces = falcoFixture('legacy-suite/trace_files/k8s_audit');

describe('chartroom runtime', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chartroom-runtime-cli-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('validate: loads the official rules', async () => {
    const result = await cli(['runtime', 'validate', rules]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'valid: 1 file, 48 rules (48 enabled; k8s_audit 48), 45 macros, 18 lists',
    );
  });

  it('validate: shows a binary file as a short printable snippet, never raw control bytes', async () => {
    const binary = join(dir, 'binary.yaml');
    await writeFile(
      binary,
      Buffer.concat([Buffer.from(')\u001b[2J\u001b]0;owned\u0007'), Buffer.alloc(3000, 0x41)]),
    );
    const result = await cli(['runtime', 'validate', binary]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`error: ${binary}:1:1: `);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u0007');
    expect(result.stderr).toContain('    1 | )?[2J?]0;owned?AAAA');
    for (const line of result.stderr.split('\n')) expect(line.length).toBeLessThan(200);
  });

  it('validate: points at the error with file, line, column and the line itself', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, '- macro: m\n  condition: ka.verb in (get, list\n');
    const result = await cli(['runtime', 'validate', rules, bad]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`error: ${bad}:2:35: macro 'm': expected a ')' token`);
    expect(result.stderr).toContain('    2 |   condition: ka.verb in (get, list\n');
    expect(result.stderr).toMatch(/\n\s+\^\n/);
    const json = await cli(['-o', 'json', 'runtime', 'validate', bad]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'rules-invalid', exitCode: 3 } });
  });

  it('validate --strict fails on warnings', async () => {
    const warns = join(dir, 'warns.yaml');
    await writeFile(warns, '- list: unused\n  items: [a]\n');
    const result = await cli(['runtime', 'validate', '--strict', warns]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${warns}:1:3: list 'unused': List not referred to by any other rule/macro [unused-list]`,
    );
  });

  it('explain: shows the expanded condition', async () => {
    const result = await cli(['runtime', 'explain', 'Attach to cluster-admin Role', '-r', rules]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('and ka.req.binding.role = cluster-admin');
    expect(result.stdout).toContain('macros:  clusterrolebinding, kcreate, kevt');
    const missing = await cli(['runtime', 'explain', 'cluster-admin', '-r', rules]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('hint: Did you mean: Attach to cluster-admin Role?');
  });

  it('replay: prints alerts as Falco does and counts them', async () => {
    const result = await cli([
      'runtime',
      'replay',
      join(traces, 'exec_pod.json'),
      join(traces, 'attach_cluster_admin_role.json'),
      '-r',
      rules,
      '--iso-time',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      '2018-10-26T13:38:34.902914000+0000: Notice Attach/Exec to pod (user=minikube-user pod=nginx-deployment-7998647bdf-phvq7 resource=pods ns=default action=exec command=bash)',
    );
    expect(result.stderr).toContain('replayed 2 events');
    const summary = await cli([
      '-o',
      'json',
      'runtime',
      'replay',
      traces,
      '-r',
      rules,
      '--summary',
      '--rule-matching',
      'all',
    ]);
    const counts = (JSON.parse(summary.stdout) as { counts: Record<string, number>; errors: number }).counts;
    expect(counts['Create/Modify Configmap With Private Credentials']).toBe(6);
    expect(counts['K8s ConfigMap Created']).toBe(8);
    const json = await cli([
      'runtime',
      'replay',
      join(traces, 'exec_pod.json'),
      '-r',
      rules,
      '--json-output',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      rule: 'Attach/Exec Pod',
      output_fields: { 'ka.uri.param[command]': 'bash' },
    });
  });

  it('test: runs a rules test file and fails on a wrong expectation', async () => {
    const spec = join(dir, 'spec.yaml');
    await writeFile(
      spec,
      [
        `rules: [${JSON.stringify(rules)}]`,
        'cases:',
        '  - name: privileged pod',
        `    events: ${JSON.stringify(join(traces, 'create_nginx_pod_privileged.json'))}`,
        '    expect: {Create Privileged Pod: 1}',
        '  - name: trusted nginx',
        '    rules: [{inline: "- list: k8s_audit_privileged_images\\n  items: [nginx]\\n  override: {items: append}"}]',
        `    events: ${JSON.stringify(join(traces, 'create_nginx_pod_privileged.json'))}`,
        '    expect: none',
        '  - name: wrong',
        '    events:',
        `      - ${JSON.stringify(JSON.parse(readFileSync(join(traces, 'exec_pod.json'), 'utf8')))}`,
        '    expect: {Create Privileged Pod: 1}',
      ].join('\n'),
    );
    const result = await cli(['runtime', 'test', spec]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ privileged pod: Create Privileged Pod ×1');
    expect(result.stdout).toContain('✓ trusted nginx (no alerts)');
    expect(result.stdout).toContain(
      '✗ wrong\n      Create Privileged Pod: expected 1 alert(s), got 0\n      Attach/Exec Pod: expected no alert, got 1',
    );
    expect(result.stdout).toContain('3 cases: 2 passed, 1 failed');
  });

  it('fields: lists the k8saudit fields', async () => {
    const result = await cli(['runtime', 'fields']);
    expect(result.stdout).toMatch(/ka\.uri\.param\tstring\trequired key\t/);
  });

  it('serve: refuses an empty --token-file instead of serving with an empty token', async () => {
    const empty = join(dir, 'empty-token');
    await writeFile(empty, '\n');
    // Stops a server that (wrongly) started, so the test fails instead of hanging.
    const result = await cli(
      ['runtime', 'serve', '--token-file', empty, '--listen', '127.0.0.1:0', '--no-store'],
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    expect(result.stderr).toBe(`error: ${empty} is empty\nhint: Write the secret into the file.\n`);
    expect(result.code).toBe(3);
  });

  it('counts: refuses a window that ends before it starts instead of answering "no alerts"', async () => {
    const data = join(dir, 'window');
    for (const until of ['25h', '2020-01-01T00:00:00Z']) {
      const result = await cli(['runtime', 'counts', '--data-dir', data, '--since', '24h', '--until', until]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --until \(\S+\) is not after --since \(\S+\)\nhint: /);
    }
  });

  it('serve, counts, alerts: receive audit events over HTTP, store the alerts, query them', async () => {
    const data = join(dir, 'data');
    const stop = new AbortController();
    const stderr = new MemoryStream();
    const serving = cli(
      [
        'runtime',
        'serve',
        '-r',
        rules,
        '--listen',
        '127.0.0.1:0',
        '--data-dir',
        data,
        '--allow-unauthenticated',
      ],
      {
        signal: stop.signal,
        stderr,
      },
    );
    let url: string | undefined;
    for (let i = 0; i < 200 && url === undefined; i++) {
      url = /listening on (\S+):/.exec(stderr.text)?.[1];
      if (url === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url).toBeDefined();
    const event = readFileSync(join(traces, 'attach_cluster_admin_role.json'), 'utf8');
    const response = await fetch(`${url as string}/k8s-audit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: event,
    });
    expect(response.status).toBe(200);
    stop.abort();
    const served = await serving;
    expect(served.code).toBe(0);
    expect(served.stdout).toContain(
      'Warning Cluster Role Binding to cluster-admin role (user=minikube-user subject=',
    );
    expect(served.stderr).toContain('stopped: 1 events, 1 alerts from rules');

    const counts = await cli(['-o', 'json', 'runtime', 'counts', '--data-dir', data, '--since', '3650d']);
    expect(JSON.parse(counts.stdout)).toMatchObject([
      { rule: 'Attach to cluster-admin Role', count: 1, priority: 'Warning', source: 'k8s_audit' },
    ]);
    const alerts = await cli([
      '-o',
      'json',
      'runtime',
      'alerts',
      '--data-dir',
      data,
      '--since',
      '3650d',
      '--rule',
      'Attach to cluster-admin Role',
    ]);
    expect(JSON.parse(alerts.stdout.trim())).toMatchObject({
      rule: 'Attach to cluster-admin Role',
      origin: 'chartroom',
      output_fields: { 'ka.user.name': 'minikube-user' },
    });
    const refused = await cli([
      'runtime',
      'serve',
      '--listen',
      '0.0.0.0:0',
      '--allow-unauthenticated',
      '--no-store',
    ]);
    expect(refused.code).toBe(2);
  });
});
