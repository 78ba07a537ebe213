import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Where Chartroom keeps slow-to-build things outside the repository: peer binaries, cluster state.
 * `CHARTROOM_CACHE` overrides it.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHARTROOM_CACHE ?? join(env.HOME ?? homedir(), '.cache', 'chartroom');
}

/** The folder every installed peer tool is linked into: `<cache>/peers/bin`. */
export function peersBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'peers', 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a peer tool (helm, kubectl, sops, gpg, …): the pinned build in the peers cache first,
 * then PATH. Returns undefined when neither has it.
 */
export function findPeer(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pinned = join(peersBinDir(env), name);
  if (isExecutable(pinned)) return pinned;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}
