/**
 * Builds the aws-iam-authenticator token: a pre-signed STS GetCallerIdentity URL whose signature
 * also covers the header `x-k8s-aws-id: <cluster id>`. The header is signed but not sent, so only a
 * server that puts the same cluster id back can replay the URL to STS: a token minted for one
 * cluster is worthless at another.
 *
 * This module pulls in @smithy/signature-v4; the token command imports it only on a cache miss.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { tokenPrefix } from '../token-format.js';
import { uriEncode } from '../verify/query.js';
import { regionalStsHost } from '../verify/partitions.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiration?: Date;
}

export interface PresignOptions {
  credentials: AwsCredentials;
  region: string;
  clusterId: string;
  /** The signing time; defaults to now. */
  now?: Date;
}

export interface ClusterToken {
  token: string;
  /** Signing time + 14 minutes: STS honours the URL for 15, a minute is kept for clock skew. */
  expiration: Date;
  url: string;
}

/** Legacy: STS ignores it, but authenticator servers up to 0.3.0 require a value of at most 60. */
const expiresSeconds = 60;
const tokenLifetimeMs = 14 * 60_000;

export async function presignClusterToken(options: PresignOptions): Promise<ClusterToken> {
  const now = options.now ?? new Date();
  // Whole seconds: X-Amz-Date has no fraction, and the expiry is computed from the same instant.
  const signingDate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const host = regionalStsHost(options.region);
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
      ...(options.credentials.sessionToken === undefined
        ? {}
        : { sessionToken: options.credentials.sessionToken }),
    },
    region: options.region,
    service: 'sts',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, 'x-k8s-aws-id': options.clusterId },
    },
    { expiresIn: expiresSeconds, signingDate },
  );
  const url = `https://${host}/?${formatQuery(signed.query as Record<string, string>)}`;
  return {
    token: tokenPrefix + Buffer.from(url, 'utf8').toString('base64url'),
    expiration: new Date(signingDate.getTime() + tokenLifetimeMs),
    url,
  };
}

/**
 * aws-iam-authenticator's byte order: parameters sorted by name (Go's url.Values.Encode), the
 * signature appended last. Servers must not depend on the order; the test vector does.
 */
function formatQuery(query: Record<string, string>): string {
  const signature = query['X-Amz-Signature'];
  if (signature === undefined) throw new Error('the signer returned no signature');
  const pairs = Object.entries(query)
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${uriEncode(key)}=${uriEncode(value)}`);
  pairs.push(`X-Amz-Signature=${signature}`);
  return pairs.join('&');
}
