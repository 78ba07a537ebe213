import { CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { KubeApiError, toKubeError } from './errors.js';

/**
 * A coordination.k8s.io/v1 Lease as plain data. Writes are compare-and-swap on
 * `resourceVersion`: two machines racing for the same Lease get one success and one 409.
 */
export interface LeaseRecord {
  namespace: string;
  name: string;
  /** Empty when nobody holds it. */
  holder: string;
  durationSeconds: number;
  acquiredAt: Date | undefined;
  renewedAt: Date | undefined;
  transitions: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  resourceVersion: string;
}

export type LeaseWrite = Omit<LeaseRecord, 'resourceVersion'> & { resourceVersion?: string };

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fromLease(lease: V1Lease): LeaseRecord {
  return {
    namespace: lease.metadata?.namespace ?? '',
    name: lease.metadata?.name ?? '',
    holder: lease.spec?.holderIdentity ?? '',
    durationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
    acquiredAt: toDate(lease.spec?.acquireTime),
    renewedAt: toDate(lease.spec?.renewTime),
    transitions: lease.spec?.leaseTransitions ?? 0,
    annotations: lease.metadata?.annotations ?? {},
    labels: lease.metadata?.labels ?? {},
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

function toLease(record: LeaseWrite): V1Lease {
  // MicroTime must carry six fractional digits; client-node's V1MicroTime serialises that way.
  const micro = (date: Date | undefined): V1MicroTime | undefined =>
    date === undefined ? undefined : new V1MicroTime(date.getTime());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: record.name,
      namespace: record.namespace,
      annotations: record.annotations,
      labels: record.labels,
      ...(record.resourceVersion === undefined ? {} : { resourceVersion: record.resourceVersion }),
    },
    spec: {
      ...(record.holder === '' ? {} : { holderIdentity: record.holder }),
      leaseDurationSeconds: record.durationSeconds,
      acquireTime: micro(record.acquiredAt),
      renewTime: micro(record.renewedAt),
      leaseTransitions: record.transitions,
    },
  };
}

/** Reads and writes Leases; conflicts surface as KubeApiError with status 409. */
export class Leases {
  private readonly api: CoordinationV1Api;

  constructor(client: KubeClient) {
    this.api = client.config.makeApiClient(CoordinationV1Api);
  }

  async get(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    try {
      return fromLease(await this.api.readNamespacedLease({ name, namespace }));
    } catch (error) {
      const mapped = toKubeError(error, `reading lease ${namespace}/${name}`);
      if (mapped instanceof KubeApiError && mapped.status === 404) return undefined;
      throw mapped;
    }
  }

  /** Creates the Lease; 409 (AlreadyExists) when someone created it first. */
  async create(record: LeaseWrite): Promise<LeaseRecord> {
    try {
      const body = toLease({ ...record, resourceVersion: undefined });
      return fromLease(await this.api.createNamespacedLease({ namespace: record.namespace, body }));
    } catch (error) {
      throw toKubeError(error, `creating lease ${record.namespace}/${record.name}`);
    }
  }

  /** Replaces the Lease if it is still at `resourceVersion`; 409 when it changed meanwhile. */
  async replace(record: LeaseRecord): Promise<LeaseRecord> {
    try {
      return fromLease(
        await this.api.replaceNamespacedLease({
          name: record.name,
          namespace: record.namespace,
          body: toLease(record),
        }),
      );
    } catch (error) {
      throw toKubeError(error, `updating lease ${record.namespace}/${record.name}`);
    }
  }
}
