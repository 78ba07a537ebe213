/**
 * `chartroom up` as the README says, on a fresh machine: empty data, cache and home folders (only
 * the installed peer tools are found, on PATH), no kubeconfig, no git identity, no database. It
 * starts its own embedded cluster and server; a `git push` of a branch to the printed remote gives
 * a ready preview at http://<branch>.preview.localhost:<port>/, listed on the dashboard, and
 * deleting the branch removes it. Ctrl-C stops the server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/net.js';
import { peersBinDir } from '../../src/core/peers.js';
import { run } from '../../src/testing/run.js';
import { eventually, ok } from './harness.js';
import { getWithHost, previewDetail, previewRows, repoRoot, waitForPreview } from './previews-support.js';

const root = mkdtempSync(join(tmpdir(), 'chartroom-up-e2e-'));
const cluster = `e2e-up-${process.pid}`;
const home = join(root, 'home');
mkdirSync(home);
const { KUBECONFIG: _kubeconfig, ...inherited } = process.env;
const env: NodeJS.ProcessEnv = {
  ...inherited,
  HOME: home,
  CHARTROOM_DATA: join(root, 'data'),
  CHARTROOM_CACHE: join(root, 'cache'),
  // The peers installed by `npm run peers` (their cache is not part of the fresh state).
  PATH: `${peersBinDir()}:${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
};
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    env,
  });

afterAll(async () => {
  await cli(['cluster', 'down', '--name', cluster]);
  rmSync(root, { recursive: true, force: true });
});

describe('chartroom up', () => {
  it('gives a preview for a pushed branch with nothing external', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'src', 'cli', 'main.ts'),
        'up',
        '--name',
        cluster,
        '--listen',
        `127.0.0.1:${port}`,
      ],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let code: number | null | undefined;
    void exited.then((value) => (code = value));
    try {
      await eventually(
        () => {
          if (code !== undefined)
            throw new Error(`chartroom up exited ${String(code)}:\n${stdout}\n${stderr}`);
          return Promise.resolve(stdout.includes('git push -u origin devopsstage') ? true : undefined);
        },
        { seconds: 180, what: `chartroom up to print what to do\n${stderr}` },
      );
      const remote = /git remote\s+(\S+)/.exec(stdout)?.[1] ?? '';
      expect(remote).toBe(join(root, 'data', 'up', 'git', 'webapp.git'));
      expect(stdout).toContain(`dashboard   http://127.0.0.1:${port}/previews`);
      const url = `http://127.0.0.1:${port}`;
      const previewUrl = `http://devopsstage.preview.localhost:${port}/`;
      expect(stdout).toContain(previewUrl);

      // What the README tells the user to do next, with a git that has a user.
      const gitEnv = {
        ...env,
        GIT_AUTHOR_NAME: 'Dev',
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: 'Dev',
        GIT_COMMITTER_EMAIL: 'dev@example.com',
      };
      const work = join(root, 'webapp');
      const git = (args: string[]) => run('git', args, { env: gitEnv });
      ok(await git(['clone', '--quiet', remote, work]));
      ok(await git(['-C', work, 'checkout', '-q', '-b', 'devopsstage']));
      ok(await git(['-C', work, 'commit', '-q', '--allow-empty', '-m', 'try a preview']));
      const pushed = ok(await git(['-C', work, 'push', '-u', 'origin', 'devopsstage']));
      // The hook answers the pusher with the preview's address.
      expect(pushed.stderr).toContain(`remote: chartroom: `);
      expect(pushed.stderr).toContain(previewUrl);
      const commit = ok(await git(['-C', work, 'rev-parse', 'HEAD'])).stdout.trim();

      const row = await eventually(
        async () => (await previewRows(url)).find((preview) => preview.branch === 'devopsstage'),
        { seconds: 30, what: 'the devopsstage preview to be listed' },
      );
      expect(row.namespace).toBe('webapp-devopsstage');
      expect(row.url).toBe(previewUrl);
      const ready = await waitForPreview(url, row.namespace, (preview) => preview.status === 'ready', 180);
      expect(ready.deployed_commit).toBe(commit);
      const dashboard = await (await fetch(`${url}/previews`)).text();
      expect(dashboard).toContain('devopsstage');
      expect(dashboard).toContain(`href="${previewUrl}"`);
      const page = await getWithHost(`${url}/`, `devopsstage.preview.localhost:${port}`);
      expect(page.headers['x-chartroom-preview']).toBe('webapp-devopsstage');
      expect(page.text).toMatch(/Preview of <code>devopsstage<\/code> is deployed and ready/);

      ok(await git(['-C', work, 'push', '--quiet', 'origin', '--delete', 'devopsstage']));
      const removed = await waitForPreview(
        url,
        row.namespace,
        (preview) => preview.status === 'removed',
        120,
      );
      expect(removed.removed_reason).toBe('branch-deleted');
      expect((await previewDetail(url, row.namespace))?.runs.map((run) => run.kind)).toEqual([
        'teardown',
        'deploy',
      ]);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    expect(code).toBe(0);
    expect(stderr).toContain('server stopped');
  });
});
