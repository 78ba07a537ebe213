/**
 * Harness for the secrets end-to-end tests: the real sops, gpg (with a temporary GNUPGHOME
 * holding the published fixture keys) and moto's server (for AWS KMS and STS), plus in-process
 * and real-process runs of the Chartroom CLI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCliInMemory, type CliRun } from '../../src/testing/cli.js';
import { peerPath } from '../../src/testing/peer-process.js';
import { fixture, FIXTURE_PGP_KEY_FILES, REPO_ROOT } from '../../src/secrets/testing.js';

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export const peer = peerPath;

/** Runs a program with exactly `env` (nothing inherited), collecting raw stdout. */
export function runProc(
  cmd: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; input?: Buffer | string },
): Promise<ProcResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.input);
  });
}

/** Runs `chartroom …` in this process (fast); results go through --output-file when bytes matter. */
export function chartroom(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliRun> {
  return runCliInMemory(args, { env, cwd });
}

const mainScript = resolve(REPO_ROOT, 'src/cli/main.ts');
// Absolute, so the child can run from any working directory.
const tsxLoader = pathToFileURL(resolve(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Starts the real CLI as its own process (for signals, stdin and editors). */
export function spawnChartroom(args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', tsxLoader, mainScript, ...args], {
    env,
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface GnupgHome {
  path: string;
  dispose(): void;
}

/** A temporary GNUPGHOME (short path: the agent socket must fit) with the fixture keys. */
export function gnupgHome(): GnupgHome {
  const path = mkdtempSync(join(tmpdir(), 'crg-'));
  chmodSync(path, 0o700);
  const env = { PATH: process.env.PATH, GNUPGHOME: path, HOME: path };
  const gpg = peer('gpg');
  const result = spawnSync(gpg, ['--batch', '--import', ...FIXTURE_PGP_KEY_FILES], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`gpg --import failed: ${result.stderr}`);
  return {
    path,
    dispose: () => {
      spawnSync(peer('gpgconf'), ['--kill', 'gpg-agent'], { env });
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** The published age identities and their recipients. */
export const AGE = {
  sopsAge: {
    identity:
      readFileSync(fixture('sops-age/key.txt'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? '',
    recipient: 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr',
  },
  helmSecrets: {
    identity:
      readFileSync(fixture('helm-secrets/tests/assets/age/key.txt'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? '',
    recipient: 'age1rh2xsjg8avja92j3jhtttuczgmqkz89lezxt4e3mmp5ukl5j4f9smvteju',
  },
};

/** Fingerprints of the sops functional-test PGP keys. */
export const PGP_KEY_1 = 'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4';
export const PGP_KEY_2 = 'D7229043384BCC60326C6FB9D8720D957C3D3074';

/** Masks what is random in a sops file (ciphertexts, wrapped keys, dates) to compare layouts. */
export function maskRandom(text: string): string {
  return text
    .replace(/ENC\[AES256_GCM,data:[^,]*,iv:[^,]*,tag:[^,]*,type:([a-z]+)\]/g, 'ENC[$1]')
    .replace(/-----BEGIN AGE ENCRYPTED FILE-----(?:\n|\\n)[\s\S]*?-----END AGE ENCRYPTED FILE-----/g, 'AGE')
    .replace(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g, 'PGP')
    .replace(/("enc": "|enc: |_enc=|enc *= )[A-Za-z0-9+/=]{40,}/g, '$1KMS')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'DATE');
}
