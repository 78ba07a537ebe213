/**
 * Chartroom `policy check` against the real kube-score and kube-linter on the same large input:
 * every fixture of the three anchors plus the talk's manifests, repeated with renamed objects to
 * about 10,000 objects in one file. Each tool runs as a process from cold (reading the file,
 * checking with its default checks, writing JSON), three times; the median wall time counts.
 *
 *   npx tsx bench/policy.ts [--objects 10000] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { findPeer } from '../src/core/peers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = resolve(root, '../shared/fixtures/policy');
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const targetObjects = option('--objects', 10_000);
const runs = option('--runs', 3);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'templates' ? [] : yamlFiles(full);
    return /\.ya?ml$/.test(name) &&
      name !== 'check.yaml' &&
      name !== 'Chart.yaml' &&
      !full.includes('/configs/') &&
      !full.includes('/pkg/config/')
      ? [full]
      : [];
  });
}

/** Every parseable object with a kind and a name, from every fixture, grouped by file. */
function corpus(): Record<string, unknown>[][] {
  const files: Record<string, unknown>[][] = [];
  for (const file of [...yamlFiles(fixtures), ...yamlFiles(join(root, 'src/policy/testdata/talk'))]) {
    const objects: Record<string, unknown>[] = [];
    files.push(objects);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) continue;
      const value = doc.toJS() as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
      const o = value as { kind?: unknown; metadata?: { name?: unknown } };
      if (typeof o.kind !== 'string' || o.kind.endsWith('List') || typeof o.metadata?.name !== 'string')
        continue;
      objects.push(value as Record<string, unknown>);
    }
  }
  return files.filter((objects) => objects.length > 0);
}

/**
 * Copies every fixture file into namespaces of its own (one app per namespace, as in a real
 * cluster), so references between its objects stay intact, until `total` objects.
 */
function copies(base: Record<string, unknown>[][], total: number): string {
  const out: string[] = [];
  for (let copy = 0; out.length < total; copy++) {
    base.forEach((objects, file) => {
      for (const object of objects) {
        if (out.length >= total) return;
        const clone = structuredClone(object) as { metadata: { name: string; namespace?: string } };
        clone.metadata.namespace = `${clone.metadata.namespace ?? 'app'}-f${file}-c${copy}`;
        out.push(stringify(clone));
      }
    });
  }
  return out.join('---\n');
}

interface Timing {
  tool: string;
  seconds: number[];
  median: number;
  exit: number | null;
}

function time(tool: string, command: string, commandArgs: string[]): Timing {
  const seconds: number[] = [];
  let exit: number | null = null;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, { maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' });
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    exit = result.status;
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`${tool} failed (${String(result.status)}): ${result.stderr.slice(0, 2000)}`);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  return { tool, seconds, median: sorted[Math.floor(sorted.length / 2)] ?? NaN, exit };
}

const base = corpus();
const dir = mkdtempSync(join(tmpdir(), 'chartroom-bench-policy-'));
const file = join(dir, 'manifests.yaml');
writeFileSync(file, copies(base, targetObjects));
const megabytes = statSync(file).size / 1e6;
console.log(
  `corpus: ${base.flat().length} distinct fixture objects from ${base.length} files, repeated to ${targetObjects} objects (${megabytes.toFixed(1)} MB) in ${file}`,
);

const kubeScore = findPeer('kube-score');
const kubeLinter = findPeer('kube-linter');
if (kubeScore === undefined || kubeLinter === undefined)
  throw new Error('run `npm run peers` first (kube-score, kube-linter)');

// Chartroom runs compiled, as bin/chartroom.js runs it from dist/ (tsx would add seconds of
// transpiling to every run). The build goes under node_modules/.cache so imports resolve.
const dist = join(root, 'node_modules', '.cache', 'chartroom-bench', 'dist');
const build = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(root, 'tsconfig.build.json'),
    '--outDir',
    dist,
    '--sourceMap',
    'false',
  ],
  { encoding: 'utf8' },
);
if (!existsSync(join(dist, 'cli', 'main.js')))
  throw new Error(`build failed: ${build.stdout}${build.stderr}`);
const chartroom = time('chartroom', process.execPath, [
  join(dist, 'cli', 'main.js'),
  'policy',
  'check',
  file,
  '--format',
  'json',
  '--fail-on',
  'never',
]);
const score = time('kube-score', kubeScore, ['score', '--output-format', 'json', file]);
const linter = time('kube-linter', kubeLinter, ['lint', '--format', 'json', file]);

console.log('\n| tool | median s | runs (s) | objects/s | Chartroom time ÷ tool time |');
console.log('|---|---:|---|---:|---:|');
for (const t of [chartroom, score, linter]) {
  console.log(
    `| ${t.tool} | ${t.median.toFixed(2)} | ${t.seconds.map((s) => s.toFixed(2)).join(', ')} | ${Math.round(targetObjects / t.median)} | ${(chartroom.median / t.median).toFixed(2)} |`,
  );
}
