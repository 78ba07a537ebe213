/**
 * Push to ready, broken down: a signed GitHub push of a new branch is delivered to a server with
 * the previews plugin on a local cluster of its own, and the run's timings say where the time went
 * (webhook answer; push → the controller starts; start → Helm starts: quota, values, secrets, lock;
 * Helm applying objects and hooks; Helm's wait for the rollout). Next to it, in the same run, the
 * peer: the talk's command in Helm 3 form on the same chart, values and secrets, into a fresh
 * namespace — `sops -d secrets.staging.yaml | helm upgrade --install --wait -f - -f staging.yaml
 * -f generated.yaml` — timed from start to exit. Chartroom's own share is push-to-ready minus its
 * Helm process. The branches are pushed one after another (no queueing).
 *
 * Usage: npx tsx bench/previews.ts [branches, default 5]
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { downCluster, upCluster } from '../src/cluster/index.js';
import { freePort } from '../src/core/net.js';
import { createPreviewsPlugin, previewsOf, type Run } from '../src/previews/index.js';
import { buildServer, loadServerConfig } from '../src/server/index.js';
import { peerPath as peer } from '../src/testing/peer-process.js';
import { run } from '../src/testing/run.js';

const count = Number(process.argv[2] ?? '5');
const repo = resolve(import.meta.dirname, '..');
const app = join(repo, 'examples', 'webapp');
const demoKey = join(app, 'demo-age-key.txt');
const work = mkdtempSync(join(tmpdir(), 'previews-bench-'));
const secret = 'bench-webhook-secret-0123456789';
const pushFixture = resolve(
  repo,
  '../shared/fixtures/git-webhooks/octokit-webhooks/push/with-new-branch.payload.json',
);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const s = (ms: number) => (ms / 1000).toFixed(2);

function pushBody(branch: string, commit: string): Buffer {
  const payload = JSON.parse(readFileSync(pushFixture, 'utf8')) as Record<string, unknown> & {
    repository: Record<string, unknown>;
    head_commit: Record<string, unknown>;
  };
  payload.ref = `refs/heads/${branch}`;
  payload.before = '0'.repeat(40);
  payload.after = commit;
  payload.repository = {
    ...payload.repository,
    name: 'webapp',
    full_name: 'acme/webapp',
    default_branch: 'main',
  };
  payload.head_commit = { ...payload.head_commit, id: commit };
  return Buffer.from(JSON.stringify(payload));
}

const cluster = await upCluster({ name: `bench-previews-${process.pid}`, ownerPid: process.pid });
const kubeconfig = cluster.state.kubeconfig;
try {
  const port = await freePort();
  const configFile = join(work, 'chartroom-server.yaml');
  writeFileSync(
    configFile,
    stringify({
      listen: `127.0.0.1:${port}`,
      dataDir: 'data',
      kubeconfig,
      log: { level: 'warn' },
      previews: {
        domain: 'preview.localhost',
        scheme: 'http',
        port,
        concurrency: 3,
        webhooks: { github: { secret } },
        apps: [
          {
            repo: 'acme/webapp',
            source: { path: app },
            environment: 'staging',
            env: { SOPS_AGE_KEY_FILE: demoKey },
          },
        ],
      },
    }),
  );
  const server = await buildServer({
    config: loadServerConfig(configFile),
    plugins: [createPreviewsPlugin()],
    logStream: false,
  });
  const url = await server.listen();
  const previews = previewsOf(server.context);
  if (previews === undefined) throw new Error('previews did not start');

  const rows: {
    answer: number;
    total: number;
    queue: number;
    prepare: number;
    apply: number;
    rollout: number;
    helm: number;
  }[] = [];
  for (let index = 0; index < count; index += 1) {
    const branch = `bench-${index}`;
    const commit = createHmac('sha1', 'bench').update(branch).digest('hex');
    const body = pushBody(branch, commit);
    const sent = performance.now();
    const response = await fetch(`${url}/previews/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      },
      body,
    });
    const answer = performance.now() - sent;
    const namespace =
      ((await response.json()) as { previews: { namespace: string }[] }).previews[0]?.namespace ?? '';
    let run: Run | undefined;
    for (;;) {
      await previews.controller.idle();
      run = (await previews.runtime.records.runs(namespace, 5)).find(
        (candidate) => candidate.kind === 'deploy',
      );
      if (run !== undefined && run.result !== 'running') break;
      await sleep(100);
    }
    if (run.result !== 'succeeded')
      throw new Error(`deploy of ${branch} ${run.result}: ${run.summary ?? ''}`);
    const t = run.timings;
    rows.push({
      answer,
      total: t.total ?? 0,
      queue: t.queue ?? 0,
      prepare: t.prepare ?? 0,
      apply: t.helmApply ?? 0,
      rollout: t.rollout ?? 0,
      helm: t.helm ?? 0,
    });
    process.stderr.write(
      `chartroom ${branch}: ${s(t.total ?? 0)} s push to ready (helm ${s(t.helm ?? 0)} s)\n`,
    );
  }
  await server.close();

  // The peer: the talk's command, the same chart, values and secrets, a new namespace each time.
  const helmTimes: number[] = [];
  const env = {
    KUBECONFIG: kubeconfig,
    SOPS_AGE_KEY_FILE: demoKey,
    HELM_CACHE_HOME: join(work, 'helm-cache'),
  };
  for (let index = 0; index < count; index += 1) {
    const namespace = `helm-bench-${index}`;
    const generated = join(work, `generated-${index}.yaml`);
    writeFileSync(
      generated,
      stringify({
        ingress: { host: `${namespace}.preview.localhost` },
        image: { tag: createHmac('sha1', 'helm').update(namespace).digest('hex') },
        env: { CHARTROOM_ENV: `preview-${namespace}` },
      }),
    );
    const start = performance.now();
    const decrypted = await run(peer('sops'), ['-d', join(app, 'helm/env/secrets.staging.yaml')], { env });
    if (decrypted.code !== 0) throw new Error(`sops -d failed: ${decrypted.stderr}`);
    const helm = await run(
      peer('helm'),
      [
        'upgrade',
        '--install',
        'webapp',
        join(app, 'helm/webapp'),
        '--namespace',
        namespace,
        '--create-namespace',
        '--wait',
        '--wait-for-jobs',
        '--timeout',
        '10m',
        '-f',
        '-',
        '-f',
        join(app, 'helm/env/staging.yaml'),
        '-f',
        generated,
      ],
      // Helm's own --timeout ends it; this bound only catches a hung process.
      { env, input: decrypted.stdout, timeoutMs: 15 * 60_000 },
    );
    if (helm.code !== 0) throw new Error(`helm failed: ${helm.stderr}`);
    const took = performance.now() - start;
    helmTimes.push(took);
    process.stderr.write(`helm ${namespace}: ${s(took)} s\n`);
  }

  const column = (key: keyof (typeof rows)[number]) => median(rows.map((row) => row[key]));
  const total = column('total');
  const own = median(rows.map((row) => row.total - row.helm));
  const peerMedian = median(helmTimes);
  const lines = [
    `# ${count} new branches, one at a time; ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end`,
    `| step (median of ${count}) | seconds |`,
    '|---|---|',
    `| webhook answered (verify, dedup, namespace written) | ${s(column('answer'))} |`,
    `| push received → controller starts the run | ${s(column('queue'))} |`,
    `| run start → Helm starts (quota, checkout, values, secrets in memory, lock) | ${s(column('prepare'))} |`,
    `| Helm: hooks and objects applied | ${s(column('apply'))} |`,
    `| Helm's wait: rollout ready | ${s(column('rollout'))} |`,
    `| **push → ready** | **${s(total)}** |`,
    `| Chartroom's own share (push → ready minus its Helm process) | ${s(own)} |`,
    `| peer: \`sops -d … \\| helm upgrade --install --wait\` | ${s(peerMedian)} |`,
    `| ratio push → ready / peer | ${(total / peerMedian).toFixed(2)} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await downCluster({ name: `bench-previews-${process.pid}` }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
