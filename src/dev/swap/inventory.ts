/**
 * The swaps that exist in the cluster (or a namespace), each with the state of its Lease: what
 * `chartroom dev status` shows and what the sweeper acts on. A swap is *expired* when its Lease
 * lapsed (plus a grace), vanished, or belongs to another session; its CLI is then gone for good
 * or asleep, and nobody else will put the workload back.
 */
import { requestJson, type KubeClient } from '../../kube/index.js';
import { devLabels, readSwap, type SwapRecord, type WireWorkload, type WorkloadRef } from './record.js';

export interface SwapLease {
  holder: string;
  session: string | undefined;
  renewedAt: Date | undefined;
  expiresAt: Date;
}

export interface SwapListing {
  ref: WorkloadRef;
  record: SwapRecord;
  /** False: the workload was changed during the swap. */
  intact: boolean;
  lease: SwapLease | undefined;
  expired: boolean;
}

export interface OrphanLease {
  namespace: string;
  name: string;
  session: string | undefined;
  expiresAt: Date;
}

interface WireLease {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

interface WireList<T> {
  items?: T[];
}

function scoped(group: string, plural: string, namespace: string | undefined, selector: string): string {
  const base = group === '' ? '/api/v1' : `/apis/${group}`;
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${base}${ns}/${plural}?labelSelector=${encodeURIComponent(selector)}`;
}

function toLease(lease: WireLease): SwapLease {
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime ?? lease.metadata.creationTimestamp;
  const renewedAt = renewed === undefined ? undefined : new Date(renewed);
  return {
    holder: lease.spec?.holderIdentity ?? '',
    session: lease.metadata.labels?.[devLabels.session],
    renewedAt,
    expiresAt: new Date((renewedAt?.getTime() ?? 0) + (lease.spec?.leaseDurationSeconds ?? 0) * 1000),
  };
}

export async function listSwaps(options: {
  kube: KubeClient;
  /** Undefined: every namespace (needs cluster-wide list rights). */
  namespace?: string;
  graceMs?: number;
  now?: Date;
}): Promise<{ swaps: SwapListing[]; orphanLeases: OrphanLease[] }> {
  const { kube, namespace } = options;
  const now = (options.now ?? new Date()).getTime();
  const grace = options.graceMs ?? 0;
  const [deployments, statefulSets, leases] = await Promise.all([
    requestJson<WireList<WireWorkload>>(kube, {
      method: 'GET',
      path: scoped('apps/v1', 'deployments', namespace, `${devLabels.swapped}=true`),
      doing: 'listing swapped deployments',
    }),
    requestJson<WireList<WireWorkload>>(kube, {
      method: 'GET',
      path: scoped('apps/v1', 'statefulsets', namespace, `${devLabels.swapped}=true`),
      doing: 'listing swapped statefulsets',
    }),
    requestJson<WireList<WireLease>>(kube, {
      method: 'GET',
      path: scoped('coordination.k8s.io/v1', 'leases', namespace, `${devLabels.lease}=true`),
      doing: 'listing swap leases',
    }),
  ]);
  const leaseByName = new Map(
    (leases.items ?? []).map((lease) => [`${lease.metadata.namespace}/${lease.metadata.name}`, lease]),
  );
  const swaps: SwapListing[] = [];
  const sessions = new Set<string>();
  const workloads = [
    ...(deployments.items ?? []).map((item) => ({ item, kind: 'Deployment' as const })),
    ...(statefulSets.items ?? []).map((item) => ({ item, kind: 'StatefulSet' as const })),
  ];
  for (const { item, kind } of workloads) {
    const state = readSwap(item);
    if (state === undefined) continue;
    const { record } = state;
    sessions.add(record.session);
    const wire = leaseByName.get(`${item.metadata.namespace}/${record.lease}`);
    const lease = wire === undefined ? undefined : toLease(wire);
    // Without a Lease (deleted by hand), the swap's own start and duration stand in for it.
    const expiresAt =
      lease?.session === record.session
        ? lease.expiresAt.getTime()
        : lease === undefined
          ? Date.parse(record.startedAt) + record.leaseDurationSeconds * 1000
          : 0;
    swaps.push({
      ref: { kind, namespace: item.metadata.namespace, name: item.metadata.name },
      record,
      intact: state.intact,
      lease,
      expired: expiresAt + grace < now,
    });
  }
  const orphanLeases = (leases.items ?? [])
    .map((wire) => ({ wire, lease: toLease(wire) }))
    .filter(({ lease }) => lease.session === undefined || !sessions.has(lease.session))
    .map(({ wire, lease }) => ({
      namespace: wire.metadata.namespace,
      name: wire.metadata.name,
      session: lease.session,
      expiresAt: lease.expiresAt,
    }));
  return { swaps, orphanLeases };
}
