/**
 * Verifies `k8s-aws-v1.` tokens exactly as aws-iam-authenticator's server does (pkg/token
 * Verify), then asks STS who signed the pre-signed GetCallerIdentity request. Every check runs
 * before any network call, so a malformed or foreign token never reaches STS.
 */
import { parseAmzDate, presignedUrlLifetimeMs, tokenPrefix } from '../token-format.js';
import { TokenRejectedError } from './errors.js';
import { StsHostAllowList } from './host.js';
import { parseQueryStrict } from './query.js';
import { fetchStsTransport, type StsTransport } from './sts-transport.js';
import { identityFromStsResponse, type CallerIdentity } from './identity.js';

export const maxTokenBytes = 4096;
/** Clock skew we tolerate for a date in the future (STS itself allows 15 minutes). */
const futureSkewMs = 15 * 60_000;
const stsTimeoutMs = 10_000;

const allowedParameters = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

export interface TokenVerifierOptions {
  /** This cluster's id: the value every token must have signed as `x-k8s-aws-id`. */
  clusterId: string;
  /** AWS partition of this cluster (default `aws`). */
  partition?: string;
  /** The server's region, whose regional STS host is always allowed. */
  region?: string;
  /** Defaults to fetch; tests inject the STS stand-in. */
  transport?: StsTransport;
  now?: () => Date;
  timeoutMs?: number;
}

export class TokenVerifier {
  readonly clusterId: string;
  private readonly hosts: StsHostAllowList;
  private readonly transport: StsTransport;
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(options: TokenVerifierOptions) {
    if (options.clusterId === '') throw new Error('a cluster id is required');
    this.clusterId = options.clusterId;
    this.hosts = new StsHostAllowList({ partition: options.partition ?? 'aws', region: options.region });
    this.transport = options.transport ?? fetchStsTransport;
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? stsTimeoutMs;
  }

  /** The checks that need no network: returns the URL to replay and the access key it names. */
  preflight(token: string): { url: string; accessKeyId: string } {
    if (Buffer.byteLength(token) > maxTokenBytes) throw bad('token is too large');
    if (!token.startsWith(tokenPrefix)) throw bad(`token is missing expected "${tokenPrefix}" prefix`);
    const url = decodeStrictBase64Url(token.slice(tokenPrefix.length));
    if (url === undefined) throw bad('illegal base64 data');
    const { host, path, query } = splitUrl(url);
    try {
      this.hosts.verify(host);
    } catch (error) {
      throw bad((error as Error).message);
    }
    if (path !== '/') throw bad('unexpected path in pre-signed URL');

    let params: Map<string, string[]>;
    try {
      params = parseQueryStrict(query);
    } catch (error) {
      throw bad(`malformed query parameter: ${(error as Error).message}`);
    }
    const lower = new Map<string, string>();
    for (const [key, values] of params) {
      const name = key.toLowerCase();
      if (lower.has(name)) throw bad(`duplicate query parameter found: ${JSON.stringify(key)}`);
      if (!allowedParameters.has(name)) throw bad(`non-whitelisted query parameter ${JSON.stringify(key)}`);
      if (values.length !== 1) throw bad('query parameter with multiple values not supported');
      lower.set(name, values[0] ?? '');
    }
    if (lower.get('action') !== 'GetCallerIdentity')
      throw bad('unexpected action parameter in pre-signed URL');
    const signed = (lower.get('x-amz-signedheaders') ?? '').split(';').map((h) => h.toLowerCase());
    if (!signed.includes('x-k8s-aws-id')) {
      throw bad('client did not sign the x-k8s-aws-id header in the pre-signed URL');
    }
    const expires = lower.get('x-amz-expires') ?? '';
    if (!/^\d{1,6}$/.test(expires) || Number(expires) > 900) {
      throw bad('invalid X-Amz-Expires parameter in pre-signed URL');
    }
    const date = parseAmzDate(lower.get('x-amz-date') ?? '');
    if (date === undefined) throw bad('error parsing X-Amz-Date parameter');
    const now = this.now().getTime();
    if (now > date + presignedUrlLifetimeMs)
      throw bad('X-Amz-Date parameter is expired (15 minute expiration)');
    if (date > now + futureSkewMs) throw bad('X-Amz-Date parameter is in the future');
    const accessKeyId = (lower.get('x-amz-credential') ?? '').split('/')[0] ?? '';
    return { url, accessKeyId };
  }

  /** Verifies the token and returns who signed it, or throws TokenRejectedError. */
  async verify(token: string, options: { signal?: AbortSignal } = {}): Promise<CallerIdentity> {
    const { url, accessKeyId } = this.preflight(token);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let response;
    try {
      response = await this.transport(url, {
        headers: { 'x-k8s-aws-id': this.clusterId, accept: 'application/json' },
        signal,
      });
    } catch (error) {
      throw new TokenRejectedError('sts-unavailable', `error during GET: ${(error as Error).message}`, error);
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new TokenRejectedError(
        'sts-unavailable',
        `error reading HTTP result: ${(error as Error).message}`,
        error,
      );
    }
    if (response.status !== 200) {
      if (body.includes('Throttling'))
        throw new TokenRejectedError('throttled', 'sts getCallerIdentity was throttled');
      // 5xx is STS's trouble, not the token's: report it so the API server does not cache a denial.
      const kind = response.status >= 500 ? 'sts-unavailable' : 'sts';
      throw new TokenRejectedError(
        kind,
        `error from AWS (expected 200, got ${response.status}): ${stsErrorCode(body)}`,
      );
    }
    try {
      return identityFromStsResponse(body, { accessKeyId, stsEndpoint: new URL(url).host });
    } catch (error) {
      throw new TokenRejectedError('sts', (error as Error).message, error);
    }
  }
}

function bad(message: string): TokenRejectedError {
  return new TokenRejectedError('format', message);
}

/** Unpadded base64url only: a padded token, `+`, `/` or a dangling character is refused. */
function decodeStrictBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (unused trailing bits set), which Go's decoder also refuses.
  if (bytes.toString('base64url') !== text) return undefined;
  return bytes.toString('utf8');
}

/** Splits a URL by hand: the WHATWG parser would normalise away things we must refuse. */
function splitUrl(url: string): { host: string; path: string; query: string } {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (scheme === null) throw bad(`error parsing pre-signed URL: missing protocol scheme`);
  if (scheme[1] !== 'https') throw bad(`unexpected scheme ${JSON.stringify(scheme[1])} in pre-signed URL`);
  const match = /^https:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(url);
  if (match === null) throw bad('error parsing pre-signed URL');
  const [, host = '', path = '', query = '', fragment] = match;
  if (fragment !== undefined) throw bad('unexpected fragment in pre-signed URL');
  if (host.includes('@')) throw bad('unexpected user information in pre-signed URL');
  return { host, path, query };
}

function stsErrorCode(body: string): string {
  const code = /"Code"\s*:\s*"([^"]+)"|<Code>([^<]+)<\/Code>/.exec(body);
  return code?.[1] ?? code?.[2] ?? 'no error code';
}
