import { describe, expect, it } from 'vitest';
import { readAccessFixture } from '../testing/fixtures.js';
import { formatExecCredential, readExecInfo } from './exec-credential.js';

interface ExecCases {
  execCredentialCases: {
    token: string;
    expiration: string;
    cases: { name: string; KUBERNETES_EXEC_INFO: unknown; expectedApiVersion: string }[];
  };
}

describe('ExecCredential', () => {
  const fixture = (readAccessFixture('token-vectors.json') as ExecCases).execCredentialCases;

  it.each(fixture.cases)('$name', (testCase) => {
    const raw = testCase.KUBERNETES_EXEC_INFO;
    const env =
      raw === null ? {} : { KUBERNETES_EXEC_INFO: typeof raw === 'string' ? raw : JSON.stringify(raw) };
    const info = readExecInfo(env);
    const parsed = JSON.parse(
      formatExecCredential({
        apiVersion: info.apiVersion,
        token: fixture.token,
        expiration: new Date(fixture.expiration),
      }),
    ) as { kind: string; apiVersion: string; status: { token: string; expirationTimestamp: string } };
    expect(parsed.kind).toBe('ExecCredential');
    expect(parsed.apiVersion).toBe(testCase.expectedApiVersion);
    expect(parsed.status).toEqual({ token: 'token', expirationTimestamp: fixture.expiration });
  });

  it('falls back to v1beta1 for an unknown version and keeps aws-iam-authenticator field order', () => {
    const info = readExecInfo({
      KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v9","spec":{"interactive":true}}',
    });
    expect(info).toEqual({ apiVersion: 'client.authentication.k8s.io/v1beta1', interactive: true });
    expect(
      formatExecCredential({
        apiVersion: info.apiVersion,
        token: 't',
        expiration: new Date('2023-04-28T00:14:00.123Z'),
      }),
    ).toBe(
      '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false},"status":{"expirationTimestamp":"2023-04-28T00:14:00Z","token":"t"}}',
    );
  });
});
