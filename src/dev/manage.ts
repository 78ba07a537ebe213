/**
 * `chartroom dev restore` and `chartroom dev status`: find swaps and put workloads back by hand.
 * A swap whose CLI is still alive is not taken away from it without --force: its Lease is being
 * renewed, or its process runs on this machine.
 */
import { hostname } from 'node:os';
import { UsageError } from '../core/errors.js';
import { KubeClient } from '../kube/index.js';
import { devError } from './errors.js';
import { listSwaps, type SwapListing } from './swap/inventory.js';
import { describeWorkload, readSwap, type WorkloadRef } from './swap/record.js';
import { restoreWorkload, type RestoreOutcome } from './swap/restore.js';
import { resolveTarget, type TargetOptions } from './target.js';
import { findWorkload } from './workload.js';

export interface RestoreRequest extends Partial<TargetOptions> {
  cwd: string;
  /** `--workload`. */
  workload?: string;
  /** Every swap in the namespace (or, with allNamespaces, the cluster). */
  all?: boolean;
  allNamespaces?: boolean;
  force?: boolean;
}

export interface RestoreReport {
  ref: WorkloadRef;
  outcome: RestoreOutcome;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a swap still belongs to a live session, or undefined when it is abandoned. */
export function liveOwner(swap: Pick<SwapListing, 'record' | 'lease' | 'expired'>): string | undefined {
  const { record } = swap;
  if (record.host === hostname()) {
    return alive(record.pid) ? `${record.holder} is still running` : undefined;
  }
  if (!swap.expired) {
    return `the lease of ${record.holder} is renewed until ${swap.lease?.expiresAt.toISOString() ?? '?'}`;
  }
  return undefined;
}

async function restoreListed(
  kube: KubeClient,
  swaps: readonly SwapListing[],
  force: boolean,
): Promise<RestoreReport[]> {
  const reports: RestoreReport[] = [];
  for (const swap of swaps) {
    const owner = liveOwner(swap);
    if (owner !== undefined && !force) {
      throw devError(
        'dev-swap-in-use',
        `${describeWorkload(swap.ref)} is swapped by a live session: ${owner}`,
        {
          hint: 'Stop that session (Ctrl-C restores), or pass --force to take the workload back anyway.',
        },
      );
    }
    const outcome = await restoreWorkload({
      kube,
      ref: swap.ref,
      session: swap.record.session,
      by: 'chartroom dev restore',
      reason:
        owner === undefined ? `the session of ${swap.record.holder} had ended` : `forced while ${owner}`,
    });
    reports.push({ ref: swap.ref, outcome });
  }
  return reports;
}

export async function restoreSwaps(request: RestoreRequest): Promise<RestoreReport[]> {
  if (request.all === true) {
    if (request.namespace === undefined && request.allNamespaces !== true) {
      throw new UsageError('--all needs --namespace <ns> or --all-namespaces');
    }
    const kube = KubeClient.load(request);
    const { swaps } = await listSwaps({
      kube,
      ...(request.allNamespaces === true || request.namespace === undefined
        ? {}
        : { namespace: request.namespace }),
    });
    return restoreListed(kube, swaps, request.force === true);
  }
  if (request.app === undefined) throw new UsageError('say which app to restore, or --all');
  const target = await resolveTarget({ ...request, app: request.app, cwd: request.cwd });
  const workload = await findWorkload(target.kube, {
    namespace: target.namespace,
    names: [...new Set([target.release, target.appName])],
    instance: target.release,
    app: target.appName,
    ...(request.workload === undefined ? {} : { explicit: request.workload }),
  });
  const state = readSwap(workload.object);
  if (state === undefined) return [{ ref: workload.ref, outcome: { kind: 'not-swapped' } }];
  const { swaps } = await listSwaps({ kube: target.kube, namespace: target.namespace });
  const listed = swaps.find(
    (swap) => swap.ref.kind === workload.ref.kind && swap.ref.name === workload.ref.name,
  ) ?? { ref: workload.ref, record: state.record, intact: state.intact, lease: undefined, expired: true };
  return restoreListed(target.kube, [listed], request.force === true);
}

export async function swapStatus(request: {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}): Promise<(SwapListing & { owner: string | undefined })[]> {
  const kube = KubeClient.load(request);
  const { swaps } = await listSwaps({
    kube,
    ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
  });
  return swaps.map((swap) => ({ ...swap, owner: liveOwner(swap) }));
}
