/**
 * Registry credentials as Docker and skopeo store them: `$DOCKER_CONFIG/config.json` (or
 * `~/.docker/config.json`) with `auths` (base64 `user:password`, or an identity token),
 * `credHelpers` and `credsStore` (a `docker-credential-<name>` program), then the containers
 * `auth.json` that `skopeo login` / `podman login` write.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ScanError } from '../../errors.js';

export type Credentials = { username: string; password: string } | { identityToken: string };

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (error) {
    throw new ScanError(`${path} is not valid JSON`, {
      code: 'config-invalid',
      hint: 'Fix or remove the file (docker login rewrites it).',
      cause: error,
    });
  }
}

/** Auth keys may be `host`, `https://host`, `https://host/v1/`; Docker Hub's is index.docker.io. */
function keyMatches(key: string, registry: string): boolean {
  const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (registry === 'docker.io')
    return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host);
  return host === registry;
}

function fromEntry(entry: AuthEntry, path: string): Credentials | undefined {
  if (entry.identitytoken !== undefined && entry.identitytoken !== '')
    return { identityToken: entry.identitytoken };
  if (entry.auth !== undefined && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new ScanError(`the auth entry in ${path} is not base64 of user:password`, {
        code: 'config-invalid',
        hint: 'Run docker login again.',
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  return undefined;
}

function runHelper(helper: string, registry: string): Promise<Credentials | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 30_000 }, (error, stdout) => {
      if (error) {
        // Helpers exit non-zero with "credentials not found" when they have nothing: not an error.
        if (/not found/i.test(stdout) || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
          resolve(undefined);
          return;
        }
        reject(
          new ScanError(`the Docker credential helper docker-credential-${helper} is not installed`, {
            code: 'registry-credentials',
            exitCode: 5,
            hint: 'Install it, or remove credsStore/credHelpers from your Docker config.',
            cause: error,
          }),
        );
        return;
      }
      try {
        const value = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (value.Secret === undefined) {
          resolve(undefined);
          return;
        }
        resolve(
          value.Username === '<token>'
            ? { identityToken: value.Secret }
            : { username: value.Username ?? '', password: value.Secret },
        );
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(registry);
  });
}

export interface CredentialOptions {
  env: NodeJS.ProcessEnv;
}

export async function findCredentials(
  registry: string,
  options: CredentialOptions,
): Promise<Credentials | undefined> {
  const env = options.env;
  const home = env.HOME ?? homedir();
  const dockerConfig = join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json');
  const config = await readConfig(dockerConfig);
  if (config !== undefined) {
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => keyMatches(key, registry))?.[1];
    if (helper !== undefined)
      return runHelper(helper, registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry);
    const entry = Object.entries(config.auths ?? {}).find(([key]) => keyMatches(key, registry))?.[1];
    const found = entry === undefined ? undefined : fromEntry(entry, dockerConfig);
    if (found !== undefined) return found;
    if (config.credsStore !== undefined && config.credsStore !== '') {
      const stored = await runHelper(
        config.credsStore,
        registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry,
      );
      if (stored !== undefined) return stored;
    }
  }
  const containerAuth =
    env.REGISTRY_AUTH_FILE ??
    (env.XDG_RUNTIME_DIR === undefined ? undefined : join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  if (containerAuth !== undefined) {
    const auth = await readConfig(containerAuth);
    const entry = Object.entries(auth?.auths ?? {}).find(([key]) => keyMatches(key, registry))?.[1];
    if (entry !== undefined) return fromEntry(entry, containerAuth);
  }
  return undefined;
}
