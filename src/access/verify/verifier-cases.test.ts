/**
 * aws-iam-authenticator's verifier tables (../shared/fixtures/access/verifier-cases.json): every bad
 * case must be refused, and for the reason the table states.
 */
import { describe, expect, it } from 'vitest';
import { readAccessFixture } from '../testing/fixtures.js';
import { TokenRejectedError } from './errors.js';
import { StsHostAllowList, stsRegionFromHost } from './host.js';
import { canonicalizeArn, stripRolePath } from './arn.js';
import { identityFromStsResponse } from './identity.js';
import { isValidRegion, stsHostsForRegion } from './partitions.js';
import { TokenVerifier } from './verifier.js';
import type { StsTransport } from './sts-transport.js';

interface StsMock {
  status?: number;
  body?: string;
  transportError?: string;
  bodyReadError?: string;
  headers?: Record<string, string>;
}
interface Cases {
  preStsValidation: {
    cases: {
      name: string;
      partition: string;
      input: { url?: string; token?: string; generate?: { char: string; count: number } };
      stsMock?: StsMock;
      expected: 'accept' | 'reject';
      errorContains?: string;
    }[];
  };
  stsEndpoints: { cases: HostCase[] };
  stsEndpointResolution: { cases: HostCase[] };
  hostCaching: {
    partition: string;
    cases: { name: string; initialCache: string[]; hosts: Record<string, boolean> }[];
  };
  stsResponse: {
    tokenUrl: string;
    cases: {
      name: string;
      stsMock: StsMock;
      expected: 'accept' | 'reject';
      errorKind?: string;
      errorContains?: string;
      identity?: Record<string, string>;
    }[];
  };
  identityFromStsResponse: {
    cases: {
      name: string;
      accessKeyIdFromToken: string;
      stsResponseBody: string;
      expectedIdentity: Record<string, string>;
    }[];
  };
  arnCanonicalize: { cases: { input: string; expected: string | null; expectedError: boolean }[] };
  arnStripPath: { cases: { input: string; expected: string | null; expectedError: boolean }[] };
  stsRegionFromHost: { cases: { host: string; expected: string; expectedError: boolean }[] };
  regionValidator: { cases: { region: string; valid: boolean }[] };
  defaultHostNamesForRegion: {
    cases: { region: string; service: string; expectedContains: string | null; expectedError: boolean }[];
  };
}
interface HostCase {
  partition: string;
  host: string;
  serverRegion: string;
  expected: 'accept' | 'reject';
  note?: string;
}

const cases = readAccessFixture('verifier-cases.json') as Cases;

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
function toToken(url: string): string {
  return (
    'k8s-aws-v1.' + Buffer.from(url.replace('{NOW_AMZ_DATE}', amzDate(new Date()))).toString('base64url')
  );
}

/** What the Go tests' fake RoundTripper does, as our transport. */
function mockTransport(mock: StsMock | undefined, seen: string[] = []): StsTransport {
  return (url) => {
    seen.push(url);
    if (mock === undefined) return Promise.reject(new Error('STS must not be called for this case'));
    if (mock.transportError !== undefined) return Promise.reject(new Error(mock.transportError));
    const status = mock.status ?? 200;
    return Promise.resolve({
      status,
      text: () =>
        mock.bodyReadError === undefined
          ? Promise.resolve(mock.body ?? '')
          : Promise.reject(new Error(mock.bodyReadError)),
    });
  };
}

/** Our messages keep the Go wording where it is stable; these are the Go-only ones (parser internals). */
const ourWording: Record<string, string> = {
  'missing protocol scheme': 'missing protocol scheme',
  'invalid character': 'Unexpected token',
};

describe('TokenVerifier: pre-STS validation (TestVerifyTokenPreSTSValidations)', () => {
  it.each(cases.preStsValidation.cases)('$name → $expected', async (testCase) => {
    const seen: string[] = [];
    const verifier = new TokenVerifier({
      clusterId: 'test-cluster',
      partition: testCase.partition,
      transport: mockTransport(testCase.stsMock, seen),
    });
    const token =
      testCase.input.generate !== undefined
        ? testCase.input.generate.char.repeat(testCase.input.generate.count)
        : (testCase.input.token ?? toToken(testCase.input.url ?? ''));
    if (testCase.expected === 'accept') {
      await expect(verifier.verify(token)).resolves.toMatchObject({
        canonicalArn: 'arn:aws:iam::123456789012:user/Alice',
      });
      expect(seen).toHaveLength(1);
      return;
    }
    const error = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect((error as TokenRejectedError).kind).toBe('format');
    expect((error as Error).message).toContain(
      ourWording[testCase.errorContains ?? ''] ?? testCase.errorContains,
    );
    expect(seen).toEqual([]);
  });
});

describe('STS host allow-list (TestSTSEndpoints, TestSTSEndpointResolution)', () => {
  it.each([...cases.stsEndpoints.cases, ...cases.stsEndpointResolution.cases])(
    '$partition $host (server region "$serverRegion") → $expected',
    (testCase) => {
      // An unknown partition is refused already when the list is made (before any token).
      const verify = (): void => {
        new StsHostAllowList({ partition: testCase.partition, region: testCase.serverRegion }).verify(
          testCase.host,
        );
      };
      if (testCase.expected === 'accept') expect(verify).not.toThrow();
      else expect(verify).toThrow();
    },
  );

  it('refuses an unknown partition when it is set up, not token by token', () => {
    expect(() => new StsHostAllowList({ partition: 'aws-moon' })).toThrow(
      expect.objectContaining({
        code: 'config-invalid',
        message: 'unknown AWS partition "aws-moon"',
        hint: expect.stringContaining('aws, aws-cn, aws-us-gov') as unknown,
      }),
    );
  });

  it.each(cases.hostCaching.cases)('remembers accepted hosts only: $name', (testCase) => {
    const list = new StsHostAllowList({ partition: cases.hostCaching.partition });
    for (const host of testCase.initialCache) list.verify(host);
    for (const [host, valid] of Object.entries(testCase.hosts)) {
      if (valid) list.verify(host);
      else
        expect(() => {
          list.verify(host);
        }).toThrow();
      expect(list.remembers(host)).toBe(valid);
    }
  });
});

describe('TokenVerifier: the STS answer (TestVerifyHTTP*, TestVerifyCanonicalARN, …)', () => {
  const kindOf: Record<string, string[]> = {
    STSThrottling: ['throttled'],
    STSError: ['sts', 'sts-unavailable'],
  };
  it.each(cases.stsResponse.cases)('$name → $expected', async (testCase) => {
    const verifier = new TokenVerifier({
      clusterId: 'test-cluster',
      partition: 'aws',
      transport: mockTransport(testCase.stsMock),
    });
    const result = verifier.verify(toToken(cases.stsResponse.tokenUrl));
    if (testCase.expected === 'accept') {
      const identity = await result;
      const byGoName: Record<string, string> = {
        AccessKeyID: identity.accessKeyId,
        ARN: identity.arn,
        CanonicalARN: identity.canonicalArn,
        UserID: identity.userId,
        SessionName: identity.sessionName,
      };
      for (const [field, value] of Object.entries(testCase.identity ?? {}))
        expect(byGoName[field]).toBe(value);
      return;
    }
    const error = (await result.then(
      () => undefined,
      (e: unknown) => e,
    )) as TokenRejectedError;
    expect(error).toBeInstanceOf(TokenRejectedError);
    if (testCase.errorKind !== undefined) expect(kindOf[testCase.errorKind]).toContain(error.kind);
    if (testCase.errorContains !== undefined)
      expect(error.message).toContain(ourWording[testCase.errorContains] ?? testCase.errorContains);
    // A redirect is never followed: the 302 itself is the (refused) answer.
    if (testCase.stsMock.status === 302) expect(error.message).toContain('expected 200, got 302');
  });
});

describe('identity, ARNs, regions', () => {
  it.each(cases.identityFromStsResponse.cases)('identity of $name', (testCase) => {
    const identity = identityFromStsResponse(testCase.stsResponseBody, {
      accessKeyId: testCase.accessKeyIdFromToken,
      stsEndpoint: 'sts.amazonaws.com',
    });
    const e = testCase.expectedIdentity;
    expect(identity).toMatchObject({
      arn: e.ARN,
      canonicalArn: e.CanonicalARN,
      accountId: e.AccountID,
      userId: e.UserID,
      sessionName: e.SessionName,
      accessKeyId: e.AccessKeyID,
    });
  });

  it.each(cases.arnCanonicalize.cases)('canonicalize $input', ({ input, expected, expectedError }) => {
    if (expectedError) expect(() => canonicalizeArn(input)).toThrow();
    else expect(canonicalizeArn(input).canonical).toBe(expected);
  });

  it.each(cases.arnStripPath.cases)('strip path of $input', ({ input, expected, expectedError }) => {
    if (expectedError) expect(() => stripRolePath(input)).toThrow();
    else expect(stripRolePath(input)).toBe(expected);
  });

  it.each(cases.stsRegionFromHost.cases)('region of host "$host"', ({ host, expected, expectedError }) => {
    if (expectedError) expect(() => stsRegionFromHost(host)).toThrow();
    else expect(stsRegionFromHost(host)).toBe(expected);
  });

  it.each(cases.regionValidator.cases)('region $region valid: $valid', ({ region, valid }) => {
    expect(isValidRegion(region)).toBe(valid);
  });

  it.each(cases.defaultHostNamesForRegion.cases)(
    'hosts for $service in $region',
    ({ region, service, expectedContains, expectedError }) => {
      if (expectedError) expect(() => stsHostsForRegion(region, service)).toThrow();
      else expect(stsHostsForRegion(region, service)).toContain(expectedContains);
    },
  );
});
