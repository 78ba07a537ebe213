/**
 * AWS partitions as far as STS hosts are concerned: which DNS domains belong to which partition,
 * and which partition a region name falls in. This is the data the token verifier's host
 * allow-list is built from, and it is deliberately not configurable: a production setting that
 * could add a domain would let anyone who controls that domain vouch for any identity.
 */

export interface Partition {
  id: string;
  /** Region names that belong to this partition (the SDK's regionRegex). */
  regionPattern: RegExp;
  domain: string;
  dualStackDomain: string | undefined;
}

const commercial: Partition = {
  id: 'aws',
  regionPattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  domain: 'amazonaws.com',
  dualStackDomain: 'api.aws',
};

export const partitions: readonly Partition[] = [
  commercial,
  {
    id: 'aws-cn',
    regionPattern: /^cn-\w+-\d+$/,
    domain: 'amazonaws.com.cn',
    dualStackDomain: 'api.amazonwebservices.com.cn',
  },
  {
    id: 'aws-us-gov',
    regionPattern: /^us-gov-\w+-\d+$/,
    domain: 'amazonaws.com',
    dualStackDomain: 'api.aws',
  },
  { id: 'aws-iso', regionPattern: /^us-iso-\w+-\d+$/, domain: 'c2s.ic.gov', dualStackDomain: undefined },
  {
    id: 'aws-iso-b',
    regionPattern: /^us-isob-\w+-\d+$/,
    domain: 'sc2s.sgov.gov',
    dualStackDomain: undefined,
  },
  {
    id: 'aws-iso-e',
    regionPattern: /^eu-isoe-\w+-\d+$/,
    domain: 'cloud.adc-e.uk',
    dualStackDomain: undefined,
  },
  {
    id: 'aws-iso-f',
    regionPattern: /^us-isof-\w+-\d+$/,
    domain: 'csp.hci.ic.gov',
    dualStackDomain: undefined,
  },
  {
    id: 'aws-eusc',
    regionPattern: /^eusc-(de)-\w+-\d+$/,
    domain: 'amazonaws.eu',
    dualStackDomain: 'api.amazonwebservices.eu',
  },
];

export function partitionById(id: string): Partition | undefined {
  return partitions.find((partition) => partition.id === id);
}

/**
 * The partition a region belongs to. Like the AWS SDKs' endpoint resolver, a region that matches
 * no special partition falls back to the commercial one: new commercial regions work before this
 * table learns about them. The non-commercial patterns are checked first because `us-gov-…` and
 * `us-iso-…` would otherwise look commercial.
 */
export function partitionOfRegion(region: string): Partition {
  const special = partitions.find(
    (partition) => partition.id !== 'aws' && partition.regionPattern.test(region),
  );
  return special ?? commercial;
}

/** `^[[:alnum:]]([[:alnum:]\-]*[[:alnum:]])?$`: a region label that is safe to put in a host name. */
const regionLabel = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

export function isValidRegion(region: string): boolean {
  return regionLabel.test(region);
}

/**
 * The STS host names a region resolves to: regional and FIPS, each in plain and dual-stack form.
 * Throws for a region that cannot be a host label.
 */
export function stsHostsForRegion(region: string, service = 'sts'): string[] {
  if (!isValidRegion(region)) throw new Error(`invalid region: ${region}`);
  const partition = partitionOfRegion(region);
  const hosts = [`${service}.${region}.${partition.domain}`, `${service}-fips.${region}.${partition.domain}`];
  if (partition.dualStackDomain !== undefined) {
    hosts.push(
      `${service}.${region}.${partition.dualStackDomain}`,
      `${service}-fips.${region}.${partition.dualStackDomain}`,
    );
  }
  return hosts;
}

/** The host a client presigns for: the regional endpoint of its region's partition. */
export function regionalStsHost(region: string): string {
  if (!isValidRegion(region)) throw new Error(`invalid region: ${region}`);
  return `sts.${region}.${partitionOfRegion(region).domain}`;
}
