/**
 * Benchmark of `chartroom scan` on the debootstrap bookworm image (see test/e2e/scan-image.test.ts):
 *
 * - cold scan (empty layer cache) and warm scan (layers cached by diff ID) from the OCI layout,
 *   the `docker save` archive and a registry on loopback (warm registry scans download no layer);
 * - per-layer throughput of the cold read (uncompressed MB/s);
 * - package cataloguing of the same image next to syft's (`syft scan oci-dir:… -o json`, built
 *   from the Go module proxy by `npm run peers`), in the same run, as a ratio.
 *
 *   npx tsx bench/scan.ts [--runs 5]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { findPeer } from '../src/core/peers.js';
import { buildDb, inspectImage, readFeedDir, scanImage, type LayerReport } from '../src/scan/index.js';
import { ensureBookwormForms, pushToRegistry } from '../test/e2e/scan-support/bookworm-forms.js';
import { startRegistry } from '../test/e2e/scan-support/registry.js';

const run = promisify(execFile);
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
const work = mkdtempSync(join(tmpdir(), 'chartroom-scan-bench-'));
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const fmt = (seconds: number): string => `${seconds.toFixed(2)} s`;

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

const syft = findPeer('syft');
if (syft === undefined) throw new Error('syft is missing: run `npm run peers -- --only syft`');
const syftPath = syft;
const forms = await ensureBookwormForms((line) => {
  console.log(line);
});
const dbPath = join(work, 'vuln.db');
buildDb(await readFeedDir(resolve(import.meta.dirname, '../../shared/fixtures/scan/feeds')), dbPath);
const registry = await startRegistry(join(work, 'registry'));
const reference = `${registry.host}/chartroom/bookworm:12`;
await pushToRegistry(forms, reference, registry);
const dockerConfig = join(work, 'docker');
mkdirSync(dockerConfig);
writeFileSync(
  join(dockerConfig, 'config.json'),
  JSON.stringify({
    auths: {
      [registry.host]: { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') },
    },
  }),
);
const env = { DOCKER_CONFIG: dockerConfig };

const sources: [string, string][] = [
  ['OCI layout', `${forms.ociLayout}:${forms.tag}`],
  ['docker save archive', forms.dockerArchive],
  ['registry (loopback)', reference],
];
const rows: string[] = [];
const layerRates: number[][] = [[], []];
let packages = 0;
// One untimed scan first, so the first timed one does not also pay for module loading and JIT.
await scanImage(`${forms.ociLayout}:${forms.tag}`, { cwd: work, env, dbPath });
for (const [label, argument] of sources) {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cacheDir = join(work, `cache-${label.replace(/\W/g, '')}-${i}`);
    const layers: LayerReport[] = [];
    cold.push(
      await time(() =>
        scanImage(argument, {
          cwd: work,
          env,
          dbPath,
          cacheDir,
          onLayer: (l) => {
            layers.push(l);
          },
        }),
      ),
    );
    warm.push(await time(() => scanImage(argument, { cwd: work, env, dbPath, cacheDir })));
    for (const layer of layers)
      if (layer.seconds > 0) layerRates[layer.index]?.push(layer.bytes / 1e6 / layer.seconds);
    rmSync(cacheDir, { recursive: true, force: true });
  }
  rows.push(
    `| ${label} | ${fmt(median(cold))} | ${fmt(median(warm))} | ${(median(cold) / median(warm)).toFixed(1)}× |`,
  );
}

// Package cataloguing only, both tools without any cache, the same OCI layout. syft runs with its
// default catalogers and with only its dpkg cataloger (the same work as ours).
const ours: number[] = [];
const syftAll: number[] = [];
const syftDpkg: number[] = [];
let syftCount = 0;
async function syftScan(extra: string[]): Promise<void> {
  const { stdout } = await run(
    syftPath,
    ['scan', `oci-dir:${forms.ociLayout}`, '-o', 'json', '-q', ...extra],
    {
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        SYFT_CHECK_FOR_APP_UPDATE: 'false',
        SYFT_CACHE_DIR: join(work, 'syft-cache'),
        TMPDIR: work,
      },
    },
  );
  syftCount = (JSON.parse(stdout) as { artifacts: { type: string }[] }).artifacts.filter(
    (a) => a.type === 'deb',
  ).length;
}
for (let i = 0; i < runs; i++) {
  ours.push(
    await time(async () => {
      packages = (await inspectImage(`${forms.ociLayout}:${forms.tag}`, { cwd: work, env: {} })).packages
        .length;
    }),
  );
  syftAll.push(await time(() => syftScan([])));
  syftDpkg.push(await time(() => syftScan(['--override-default-catalogers', 'dpkg-db-cataloger'])));
}
await registry.stop();
rmSync(work, { recursive: true, force: true });

const { stdout: version } = await run(syft, ['version']);
console.log(
  `\nbookworm image: ${forms.layers.length} layers, ${packages} packages; ${runs} runs each, medians; load average ${(await import('node:os')).loadavg()[0]?.toFixed(1) ?? '?'}\n`,
);
console.log('| source | cold scan | warm scan | cold / warm |');
console.log('|---|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log('\n| layer | uncompressed | throughput (cold, median) |');
console.log('|---|---:|---:|');
console.log(`| 1 (debootstrap) | 128.0 MB | ${median(layerRates[0] ?? []).toFixed(0)} MB/s |`);
console.log(`| 2 (dpkg --purge apparmor) | 1.8 MB | ${median(layerRates[1] ?? []).toFixed(0)} MB/s |`);
console.log('\n| package cataloguing (OCI layout, cold) | time | packages |');
console.log('|---|---:|---:|');
console.log(`| chartroom scan packages | ${fmt(median(ours))} | ${packages} |`);
const syftVersion = /Version:\s+(\S+)/.exec(version)?.[1] ?? '';
console.log(
  `| syft ${syftVersion} scan oci-dir: (default catalogers) | ${fmt(median(syftAll))} | ${syftCount} deb |`,
);
console.log(
  `| syft ${syftVersion} scan oci-dir: (dpkg-db-cataloger only) | ${fmt(median(syftDpkg))} | ${syftCount} deb |`,
);
console.log(`| ratio syft (dpkg only) / chartroom | ${(median(syftDpkg) / median(ours)).toFixed(1)}× | |`);
console.log(`| ratio syft (default) / chartroom | ${(median(syftAll) / median(ours)).toFixed(1)}× | |`);
