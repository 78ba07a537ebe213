/**
 * A warm `chartroom access token` (what every kubectl call runs) against aws-iam-authenticator
 * v0.7.10's `token` and awscli's `aws eks get-token`, same static credentials, same cluster id and
 * region, alternating in one run. Chartroom runs through bin/chartroom.js from the compiled dist/
 * (as installed), so a warm call takes the launcher's warm path; its cache is filled once before
 * timing. Also times the same cached call through the full CLI, and a cold call (`--no-cache`:
 * resolve credentials, load the signer, sign).
 *
 * Usage: npx tsx bench/access-token.ts [rounds]   (runs `npm run build` first)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { peerPath } from '../src/testing/peer-process.js';

const peer = (name: string): string => peerPath(name, 'npm run peers -- --only aws-iam-authenticator,awscli');

const rounds = Number(process.argv[2] ?? 30);
const repo = resolve(import.meta.dirname, '..');
const home = mkdtempSync(join(tmpdir(), 'access-bench-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: home,
  CHARTROOM_CACHE: join(home, 'cache'),
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-west-2',
  AWS_EC2_METADATA_DISABLED: 'true',
  KUBERNETES_EXEC_INFO:
    '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}',
};

const contenders: Record<string, [string, string[]]> = {
  'chartroom (warm)': [
    process.execPath,
    [join(repo, 'bin/chartroom.js'), 'access', 'token', '--cluster-id', 'bench', '--region', 'us-west-2'],
  ],
  'chartroom (cold, --no-cache)': [
    process.execPath,
    [
      join(repo, 'bin/chartroom.js'),
      'access',
      'token',
      '--cluster-id',
      'bench',
      '--region',
      'us-west-2',
      '--no-cache',
    ],
  ],
  // The same cached token through the full CLI (commander, every command group, the ESM loader):
  // what the launcher's warm path saves.
  'chartroom full CLI (warm cache, no launcher warm path)': [
    process.execPath,
    [join(repo, 'dist/cli/main.js'), 'access', 'token', '--cluster-id', 'bench', '--region', 'us-west-2'],
  ],
  'aws-iam-authenticator v0.7.10': [
    peer('aws-iam-authenticator'),
    ['token', '-i', 'bench', '--region', 'us-west-2'],
  ],
  'aws eks get-token (awscli 1.46.2)': [
    peer('aws'),
    ['eks', 'get-token', '--cluster-name', 'bench', '--region', 'us-west-2'],
  ],
};

function once(command: string, args: string[]): number {
  const t0 = performance.now();
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (result.status !== 0 || !result.stdout.includes('k8s-aws-v1.')) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

console.log('building dist/ and the warm-path bundle (npm run build)…');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
// Warm-up: fills Chartroom's token cache and the OS page cache for every binary.
for (const [command, args] of Object.values(contenders)) once(command, args);

const times = new Map<string, number[]>(Object.keys(contenders).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, [command, args]] of Object.entries(contenders))
    times.get(name)?.push(once(command, args));
}
const medians = new Map([...times].map(([name, values]) => [name, median(values)]));
const go = medians.get('aws-iam-authenticator v0.7.10') ?? NaN;
const warm = medians.get('chartroom (warm)') ?? NaN;
console.log(
  `\n${rounds} rounds, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1) ?? '?'}; median wall time per call\n`,
);
console.log('| command | median | vs aws-iam-authenticator | vs warm chartroom |');
console.log('|---|---:|---:|---:|');
for (const [name, value] of medians) {
  console.log(
    `| ${name} | ${value.toFixed(0)} ms | ${(value / go).toFixed(2)}x | ${(value / warm).toFixed(2)}x |`,
  );
}
