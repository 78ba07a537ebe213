/**
 * Where a preview's chart and values come from. An app with `source.path` deploys the same folder
 * for every branch (only the generated values change). An app with `source.git` deploys the app
 * folder *as it is in the pushed commit*: a branch that changes its chart or its staging values
 * gets that change in its preview. Commits are fetched into a bare cache under the data folder
 * and exported with `git archive` into a temporary folder that is removed after the deploy.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ChartroomError, ExitCode } from '../core/errors.js';
import type { ResolvedApp } from './config.js';

export interface CheckedOutApp {
  /** The app folder (with chartroom.yaml) to deploy. */
  dir: string;
  dispose(): Promise<void>;
}

function gitError(message: string, hint?: string): ChartroomError {
  return new ChartroomError(message, {
    code: 'previews-git',
    exitCode: ExitCode.peer,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Runs git; resolves with stdout, rejects with git's own error line. */
export function git(
  args: readonly string[],
  options: {
    cwd?: string;
    signal?: AbortSignal;
    stdout?: NodeJS.WritableStream;
    env?: Record<string, string>;
  } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      // Never wait for a password on a terminal that is not there.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.stdout !== undefined) child.stdout.pipe(options.stdout);
    else child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? gitError('git is not installed', 'Install git (apt-get install git).')
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out).toString('utf8'));
      else {
        const text = Buffer.concat(err).toString('utf8').trim().split('\n').filter(Boolean);
        reject(gitError(`git ${args[0] ?? ''} failed: ${text.at(-1) ?? `exit ${String(code)}`}`));
      }
    });
  });
}

/** Branch names of a remote (`git ls-remote --heads`): any git URL, or a local repository path. */
export async function remoteBranches(url: string, signal?: AbortSignal): Promise<string[]> {
  const out = await git(['ls-remote', '--heads', url], signal === undefined ? {} : { signal });
  return out
    .split('\n')
    .map((line) => /^[0-9a-f]+\trefs\/heads\/(.+)$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

export class AppSources {
  private readonly fetching = new Map<string, Promise<unknown>>();

  constructor(private readonly dataDir: string) {}

  async checkout(
    app: { name: string; source: ResolvedApp['source'] },
    commit: string,
    signal?: AbortSignal,
  ): Promise<CheckedOutApp> {
    if (app.source.kind === 'path') return { dir: app.source.path, dispose: () => Promise.resolve() };
    const { url, dir } = app.source;
    const cache = join(this.dataDir, 'previews', 'git', `${app.name}.git`);
    await this.serially(cache, () => this.fetchCommit(cache, url, commit, signal));
    const target = join(
      this.dataDir,
      'previews',
      'checkouts',
      `${app.name}-${commit.slice(0, 12)}-${randomBytes(4).toString('hex')}`,
    );
    await mkdir(target, { recursive: true });
    try {
      const tar = spawn('tar', ['-x', '-C', target], { stdio: ['pipe', 'ignore', 'pipe'] });
      const extracted = new Promise<void>((resolvePromise, reject) => {
        tar.on('error', reject);
        tar.on('close', (code) => {
          if (code === 0) resolvePromise();
          else reject(gitError(`extracting ${commit.slice(0, 12)} failed (tar exit ${String(code)})`));
        });
      });
      await git(
        ['--git-dir', cache, 'archive', '--format=tar', commit, ...(dir === '.' ? [] : ['--', dir])],
        {
          stdout: tar.stdin,
          ...(signal === undefined ? {} : { signal }),
        },
      );
      await extracted;
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      throw error;
    }
    const appDir = resolve(target, dir);
    return { dir: appDir, dispose: () => rm(target, { recursive: true, force: true }) };
  }

  /** One git operation per cache at a time (git locks refs; parallel fetches would fail). */
  private async serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.fetching.get(key) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    this.fetching.set(key, next);
    try {
      return await next;
    } finally {
      if (this.fetching.get(key) === next) this.fetching.delete(key);
    }
  }

  private async fetchCommit(cache: string, url: string, commit: string, signal?: AbortSignal): Promise<void> {
    const options = signal === undefined ? {} : { signal };
    if (!existsSync(cache)) {
      await mkdir(cache, { recursive: true });
      await git(['init', '--bare', '--quiet', cache], options);
    }
    const has = (): Promise<boolean> =>
      git(['--git-dir', cache, 'cat-file', '-e', `${commit}^{commit}`], options).then(
        () => true,
        () => false,
      );
    if (await has()) return;
    // Fetching one commit by id is the least work (GitHub, GitLab and protocol v2 allow it);
    // hosts that refuse it get a fetch of every branch instead.
    try {
      await git(['--git-dir', cache, 'fetch', '--quiet', '--no-tags', url, commit], options);
    } catch {
      await git(
        ['--git-dir', cache, 'fetch', '--quiet', '--no-tags', '--prune', url, '+refs/heads/*:refs/heads/*'],
        options,
      );
    }
    if (!(await has()))
      throw gitError(
        `commit ${commit} is not in ${url}`,
        'The branch may have been force-pushed since; the next push deploys again.',
      );
  }
}
