/**
 * `npm run peers`: installs every pinned peer tool into the cache, keyed by version, and links
 * each binary into `<cache>/peers/bin/<name>`. Idempotent: with everything present it only checks
 * stamps and links, in well under a second per peer.
 *
 *   npm run peers                  install what is missing
 *   npm run peers -- --check       report what is missing, install nothing (exit 1 if any)
 *   npm run peers -- --only helm,sops
 *   npm run peers -- --bench       also the peers only benchmarks use (kwokctl, syft, awscli, …)
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../../src/core/peers.js';
import { peers, type AptPeer, type GoPeer, type Peer, type PipPeer } from './manifest.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(cacheRoot(), 'peers');
const binDir = join(root, 'bin');
const started = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[peers ${seconds}s] ${message}`);
}

class StepError extends Error {
  constructor(
    readonly peer: string,
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a command, streaming its output with a prefix so long builds show they are alive. */
function run(
  peer: string,
  step: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        // Progress lines from build-go.sh and apt's "Setting up" lines are worth showing; Go's
        // hundreds of "downloading" lines and apt's unpacking chatter are not.
        if (line.startsWith('[peers]') || line.startsWith('Setting up ')) {
          log(`${peer}: ${line.replace(/^\[peers\] [^:]+: /, '')}`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => {
      reject(new StepError(peer, step, `${command} could not start: ${error.message}`));
    });
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new StepError(peer, step, `${command} exited with ${String(code)}\n${tail.join('\n')}`));
    });
  });
}

function stampPath(peer: Peer): string {
  return join(root, 'stamps', `${peer.name}@${peerVersion(peer)}.json`);
}

function peerVersion(peer: Peer): string {
  return peer.source === 'apt' ? peer.packages.join('+') : peer.version;
}

function versionDir(peer: Peer): string {
  return join(root, 'versions', `${peer.name}@${peerVersion(peer)}`);
}

/** Where each binary of a peer lives once installed. */
function binaryPaths(peer: Peer): Map<string, string> {
  const paths = new Map<string, string>();
  for (const bin of peer.bins) {
    const [name, explicit] = bin.split('=') as [string, string | undefined];
    switch (peer.source) {
      case 'go':
        paths.set(name, join(versionDir(peer), name));
        break;
      case 'pip':
        paths.set(name, join(versionDir(peer), 'venv', 'bin', name));
        break;
      case 'apt':
        paths.set(name, explicit ?? join('/usr/bin', name));
        break;
    }
  }
  return paths;
}

function isInstalled(peer: Peer): boolean {
  if (!existsSync(stampPath(peer))) return false;
  return [...binaryPaths(peer).values()].every((path) => existsSync(path));
}

function link(peer: Peer): void {
  mkdirSync(binDir, { recursive: true });
  for (const [name, target] of binaryPaths(peer)) {
    const at = join(binDir, name);
    let current: string | undefined;
    try {
      current = readlinkSync(at);
    } catch {
      current = undefined;
    }
    if (current === target) continue;
    rmSync(at, { force: true });
    symlinkSync(target, at);
  }
}

async function installGo(peer: GoPeer): Promise<void> {
  const out = versionDir(peer);
  const args = [peer.kind, peer.version, out];
  if (peer.kind === 'module') {
    if (peer.pkg === undefined || peer.bins[0] === undefined)
      throw new StepError(peer.name, 'manifest', 'pkg missing');
    args.push(peer.pkg, peer.bins[0]);
    if (peer.replace !== undefined) args.push(peer.replace);
    args.push('--', ...(peer.ldflags ?? []));
  }
  await run(peer.name, 'go build', join(here, 'build-go.sh'), args);
}

async function installPip(peer: PipPeer): Promise<void> {
  const venv = join(versionDir(peer), 'venv');
  rmSync(versionDir(peer), { recursive: true, force: true });
  mkdirSync(versionDir(peer), { recursive: true });
  log(`${peer.name}: creating venv`);
  await run(peer.name, 'venv', 'python3', ['-m', 'venv', venv]);
  log(`${peer.name}: pip install ${peer.requirements.join(' ')}`);
  await run(peer.name, 'pip install', join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    ...peer.requirements,
  ]);
}

async function installApt(missing: AptPeer[]): Promise<void> {
  const packages = missing.flatMap((peer) => peer.packages).filter((name) => !debianInstalled(name));
  if (packages.length > 0) {
    const name = missing.map((peer) => peer.name).join(',');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const apt = (...args: string[]): [string, string[]] =>
      sudo.length > 0 ? ['sudo', ['apt-get', ...args]] : ['apt-get', args];
    log(`${name}: apt-get update`);
    await run(name, 'apt-get update', ...apt('update', '-q'));
    log(`${name}: apt-get install ${packages.join(' ')}`);
    await run(
      name,
      'apt-get install',
      ...apt('install', '-y', '-q', '--no-install-recommends', ...packages),
      {
        DEBIAN_FRONTEND: 'noninteractive',
      },
    );
  }
}

function debianInstalled(pkg: string): boolean {
  try {
    // dpkg's status file is the source of truth; parsing it avoids one dpkg-query spawn per package.
    const status = readFileSync('/var/lib/dpkg/status', 'utf8');
    const block = status.split('\n\n').find((entry) => entry.startsWith(`Package: ${pkg}\n`));
    return block?.includes('Status: install ok installed') === true;
  } catch {
    return false;
  }
}

function stamp(peer: Peer, seconds: number): void {
  mkdirSync(dirname(stampPath(peer)), { recursive: true });
  writeFileSync(
    stampPath(peer),
    JSON.stringify({ ...peer, installedAt: new Date().toISOString(), seconds }, null, 2),
  );
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : undefined;
  const bench = argv.includes('--bench');
  const selected = peers.filter((peer) =>
    only === undefined ? bench || peer.purpose !== 'bench' : only.has(peer.name),
  );
  const missing = selected.filter((peer) => !isInstalled(peer));
  for (const peer of selected) if (!missing.includes(peer)) link(peer);
  if (missing.length === 0) {
    log(`all ${selected.length} peers present in ${binDir}`);
    return 0;
  }
  log(`missing: ${missing.map((peer) => `${peer.name}@${peerVersion(peer)}`).join(', ')}`);
  if (check) return 1;
  // Debian packages first: they are quick, and later builds do not depend on them.
  const apt = missing.filter((peer): peer is AptPeer => peer.source === 'apt');
  if (apt.length > 0) {
    const t0 = Date.now();
    await installApt(apt);
    for (const peer of apt) {
      stamp(peer, (Date.now() - t0) / 1000);
      link(peer);
    }
  }
  for (const peer of missing) {
    if (peer.source === 'apt') continue;
    const t0 = Date.now();
    log(`${peer.name}@${peer.version}: installing`);
    if (peer.source === 'go') await installGo(peer);
    else await installPip(peer);
    const seconds = (Date.now() - t0) / 1000;
    stamp(peer, seconds);
    link(peer);
    log(`${peer.name}@${peer.version}: installed in ${seconds.toFixed(0)}s`);
  }
  log(`done; binaries in ${binDir}`);
  return 0;
}

// A lock folder keeps two installers (CI retry, parallel test runs) from building at once.
const lock = join(root, '.install-lock');
function acquireLock(): boolean {
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(lock, 'pid'), 'utf8').trim());
    } catch {
      return false; // the other installer is between mkdir and writing its pid
    }
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      rmSync(lock, { recursive: true, force: true });
      return acquireLock();
    }
  }
}

async function withLock(): Promise<number> {
  while (!acquireLock()) {
    log('another installer is running; waiting');
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  try {
    return await main();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await withLock();
} catch (error) {
  if (error instanceof StepError) {
    console.error(`[peers] FAILED: ${error.peer}, step "${error.step}": ${error.message}`);
  } else {
    console.error(`[peers] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
