import { ConfigError } from '../../core/errors.js';
import {
  isValidRegion,
  partitionById,
  partitionOfRegion,
  partitions,
  stsHostsForRegion,
} from './partitions.js';

/** The region label of an STS host: `global` for sts.amazonaws.com, else the second label. */
export function stsRegionFromHost(host: string): string {
  if (host === '') throw new Error('host is empty');
  const labels = host.split('.');
  if (labels.length < 3) throw new Error(`invalid host format: ${host}`);
  if (host === 'sts.amazonaws.com') return 'global';
  return labels[1] ?? '';
}

export interface HostAllowListOptions {
  /** The server's partition (`aws`, `aws-cn`, …). */
  partition: string;
  /** The server's own region, if any: its regional host is allowed even when the SDK table does not know it. */
  region?: string;
}

/**
 * The allow-list of STS hosts a token may point at. A host passes when it is one of the endpoints
 * the region in its name resolves to (regional, FIPS, dual-stack) and that region lies in the
 * server's partition, or when it is exactly the server's own regional host. Everything else is
 * refused, so a token can never make the verifier talk to a host an attacker controls.
 * Accepted hosts are remembered; refused ones are not (a refused host costs little to re-check).
 */
export class StsHostAllowList {
  private readonly accepted = new Set<string>();

  constructor(private readonly options: HostAllowListOptions) {
    // Refused at start: an unknown partition would refuse every token, one by one, at run time.
    if (partitionById(options.partition) === undefined) {
      throw new ConfigError(
        `unknown AWS partition "${options.partition}"`,
        `Use one of ${partitions.map((partition) => partition.id).join(', ')}.`,
      );
    }
  }

  /** Throws with the reason when the host is not allowed. */
  verify(host: string): void {
    if (this.accepted.has(host)) return;
    const reason = this.refusal(host);
    if (reason !== undefined) throw new Error(reason);
    this.accepted.add(host);
  }

  /** For tests: whether a host is in the remembered set. */
  remembers(host: string): boolean {
    return this.accepted.has(host);
  }

  private refusal(host: string): string | undefined {
    const partition = partitionById(this.options.partition);
    if (partition === undefined) return `unknown partition ${this.options.partition}`;
    if (host === 'sts.amazonaws.com') {
      // The global endpoint exists only in the commercial partition.
      return partition.id === 'aws'
        ? undefined
        : `the global STS endpoint is not in partition ${partition.id}`;
    }
    let region: string;
    try {
      region = stsRegionFromHost(host);
    } catch (error) {
      return `could not parse region for pre-signed URL ${host}, ${(error as Error).message}`;
    }
    if (!isValidRegion(region)) return `invalid region ${JSON.stringify(region)} in host ${host}`;
    if (partitionOfRegion(region).id === partition.id && stsHostsForRegion(region).includes(host)) {
      return undefined;
    }
    const own = this.options.region;
    if (own !== undefined && own !== '' && isValidRegion(own)) {
      const ownHosts = [`sts.${own}.${partition.domain}`];
      if (partition.dualStackDomain !== undefined) ownHosts.push(`sts.${own}.${partition.dualStackDomain}`);
      if (ownHosts.includes(host)) return undefined;
    }
    return `host ${host} is not an STS endpoint of partition ${partition.id}`;
  }
}
