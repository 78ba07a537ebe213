import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const talk = join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'talk');

function cli(cwd: string, ...args: string[]) {
  return runCliInMemory(args, { cwd });
}

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-policy-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const pod = (annotations = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
${annotations}
spec:
  containers:
    - name: web
      image: nginx
      securityContext: {privileged: true}
`;

describe('chartroom policy check', () => {
  it("reports the talk's findings as text and exits 1 on danger", async () => {
    const result = await cli(talk, 'policy', 'check', 'before');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('before/instancegroup.yaml:1 InstanceGroup m4xlarge');
    expect(result.stdout).toContain(
      '  DANGER  spot-azrebalance-suspended: spot InstanceGroup (maxPrice is set) does not suspend AZRebalance',
    );
    expect(result.stdout).toMatch(/\d+ danger, \d+ warning in 3 of 3 objects/);
  });

  it('reads stdin with - (as `helm template … | chartroom policy check -`)', () => {
    const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'policy', 'check', '-', '--format', 'json'],
      {
        cwd: repo,
        input: readFileSync(join(talk, 'before', 'instancegroup.yaml'), 'utf8'),
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as {
      findings: { check: string; source: { file: string; line: number } }[];
    };
    expect(report.findings.map((f) => `${f.check} ${f.source.file}:${f.source.line}`)).toEqual([
      'spot-azrebalance-suspended -:1',
    ]);
  });

  it('--fail-on never exits 0, --fail-on warning fails on warnings only', async () => {
    // A NodePort Service without a selector: one warning (service-type-nodeport), nothing worse.
    const dir = workdir({
      'svc.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: edge, namespace: shop}\nspec:\n  type: NodePort\n  ports: [{port: 80}]\n',
    });
    expect((await cli(dir, 'policy', 'check', '.', '--fail-on', 'never')).code).toBe(0);
    expect((await cli(dir, 'policy', 'check', '.')).code).toBe(0);
    expect((await cli(dir, 'policy', 'check', '.', '--fail-on', 'warning')).code).toBe(1);
  });

  it('writes JSON, SARIF and JUnit', async () => {
    const json = JSON.parse(
      (await cli(talk, '-o', 'json', 'policy', 'check', 'after', '--fail-on', 'never')).stdout,
    ) as { findings: { check: string }[]; objects: unknown[] };
    expect(json.objects).toHaveLength(3);
    expect(json.findings.map((f) => f.check)).toContain('poststart-without-timeout');

    const sarif = JSON.parse(
      (await cli(talk, 'policy', 'check', 'after', '--format', 'sarif', '--fail-on', 'never')).stdout,
    ) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const result = run?.results.find((r) => r.ruleId === 'poststart-without-timeout');
    expect(result?.level).toBe('warning');
    expect(run?.tool.driver.rules[result?.ruleIndex ?? -1]?.id).toBe('poststart-without-timeout');
    expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('after/deployment.yaml');

    const dir = workdir({});
    const junit = await cli(
      talk,
      'policy',
      'check',
      'after',
      '--format',
      'junit',
      '--output-file',
      join(dir, 'report.xml'),
      '--fail-on',
      'never',
    );
    expect(junit.code).toBe(0);
    const xml = readFileSync(join(dir, 'report.xml'), 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="chartroom policy" tests="\d+" failures="\d+"/,
    );
    expect(xml).toContain(
      '<testcase classname="Deployment production/some-service" name="poststart-without-timeout" file="after/deployment.yaml">',
    );
    expect(readdirSync(dir)).toEqual(['report.xml']);
  });

  it('honours a config file: severities, disabled checks, options', async () => {
    const dir = workdir({
      'pod.yaml': pod(),
      '.chartroom-policy.yaml': 'checks:\n  privileged: warning\n  image-tag: ignore\n',
    });
    const json = JSON.parse(
      (await cli(dir, '-o', 'json', 'policy', 'check', 'pod.yaml', '--fail-on', 'never')).stdout,
    ) as { findings: { check: string; severity: string }[] };
    expect(json.findings.find((f) => f.check === 'privileged')?.severity).toBe('warning');
    expect(json.findings.some((f) => f.check === 'image-tag')).toBe(false);
  });

  it.each([
    [
      'kube-score',
      '  annotations: {kube-score/ignore: "container-security-context-privileged,container-image-tag"}',
    ],
    [
      'Polaris',
      '  annotations: {polaris.fairwinds.com/runAsPrivileged-exempt: "true", polaris.fairwinds.com/tagNotSpecified-exempt: "true"}',
    ],
    [
      'kube-linter',
      '  annotations: {ignore-check.kube-linter.io/privileged-container: "ok", ignore-check.kube-linter.io/latest-tag: "ok"}',
    ],
    ['Chartroom', '  annotations: {chartroom.dev/ignore: "privileged,image-tag"}'],
  ])('honours %s ignore annotations', async (_tool, annotations) => {
    const dir = workdir({ 'pod.yaml': pod(annotations) });
    const json = JSON.parse(
      (await cli(dir, '-o', 'json', 'policy', 'check', 'pod.yaml', '--fail-on', 'never')).stdout,
    ) as {
      findings: { check: string }[];
      skipped: { check: string; reason: string }[];
    };
    expect(json.findings.map((f) => f.check)).not.toContain('privileged');
    expect(json.findings.map((f) => f.check)).not.toContain('image-tag');
    expect(
      json.skipped
        .filter((s) => s.check === 'privileged' || s.check === 'image-tag')
        .map((s) => s.check)
        .sort(),
    ).toEqual(['image-tag', 'privileged']);
  });

  it('bad input: a clear one-line error, a hint and a stable exit code', async () => {
    const dir = workdir({
      'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n',
      'conf.yaml': 'checks:\n  not-a-check: warning\n',
    });
    const parse = await cli(dir, 'policy', 'check', 'bad.yaml');
    expect(parse.code).toBe(2);
    expect(parse.stderr).toMatch(/^error: bad\.yaml:\d+: not valid YAML: .+\nhint: .+\n$/);
    const config = await cli(dir, 'policy', 'check', 'bad.yaml', '--config', 'conf.yaml');
    expect(config.code).toBe(3);
    expect(config.stderr).toBe(
      'error: unknown check "not-a-check" in the policy config\nhint: Run `chartroom policy checks` for the ids.\n',
    );
    const missing = await cli(dir, 'policy', 'check', 'nope.yaml');
    expect(missing.code).toBe(4);
    expect((await cli(dir, 'policy', 'check')).code).toBe(2);
  });

  it('explains a check with its anchors', async () => {
    const result = await cli(talk, 'policy', 'explain', 'privileged');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Same as: kube-score container-security-context-privileged, polaris runAsPrivileged, kube-linter privileged-container',
    );
    expect((await cli(talk, 'policy', 'explain', 'nope')).code).toBe(2);
  });
});
