import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../core/net.js';
import { findPeer } from '../core/peers.js';
import { KubeClient } from '../kube/index.js';
import { auditPolicy, webhookKubeconfig, type WebhookCredentials } from './audit.js';
import {
  apiserverArgs,
  controllerManagerArgs,
  kwokArgs,
  schedulerArgs,
  etcdArgs,
  serviceIp,
  type Ports,
} from './components.js';
import { kwokCrds, kwokDynamicKinds } from './crds.js';
import { componentFailed, peerMissing } from './errors.js';
import { adminKubeconfig } from './kubeconfig.js';
import { clusterDir, clusterFiles, type ClusterFiles } from './layout.js';
import { fakeNodes } from './nodes.js';
import { generateClusterPki } from './pki.js';
import { kwokConfig } from './stages.js';
import {
  isAlive,
  sleep,
  startProcess,
  startWatchdog,
  stopProcesses,
  type StartedProcess,
} from './supervisor.js';
import { readState, writeState, type ClusterState, type ComponentName } from './state.js';
import { waitForNodesReady, waitForServiceAccount } from './readiness.js';

export interface UpOptions {
  name?: string;
  nodes?: number;
  /** URL the API server sends audit events to (batched, at most a second late). */
  auditWebhook?: string;
  /** URL of a TokenReview webhook for bearer tokens the API server does not know itself. */
  tokenWebhook?: string;
  /** CA of the webhooks' TLS certificates; without it, TLS to them is not verified. */
  webhookCaFile?: string;
  /** What the API server presents to both webhooks (a webhook must verify its caller). */
  webhookCredentials?: WebhookCredentials;
  tokenWebhookCacheTtl?: string;
  /** When this process ends, a watchdog stops the cluster (for test runs). */
  ownerPid?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

export interface UpResult {
  state: ClusterState;
  /** False when a healthy cluster of that name was already running. */
  created: boolean;
  seconds: number;
}

const binaries = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;

function binary(name: string, env: NodeJS.ProcessEnv): string {
  const path = findPeer(name, env);
  if (path === undefined) throw peerMissing(name);
  return path;
}

/** Starts a local cluster (or returns the running one) and waits until every node is Ready. */
export async function upCluster(options: UpOptions = {}): Promise<UpResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const name = options.name ?? 'chartroom';
  const progress = options.onProgress ?? ((): void => undefined);
  const files = clusterFiles(clusterDir(name, env));

  const existing = readState(files.state);
  if (existing !== undefined) {
    const pids = Object.values(existing.pids);
    if (pids.length > 0 && pids.every(isAlive)) {
      return { state: existing, created: false, seconds: (Date.now() - started) / 1000 };
    }
    // A cluster left half-dead (machine slept, a component crashed): start it afresh.
    await stopProcesses(
      [...pids, ...(existing.watchdogPid === undefined ? [] : [existing.watchdogPid])],
      3000,
    );
  }
  const paths = Object.fromEntries(binaries.map((bin) => [bin, binary(bin, env)])) as Record<
    (typeof binaries)[number],
    string
  >;
  rmSync(files.dir, { recursive: true, force: true });
  mkdirSync(files.logs, { recursive: true });
  mkdirSync(files.pki, { recursive: true });

  progress('generating certificates');
  const [etcdClient, etcdPeer, apiserverPort, controllerManager, scheduler, kwok] = await freePorts(6);
  const ports: Ports = {
    etcdClient: etcdClient ?? 0,
    etcdPeer: etcdPeer ?? 0,
    apiserver: apiserverPort ?? 0,
    controllerManager: controllerManager ?? 0,
    scheduler: scheduler ?? 0,
    kwok: kwok ?? 0,
  };
  await writePki(files);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  writeSecret(
    files.kubeconfig,
    adminKubeconfig({
      name,
      server,
      caPem: readText(files.caCert),
      certPem: readText(files.adminCert),
      keyPem: readText(files.adminKey),
    }),
  );
  writeFileSync(files.kwokConfig, kwokConfig());
  const webhookTls = {
    ...(options.webhookCaFile === undefined ? {} : { caFile: options.webhookCaFile }),
    ...(options.webhookCredentials === undefined ? {} : { credentials: options.webhookCredentials }),
  };
  if (options.auditWebhook !== undefined) {
    writeFileSync(files.auditPolicy, auditPolicy());
    writeFileSync(
      files.auditWebhook,
      webhookKubeconfig({ name: 'audit', url: options.auditWebhook, ...webhookTls }),
    );
  }
  if (options.tokenWebhook !== undefined) {
    writeFileSync(
      files.tokenWebhook,
      webhookKubeconfig({ name: 'token', url: options.tokenWebhook, ...webhookTls }),
    );
  }

  const processes: Partial<Record<ComponentName, StartedProcess>> = {};
  const state: ClusterState = {
    name,
    createdAt: new Date().toISOString(),
    server,
    kubeconfig: files.kubeconfig,
    ports,
    nodes: [],
    pids: {},
    logs: {},
    ...(options.auditWebhook === undefined ? {} : { auditWebhook: options.auditWebhook }),
    ...(options.tokenWebhook === undefined ? {} : { tokenWebhook: options.tokenWebhook }),
  };
  const start = (component: ComponentName, args: string[]): StartedProcess => {
    const logFile = join(files.logs, `${component}.log`);
    const started = startProcess({ name: component, command: paths[component], args, logFile, env });
    processes[component] = started;
    state.pids[component] = started.pid;
    state.logs[component] = logFile;
    // Record pids as soon as they exist, so `down` can stop a cluster whose `up` failed half way.
    writeState(files.state, state);
    return started;
  };
  const dieIfDead = (): void => {
    for (const [component, proc] of Object.entries(processes)) {
      if (!isAlive(proc.pid))
        throw componentFailed(component, 'exited while the cluster was starting', proc.logFile);
    }
  };

  try {
    if (options.ownerPid !== undefined) {
      state.ownerPid = options.ownerPid;
    }
    progress('starting etcd');
    const etcd = start('etcd', etcdArgs(files, ports));
    await waitUntil(
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`).catch(() => undefined);
        return response?.ok === true;
      },
      {
        what: 'etcd to become healthy',
        seconds: 30,
        check: dieIfDead,
        signal: options.signal,
        logFile: etcd.logFile,
      },
    );

    progress('starting kube-apiserver');
    const apiserver = start(
      'kube-apiserver',
      apiserverArgs(files, ports, {
        auditWebhook: options.auditWebhook !== undefined,
        tokenWebhook: options.tokenWebhook !== undefined,
        tokenWebhookCacheTtl: options.tokenWebhookCacheTtl,
      }),
    );
    const kube = KubeClient.load({ kubeconfig: files.kubeconfig });
    await waitUntil(
      async () => (await kube.raw('/readyz', { timeoutMs: 5000 }).catch(() => undefined))?.status === 200,
      {
        what: 'kube-apiserver to become ready',
        seconds: 120,
        check: dieIfDead,
        signal: options.signal,
        logFile: apiserver.logFile,
      },
    );

    progress('starting controller-manager, scheduler and kwok');
    await kube.apply(kwokCrds() as { apiVersion: string; kind: string }[]);
    start('kube-controller-manager', controllerManagerArgs(files, ports));
    start('kube-scheduler', schedulerArgs(files, ports));
    start(
      'kwok',
      kwokArgs(
        files,
        ports,
        kwokDynamicKinds.map((k) => k.kind),
      ),
    );
    if (options.ownerPid !== undefined) {
      const watchdog = startWatchdog(
        options.ownerPid,
        Object.values(processes).map((p) => p.pid),
        join(files.logs, 'watchdog.log'),
      );
      state.watchdogPid = watchdog.pid;
    }

    const nodes = fakeNodes(name, options.nodes ?? 3);
    state.nodes = nodes.map((node) => node.metadata.name);
    writeState(files.state, state);
    progress(`creating ${nodes.length} nodes`);
    await kube.apply(nodes);
    await waitForNodesReady(kube, state.nodes, {
      seconds: 60,
      check: dieIfDead,
      signal: options.signal,
      onProgress: progress,
    });
    progress('waiting for the default service account');
    await waitForServiceAccount(kube, 'default', { seconds: 60, check: dieIfDead, signal: options.signal });
    writeState(files.state, state);
    return { state, created: true, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    // Leave nothing running behind a failed start; keep the logs for the report.
    await stopProcesses(
      [
        ...Object.values(processes).map((p) => p.pid),
        ...(state.watchdogPid === undefined ? [] : [state.watchdogPid]),
      ],
      3000,
    );
    state.pids = {};
    writeState(files.state, state);
    throw error;
  }
}

async function writePki(files: ClusterFiles): Promise<void> {
  const pki = await generateClusterPki({ serviceIp });
  const pairs = [
    [pki.ca, files.caCert, files.caKey],
    [pki.apiserver, files.apiserverCert, files.apiserverKey],
    [pki.admin, files.adminCert, files.adminKey],
    [pki.frontProxy, files.frontProxyCert, files.frontProxyKey],
    [pki.kwok, files.kwokCert, files.kwokKey],
  ] as const;
  for (const [pair, cert, key] of pairs) {
    writeFileSync(cert, pair.certificate);
    writeSecret(key, pair.privateKey);
  }
  writeSecret(files.saKey, pki.serviceAccount.privateKey);
  writeFileSync(files.saPub, pki.serviceAccount.publicKey);
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { what: string; seconds: number; check?: () => void; signal?: AbortSignal; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + options.seconds * 1000;
  for (;;) {
    options.check?.();
    if (await probe()) return;
    if (Date.now() > deadline) {
      throw componentFailed(
        options.what.split(' ')[0] ?? 'cluster',
        `did not become ready in ${options.seconds}s (waiting for ${options.what})`,
        options.logFile ?? '',
      );
    }
    await sleep(200, options.signal);
  }
}
