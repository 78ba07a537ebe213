/** Who deploys, and which commit: what the history records and the lock shows to others. */
import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * `CHARTROOM_DEPLOYER` when set (a service account name, say), else the CI system's actor, else
 * `user@host`.
 */
export function deployer(env: NodeJS.ProcessEnv): string {
  if (env.CHARTROOM_DEPLOYER !== undefined && env.CHARTROOM_DEPLOYER !== '') return env.CHARTROOM_DEPLOYER;
  if (env.GITHUB_ACTOR !== undefined) return `github:${env.GITHUB_ACTOR}`;
  if (env.GITLAB_USER_LOGIN !== undefined) return `gitlab:${env.GITLAB_USER_LOGIN}`;
  if (env.BUILDKITE_BUILD_CREATOR_EMAIL !== undefined)
    return `buildkite:${env.BUILDKITE_BUILD_CREATOR_EMAIL}`;
  let user = env.USER ?? env.LOGNAME;
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/** The app folder's git commit (`-dirty` when it has uncommitted changes), if it is in git. */
export async function gitCommit(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await exec('git', ['-C', dir, 'rev-parse', 'HEAD'], { timeout: 5000 });
    const sha = stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) return undefined;
    const status = await exec(
      'git',
      ['-C', dir, 'status', '--porcelain', '--untracked-files=no', '--', '.'],
      { timeout: 5000 },
    );
    return status.stdout.trim() === '' ? sha : `${sha}-dirty`;
  } catch {
    return undefined;
  }
}
