/**
 * One deploy per release at a time, across machines: a coordination.k8s.io Lease named after the
 * release, in the release's namespace, taken with compare-and-swap and renewed while the deploy
 * runs. A second deploy waits for it (up to --lock-timeout) or fails saying who holds it.
 *
 * A holder that died without releasing is detected two ways: its Lease stops being renewed and
 * expires (any machine), or — on the same machine — its process and its Helm are gone, which
 * lets the next deploy take over at once instead of waiting out the Lease.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ExitCode } from '../../core/errors.js';
import { KubeApiError, Leases, type KubeClient, type LeaseRecord } from '../../kube/index.js';
import { deployError } from '../errors.js';
import { sleepUnlessAborted as sleep } from '../../core/abort.js';

export interface LockHolder {
  id: string;
  who: string;
  host: string;
  bootId: string;
  pid: number;
  helmPid?: number;
  app: string;
  env: string;
  commit?: string;
  startedAt: string;
}

export interface LockTakeover {
  previous: LockHolder | undefined;
  /** `expired`: not renewed for a whole lease; `dead`: its processes are gone (same machine). */
  reason: 'expired' | 'dead';
  /** When the previous holder last renewed. */
  renewedAt: Date | undefined;
}

export interface DeployLockOptions {
  kube: KubeClient;
  namespace: string;
  release: string;
  holder: Pick<LockHolder, 'who' | 'app' | 'env' | 'commit'>;
  /** How long to wait for another deploy to finish; 0 fails at once. */
  waitMs: number;
  durationSeconds?: number;
  signal?: AbortSignal;
  onWait?: (holder: LockHolder | undefined, waitedMs: number) => void;
}

export interface DeployLock {
  readonly holder: LockHolder;
  readonly takeover: LockTakeover | undefined;
  /** Resolves if the Lease is lost (another deploy took it while this one could not renew). */
  readonly lost: Promise<Error>;
  setHelmPid(pid: number): Promise<void>;
  release(): Promise<void>;
}

const holderAnnotation = 'chartroom.dev/deploy-holder';
const lastHolderAnnotation = 'chartroom.dev/last-deploy-holder';
export const leaseName = (release: string): string => `chartroom-deploy-${release}`;

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function parseHolder(lease: LeaseRecord | undefined): LockHolder | undefined {
  const text = lease?.annotations[holderAnnotation];
  if (text === undefined || lease?.holder === '') return undefined;
  try {
    return JSON.parse(text) as LockHolder;
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: LockHolder | undefined, now = Date.now()): string {
  if (holder === undefined) return 'another client';
  const age = Math.max(0, Math.round((now - Date.parse(holder.startedAt)) / 1000));
  const commit = holder.commit === undefined ? '' : `, commit ${holder.commit.slice(0, 12)}`;
  return `${holder.who} (${holder.app} ${holder.env}${commit}, pid ${holder.pid} on ${holder.host}, started ${age}s ago)`;
}

const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;

export async function acquireDeployLock(options: DeployLockOptions): Promise<DeployLock> {
  const leases = new Leases(options.kube);
  const duration = options.durationSeconds ?? 20;
  const name = leaseName(options.release);
  const me: LockHolder = {
    id: `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`,
    ...options.holder,
    host: hostname(),
    bootId: bootId(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const started = Date.now();
  // Expiry is judged on this machine's clock from when *we* saw the Lease last change (as
  // client-go's leader election does), so clock skew between machines cannot steal a live lock.
  let observed: { version: string; at: number } | undefined;
  let lastNotified: string | undefined;

  const takeoverReason = (lease: LeaseRecord): LockTakeover['reason'] | undefined => {
    if (lease.holder === '') return undefined;
    const holder = parseHolder(lease);
    if (
      holder !== undefined &&
      holder.host === me.host &&
      holder.bootId === me.bootId &&
      holder.bootId !== '' &&
      !alive(holder.pid) &&
      !alive(holder.helmPid)
    ) {
      return 'dead';
    }
    if (observed?.version !== lease.resourceVersion)
      observed = { version: lease.resourceVersion, at: Date.now() };
    const renewed = (lease.renewedAt ?? lease.acquiredAt)?.getTime() ?? 0;
    const stale = Date.now() - observed.at > lease.durationSeconds * 1000;
    const longExpired = Date.now() - renewed > 2 * lease.durationSeconds * 1000;
    return stale || longExpired ? 'expired' : undefined;
  };

  const record = (
    base: { resourceVersion?: string; transitions: number; annotations?: Record<string, string> },
    holder: LockHolder,
  ): LeaseRecord => {
    const now = new Date();
    return {
      namespace: options.namespace,
      name,
      holder: holder.id,
      durationSeconds: duration,
      acquiredAt: now,
      renewedAt: now,
      transitions: base.transitions,
      annotations: { ...base.annotations, [holderAnnotation]: JSON.stringify(holder) },
      labels: { 'app.kubernetes.io/managed-by': 'chartroom', 'chartroom.dev/release': options.release },
      resourceVersion: base.resourceVersion ?? '',
    };
  };

  let current: LeaseRecord | undefined;
  let takeover: LockTakeover | undefined;
  while (current === undefined) {
    if (options.signal?.aborted === true)
      throw deployError('deploy-interrupted', 'interrupted while waiting for the deploy lock', {
        exitCode: ExitCode.interrupted,
      });
    const lease = await leases.get(options.namespace, name);
    try {
      if (lease === undefined) {
        current = await leases.create(record({ transitions: 0 }, me));
        break;
      }
      const reason = takeoverReason(lease);
      if (lease.holder === '' || reason !== undefined) {
        current = await leases.replace(
          record({ ...lease, transitions: lease.transitions + (lease.holder === '' ? 0 : 1) }, me),
        );
        if (reason !== undefined)
          takeover = { previous: parseHolder(lease), reason, renewedAt: lease.renewedAt };
        break;
      }
    } catch (error) {
      if (isConflict(error)) continue;
      throw error;
    }
    const holder = parseHolder(lease);
    const waited = Date.now() - started;
    if (waited >= options.waitMs) {
      throw deployError(
        'deploy-locked',
        `release ${options.release} in ${options.namespace} is being deployed by ${describeHolder(holder)}`,
        {
          exitCode: ExitCode.conflict,
          hint:
            options.waitMs === 0
              ? 'Wait for that deploy to finish, or pass --lock-timeout 10m to queue behind it.'
              : `Waited ${Math.round(waited / 1000)}s. A dead deploy's lock expires ${duration}s after its last renewal; raise --lock-timeout to wait longer.`,
        },
      );
    }
    if (lease.holder !== lastNotified) {
      lastNotified = lease.holder;
      options.onWait?.(holder, waited);
    }
    await sleep(Math.min(1000, options.waitMs - waited), options.signal);
  }

  let held: LeaseRecord = current;
  let resolveLost: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => {
    resolveLost = resolve;
  });
  let stopped = false;
  let lastRenew = Date.now();
  const write = async (holder: LockHolder): Promise<void> => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        held = await leases.replace({ ...record(held, holder), acquiredAt: held.acquiredAt });
        lastRenew = Date.now();
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
        const fresh = await leases.get(options.namespace, name);
        if (fresh === undefined || fresh.holder !== me.id) {
          throw deployError(
            'deploy-lock-lost',
            `another deploy took the lock of release ${options.release}: ${describeHolder(parseHolder(fresh))}`,
            {
              exitCode: ExitCode.conflict,
              hint: 'This deploy could not renew its Lease in time (API server unreachable?); check the release before deploying again.',
            },
          );
        }
        held = fresh;
      }
    }
  };
  const timer = setInterval(
    () => {
      if (stopped) return;
      write(me).catch((error: unknown) => {
        // A missed renewal is retried on the next tick; only a lost or expired lock stops the deploy.
        const expired = Date.now() - lastRenew > duration * 1000;
        if (error instanceof Error && (expired || (error as { code?: string }).code === 'deploy-lock-lost')) {
          stopped = true;
          clearInterval(timer);
          resolveLost(error);
        }
      });
    },
    (duration * 1000) / 3,
  );
  timer.unref();

  return {
    holder: me,
    takeover,
    lost,
    async setHelmPid(pid) {
      me.helmPid = pid;
      await write(me).catch(() => undefined);
    },
    async release() {
      stopped = true;
      clearInterval(timer);
      try {
        await leases.replace({
          ...held,
          holder: '',
          annotations: {
            ...held.annotations,
            [lastHolderAnnotation]: JSON.stringify({ ...me, finishedAt: new Date().toISOString() }),
          },
        });
      } catch {
        // Already lost or unreachable: the Lease expires by itself.
      }
    },
  };
}
