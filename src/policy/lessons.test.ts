import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { checkPolicy, parseManifests, runChecks, allChecks } from './index.js';
import type { PolicyReport } from './model.js';

const talk = join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'talk');

/** The checks that encode the talk's lessons. */
const lessons = new Set([
  'hpa-scale-up-behavior',
  'hpa-external-metric',
  'slow-start-without-startup-probe',
  'poststart-without-timeout',
  'rolling-update-bounds',
  'pdb-spot-drain',
  'termination-grace-within-spot-notice',
  'cluster-autoscaler-safe-to-evict',
  'spot-azrebalance-suspended',
]);

async function check(stage: string): Promise<PolicyReport> {
  return checkPolicy({ paths: [stage], cwd: talk, config: resolveConfig() });
}

const summary = (report: PolicyReport, filter: (check: string) => boolean): string[] =>
  report.findings
    .filter((f) => filter(f.check))
    .map((f) => `${f.check} ${f.object.kind}/${f.object.name}`)
    .sort();

describe("the talk's manifests", () => {
  it('before the fixes: scale-up, slow start, rollout bounds, AZRebalance and the removed HPA API', async () => {
    const report = await check('before');
    expect(summary(report, (c) => lessons.has(c) || c === 'deprecated-api')).toEqual([
      'deprecated-api HorizontalPodAutoscaler/some-service',
      'hpa-scale-up-behavior HorizontalPodAutoscaler/some-service',
      'rolling-update-bounds Deployment/some-service',
      'slow-start-without-startup-probe Deployment/some-service',
      'spot-azrebalance-suspended InstanceGroup/m4xlarge',
    ]);
    const rollout = report.findings.find((f) => f.check === 'rolling-update-bounds');
    expect(rollout?.message).toBe(
      'maxUnavailable is 25% (the Kubernetes default), above 10%: too much capacity leaves during a rollout',
    );
    expect(report.findings.find((f) => f.check === 'deprecated-api')?.severity).toBe('danger');
  });

  it("after the talk's fixes: only the untimed warm-up and the HPA remain", async () => {
    const [before, after] = await Promise.all([check('before'), check('after')]);
    expect(summary(after, (c) => lessons.has(c) || c === 'deprecated-api')).toEqual([
      'deprecated-api HorizontalPodAutoscaler/some-service',
      'hpa-scale-up-behavior HorizontalPodAutoscaler/some-service',
      'poststart-without-timeout Deployment/some-service',
    ]);
    // The fixes touch nothing the anchors' checks look at.
    const others = (c: string): boolean => !lessons.has(c) && c !== 'deprecated-api';
    expect(summary(after, others)).toEqual(summary(before, others));
  });

  it("with Chartroom's proposals on top nothing of the talk's lessons is left", async () => {
    const report = await check('chartroom');
    expect(summary(report, (c) => lessons.has(c) || c === 'deprecated-api')).toEqual([]);
  });
});

function run(yaml: string, only: string[]): PolicyReport {
  return runChecks({
    manifests: parseManifests(yaml, 'test.yaml'),
    checks: allChecks,
    config: resolveConfig({ only }),
  });
}

const deployment = (extra: string, replicas = 6): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${extra}
      containers:
        - name: web
          image: web:1.0
`;

describe('spot lessons', () => {
  const pdb = (budget: string): string => `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  ${budget}
  selector: {matchLabels: {app: web}}
`;

  it('a PDB of one at a time cannot drain six co-located pods in two minutes', () => {
    const report = run(deployment('      terminationGracePeriodSeconds: 30') + pdb('maxUnavailable: 1'), [
      'pdb-spot-drain',
    ]);
    expect(report.findings.map((f) => f.message)).toEqual([
      'draining a node with 6 pod(s) of Deployment web takes ~230s (6 eviction round(s) of 1, 30s grace, ~10s to replace), more than the 120s spot notice',
    ]);
  });

  it('the same PDB is fine once anti-affinity spreads the pods over nodes', () => {
    const spread = `      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: {matchLabels: {app: web}}`;
    expect(run(deployment(spread) + pdb('maxUnavailable: 1'), ['pdb-spot-drain']).findings).toEqual([]);
  });

  it('a PDB that allows nothing is left to pdb-blocks-eviction', () => {
    const report = run(deployment('') + pdb('minAvailable: 100%'), ['pdb-spot-drain', 'pdb-blocks-eviction']);
    expect(report.findings.map((f) => f.check)).toEqual(['pdb-blocks-eviction']);
    expect(report.skipped.map((s) => s.check)).toEqual(['pdb-spot-drain']);
  });

  it('safe-to-evict: false and undeclared emptyDirs pin nodes for the cluster-autoscaler', () => {
    const pinned = deployment('').replace(
      'metadata: {labels: {app: web}}',
      'metadata: {labels: {app: web}, annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "false"}}',
    );
    expect(run(pinned, ['cluster-autoscaler-safe-to-evict']).findings[0]?.message).toMatch(
      /can never be scaled down/,
    );
    const scratch = deployment('      volumes: [{name: cache, emptyDir: {}}]');
    expect(run(scratch, ['cluster-autoscaler-safe-to-evict']).findings[0]?.message).toMatch(
      /"cache" block cluster-autoscaler/,
    );
    const declared = scratch.replace(
      'metadata: {labels: {app: web}}',
      'metadata: {labels: {app: web}, annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes: cache}}',
    );
    expect(run(declared, ['cluster-autoscaler-safe-to-evict']).findings).toEqual([]);
  });

  it('reads Auto Scaling groups from describe-auto-scaling-groups JSON', () => {
    const groups = JSON.stringify({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'spot-a',
          MixedInstancesPolicy: { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 0 } },
          SuspendedProcesses: [],
        },
        {
          AutoScalingGroupName: 'spot-b',
          MixedInstancesPolicy: { InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 0 } },
          SuspendedProcesses: [{ ProcessName: 'AZRebalance' }],
        },
        { AutoScalingGroupName: 'on-demand', SuspendedProcesses: [] },
      ],
    });
    const report = run(groups, ['spot-azrebalance-suspended']);
    expect(report.findings.map((f) => `${f.object.kind}/${f.object.name}`)).toEqual([
      'AutoScalingGroup/spot-a',
    ]);
  });
});

describe('HPA lessons', () => {
  const hpa = (metrics: string, behavior = ''): string => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
${metrics}
${behavior}`;

  it('flags External metrics without a selector, with Value targets and with zero targets', () => {
    const report = run(
      hpa(`    - type: External
      external:
        metric: {name: requests}
        target: {type: Value, value: "0"}`),
      ['hpa-external-metric'],
    );
    expect(report.findings.map((f) => `${f.severity}: ${f.message}`)).toEqual([
      'danger: External metric "requests" has no selector: the HPA sums every series of that name',
      'warning: External metric "requests" uses a Value target: the desired count follows ready pods, not load per pod; use AverageValue',
      'danger: External metric "requests" has a target of 0: the HPA will sit at maxReplicas',
    ]);
  });

  it('wants a scale-up stabilization window and a scale-down window that does not flap', () => {
    const metric = `    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`;
    const short = run(
      hpa(
        metric,
        '  behavior: {scaleUp: {stabilizationWindowSeconds: 0}, scaleDown: {stabilizationWindowSeconds: 30}}',
      ),
      ['hpa-scale-up-behavior'],
    );
    expect(short.findings.map((f) => f.path)).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds',
      'spec.behavior.scaleDown.stabilizationWindowSeconds',
    ]);
    const good = run(hpa(metric, '  behavior: {scaleUp: {stabilizationWindowSeconds: 60}}'), [
      'hpa-scale-up-behavior',
    ]);
    expect(good.findings).toEqual([]);
  });

  it('a startupProbe shorter than the boot is not enough', () => {
    const slow = deployment('').replace(
      '          image: web:1.0',
      '          image: web:1.0\n          readinessProbe: {httpGet: {path: /h, port: 80}, initialDelaySeconds: 90}\n          startupProbe: {httpGet: {path: /h, port: 80}, periodSeconds: 10, failureThreshold: 3}',
    );
    expect(run(slow, ['slow-start-without-startup-probe']).findings[0]?.message).toBe(
      'container "web" needs ~90s to start but its startupProbe gives up after 30s',
    );
  });

  it('rollout bounds: both zero cannot progress, all pods down is danger, custom bounds apply', () => {
    const strategy = (surge: string, unavailable: string): string =>
      deployment('', 4).replace(
        '  replicas: 4',
        `  replicas: 4\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: ${surge}, maxUnavailable: ${unavailable}}}`,
      );
    expect(run(strategy('0', '0'), ['rolling-update-bounds']).findings[0]?.message).toMatch(
      /cannot make progress/,
    );
    expect(run(strategy('1', '100%'), ['rolling-update-bounds']).findings[0]?.severity).toBe('danger');
    const config = resolveConfig({
      only: ['rolling-update-bounds'],
      checks: { 'rolling-update-bounds': { options: { maxSurge: '50%', maxUnavailable: '25%' } } },
    });
    const relaxed = runChecks({
      manifests: parseManifests(strategy('50%', '25%'), 'x.yaml'),
      checks: allChecks,
      config,
    });
    expect(relaxed.findings).toEqual([]);
  });
});
