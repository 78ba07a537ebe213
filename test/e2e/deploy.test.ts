/**
 * The example app deployed with the real helm: ready, its Secret holding the decrypted values,
 * recorded in the history — and, traced with strace, not one byte of the decrypted secrets file
 * written to any file by chartroom, helm or anything they start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPeer } from '../../src/core/peers.js';
import type { V1Secret } from '../../src/kube/index.js';
import {
  deployArgs,
  exampleApp,
  events,
  jsonDeployArgs,
  runDeploy,
  sandbox,
  stagingSecrets,
} from './deploy-support/app.js';
import { kube, testNamespace } from './harness.js';

const markers = [stagingSecrets.db_password, stagingSecrets.session_secret];
const nonFiles = /^(pipe:|socket:|anon_inode:|\/dev\/null$|\/dev\/pts\/|\/dev\/tty)/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Traced {
  /** Writes that carried a decrypted value, with the file descriptor's target. */
  secretWrites: { target: string; line: string }[];
  helmArgs: string[][];
}

/** Parses `strace -f -y -e trace=execve,write,…` output. */
function parseTrace(text: string): Traced {
  const secretWrites: Traced['secretWrites'] = [];
  const helmArgs: string[][] = [];
  for (const line of text.split('\n')) {
    const write = /(?:^|\s)(?:write|pwrite64|writev|pwritev2?)\(\d+<([^>]*)>, (.*)$/.exec(line);
    if (write?.[1] !== undefined && markers.some((marker) => line.includes(marker))) {
      secretWrites.push({ target: write[1], line: line.slice(0, 200) });
    }
    const exec = /execve\("([^"]*\/helm)", \[(.*)\]/.exec(line);
    if (exec?.[2] !== undefined)
      helmArgs.push([...exec[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? ''));
  }
  return { secretWrites, helmArgs };
}

describe('chartroom deploy of the example app', () => {
  it('deploys it ready, with the decrypted values in its Secret, recorded in the history, and no plaintext written to disk', async () => {
    const ns = await testNamespace('deploy');
    const box = sandbox();
    const strace = findPeer('strace');
    if (strace === undefined) throw new Error('strace is not installed; run npm run peers');
    const secretsFile = join(exampleApp, 'helm/env/secrets.staging.yaml');
    const before = sha(secretsFile);
    // The trace holds what went through pipes (decrypted values included): keep it in memory-backed /dev/shm.
    const traceFile = `/dev/shm/chartroom-deploy-trace-${process.pid}.txt`;
    let result;
    try {
      result = await runDeploy(jsonDeployArgs(ns, '--timeout', '3m'), box.env, [
        strace,
        '-f',
        '--seccomp-bpf',
        '-y',
        '-qq',
        '-s',
        '65536',
        '-e',
        'trace=execve,write,pwrite64,writev,pwritev,pwritev2',
        '-o',
        traceFile,
      ]);
      if (!existsSync(traceFile)) throw new Error(`strace wrote no trace: ${result.stderr}`);
      const trace = parseTrace(readFileSync(traceFile, 'utf8'));

      // Helm got the secrets on stdin (`-f -`), in the talk's order, never the file's path.
      const upgrade = trace.helmArgs.find((args) => args.includes('upgrade'));
      expect(upgrade, 'helm upgrade was traced').toBeDefined();
      const values = (upgrade ?? []).flatMap((arg, i, all) => (arg === '-f' ? [all[i + 1]] : []));
      expect(values).toEqual(['-', join(exampleApp, 'helm/env/staging.yaml')]);
      expect(upgrade?.join(' ')).not.toContain('secrets.staging.yaml');

      // The decrypted values did travel (so the trace can see them), but only through pipes and sockets.
      expect(trace.secretWrites.length).toBeGreaterThan(0);
      const toFiles = trace.secretWrites.filter((write) => !nonFiles.test(write.target));
      expect(toFiles).toEqual([]);
    } finally {
      rmSync(traceFile, { force: true });
    }
    expect(result.code, result.stderr).toBe(0);

    // Nothing in the places chartroom and helm write (temp, home with helm's caches, data folder,
    // the app) holds a decrypted value, and the secrets file is untouched.
    for (const path of [...filesUnder(box.root), ...filesUnder(exampleApp)]) {
      if (statSync(path).size > 50_000_000) continue;
      const content = readFileSync(path, 'utf8');
      for (const marker of markers)
        expect(content.includes(marker), `${path} contains a decrypted secret`).toBe(false);
    }
    expect(sha(secretsFile)).toBe(before);
    expect(result.stdout + result.stderr).not.toContain(stagingSecrets.db_password);

    // The tracker showed the rollout reaching ready, and the deploy succeeded.
    const stream = events(result.stdout);
    const ready = stream.filter((event) => event.type === 'progress').at(-1) as
      | {
          workloads: { ref: { kind: string; name: string }; state: string; ready: number; desired: number }[];
        }
      | undefined;
    expect(ready?.workloads.find((w) => w.ref.kind === 'Deployment')).toMatchObject({
      state: 'ready',
      ready: 1,
      desired: 1,
    });
    expect(ready?.workloads.find((w) => w.ref.kind === 'Job')).toMatchObject({
      ref: { name: 'webapp-migrate' },
      state: 'ready',
    });
    const done = stream.find((event) => event.type === 'done') as
      { result: { status: string; revision: number; valuesDigest: string } } | undefined;
    expect(done?.result).toMatchObject({ status: 'succeeded', revision: 1 });

    // The app's Secret holds the decrypted values.
    const secret = await kube().get<V1Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      name: 'webapp',
      namespace: ns,
    });
    const decoded = Object.fromEntries(
      Object.entries(secret?.data ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    );
    expect(decoded).toEqual(stagingSecrets);

    // A second deploy is revision 2 with the same values digest; the history lists both.
    const again = await runDeploy(deployArgs(ns), box.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`✓ deployed webapp to staging: release webapp revision 2 in ${ns}`);
    const history = await runDeploy(['--output', 'json', 'deploy', 'history', '--namespace', ns], box.env);
    expect(history.code, history.stderr).toBe(0);
    const rows = JSON.parse(history.stdout) as {
      revision: number;
      result: string;
      who: string;
      valuesDigest: string;
      app: string;
      env: string;
    }[];
    expect(rows.map((row) => [row.revision, row.result, row.app, row.env, row.who])).toEqual([
      [2, 'succeeded', 'webapp', 'staging', 'e2e@chartroom'],
      [1, 'succeeded', 'webapp', 'staging', 'e2e@chartroom'],
    ]);
    expect(rows[0]?.valuesDigest).toBe(done?.result.valuesDigest);
    expect(history.stdout).not.toContain(stagingSecrets.db_password);
  });
});
