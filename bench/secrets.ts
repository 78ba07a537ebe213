/**
 * `chartroom secrets encrypt|decrypt` against the sops 3.13.2 binary, same age key, same files,
 * alternating in one run: a 10,000-value YAML file and a typical 50-value values file. Decrypt
 * runs both tools on the same sops-written file. Chartroom runs as installed (`node
 * bin/chartroom.js`, which answers `secrets` from its bundle, dist/cli-secrets.cjs) after `npm run
 * build`; the same commands through the full CLI (`node dist/cli/main.js`) show what the bundle
 * saves. Also times the in-process library call (`decryptFile`), what a service pays at start
 * once Node is up.
 *
 * Usage: npx tsx bench/secrets.ts [rounds-small] [rounds-big] [--no-build]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPeer } from '../src/core/peers.js';
import type * as SecretsIndex from '../src/secrets/index.js';

type SecretsLibrary = typeof SecretsIndex;

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const roundsSmall = Number(args[0] ?? 20);
const roundsBig = Number(args[1] ?? 7);
const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const fixtures = resolve(root, '../shared/fixtures/sops');

const sops = findPeer('sops');
if (sops === undefined) throw new Error('sops is not installed: npm run peers -- --only sops');

if (!process.argv.includes('--no-build')) {
  console.log('building dist/ and the launcher bundles (npm run build) …');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

const identity =
  readFileSync(join(fixtures, 'sops-age/key.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? '';
const recipient = 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr';
const dir = mkdtempSync(join(tmpdir(), 'secrets-bench-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: dir,
  SOPS_AGE_KEY: identity,
  SOPS_DISABLE_VERSION_CHECK: '1',
};

/** 10,000 values in 100 groups: strings, numbers and booleans, as a large values file has. */
function bigYaml(): string {
  let s = '';
  for (let g = 0; g < 100; g++) {
    s += `service-${g}:\n`;
    for (let k = 0; k < 100; k++) {
      const v =
        k % 10 === 0 ? String(1000 + k) : k % 10 === 1 ? 'true' : `value-${g}-${k}-${'x'.repeat(k % 24)}`;
      s += `    key-${k}: ${v}\n`;
    }
  }
  return s;
}

/** A typical values file: 50 values, nested, a list, comments. */
function smallYaml(): string {
  let s = '# production secrets for the demo service\n';
  for (let g = 0; g < 5; g++) {
    s += `component${g}:\n    # credentials of component ${g}\n`;
    for (let k = 0; k < 8; k++) s += `    secret_${k}: s3cr3t-${g}-${k}-abcdefghijklmnopqrstuvwxyz\n`;
    s += '    hosts:\n        - a.internal\n';
  }
  for (let k = 0; k < 5; k++) s += `top_${k}: ${k % 2 === 0 ? 'value' : String(k)}\n`;
  return s;
}

interface Sample {
  name: string;
  ms: number[];
}

function timeOnce(cmd: string, argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

function race(label: string, rounds: number, contenders: [string, string, string[]][]): Sample[] {
  const samples = contenders.map(([name]) => ({ name, ms: [] as number[] }));
  // One untimed run each warms the page cache and the peers' files.
  for (const [, cmd, argv] of contenders) timeOnce(cmd, argv);
  for (let r = 0; r < rounds; r++) {
    contenders.forEach(([, cmd, argv], i) => samples[i]?.ms.push(timeOnce(cmd, argv)));
  }
  console.log(`\n${label} (${rounds} rounds)`);
  for (const s of samples)
    console.log(
      `  ${s.name.padEnd(12)} median ${median(s.ms).toFixed(0).padStart(6)} ms   min ${Math.min(...s.ms)
        .toFixed(0)
        .padStart(6)} ms`,
    );
  return samples;
}

const launcher = join(root, 'bin', 'chartroom.js');
const fullCli = join(dist, 'cli', 'main.js');
const rows: string[] = [];
for (const [size, content, rounds] of [
  ['10,000 values (YAML)', bigYaml(), roundsBig],
  ['50 values (YAML)', smallYaml(), roundsSmall],
] as const) {
  const plain = join(dir, `${size.startsWith('10') ? 'big' : 'small'}.yaml`);
  writeFileSync(plain, content);
  const encrypted = plain.replace(/\.yaml$/, '.enc.yaml');
  writeFileSync(
    encrypted,
    spawnSync(sops, ['encrypt', '--age', recipient, plain], { env, maxBuffer: 256 * 1024 * 1024 }).stdout,
  );
  for (const op of ['encrypt', 'decrypt'] as const) {
    const argv = op === 'encrypt' ? ['encrypt', '--age', recipient, plain] : ['decrypt', encrypted];
    const [cr, sp, full] = race(`${op}, ${size}`, rounds, [
      ['chartroom', process.execPath, [launcher, 'secrets', ...argv]],
      ['sops', sops, argv],
      ['full CLI', process.execPath, [fullCli, 'secrets', ...argv]],
    ]);
    const c = median(cr?.ms ?? []);
    const s = median(sp?.ms ?? []);
    const f = median(full?.ms ?? []);
    rows.push(
      `| ${op} | ${size} | ${c.toFixed(0)} ms | ${s.toFixed(0)} ms | ${(c / s).toFixed(2)} | ${f.toFixed(0)} ms (${(f / s).toFixed(2)}) |`,
    );
  }
}

// In-process: a service that already runs Node, decrypting its config with the library.
const lib = (await import(pathToFileURL(join(dist, 'secrets', 'index.js')).href)) as SecretsLibrary;
const libRows: string[] = [];
for (const name of ['small', 'big']) {
  const file = join(dir, `${name}.enc.yaml`);
  await lib.decryptFile(file, { env });
  const ms: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    await lib.decryptFile(file, { env });
    ms.push(performance.now() - t0);
  }
  libRows.push(
    `| library \`decryptFile\` (warm, in process) | ${name === 'big' ? '10,000' : '50'} values | ${median(ms).toFixed(1)} ms |`,
  );
}

console.log(
  `\nmachine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  '\n| operation | file | chartroom (median) | sops 3.13.2 (median) | ratio (chartroom / sops) | full CLI, no bundle (ratio) |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('\n| call | file | median |\n|---|---|---|');
for (const r of libRows) console.log(r);
