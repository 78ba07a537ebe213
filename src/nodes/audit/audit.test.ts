import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runCliInMemory, type CliRun } from '../../testing/cli.js';
import { auditNodeGroups } from './audit.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** The InstanceGroup from the talk's "Spot instances and AZRebalance" slide, exactly as shown. */
function talkInstanceGroup(): string {
  const talk = readFileSync(resolve(repoRoot, '../shared/seed/kubernetes-navigation-stories.txt'), 'utf8');
  const title = 'Spot instances and AZRebalance';
  const slide = talk.indexOf(title, talk.indexOf(title) + title.length);
  const start = talk.indexOf('```', slide) + 3;
  return talk.slice(start, talk.indexOf('```', start)).replace(/^\n/, '');
}

function withoutTheFix(yaml: string): string {
  const doc = parseDocument(yaml);
  doc.deleteIn(['spec', 'suspendProcesses']);
  return doc.toString();
}

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-kops-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliRun> {
  return runCliInMemory(args);
}

describe('nodes audit --kops', () => {
  it("flags the talk's InstanceGroup before the fix and passes it after", async () => {
    const talk = talkInstanceGroup();
    expect(talk).toContain('suspendProcesses:\n    - AZRebalance');

    const before = await cli(['nodes', 'audit', '--kops', folder({ 'm4xlarge.yaml': withoutTheFix(talk) })]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('FAIL m4xlarge (spot, 3 zone(s)');
    expect(before.stdout).toMatch(
      /error: \[az-rebalance-not-suspended\] AZRebalance is active across 3 zones/,
    );
    expect(before.stdout).toContain(
      'fix: spec:\n              suspendProcesses:\n              - AZRebalance',
    );
    expect(before.stderr).toContain('error: the audit found 1 problem(s) at or above error');

    const after = await cli(['nodes', 'audit', '--kops', folder({ 'm4xlarge.yaml': talk })]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).not.toContain('az-rebalance');
    // The other traps of that group are still named, as warnings with their fixes.
    expect(after.stdout).toContain('[spot-few-instance-types] spot with a single instance type (m4.2xlarge)');
    expect(after.stdout).toContain('[no-termination-lifecycle-hook]');
    expect(after.stdout).toContain('[capacity-rebalance-off]');
  });

  it('counts kops queue-mode termination handling as a hook, and reads zones from the Cluster subnets', async () => {
    const dir = folder({
      'cluster.yaml': `apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata: {name: prod.example.com}
spec:
  nodeTerminationHandler: {enabled: true, enableSQSTerminationDraining: true}
  subnets:
  - {name: private-a, zone: eu-west-1a}
  - {name: private-b, zone: eu-west-1b}
`,
      'igs.yaml': `apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata: {name: spot-nodes}
spec:
  role: Node
  subnets: [private-a, private-b]
  capacityRebalance: true
  mixedInstancesPolicy:
    instances: [m5.xlarge, m5a.xlarge, m6i.xlarge]
    onDemandAboveBase: 0
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata: {name: bastions}
spec: {role: Bastion, subnets: [private-a, private-b]}
`,
    });
    const report = await auditNodeGroups({ kops: dir });
    expect(report.groups.map((g) => [g.name, g.zones, g.spot])).toEqual([
      ['spot-nodes', ['eu-west-1a', 'eu-west-1b'], true],
    ]);
    expect(report.findings.map((f) => [f.check, f.severity])).toEqual([
      ['az-rebalance-not-suspended', 'info'],
      ['spot-lowest-price-strategy', 'warning'],
    ]);
    expect(report.passed).toBe(true);
    expect((await auditNodeGroups({ kops: dir, failOn: 'warning' })).passed).toBe(false);
  });

  it('warns (not fails) for on-demand groups, and skips AZRebalance for one zone', async () => {
    const dir = folder({
      'ig.yaml': `apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata: {name: on-demand}
spec: {role: Node, machineType: m5.large, subnets: [us-east-1a, us-east-1b]}
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata: {name: one-zone-spot}
spec:
  role: Node
  machineType: c5.large
  maxPrice: "0.05"
  subnets: [us-east-1a]
  instanceMetadata: {httpTokens: required, httpPutResponseHopLimit: 1}
`,
    });
    const report = await auditNodeGroups({ kops: dir });
    const of = (group: string) =>
      report.findings.filter((f) => f.group === group).map((f) => `${f.check}:${f.severity}`);
    expect(of('on-demand')).toEqual([
      'az-rebalance-not-suspended:warning',
      'no-termination-lifecycle-hook:warning',
    ]);
    expect(of('one-zone-spot')).toEqual([
      'no-termination-lifecycle-hook:warning',
      'capacity-rebalance-off:warning',
      'spot-few-instance-types:warning',
      'spot-max-price:info',
      'spot-single-zone:warning',
      'imds-hop-limit:info',
    ]);
    expect(report.passed).toBe(true);
  });

  it('reports broken YAML with its line, and a folder without InstanceGroups', async () => {
    const broken = await cli([
      'nodes',
      'audit',
      '--kops',
      folder({ 'ig.yaml': 'kind: InstanceGroup\nspec: [unclosed\n' }),
    ]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/error: .*ig\.yaml:\d+: /);
    const empty = await cli([
      'nodes',
      'audit',
      '--kops',
      folder({ 'other.yaml': 'apiVersion: v1\nkind: ConfigMap\n' }),
    ]);
    expect(empty.code).toBe(4);
    expect(empty.stderr).toContain('no kops InstanceGroup found');
    const nothing = await cli(['nodes', 'audit']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('hint: Pass --kops');
  });
});
