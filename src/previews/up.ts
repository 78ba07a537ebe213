/**
 * `chartroom up`: the whole preview loop on one machine, with nothing external. It starts the
 * embedded cluster (or uses --kubeconfig), makes a bare git repository holding the example app
 * (examples/webapp) with the post-receive hook installed, writes a chartroom-server.yaml for it,
 * and runs the server: push a branch to that repository and its preview appears on the
 * dashboard, at http://<branch>.preview.localhost:<port>/.
 *
 * Everything lives in one folder (default ~/.local/share/chartroom/up) and is reused: running it
 * again keeps the repository, its branches and the previews.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ChartroomError, ExitCode } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { findPeer } from '../core/peers.js';
import { packageInfo } from '../core/package-info.js';
import { defaultDataDir } from '../store/index.js';
import { installPostReceiveHook } from './hook.js';
import { previewNames } from './naming.js';
import { git } from './source.js';
import type { ChartroomServer } from '../server/index.js';

export interface UpOptions {
  /** Use this cluster instead of starting the embedded one. */
  kubeconfig?: string;
  /** The embedded cluster's name (default `chartroom`). */
  clusterName?: string;
  /** host:port of the server (default 127.0.0.1:8080). */
  listen?: string;
  /** Where the repository, the config and the server's state go (default <data>/up). */
  dir?: string;
  /** The app to seed the repository with (default the package's examples/webapp). */
  app?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
  /** JSON logs of the server (default: none, `chartroom up` prints its own lines). */
  logStream?: NodeJS.WritableStream | false;
}

export interface UpHandle {
  server: ChartroomServer;
  /** The dashboard's URL. */
  dashboard: string;
  /** The bare repository to push to. */
  remote: string;
  /** The repository's name for the server (previews.apps[].repo). */
  repoName: string;
  kubeconfig: string;
  clusterName: string | undefined;
  /** The preview URL a branch gets, e.g. for `devopsstage`. */
  previewUrl(branch: string): string;
  configFile: string;
  dir: string;
  close(): Promise<void>;
}

const repoName = 'local/webapp';
const gitIdentity = {
  GIT_AUTHOR_NAME: 'Chartroom',
  GIT_AUTHOR_EMAIL: 'chartroom@localhost',
  GIT_COMMITTER_NAME: 'Chartroom',
  GIT_COMMITTER_EMAIL: 'chartroom@localhost',
};

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once('error', () => {
      resolvePromise(false);
    });
    probe.listen(port, host, () => {
      probe.close(() => {
        resolvePromise(true);
      });
    });
  });
}

/** A bare repository with the example app on `main`, made once. */
async function seedRepository(remote: string, appDir: string, signal?: AbortSignal): Promise<void> {
  if (existsSync(join(remote, 'HEAD'))) return;
  const work = mkdtempSync(join(tmpdir(), 'chartroom-up-'));
  // A fresh machine has no git identity; the seed commit is Chartroom's.
  const options = { env: gitIdentity, ...(signal === undefined ? {} : { signal }) };
  try {
    mkdirSync(remote, { recursive: true });
    await git(['init', '--bare', '--quiet', '--initial-branch=main', remote], options);
    cpSync(appDir, work, { recursive: true });
    await git(['init', '--quiet', '--initial-branch=main', work], options);
    await git(['-C', work, 'add', '.'], options);
    await git(['-C', work, 'commit', '--quiet', '-m', 'webapp: the example app of Chartroom'], options);
    await git(['-C', work, 'push', '--quiet', remote, 'main'], options);
  } catch (error) {
    rmSync(remote, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function up(options: UpOptions = {}): Promise<UpHandle> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? ((): void => undefined);
  const dir = resolve(options.dir ?? join(defaultDataDir(env), 'up'));
  const listen = options.listen ?? '127.0.0.1:8080';
  const match = /^(.+):(\d+)$/.exec(listen);
  if (match?.[1] === undefined || match[2] === undefined)
    throw new ChartroomError(`--listen ${listen} is not host:port`, {
      code: 'usage',
      exitCode: ExitCode.usage,
    });
  const host = match[1];
  const port = Number(match[2]);
  if (!(await portFree(host, port)))
    throw new ChartroomError(`${listen} is already in use`, {
      code: 'up-port-taken',
      exitCode: ExitCode.conflict,
      hint: 'Is chartroom up already running? Otherwise pick another address: chartroom up --listen 127.0.0.1:8090',
    });
  const appDir = resolve(options.app ?? join(packageInfo().root, 'examples', 'webapp'));
  if (!existsSync(join(appDir, 'chartroom.yaml')))
    throw new ChartroomError(`no chartroom.yaml in ${appDir}`, {
      code: 'up-app-missing',
      exitCode: ExitCode.notFound,
      hint: 'Pass --app with an app folder in the talk’s layout (see docs/deploy.md).',
    });

  // Every preview is a Helm deploy: without helm the first push would fail, so say it now.
  if (findPeer('helm', env) === undefined)
    throw new ChartroomError('helm is not installed', {
      code: 'peer-missing',
      exitCode: ExitCode.peer,
      hint: 'Run `npm run peers -- --only kubernetes,etcd,kwok,helm` in the Chartroom checkout.',
    });

  let kubeconfig = options.kubeconfig === undefined ? undefined : resolve(options.kubeconfig);
  let clusterName: string | undefined;
  if (kubeconfig === undefined) {
    clusterName = options.clusterName ?? 'chartroom';
    progress(`starting the local cluster ${clusterName}`);
    const { upCluster } = await import('../cluster/index.js');
    const cluster = await upCluster({
      name: clusterName,
      env,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: (text) => {
        progress(`cluster: ${text}`);
      },
    });
    kubeconfig = cluster.state.kubeconfig;
  }

  mkdirSync(dir, { recursive: true });
  const secretFile = join(dir, 'post-receive.secret');
  if (!existsSync(secretFile))
    writeFileAtomic(secretFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  chmodSync(secretFile, 0o600);
  const remote = join(dir, 'git', 'webapp.git');
  progress('preparing the git repository');
  await seedRepository(remote, appDir, options.signal);
  installPostReceiveHook({
    repo: remote,
    url: `http://${host}:${port}/previews/webhooks/post-receive`,
    secretFile,
    name: repoName,
  });

  const configFile = join(dir, 'chartroom-server.yaml');
  const config = {
    listen,
    dataDir: 'server',
    kubeconfig,
    previews: {
      domain: 'preview.localhost',
      scheme: 'http',
      port,
      proxy: true,
      concurrency: 3,
      maxPreviews: 25,
      ttl: '7d',
      sweepInterval: '1m',
      sweepGrace: '30s',
      webhooks: { postReceive: { secretFile: 'post-receive.secret' } },
      apps: [
        {
          name: 'webapp',
          repo: repoName,
          source: { git: 'git/webapp.git', dir: '.' },
          environment: 'staging',
          // The example's staging secrets are encrypted to its published demo key.
          env: { SOPS_AGE_KEY_FILE: join(appDir, 'demo-age-key.txt') },
        },
      ],
    },
  };
  writeFileAtomic(
    configFile,
    `# Written by chartroom up; \`chartroom serve --config ${configFile}\` runs the same server.\n${stringify(config)}`,
  );

  progress('starting the server');
  const { buildServer, loadServerConfig, loadServerPlugins } = await import('../server/index.js');
  const server = await buildServer({
    config: loadServerConfig(configFile),
    plugins: await loadServerPlugins(),
    logStream: options.logStream ?? false,
    env,
  });
  await server.listen();
  const dashboard = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/previews`;
  return {
    server,
    dashboard,
    remote,
    repoName,
    kubeconfig,
    clusterName,
    configFile,
    dir,
    previewUrl: (branch) => {
      const names = previewNames(branch, {
        app: 'webapp',
        domain: 'preview.localhost',
        namespace: '{app}-{label}',
        host: '{label}.{domain}',
        release: 'webapp',
      });
      return `http://${names.host}:${port}/`;
    },
    close: () => server.close(),
  };
}
