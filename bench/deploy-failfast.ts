/**
 * How fast a failed rollout is explained: each failure class of the deploy tracker, produced on a
 * local cluster of its own with the example chart, deployed two ways side by side, same chart,
 * same values, same timeout:
 *
 *   - chartroom: `deploy()` (the library behind `chartroom deploy`), which stops at the diagnosis;
 *   - helm:      the talk's command in Helm 3 form, `sops -d … | helm upgrade --install --wait
 *                --timeout <T> -f - -f staging.yaml -f fault.yaml`.
 *
 * An independent observer polls the API every 200 ms and notes when each symptom first appears
 * there; Chartroom's latency is measured from that moment to its diagnosis.
 *
 * Usage: npx tsx bench/deploy-failfast.ts [timeout, default 5m]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { downCluster, upCluster } from '../src/cluster/index.js';
import { deploy, DeployFailedError, type Diagnosis } from '../src/deploy/index.js';
import { KubeClient, type V1Deployment, type V1Job, type V1Pod } from '../src/kube/index.js';
import { openStore } from '../src/store/index.js';
import { faultCases, type FaultCase } from '../test/e2e/deploy-support/faults.js';
import { peerPath as peer } from '../src/testing/peer-process.js';
import { run } from '../src/testing/run.js';

const timeout = process.argv[2] ?? '5m';
const repo = resolve(import.meta.dirname, '..');
const app = join(repo, 'examples', 'webapp');
const demoKey = join(app, 'demo-age-key.txt');
const work = mkdtempSync(join(tmpdir(), 'deploy-bench-'));

interface Row {
  case: FaultCase;
  visibleAt?: number;
  /** When chartroom started Helm (after config, decryption, lock, recovery check and tracker start). */
  helmStartedAt?: number;
  chartroom?: { at: number; diagnosis?: Diagnosis; error?: string };
  helm?: { at: number; message: string };
}

/** The independent clock: first time each namespace shows its symptom in the API. */
function observe(kube: KubeClient, rows: Map<string, Row>, start: number): () => void {
  const state = { stopped: false };
  void (async () => {
    while (!state.stopped) {
      await Promise.all(
        [...rows.entries()].map(async ([namespace, row]) => {
          if (row.visibleAt !== undefined) return;
          const [pods, deployments, jobs] = await Promise.all([
            kube.list<V1Pod>('v1', 'Pod', { namespace }),
            kube.list<V1Deployment>('apps/v1', 'Deployment', { namespace }),
            kube.list<V1Job>('batch/v1', 'Job', { namespace }),
          ]);
          if (row.case.visible({ pods, deployments, jobs })) row.visibleAt = Date.now() - start;
        }),
      ).catch(() => undefined);
      await new Promise((wake) => setTimeout(wake, 200));
    }
  })();
  return () => {
    state.stopped = true;
  };
}

async function main(): Promise<void> {
  const name = `bench-deploy-${process.pid}`;
  process.stderr.write(`starting cluster ${name}…\n`);
  const { state } = await upCluster({ name, nodes: 3, ownerPid: process.pid });
  const kube = KubeClient.load({ kubeconfig: state.kubeconfig });
  const env = {
    KUBECONFIG: state.kubeconfig,
    SOPS_AGE_KEY_FILE: demoKey,
    HELM_CACHE_HOME: join(work, 'helm-cache'),
  };
  const store = await openStore({ url: 'sqlite::memory:' });
  const chartroomRows = new Map<string, Row>();
  const helmRows = new Map<string, Row>();
  try {
    faultCases.forEach((fault, index) => {
      chartroomRows.set(`chartroom-${index}`, { case: fault });
      helmRows.set(`helm-${index}`, { case: fault });
    });
    for (const namespace of [...chartroomRows.keys(), ...helmRows.keys()]) {
      await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
    const secrets = await run(peer('sops'), ['-d', join(app, 'helm/env/secrets.staging.yaml')], { env });
    if (secrets.code !== 0) throw new Error(secrets.stderr);
    mkdirSync(join(work, 'values'));

    const start = Date.now();
    // Only Chartroom's latency is measured from the symptom; Helm's total is enough for the ratio.
    const stop = observe(kube, chartroomRows, start);
    process.stderr.write(`deploying ${faultCases.length} failure classes twice (timeout ${timeout})…\n`);
    await Promise.all([
      ...[...chartroomRows.entries()].map(async ([namespace, row]) => {
        try {
          await deploy({
            app,
            env: 'staging',
            namespace,
            timeout,
            extraValues: [{ name: row.case.name, values: row.case.values }],
            processEnv: { ...process.env, ...env },
            store,
            lockTimeoutMs: 0,
            onEvent: (event) => {
              if (event.type === 'helm-start') row.helmStartedAt = Date.now() - start;
            },
          });
          row.chartroom = { at: Date.now() - start, error: 'succeeded' };
        } catch (error) {
          row.chartroom =
            error instanceof DeployFailedError && error.result.diagnosis !== undefined
              ? { at: Date.now() - start, diagnosis: error.result.diagnosis }
              : { at: Date.now() - start, error: String(error) };
        }
      }),
      ...[...helmRows.entries()].map(async ([namespace, row], index) => {
        const file = join(work, 'values', `fault-${index}.yaml`);
        writeFileSync(file, stringify(row.case.values));
        const args = [
          'upgrade',
          '--install',
          'webapp',
          join(app, 'helm/webapp'),
          '-n',
          namespace,
          '--wait',
          '--timeout',
          timeout,
        ];
        const result = await run(
          peer('helm'),
          [...args, '-f', '-', '-f', join(app, 'helm/env/staging.yaml'), '-f', file],
          // Helm's own --timeout ends it; this bound only catches a hung process.
          { env, input: secrets.stdout, timeoutMs: 15 * 60_000 },
        );
        row.helm = {
          at: Date.now() - start,
          message: result.stderr.trim().split('\n').at(-1)?.trim() ?? `exit ${result.code}`,
        };
      }),
    ]);
    stop();
    report([...chartroomRows.values()], [...helmRows.values()]);
  } finally {
    await store.close();
    await downCluster({ name });
    rmSync(work, { recursive: true, force: true });
  }
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

function report(chartroom: Row[], helm: Row[]): void {
  const lines = [
    `Timeout ${timeout} for both; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1) ?? '?'} at the end.`,
    '',
    '| failure | symptom seen in the API | chartroom: Helm started | chartroom: symptom seen | chartroom: diagnosis after the symptom | chartroom: total | helm --wait: total | ratio | helm’s error |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const results = chartroom.map((row, index) => {
    const plain = helm[index];
    const latency =
      row.chartroom === undefined || row.visibleAt === undefined
        ? undefined
        : row.chartroom.at - row.visibleAt;
    const diagnosed = row.chartroom?.diagnosis?.class === row.case.class;
    const ratio =
      plain?.helm !== undefined && row.chartroom !== undefined ? plain.helm.at / row.chartroom.at : undefined;
    lines.push(
      `| ${row.case.name} | ${row.case.symptom} | ${seconds(row.helmStartedAt)} | ${seconds(row.visibleAt)} | ${diagnosed ? seconds(latency) : `not diagnosed: ${row.chartroom?.diagnosis?.class ?? row.chartroom?.error ?? '?'}`} | ${seconds(row.chartroom?.at)} | ${seconds(plain?.helm?.at)} | ${ratio === undefined ? '–' : `${ratio.toFixed(1)}×`} | ${(plain?.helm?.message ?? '').replace(/\|/g, '\\|').slice(0, 90)} |`,
    );
    return {
      case: row.case.name,
      class: row.case.class,
      visibleMs: row.visibleAt,
      latencyMs: latency,
      helmStartedMs: row.helmStartedAt,
      chartroomMs: row.chartroom?.at,
      helmMs: plain?.helm?.at,
      diagnosis: row.chartroom?.diagnosis?.summary,
      helm: plain?.helm?.message,
    };
  });
  process.stdout.write(lines.join('\n') + '\n');
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'results', 'deploy-failfast.json'),
    JSON.stringify({ timeout, at: new Date().toISOString(), results }, null, 2),
  );
}

await main();
