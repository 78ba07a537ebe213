import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCliInMemory } from '../../testing/cli.js';
import { get, num, objs, str } from '../json.js';
import { readSources } from '../loader/sources.js';
import { advise } from './index.js';
import { openMetrics, startPrometheus, type PodSpec, type RunningPrometheus } from './testing.js';

const talk = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'talk');
const now = Math.floor(Date.now() / 1000) - 30;
const from = now - 3 * 3600;

// The talk's offender: requests 1 core, burns 3.2 while warming up for 3 minutes, then 0.7.
const offender = (pod: string, minutesAgo: number): PodSpec => ({
  namespace: 'production',
  deployment: 'some-service',
  pod,
  container: 'app',
  requestCores: 1,
  startedAt: now - minutesAgo * 60,
  spikeCores: 3.2,
  spikeSeconds: 180,
  steadyCores: 0.7,
});
// A well-behaved neighbour: always just under its request.
const steady: PodSpec = {
  namespace: 'production',
  deployment: 'steady-api',
  pod: 'steady-api-7d9f-x1',
  container: 'api',
  requestCores: 0.5,
  startedAt: now - 150 * 60,
  spikeCores: 0.45,
  spikeSeconds: 60,
  steadyCores: 0.45,
};

let prometheus: RunningPrometheus;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-advise-'));
  const metrics = openMetrics(
    [
      offender('some-service-7d9f-a', 170),
      offender('some-service-7d9f-b', 90),
      offender('some-service-7d9f-c', 40),
      steady,
    ],
    [
      // 4 ↔ 8 every 10 minutes: up for 4, down for 6.
      {
        namespace: 'production',
        name: 'some-service',
        target: 'some-service',
        desired: (t) => ((t - from) % 600 < 240 ? 8 : 4),
      },
      { namespace: 'production', name: 'steady-api', target: 'steady-api', desired: () => 3 },
    ],
    from,
    now,
  );
  prometheus = await startPrometheus(dir, metrics);
}, 60_000);

afterAll(async () => {
  await prometheus.stop();
});

describe('policy advise against a real Prometheus', () => {
  it('names the offender Deployment and proposes values', async () => {
    const manifests = await readSources({ paths: ['before'], cwd: talk });
    const report = await advise({
      prometheus: prometheus.url,
      namespace: 'production',
      window: '3h',
      manifests,
      now,
    });
    expect(
      report.offenders.map((o) => `${o.owner.kind}/${o.owner.namespace}/${o.owner.name}:${o.container}`),
    ).toEqual(['Deployment/production/some-service:app']);
    const found = report.offenders[0];
    expect(found?.starts).toHaveLength(3);
    expect(found?.peakCores).toBeCloseTo(3.2, 1);
    expect(found?.peakRatio).toBeGreaterThan(3);
    // The spike lasts 180s; rate()'s 1-minute window smears its end by up to 60s, depending on
    // how the 15s query steps fall against the sample times.
    expect(found?.warmupSeconds).toBeGreaterThanOrEqual(150);
    expect(found?.warmupSeconds).toBeLessThanOrEqual(240);
    expect(found?.steadyP95Cores).toBeCloseTo(0.7, 1);

    expect(report.flapping.map((f) => f.hpa)).toEqual(['some-service']);
    expect(report.flapping[0]?.reversalsPerHour).toBeGreaterThanOrEqual(10);

    const patches = parseAllDocuments(report.patch).map((d) => d.toJS() as unknown);
    expect(patches).toHaveLength(2);
    const [deployment, hpa] = patches;
    expect(deployment).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'some-service', namespace: 'production' },
    });
    const container = objs(deployment, 'spec.template.spec.containers')[0];
    expect(str(container, 'name')).toBe('app');
    expect(get(container, 'resources.requests.cpu')).toBe('1');
    // The readiness handler of the talk's manifest, with room for 1.5x the measured warm-up.
    expect(get(container, 'startupProbe.httpGet')).toEqual({ path: '/health', port: 'http' });
    const budget =
      (num(container, 'startupProbe.periodSeconds') ?? 0) *
      (num(container, 'startupProbe.failureThreshold') ?? 0);
    const warmup = found?.warmupSeconds ?? Infinity;
    expect(budget).toBeGreaterThanOrEqual(warmup * 1.5);
    expect(get(deployment, 'spec.strategy.rollingUpdate')).toEqual({
      maxSurge: '25%',
      maxUnavailable: '10%',
    });
    expect(hpa).toMatchObject({ kind: 'HorizontalPodAutoscaler', metadata: { name: 'some-service' } });
    expect(num(hpa, 'spec.behavior.scaleUp.stabilizationWindowSeconds')).toBeGreaterThanOrEqual(warmup);
    expect(num(hpa, 'spec.behavior.scaleDown.stabilizationWindowSeconds')).toBeGreaterThanOrEqual(300);
    expect(report.patch).toMatch(/^# container "app" peaked at 3\.2 cores/);
  });

  it('the CLI writes the patch file and names the offender', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chartroom-advise-cli-'));
    const { code, stdout, stderr } = await runCliInMemory(
      [
        'policy',
        'advise',
        '--prometheus',
        prometheus.url,
        '--namespace',
        'production',
        '--window',
        '3h',
        '--patch-file',
        'patch.yaml',
      ],
      { cwd: dir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^offender Deployment production\/some-service container app: peak 3\.\d+ cores at start vs request 1 \(3\.\dx\)/,
    );
    expect(stdout).toContain('flapping HPA production/some-service');
    expect(parse(readFileSync(join(dir, 'patch.yaml'), 'utf8').split('---')[0] ?? '')).toMatchObject({
      kind: 'Deployment',
    });
  });

  it('an unreachable Prometheus is a remote error with a hint', async () => {
    await expect(advise({ prometheus: 'http://127.0.0.1:1', window: '1h' })).rejects.toMatchObject({
      code: 'prometheus-unreachable',
      exitCode: 6,
    });
  });
});
