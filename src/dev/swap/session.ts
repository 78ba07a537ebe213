/**
 * One swap, from start to end: take the Lease, record the original spec and write the relay spec
 * in one conditional write, keep a tunnel to every relay pod, renew the Lease, watch for anything
 * changing the workload under us, and on `end` put the original back. If starting fails half
 * way, what was done is undone before the error is thrown.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  openPortForward,
  requestJson,
  watchObjects,
  type KubeClient,
  type KubernetesObject,
  type ObjectWatch,
  type V1Pod,
} from '../../kube/index.js';
import { devError } from '../errors.js';
import type { Workload } from '../workload.js';
import { detectFighters, lastManager, type Fighter } from './fights.js';
import { KwokStandins } from './kwok-standin.js';
import { acquireLease, LeaseKeeper } from './lease.js';
import { relayPorts } from './ports.js';
import {
  describeWorkload,
  devAnnotations,
  devLabels,
  maxOriginalSpecBytes,
  readSwap,
  specHash,
  workloadPath,
  type SwapRecord,
  type WireWorkload,
} from './record.js';
import { controlPortFor, relayEnv, swappedSpec, type RelaySettings } from './relay-spec.js';
import { cleanUp, devFieldManager, restoreWorkload, type RestoreOutcome } from './restore.js';
import { restartStatefulSetPods } from './rollout.js';
import { Tunnel, type TunnelEvent } from './tunnel.js';

export type SwapEvent =
  | TunnelEvent
  | { type: 'fighter'; fighter: Fighter }
  | { type: 'swapped'; record: SwapRecord }
  | { type: 'relay-pods'; ready: string[] }
  | { type: 'workload-changed'; message: string }
  | { type: 'lease-lost'; message: string }
  | { type: 'lease-renew-failed'; message: string }
  | { type: 'relay-log'; line: string }
  | { type: 'skipped-port'; port: string };

export interface SwapOptions {
  kube: KubeClient;
  workload: Workload;
  relayImage: string;
  leaseDurationSeconds: number;
  /** Local port for each relayed port (default: the same number). */
  expose: ReadonlyMap<number, number>;
  readyTimeoutMs: number;
  onEvent: (event: SwapEvent) => void;
  signal: AbortSignal;
}

export interface ActiveSwap {
  record: SwapRecord;
  /** The relayed ports and where each goes locally. */
  routes: { port: number; localPort: number }[];
  /** Resolves once a relay pod is connected; rejects with a diagnosis after the timeout. */
  ready: Promise<void>;
  /** Ends the swap and restores the workload (once; later calls return the same result). */
  end(reason: string): Promise<RestoreOutcome>;
}

function podReady(pod: V1Pod): boolean {
  return (
    pod.metadata?.deletionTimestamp === undefined &&
    pod.status?.phase === 'Running' &&
    pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

/** Why relay pods are not up, from their status (an image pull failing, pending scheduling…). */
function diagnose(pods: readonly V1Pod[]): string {
  if (pods.length === 0) return 'no relay pod was created (check the ReplicaSet events and quotas)';
  return pods
    .map((pod) => {
      const waiting = pod.status?.containerStatuses?.find((s) => s.state?.waiting !== undefined)?.state
        ?.waiting;
      const condition = pod.status?.conditions?.find((c) => c.status === 'False' && c.message !== undefined);
      const why =
        waiting === undefined
          ? (condition?.message ?? pod.status?.phase ?? 'unknown')
          : `${waiting.reason ?? ''} ${waiting.message ?? ''}`.trim();
      return `${pod.metadata?.name ?? '?'}: ${why}`;
    })
    .join('; ');
}

export async function startSwap(options: SwapOptions): Promise<ActiveSwap> {
  const { kube, workload, onEvent } = options;
  const { ref } = workload;
  const existing = readSwap(workload.object);
  if (existing !== undefined) {
    throw devError(
      'dev-already-swapped',
      `${describeWorkload(ref)} is already swapped by ${existing.record.holder} since ${existing.record.startedAt}`,
      {
        hint: 'If that session is dead, run chartroom dev restore for this app first.',
      },
    );
  }
  if (workload.object.spec.paused === true) {
    throw devError(
      'dev-already-swapped',
      `${describeWorkload(ref)} is paused, so a swap would not roll out`,
      {
        hint: `Resume it first: kubectl rollout resume deployment/${ref.name} -n ${ref.namespace}`,
      },
    );
  }
  const { ports, skipped } = await relayPorts({
    kube,
    namespace: ref.namespace,
    container: workload.container,
    podLabels: workload.templateLabels,
  });
  for (const port of skipped) onEvent({ type: 'skipped-port', port });
  if (ports.length === 0) {
    throw devError('dev-relay-not-ready', `${describeWorkload(ref)} has no TCP port to relay`, {
      hint: 'Declare the container port, or a Service for it, before swapping.',
    });
  }
  for (const fighter of await detectFighters(kube, workload.object, ref))
    onEvent({ type: 'fighter', fighter });

  const session = randomBytes(6).toString('hex');
  const token = randomBytes(32).toString('hex');
  const user = userInfo().username;
  const host = hostname();
  const holder = `${user}@${host} pid ${process.pid}`;
  const settings: RelaySettings = {
    container: workload.container.name,
    image: options.relayImage,
    session,
    token,
    ports,
    controlPort: controlPortFor(ports),
  };
  const lease = await acquireLease({
    kube,
    ref,
    session,
    holder,
    durationSeconds: options.leaseDurationSeconds,
  });

  const original = workload.object.spec;
  const swapped = swappedSpec(original, settings);
  const record: SwapRecord = {
    version: 1,
    session,
    holder,
    host,
    pid: process.pid,
    lease: lease.name,
    leaseDurationSeconds: options.leaseDurationSeconds,
    container: settings.container,
    startedAt: new Date().toISOString(),
    relayImage: settings.image,
    controlPort: settings.controlPort,
    ports,
    // Set from the API server's dry run below.
    swappedHash: '',
  };
  const originalText = JSON.stringify(original);
  if (Buffer.byteLength(originalText) > maxOriginalSpecBytes) {
    await cleanUp(kube, ref.namespace, record);
    throw devError(
      'dev-swap-too-large',
      `the spec of ${describeWorkload(ref)} is too large to keep in an annotation`,
      {
        hint: 'Swapping needs the original spec saved on the workload (at most 200 KiB).',
      },
    );
  }
  const body: WireWorkload = {
    ...workload.object,
    apiVersion: 'apps/v1',
    kind: ref.kind,
    metadata: {
      ...workload.object.metadata,
      labels: {
        ...workload.object.metadata.labels,
        [devLabels.swapped]: 'true',
        [devLabels.session]: session,
      },
      annotations: {
        ...workload.object.metadata.annotations,
        [devAnnotations.swap]: JSON.stringify(record),
        [devAnnotations.originalSpec]: originalText,
      },
    },
    spec: swapped,
  };
  delete body.status;
  delete body.metadata.managedFields;
  try {
    // The API server fills in defaults (probe timeouts, termination paths…), so the hash that
    // later tells "still our swap" from "changed by someone" must be of the spec as stored: a
    // dry run of the same write shows it.
    const stored = await requestJson<WireWorkload>(kube, {
      method: 'PUT',
      path: `${workloadPath(ref)}?fieldManager=${devFieldManager}&dryRun=All`,
      body,
      doing: `swapping ${describeWorkload(ref)} (dry run)`,
    });
    record.swappedHash = specHash(stored.spec);
    body.metadata.annotations = {
      ...body.metadata.annotations,
      [devAnnotations.swap]: JSON.stringify(record),
    };
    await requestJson(kube, {
      method: 'PUT',
      path: `${workloadPath(ref)}?fieldManager=${devFieldManager}`,
      body,
      doing: `swapping ${describeWorkload(ref)}`,
    });
    if (ref.kind === 'StatefulSet') await restartStatefulSetPods(kube, ref, swapped);
  } catch (error) {
    await cleanUp(kube, ref.namespace, record).catch(() => undefined);
    if ((error as { status?: number }).status === 409) {
      throw devError('dev-swap-in-use', `${describeWorkload(ref)} changed while the swap was being written`, {
        hint: 'Someone deployed it just now; run the command again.',
        cause: error,
      });
    }
    throw error;
  }
  onEvent({ type: 'swapped', record });

  return runSwap({ ...options, record, settings, lease, swapped });
}

interface RunningSwap extends SwapOptions {
  record: SwapRecord;
  settings: RelaySettings;
  lease: Awaited<ReturnType<typeof acquireLease>>;
  swapped: Record<string, unknown>;
}

function runSwap(options: RunningSwap): ActiveSwap {
  const { kube, workload, record, settings, onEvent } = options;
  const { ref } = workload;
  const standins = new KwokStandins({
    kube,
    namespace: ref.namespace,
    session: record.session,
    env: relayEnv(settings),
    controlPort: settings.controlPort,
    onLog: (line) => {
      onEvent({ type: 'relay-log', line });
    },
  });
  let connected: (() => void) | undefined;
  const firstControl = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const tunnel = new Tunnel({
    connect: async (pod) => {
      const object = pods.get(pod);
      if (object !== undefined && (await standins.isKwokPod(object))) await standins.ensure(pod);
      return openPortForward(kube, {
        namespace: ref.namespace,
        pod,
        port: settings.controlPort,
        signal: options.signal,
      });
    },
    token: settings.token,
    session: record.session,
    localPorts: options.expose,
    onEvent: (event) => {
      if (event.type === 'control-connected') connected?.();
      onEvent(event);
    },
  });

  let lastReady = '';
  const pods: ObjectWatch<V1Pod> = watchObjects<V1Pod>(
    kube,
    { apiVersion: 'v1', plural: 'pods' },
    {
      namespace: ref.namespace,
      labelSelector: `${devLabels.session}=${record.session}`,
      onChange: () => {
        const ready = pods
          .list()
          .filter(podReady)
          .map((pod) => pod.metadata?.name ?? '')
          .sort();
        for (const gone of pods.list().filter((pod) => !podReady(pod)))
          standins.drop(gone.metadata?.name ?? '');
        tunnel.setPods(ready);
        if (ready.join() !== lastReady) {
          lastReady = ready.join();
          onEvent({ type: 'relay-pods', ready });
        }
      },
    },
  );

  // Someone else changing the workload during the swap: a deploy, GitOps, an autoscaler.
  let replicas = 1;
  let reportedRevert = false;
  const workloadWatch = watchObjects<KubernetesObject>(
    kube,
    { apiVersion: 'apps/v1', plural: ref.kind === 'Deployment' ? 'deployments' : 'statefulsets' },
    {
      namespace: ref.namespace,
      labelSelector: `${devLabels.session}=${record.session}`,
      onChange: (change, object) => {
        const current = object as unknown as WireWorkload;
        if (current.metadata.name !== ref.name) return;
        const who = lastManager(current, devFieldManager) ?? 'someone';
        const state = readSwap(current);
        if (change === 'delete' || state === undefined) {
          if (!reportedRevert)
            onEvent({
              type: 'workload-changed',
              message: `the swap's marks were removed from ${describeWorkload(ref)} (by ${who})`,
            });
          reportedRevert = true;
          return;
        }
        if (!state.intact && !reportedRevert) {
          reportedRevert = true;
          onEvent({
            type: 'workload-changed',
            message: `${describeWorkload(ref)} was changed during the swap by ${who}: cluster traffic may no longer reach you, and the change will be kept on exit`,
          });
        }
        const now = current.spec.replicas ?? 1;
        if (now !== replicas) {
          onEvent({
            type: 'workload-changed',
            message: `replicas of ${describeWorkload(ref)} set to ${now} by ${who}`,
          });
          replicas = now;
        }
      },
    },
  );

  const keeper = new LeaseKeeper(kube, options.lease, record.session, {
    onLost: (loss) => {
      onEvent({
        type: 'lease-lost',
        message:
          loss.kind === 'gone'
            ? 'the swap Lease was deleted (restored by someone else?)'
            : `the swap Lease is now held by ${loss.holder}`,
      });
    },
    onRenewError: (message, expiresAt) => {
      onEvent({
        type: 'lease-renew-failed',
        message: `${message} (the lease lapses at ${expiresAt.toISOString()})`,
      });
    },
  });
  keeper.start();

  let timer: NodeJS.Timeout | undefined;
  const ready = Promise.race([
    firstControl,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          devError(
            'dev-relay-not-ready',
            `the relay did not come up within ${Math.round(options.readyTimeoutMs / 1000)}s`,
            {
              hint: diagnose(pods.list()),
            },
          ),
        );
      }, options.readyTimeoutMs);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
  ready.catch(() => undefined);

  let ending: Promise<RestoreOutcome> | undefined;
  const end = (reason: string): Promise<RestoreOutcome> => {
    ending ??= (async () => {
      clearTimeout(timer);
      keeper.stop();
      tunnel.stop();
      await Promise.all([pods.stop(), workloadWatch.stop()]);
      standins.stopAll();
      return restoreWorkload({ kube, ref, session: record.session, by: record.holder, reason });
    })();
    return ending;
  };

  return {
    record,
    routes: record.ports.map((port) => ({ port, localPort: options.expose.get(port) ?? port })),
    ready,
    end,
  };
}
