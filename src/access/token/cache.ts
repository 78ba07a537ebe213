/**
 * The on-disk token cache. kubectl forgets credentials when it exits and runs the plugin again
 * on every invocation, so without this each `kubectl get` would resolve credentials (maybe an
 * MFA prompt or an SSO refresh) and sign anew. A token is valid for 15 minutes; we hand it out
 * until a minute before the 14-minute expiry we announce, then make a new one.
 *
 * Files are 0600 in a 0700 folder, written to a temp file and renamed (readers never see half a
 * file), and a lock file keeps concurrent kubectl calls from all refreshing (and prompting) at once.
 * This module imports only node built-ins (and core/peers and core/files, which do too): it is
 * bundled into the launcher's warm path (warm-path.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../../core/peers.js';
import { writeFileAtomic } from '../../core/files.js';

/** `<cache>/access/tokens`: one file per cluster, region, role and credential set. */
export function tokenCacheDir(env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'access', 'tokens');
}

export const refreshBeforeExpiryMs = 60_000;
/** A lock older than this belongs to a process that died mid-refresh (an MFA prompt left open counts). */
const staleLockMs = 5 * 60_000;

export interface CachedToken {
  token: string;
  expiration: Date;
}

export interface TokenCacheKeyInput {
  clusterId: string;
  region: string;
  roleArn: string | undefined;
  sessionName: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * A key that changes whenever the credentials behind a token could: the profile, the static keys
 * in the environment (hashed, never stored) and the shared config/credentials files' identity.
 */
export function tokenCacheKey(input: TokenCacheKeyInput): string {
  const env = input.env;
  const home = env.HOME ?? homedir();
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      v: 1,
      clusterId: input.clusterId,
      region: input.region,
      roleArn: input.roleArn ?? '',
      sessionName: input.sessionName ?? '',
      profile: env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? '',
      keys: [env.AWS_ACCESS_KEY_ID ?? '', env.AWS_SECRET_ACCESS_KEY ?? '', env.AWS_SESSION_TOKEN ?? ''],
      webIdentity: [env.AWS_WEB_IDENTITY_TOKEN_FILE ?? '', env.AWS_ROLE_ARN ?? ''],
      files: files.map(fileIdentity),
    }),
  );
  return hash.digest('hex').slice(0, 40);
}

function fileIdentity(path: string): string {
  try {
    const stat = statSync(path);
    return `${path}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return `${path}:absent`;
  }
}

export class TokenCache {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private path(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** A cached token that is still good for more than a minute, or undefined. */
  read(key: string): CachedToken | undefined {
    const path = this.path(key);
    let text: string;
    try {
      // A cache file others can read is not ours to trust (or to keep using): treat it as a miss.
      if ((statSync(path).mode & 0o077) !== 0) return undefined;
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { token?: unknown; expiration?: unknown };
      if (typeof entry.token !== 'string' || typeof entry.expiration !== 'string') return undefined;
      const expiration = new Date(entry.expiration);
      if (Number.isNaN(expiration.getTime()) || expiration.getTime() - refreshBeforeExpiryMs <= this.now())
        return undefined;
      return { token: entry.token, expiration };
    } catch {
      return undefined;
    }
  }

  write(key: string, value: CachedToken): void {
    this.ensureDir();
    const final = this.path(key);
    writeFileAtomic(
      final,
      JSON.stringify({ token: value.token, expiration: value.expiration.toISOString() }),
      {
        mode: 0o600,
      },
    );
  }

  /**
   * Runs `refresh` holding the key's lock. Whoever waited for the lock first looks at the cache
   * again: the holder has usually just filled it.
   */
  async withLock<T>(
    key: string,
    options: { signal?: AbortSignal; whileLocked: () => Promise<T> },
  ): Promise<T> {
    this.ensureDir();
    const lock = join(this.dir, `${key}.lock`);
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        const fd = openSync(lock, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (this.lockIsStale(lock)) {
          try {
            unlinkSync(lock);
          } catch {
            // Another waiter removed it first; try again.
          }
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await options.whileLocked();
    } finally {
      try {
        unlinkSync(lock);
      } catch {
        // Already gone (removed as stale by someone else); nothing to release.
      }
    }
  }

  private lockIsStale(lock: string): boolean {
    try {
      const stat = statSync(lock);
      if (this.now() - stat.mtimeMs > staleLockMs) return true;
      const pid = Number(readFileSync(lock, 'utf8'));
      if (!Number.isInteger(pid) || pid <= 0) return false; // being written right now
      process.kill(pid, 0);
      return false;
    } catch (error) {
      // ESRCH: the holder is gone. ENOENT: the lock vanished, so it is free.
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ESRCH' || code === 'ENOENT';
    }
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }
}
