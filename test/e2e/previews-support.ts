/**
 * Helpers for the previews e2e tests: a server with the previews plugin against the shared
 * cluster, signed GitHub deliveries built from the octokit fixture, a git stand-in for GitHub's
 * API, and waiting on the previews API.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freePort } from '../../src/core/net.js';
import {
  createPreviewsPlugin,
  previewsOf,
  type PreviewsServer,
  type PreviewRow,
  type Run,
} from '../../src/previews/index.js';
import { buildServer, loadServerConfig, type ChartroomServer } from '../../src/server/index.js';
import { eventually, kubeconfig } from './harness.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const exampleApp = join(repoRoot, 'examples', 'webapp');
export const demoKey = join(exampleApp, 'demo-age-key.txt');
const pushFixture = resolve(
  repoRoot,
  '../shared/fixtures/git-webhooks/octokit-webhooks/push/with-new-branch.payload.json',
);
const deleteFixture = resolve(
  repoRoot,
  '../shared/fixtures/git-webhooks/octokit-webhooks/delete/payload.json',
);

/** A fake commit id (git's are sha1 of content; these only need to be unique and 40 hex). */
export function commitId(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

export interface TestServer {
  server: ChartroomServer;
  url: string;
  port: number;
  previews: PreviewsServer;
  dir: string;
  close(): Promise<void>;
}

/** Writes chartroom-server.yaml like a user would: the shared cluster, a previews section. */
export async function writeServerConfig(
  previews: Record<string, unknown>,
): Promise<{ dir: string; file: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-previews-e2e-'));
  const port = await freePort();
  const file = join(dir, 'chartroom-server.yaml');
  writeFileSync(
    file,
    stringify({
      listen: `127.0.0.1:${port}`,
      dataDir: 'data',
      kubeconfig: kubeconfig(),
      log: { level: 'warn' },
      previews: { domain: 'preview.localhost', scheme: 'http', port, proxy: true, ...previews },
    }),
  );
  return { dir, file, port };
}

/** Starts a server in this process with only the previews plugin. */
export async function startPreviewsServer(previews: Record<string, unknown>): Promise<TestServer> {
  const { dir, file, port } = await writeServerConfig(previews);
  const server = await buildServer({
    config: loadServerConfig(file),
    plugins: [createPreviewsPlugin()],
    logStream: process.env.CHARTROOM_E2E_LOGS === '1' ? process.stderr : false,
  });
  const url = await server.listen();
  const state = previewsOf(server.context);
  if (state === undefined) throw new Error('the previews plugin did not start');
  return {
    server,
    url,
    port,
    previews: state,
    dir,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote (JSON logs, errors), for failure messages. */
  output(): string;
  exited: Promise<number | null>;
}

/** `chartroom serve --config <file>` as its own process (to be killed like a real server). */
export async function spawnServe(file: string, port: number): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'serve', '--config', file],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolvePromise) => child.once('exit', resolvePromise));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await eventually(
    async () => {
      if (gone) throw new Error(`chartroom serve exited:\n${output}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true ? true : undefined;
    },
    { seconds: 60, what: 'chartroom serve to answer /healthz' },
  );
  return { child, url, output: () => output, exited };
}

/** An app entry of the previews config: the example app, staging values, a unique name. */
export function exampleAppConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `pv${randomBytes(2).toString('hex')}`,
    repo: 'acme/webapp',
    source: { path: exampleApp },
    environment: 'staging',
    release: 'webapp',
    env: { SOPS_AGE_KEY_FILE: demoKey },
    ...overrides,
  };
}

export interface DeliveryResult {
  status: number;
  body: {
    status?: string;
    error?: string;
    previews?: { branch: string; action: string; namespace?: string; url?: string; reason?: string }[];
  };
}

async function deliver(
  url: string,
  event: string,
  body: Buffer,
  secret: string,
  deliveryId: string,
): Promise<DeliveryResult> {
  const response = await fetch(`${url}/previews/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/e2e',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as DeliveryResult['body'] };
}

export interface PushOptions {
  url: string;
  secret: string;
  repo?: string;
  branch: string;
  after: string;
  before?: string;
  /** Epoch seconds, as GitHub's repository.pushed_at. */
  pushedAt?: number;
  deliveryId?: string;
  deleted?: boolean;
}

/** The octokit push fixture, pointed at this branch and commit, signed like GitHub does. */
export function githubPushBody(options: PushOptions): Buffer {
  const payload = JSON.parse(readFileSync(pushFixture, 'utf8')) as Record<string, unknown> & {
    repository: Record<string, unknown>;
    head_commit: Record<string, unknown> | null;
  };
  const [owner, name] = (options.repo ?? 'acme/webapp').split('/');
  payload.ref = `refs/heads/${options.branch}`;
  payload.before = options.before ?? '0'.repeat(40);
  payload.after = options.deleted === true ? '0'.repeat(40) : options.after;
  payload.created = options.before === undefined && options.deleted !== true;
  payload.deleted = options.deleted === true;
  payload.repository = {
    ...payload.repository,
    name,
    full_name: `${owner ?? ''}/${name ?? ''}`,
    default_branch: 'main',
    pushed_at: options.pushedAt ?? Math.floor(Date.now() / 1000),
  };
  payload.head_commit = options.deleted === true ? null : { ...payload.head_commit, id: options.after };
  return Buffer.from(JSON.stringify(payload));
}

export function githubPush(options: PushOptions): Promise<DeliveryResult> {
  return deliver(
    options.url,
    'push',
    githubPushBody(options),
    options.secret,
    options.deliveryId ?? randomUUID(),
  );
}

/** GitHub's `delete` event for a branch (the octokit fixture is a tag's; ref_type made branch). */
export function githubDelete(options: {
  url: string;
  secret: string;
  branch: string;
  repo?: string;
}): Promise<DeliveryResult> {
  const payload = JSON.parse(readFileSync(deleteFixture, 'utf8')) as Record<string, unknown> & {
    repository: Record<string, unknown>;
  };
  payload.ref = options.branch;
  payload.ref_type = 'branch';
  payload.repository = { ...payload.repository, full_name: options.repo ?? 'acme/webapp' };
  return deliver(options.url, 'delete', Buffer.from(JSON.stringify(payload)), options.secret, randomUUID());
}

export async function previewRows(url: string): Promise<PreviewRow[]> {
  const response = await fetch(`${url}/api/previews`);
  return ((await response.json()) as { previews: PreviewRow[] }).previews;
}

export async function previewDetail(
  url: string,
  namespace: string,
): Promise<{ preview: PreviewRow; runs: Run[] } | undefined> {
  const response = await fetch(`${url}/api/previews/${encodeURIComponent(namespace)}`);
  if (response.status === 404) return undefined;
  return (await response.json()) as { preview: PreviewRow; runs: Run[] };
}

/** Waits until the preview's row satisfies `done` (status, commit…). */
export function waitForPreview(
  url: string,
  namespace: string,
  done: (row: PreviewRow) => boolean,
  seconds = 120,
): Promise<PreviewRow> {
  return eventually(
    async () => {
      const detail = await previewDetail(url, namespace);
      return detail !== undefined && done(detail.preview) ? detail.preview : undefined;
    },
    { seconds, what: `preview ${namespace}` },
  );
}

/**
 * GET with a chosen Host header, as a browser resolving `*.localhost` sends it (fetch drops a
 * Host header it is given, so this goes through node:http).
 */
export function getWithHost(
  url: string,
  host: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const outgoing = httpRequest(url, { headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolvePromise({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
