/**
 * The Lease that keeps a swap alive. The CLI renews it every third of its duration; when it stops
 * (process killed, laptop asleep, network gone) the Lease expires and the server's sweeper
 * restores the workload. The Lease is created before the workload is touched and deleted after it
 * is restored, so a swap never exists without one.
 */
import { createHash } from 'node:crypto';
import { KubeApiError, Leases, type KubeClient, type LeaseRecord } from '../../kube/index.js';
import { devError } from '../errors.js';
import { devAnnotations, devLabels, type WorkloadRef } from './record.js';

export function leaseName(ref: WorkloadRef): string {
  const name = `chartroom-dev-${ref.kind === 'Deployment' ? 'deploy' : 'sts'}-${ref.name}`;
  if (name.length <= 253) return name;
  const hash = createHash('sha256').update(ref.name).digest('hex').slice(0, 10);
  return `${name.slice(0, 242)}-${hash}`;
}

/** When the Lease lapses (its holder stopped renewing). */
export function leaseExpiry(lease: LeaseRecord): Date {
  const renewed = lease.renewedAt ?? lease.acquiredAt ?? new Date(0);
  return new Date(renewed.getTime() + lease.durationSeconds * 1000);
}

export interface AcquireOptions {
  kube: KubeClient;
  ref: WorkloadRef;
  session: string;
  holder: string;
  durationSeconds: number;
}

/**
 * Takes the swap Lease of a workload: creates it, or takes over one that has expired (a swap that
 * was cleaned up by hand). A live Lease of someone else means the workload is theirs now.
 */
export async function acquireLease(options: AcquireOptions): Promise<LeaseRecord> {
  const leases = new Leases(options.kube);
  const now = new Date();
  const name = leaseName(options.ref);
  const record = {
    namespace: options.ref.namespace,
    name,
    holder: options.holder,
    durationSeconds: options.durationSeconds,
    acquiredAt: now,
    renewedAt: now,
    transitions: 0,
    labels: { [devLabels.lease]: 'true', [devLabels.session]: options.session },
    annotations: { [devAnnotations.workload]: `${options.ref.kind}/${options.ref.name}` },
  };
  try {
    return await leases.create(record);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 409) throw error;
  }
  const existing = await leases.get(options.ref.namespace, name);
  if (existing === undefined) return leases.create(record);
  if (leaseExpiry(existing) > now) {
    throw devError(
      'dev-swap-in-use',
      `${options.ref.kind} ${options.ref.name} is being swapped by ${existing.holder}`,
      {
        hint: `Their lease runs until ${leaseExpiry(existing).toISOString()}; ask them, or wait for it to lapse.`,
      },
    );
  }
  return leases.replace({ ...existing, ...record, transitions: existing.transitions + 1 });
}

export type LeaseLoss = { kind: 'lost'; holder: string } | { kind: 'gone' };

/** Renews the Lease until stopped; reports when it was taken or removed by someone else. */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private readonly leases: Leases;
  private failingSince: number | undefined;

  constructor(
    kube: KubeClient,
    private lease: LeaseRecord,
    private readonly session: string,
    private readonly events: {
      onLost: (loss: LeaseLoss) => void;
      onRenewError: (message: string, expiresAt: Date) => void;
    },
  ) {
    this.leases = new Leases(kube);
  }

  start(): void {
    const every = Math.max(500, (this.lease.durationSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      void this.renew();
    }, every);
  }

  private async renew(): Promise<void> {
    try {
      const current = await this.leases.get(this.lease.namespace, this.lease.name);
      if (current === undefined) {
        this.stop();
        this.events.onLost({ kind: 'gone' });
        return;
      }
      if (current.labels[devLabels.session] !== this.session) {
        this.stop();
        this.events.onLost({ kind: 'lost', holder: current.holder });
        return;
      }
      this.lease = await this.leases.replace({ ...current, renewedAt: new Date() });
      this.failingSince = undefined;
    } catch (error) {
      this.failingSince ??= Date.now();
      this.events.onRenewError(
        error instanceof Error ? error.message : String(error),
        leaseExpiry(this.lease),
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
