/**
 * One pass of the sweeper: restore every swap whose Lease has lapsed (the CLI was killed, the
 * laptop slept, the network went), and delete Leases left without a swap. Several servers may
 * sweep at once: restores are conditional writes, so one wins and the others find nothing to do.
 */
import type { KubeClient } from '../../kube/index.js';
import { listSwaps, type SwapListing } from './inventory.js';
import { deleteLease, restoreWorkload, type RestoreOutcome } from './restore.js';

export interface SweepResult {
  restored: { swap: SwapListing; outcome: RestoreOutcome }[];
  removedLeases: number;
  failures: { what: string; message: string }[];
}

export async function sweepOnce(options: {
  kube: KubeClient;
  /** Undefined: every namespace. */
  namespaces?: readonly string[];
  graceMs: number;
  /** Who restores, for the workload's Event. */
  by: string;
}): Promise<SweepResult> {
  const result: SweepResult = { restored: [], removedLeases: 0, failures: [] };
  const scopes = options.namespaces ?? [undefined];
  for (const namespace of scopes) {
    const { swaps, orphanLeases } = await listSwaps({
      kube: options.kube,
      ...(namespace === undefined ? {} : { namespace }),
      graceMs: options.graceMs,
    });
    for (const swap of swaps.filter((candidate) => candidate.expired)) {
      try {
        const lapsed =
          swap.lease === undefined
            ? 'its lease is gone'
            : `its lease lapsed at ${swap.lease.expiresAt.toISOString()}`;
        const outcome = await restoreWorkload({
          kube: options.kube,
          ref: swap.ref,
          session: swap.record.session,
          by: options.by,
          reason: `the swap of ${swap.record.holder} was abandoned (${lapsed})`,
        });
        result.restored.push({ swap, outcome });
      } catch (error) {
        result.failures.push({
          what: `${swap.ref.kind} ${swap.ref.namespace}/${swap.ref.name}`,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const now = Date.now();
    for (const lease of orphanLeases.filter(
      (candidate) => candidate.expiresAt.getTime() + options.graceMs < now,
    )) {
      try {
        await deleteLease(options.kube, lease.namespace, lease.name, lease.session);
        result.removedLeases += 1;
      } catch (error) {
        result.failures.push({
          what: `lease ${lease.namespace}/${lease.name}`,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return result;
}
