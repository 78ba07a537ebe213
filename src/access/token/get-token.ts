/**
 * `chartroom access token`: a cached token if one is still good, else resolve credentials, sign,
 * cache and return. The signer and the AWS SDK are imported only on a miss, so a warm call costs
 * one stat and one small file read.
 */
import { UsageError } from '../../core/errors.js';
import { TokenCache, tokenCacheDir, tokenCacheKey, type CachedToken } from './cache.js';
import type { Prompt } from './credentials.js';
import { defaultRegion } from './region.js';
import { defaultSessionName } from './session-name.js';

export interface GetTokenOptions {
  clusterId: string;
  region?: string;
  roleArn?: string;
  /** Session name when assuming `roleArn`; default `chartroom-<local user>`. */
  sessionName?: string;
  env: NodeJS.ProcessEnv;
  /** false skips the disk cache (always signs anew). */
  cache?: boolean;
  cacheDir?: string;
  prompt?: Prompt;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface TokenResult extends CachedToken {
  fromCache: boolean;
  region: string;
}

export async function getClusterToken(options: GetTokenOptions): Promise<TokenResult> {
  if (options.clusterId === '') throw new UsageError('the cluster id is empty', 'Pass --cluster-id <id>.');
  const region = options.region ?? defaultRegion(options.env);
  const sessionName =
    options.roleArn === undefined ? undefined : (options.sessionName ?? defaultSessionName());
  const now = options.now ?? (() => new Date());
  const sign = async (): Promise<CachedToken> => {
    const [{ resolveCredentials }, { presignClusterToken }] = await Promise.all([
      import('./credentials.js'),
      import('./presign.js'),
    ]);
    const credentials = await resolveCredentials({
      region,
      ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
      sessionName: sessionName ?? defaultSessionName(),
      env: options.env,
      ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const signed = await presignClusterToken({
      credentials,
      region,
      clusterId: options.clusterId,
      now: now(),
    });
    // Temporary credentials that die before the token would make the token die with them.
    const expiration =
      credentials.expiration !== undefined && credentials.expiration < signed.expiration
        ? credentials.expiration
        : signed.expiration;
    return { token: signed.token, expiration };
  };
  if (options.cache === false) return { ...(await sign()), fromCache: false, region };

  const cache = new TokenCache(options.cacheDir ?? tokenCacheDir(options.env), () => now().getTime());
  const key = tokenCacheKey({
    clusterId: options.clusterId,
    region,
    roleArn: options.roleArn,
    sessionName,
    env: options.env,
  });
  const hit = cache.read(key);
  if (hit !== undefined) return { ...hit, fromCache: true, region };
  return cache.withLock(key, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    whileLocked: async () => {
      const again = cache.read(key);
      if (again !== undefined) return { ...again, fromCache: true, region };
      const fresh = await sign();
      cache.write(key, fresh);
      return { ...fresh, fromCache: false, region };
    },
  });
}
