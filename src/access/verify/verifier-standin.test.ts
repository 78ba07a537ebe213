/** Tokens from our signer, verified against the STS stand-in that checks SigV4 like STS does. */
import { describe, expect, it } from 'vitest';
import { presignClusterToken } from '../token/presign.js';
import { StsStandIn, standInPrincipals } from '../testing/sts-standin.js';
import { TokenVerifier } from './verifier.js';

const { alice, bob } = standInPrincipals;

async function tokenFor(
  principal: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  clusterId: string,
  now: Date,
): Promise<string> {
  return (await presignClusterToken({ credentials: principal, region: 'eu-west-1', clusterId, now })).token;
}

describe('TokenVerifier with the STS stand-in', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  const sts = new StsStandIn({ principals: [alice, bob], now: () => now });
  const verifier = new TokenVerifier({ clusterId: 'prod', transport: sts.transport, now: () => now });

  it('accepts a token for this cluster and reports the caller', async () => {
    await expect(verifier.verify(await tokenFor(bob, 'prod', now))).resolves.toEqual({
      arn: bob.arn,
      canonicalArn: 'arn:aws:iam::111122223333:role/Developers',
      accountId: '111122223333',
      userId: 'AROACHARTROOMDEVROLE',
      sessionName: 'bob@example.com',
      accessKeyId: bob.accessKeyId,
      stsEndpoint: 'sts.eu-west-1.amazonaws.com',
    });
  });

  it('refuses a token signed for another cluster (STS recomputes the signature with our id)', async () => {
    await expect(verifier.verify(await tokenFor(alice, 'staging', now))).rejects.toMatchObject({
      kind: 'sts',
      message: expect.stringContaining('SignatureDoesNotMatch') as unknown,
    });
  });

  it('refuses an expired token before asking STS', async () => {
    const calls = sts.calls.length;
    const old = await tokenFor(alice, 'prod', new Date(now.getTime() - 16 * 60_000));
    await expect(verifier.verify(old)).rejects.toMatchObject({
      kind: 'format',
      message: expect.stringContaining('expired') as unknown,
    });
    expect(sts.calls.length).toBe(calls);
  });

  it('refuses a forged signature, an unknown key and a wrong session token', async () => {
    const good = await tokenFor(alice, 'prod', now);
    const url = Buffer.from(good.slice(11), 'base64url').toString();
    const forged =
      'k8s-aws-v1.' +
      Buffer.from(url.replace(/Signature=[0-9a-f]{4}/, 'Signature=0000')).toString('base64url');
    await expect(verifier.verify(forged)).rejects.toMatchObject({ kind: 'sts' });
    const stranger = await tokenFor(
      { accessKeyId: 'AKIAUNKNOWNUNKNOWN01', secretAccessKey: 'x' },
      'prod',
      now,
    );
    await expect(verifier.verify(stranger)).rejects.toMatchObject({
      message: expect.stringContaining('InvalidClientTokenId') as unknown,
    });
    const wrongSession = await tokenFor({ ...bob, sessionToken: 'other' }, 'prod', now);
    await expect(verifier.verify(wrongSession)).rejects.toMatchObject({ kind: 'sts' });
  });

  it('reports throttling so the webhook can answer 429', async () => {
    sts.throttle = true;
    try {
      await expect(verifier.verify(await tokenFor(alice, 'prod', now))).rejects.toMatchObject({
        kind: 'throttled',
      });
    } finally {
      sts.throttle = false;
    }
  });
});
