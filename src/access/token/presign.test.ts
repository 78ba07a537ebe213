import { describe, expect, it } from 'vitest';
import { readAccessFixture } from '../testing/fixtures.js';
import { presignClusterToken } from './presign.js';

interface Vectors {
  vectors: {
    input: { accessKeyId: string; secretAccessKey: string; region: string; clusterId: string; now: string };
    expected: { token: string; expiration: string };
    derived: { presignedUrl: string };
  }[];
}

describe('presignClusterToken', () => {
  const vectors = (readAccessFixture('token-vectors.json') as Vectors).vectors;

  it.each(vectors)('matches the aws-iam-authenticator test vector byte for byte', async (vector) => {
    const { input, expected, derived } = vector;
    const token = await presignClusterToken({
      credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
      region: input.region,
      clusterId: input.clusterId,
      now: new Date(input.now),
    });
    expect(token.token).toBe(expected.token);
    expect(token.url).toBe(derived.presignedUrl);
    expect(token.expiration.toISOString()).toBe(new Date(expected.expiration).toISOString());
  });

  it('signs the cluster id: another cluster id gives another signature', async () => {
    const base = {
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      region: 'eu-west-1',
      now: new Date('2024-01-01T00:00:00Z'),
    };
    const a = await presignClusterToken({ ...base, clusterId: 'a' });
    const b = await presignClusterToken({ ...base, clusterId: 'b' });
    expect(a.url.replace(/Signature=\w+/, '')).toBe(b.url.replace(/Signature=\w+/, ''));
    expect(a.token).not.toBe(b.token);
  });

  it('puts the session token in sorted position, encoded, and signs for the partition of the region', async () => {
    const token = await presignClusterToken({
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'a+b/c=' },
      region: 'cn-north-1',
      clusterId: 'c',
      now: new Date('2024-01-01T00:00:00.900Z'),
    });
    expect(token.url).toMatch(/^https:\/\/sts\.cn-north-1\.amazonaws\.com\.cn\/\?/);
    expect(token.url).toContain(
      '&X-Amz-Expires=60&X-Amz-Security-Token=a%2Bb%2Fc%3D&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=',
    );
    expect(token.url).toContain('X-Amz-Date=20240101T000000Z');
    expect(token.expiration.toISOString()).toBe('2024-01-01T00:14:00.000Z');
    expect(token.token).not.toMatch(/=/);
  });
});
