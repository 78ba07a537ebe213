/**
 * IAM/STS ARNs as the verifier and the mapper see them. STS reports an assumed role as
 * `arn:aws:sts::A:assumed-role/Role/Session`; mappings name the role as `arn:aws:iam::A:role/Role`.
 * Canonicalising turns the first into the second so the two can be compared.
 */
import { partitions } from './partitions.js';

export type PrincipalType = 'user' | 'root' | 'role' | 'assumed-role' | 'federated-user';

export interface ParsedArn {
  partition: string;
  service: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new Error(`arn '${arn}' is invalid: not an ARN`);
  const [, partition, service, , account] = parts as [string, string, string, string, string];
  return { partition, service, account, resource: parts.slice(5).join(':') };
}

export interface CanonicalArn {
  canonical: string;
  type: PrincipalType;
}

/** The canonical IAM ARN of a caller, or an error for anything that is not an IAM/STS principal. */
export function canonicalizeArn(arn: string): CanonicalArn {
  const parsed = parseArn(arn);
  if (!partitions.some((partition) => partition.id === parsed.partition)) {
    throw new Error(`arn '${arn}' is invalid: unknown partition ${parsed.partition}`);
  }
  const segments = parsed.resource.split('/');
  const kind = segments[0] ?? '';
  const prefix = `arn:${parsed.partition}`;
  if (parsed.service === 'iam') {
    if (kind === 'root' && segments.length === 1) return { canonical: arn, type: 'root' };
    if ((kind === 'user' || kind === 'role') && segments.length >= 2) return { canonical: arn, type: kind };
  }
  if (parsed.service === 'sts') {
    if (kind === 'assumed-role' && segments.length >= 3) {
      // Everything between `assumed-role/` and the session name is the role (with its path, if any).
      const role = segments.slice(1, -1).join('/');
      return { canonical: `${prefix}:iam::${parsed.account}:role/${role}`, type: 'assumed-role' };
    }
    if (kind === 'federated-user' && segments.length >= 2) return { canonical: arn, type: 'federated-user' };
  }
  throw new Error(`arn '${arn}' is invalid: unrecognized resource ${parsed.service}:${parsed.resource}`);
}

/**
 * Removes the path of a role ARN: `role/Org/Team/Admin` becomes `role/Admin`. STS never puts the
 * path into an assumed-role ARN, and role names are unique in an account whatever their path, so
 * comparing without it is exact (the fix for kubernetes-sigs/aws-iam-authenticator#268).
 */
export function stripRolePath(arn: string): string {
  const parsed = parseArn(arn);
  if (parsed.service !== 'iam') return arn;
  const segments = parsed.resource.split('/');
  if (segments[0] !== 'role' || segments.length <= 2) return arn;
  return `arn:${parsed.partition}:iam::${parsed.account}:role/${segments.at(-1) ?? ''}`;
}
