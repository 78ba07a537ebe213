/**
 * A STAND-IN for AWS STS GetCallerIdentity, for tests only: STS cannot be reached from here.
 * It checks what STS checks on a pre-signed GetCallerIdentity request: the SigV4 signature over
 * the query and the signed headers (so `x-k8s-aws-id` must be the one the token was signed for),
 * the credential scope, the 15-minute lifetime of X-Amz-Date, and, for temporary keys, the
 * session token. It knows a fixed table of test credentials and answers like STS: JSON when
 * asked for it, XML otherwise, and STS's error codes.
 *
 * It is handed to the verifier as its transport (in-process) or served over HTTP for a webhook
 * in another process; it is never wired into anything a production config can reach.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { StsResponse, StsTransport } from '../verify/sts-transport.js';
import { parseAmzDate, presignedUrlLifetimeMs as lifetimeMs } from '../token-format.js';
import { parseQueryStrict, uriEncode } from '../verify/query.js';

export interface StandInPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  account: string;
  /** What GetCallerIdentity reports, e.g. arn:aws:sts::A:assumed-role/Dev/alice. */
  arn: string;
  /** AIDA… for users, AROA…:<session> for assumed roles. */
  userId: string;
}

export interface StsStandInOptions {
  principals: readonly StandInPrincipal[];
  now?: () => Date;
}

export class StsStandIn {
  private readonly principals = new Map<string, StandInPrincipal>();
  private readonly now: () => Date;
  /** Set to make every call answer STS's throttling error. */
  throttle = false;
  /** Every request seen, for tests that must prove STS was (not) called. */
  readonly calls: string[] = [];

  constructor(options: StsStandInOptions) {
    for (const principal of options.principals) this.principals.set(principal.accessKeyId, principal);
    this.now = options.now ?? (() => new Date());
  }

  add(principal: StandInPrincipal): void {
    this.principals.set(principal.accessKeyId, principal);
  }

  /** The stand-in as the verifier's transport. */
  readonly transport: StsTransport = (url, request) => {
    request.signal.throwIfAborted();
    return Promise.resolve(this.answer(url, request.headers));
  };

  /** Answers one GET of a pre-signed URL carrying the given request headers. */
  answer(url: string, headers: Record<string, string>): StsResponse {
    this.calls.push(url);
    const json = Object.entries(headers).some(
      ([k, v]) => k.toLowerCase() === 'accept' && v.includes('application/json'),
    );
    const fail = (status: number, code: string, message: string): StsResponse =>
      respond(
        status,
        json
          ? JSON.stringify({
              Error: { Code: code, Message: message, Type: 'Sender' },
              RequestId: requestId(),
            })
          : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      );
    if (this.throttle) return fail(400, 'Throttling', 'Rate exceeded');
    const parsed = new URL(url);
    const rawQuery = parsed.search.slice(1);
    let params: Map<string, string[]>;
    try {
      params = parseQueryStrict(rawQuery);
    } catch {
      return fail(400, 'MalformedQueryString', 'malformed query string');
    }
    const one = (name: string): string | undefined => params.get(name)?.[0];
    if (one('Action') !== 'GetCallerIdentity' || one('Version') !== '2011-06-15') {
      return fail(400, 'InvalidAction', 'only GetCallerIdentity is served by this stand-in');
    }
    if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      return fail(400, 'IncompleteSignature', 'missing or unknown X-Amz-Algorithm');
    const credential = (one('X-Amz-Credential') ?? '').split('/');
    const [accessKeyId = '', day = '', region = '', service = '', terminator = ''] = credential;
    const principal = this.principals.get(accessKeyId);
    if (principal === undefined)
      return fail(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const amzDate = one('X-Amz-Date') ?? '';
    const signedAt = parseAmzDate(amzDate);
    if (
      signedAt === undefined ||
      credential.length !== 5 ||
      service !== 'sts' ||
      terminator !== 'aws4_request' ||
      !amzDate.startsWith(day)
    ) {
      return fail(400, 'IncompleteSignature', 'malformed X-Amz-Credential or X-Amz-Date');
    }
    const now = this.now().getTime();
    if (now > signedAt + lifetimeMs) return fail(403, 'ExpiredToken', 'Request has expired');
    if (signedAt > now + lifetimeMs) return fail(403, 'SignatureDoesNotMatch', 'Signature not yet current');
    if (principal.sessionToken !== undefined && one('X-Amz-Security-Token') !== principal.sessionToken) {
      return fail(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const signedHeaders = (one('X-Amz-SignedHeaders') ?? '').split(';');
    if (!signedHeaders.includes('host')) return fail(403, 'SignatureDoesNotMatch', 'host must be signed');
    const headerValue = (name: string): string => {
      if (name === 'host') return parsed.host;
      const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
      return (found?.[1] ?? '').trim().replace(/\s+/g, ' ');
    };
    const canonicalQuery = [...params.entries()]
      .filter(([key]) => key !== 'X-Amz-Signature')
      .flatMap(([key, values]) => values.map((value) => [uriEncode(key), uriEncode(value)] as const))
      .sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    const canonicalRequest = [
      'GET',
      parsed.pathname,
      canonicalQuery,
      signedHeaders.map((name) => `${name}:${headerValue(name)}\n`).join(''),
      signedHeaders.join(';'),
      sha256Hex(''),
    ].join('\n');
    const scope = `${day}/${region}/sts/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    let key = hmac(`AWS4${principal.secretAccessKey}`, day);
    for (const part of [region, 'sts', 'aws4_request']) key = hmac(key, part);
    const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'));
    const given = Buffer.from(one('X-Amz-Signature') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return fail(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    const result = { Account: principal.account, Arn: principal.arn, UserId: principal.userId };
    return respond(
      200,
      json
        ? JSON.stringify({
            GetCallerIdentityResponse: {
              GetCallerIdentityResult: result,
              ResponseMetadata: { RequestId: requestId() },
            },
          })
        : `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${result.Arn}</Arn><UserId>${result.UserId}</UserId><Account>${result.Account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  }
}

function respond(status: number, body: string): StsResponse {
  return { status, text: () => Promise.resolve(body) };
}

function requestId(): string {
  return crypto.randomUUID();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Test identities: static keys, never real. */
export const standInPrincipals = {
  alice: {
    accessKeyId: 'AKIACHARTROOMALICE01',
    secretAccessKey: 'chartroom/stand-in/alice/not-a-real-key',
    account: '111122223333',
    arn: 'arn:aws:iam::111122223333:user/alice',
    userId: 'AIDACHARTROOMALICE01',
  },
  bob: {
    accessKeyId: 'ASIACHARTROOMBOB0001',
    secretAccessKey: 'chartroom/stand-in/bob/not-a-real-key',
    sessionToken: 'FwoGZXIvYXdzEChartroomStandInSessionToken+/=',
    account: '111122223333',
    arn: 'arn:aws:sts::111122223333:assumed-role/Developers/bob@example.com',
    userId: 'AROACHARTROOMDEVROLE:bob@example.com',
  },
} satisfies Record<string, StandInPrincipal>;
