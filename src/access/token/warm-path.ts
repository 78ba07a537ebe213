/**
 * The warm path of `chartroom access token`, run by the launcher (bin/chartroom.js) before the
 * CLI loads. kubectl runs the exec plugin on every call; with a cached token that call should cost
 * about what the Go authenticator costs, not a CLI framework's start-up (commander, every command
 * group, Node's ESM loader). So this answers only what it fully understands — exactly the flags of
 * `access token` and a cache hit — and returns undefined for anything else (a miss, --no-cache,
 * --help, an unknown or repeated flag), leaving it to the full CLI, which signs, prompts and
 * reports errors. Its output is the full CLI's, byte for byte (warm-path.test.ts compares them).
 *
 * The build bundles this file with esbuild into dist/access-token-warm.cjs (CommonJS: Node 20's
 * ESM loader alone adds ~10 ms to a start), so it and its imports use node built-ins only.
 */
import { TokenCache, tokenCacheDir, tokenCacheKey } from './cache.js';
import { tokenCommandOutput } from './exec-credential.js';
import { defaultRegion } from './region.js';
import { defaultSessionName } from './session-name.js';

type ValueFlag = 'clusterId' | 'role' | 'region' | 'sessionName';

/** The value-taking options of `access token`, by every spelling commander accepts for them here. */
const valueFlags: ReadonlyMap<string, ValueFlag> = new Map([
  ['-i', 'clusterId'],
  ['--cluster-id', 'clusterId'],
  ['-r', 'role'],
  ['--role', 'role'],
  ['--region', 'region'],
  ['--session-name', 'sessionName'],
]);

interface WarmFlags extends Partial<Record<ValueFlag, string>> {
  tokenOnly: boolean;
}

/**
 * The flags after `access token`, or undefined when anything is unusual: then the full CLI decides
 * (and gives the error or help text). Values that are empty or start with a dash, repeated flags,
 * `-ivalue` and `--` all go that way.
 */
export function parseWarmFlags(args: readonly string[]): WarmFlags | undefined {
  const flags: WarmFlags = { tokenOnly: false };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--token-only') {
      if (flags.tokenOnly) return undefined;
      flags.tokenOnly = true;
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const key = valueFlags.get(name);
    if (key === undefined || seen.has(key)) return undefined;
    seen.add(key);
    const value = equals === -1 ? args[++i] : arg.slice(equals + 1);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    flags[key] = value;
  }
  return flags;
}

/** What `chartroom access token <args>` would print, if a cached token answers it; else undefined. */
export function warmTokenOutput(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
): string | undefined {
  const flags = parseWarmFlags(args);
  if (flags?.clusterId === undefined) return undefined;
  const region = flags.region ?? defaultRegion(env);
  const sessionName = flags.role === undefined ? undefined : (flags.sessionName ?? defaultSessionName());
  const hit = new TokenCache(tokenCacheDir(env), now).read(
    tokenCacheKey({ clusterId: flags.clusterId, region, roleArn: flags.role, sessionName, env }),
  );
  if (hit === undefined) return undefined;
  return tokenCommandOutput({ ...hit, tokenOnly: flags.tokenOnly, env });
}
