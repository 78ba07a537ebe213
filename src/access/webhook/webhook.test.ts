import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { IdentityMapper } from '../mapping/mapper.js';
import { StsStandIn, standInPrincipals } from '../testing/sts-standin.js';
import { presignClusterToken } from '../token/presign.js';
import { TokenVerifier } from '../verify/verifier.js';
import { registerTokenReviewRoute } from './route.js';
import { startWebhookServer } from './server.js';
import { selfSignedCertificate } from './tls.js';
import type { TokenReviewDecision } from './token-review.js';

const { alice, bob } = standInPrincipals;
const mapping = `mapUsers:\n  - userarn: ${alice.arn}\n    username: alice\n    groups: [platform]\n`;
const token = async (
  clusterId = 'prod',
  who: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = alice,
) => (await presignClusterToken({ credentials: who, region: 'us-east-1', clusterId })).token;
const review = (apiVersion: string, tokenValue: string) => ({
  apiVersion,
  kind: 'TokenReview',
  spec: { token: tokenValue, audiences: ['https://kubernetes.default.svc'] },
});

function app(options: { callerToken?: string } = {}) {
  const sts = new StsStandIn({ principals: [alice, bob] });
  const mapper = new IdentityMapper();
  mapper.load(mapping, 'mapping.yaml');
  const decisions: TokenReviewDecision[] = [];
  const server = Fastify();
  registerTokenReviewRoute(server, {
    verifier: new TokenVerifier({ clusterId: 'prod', transport: sts.transport }),
    mapper,
    onDecision: (d) => decisions.push(d),
    ...options,
  });
  return { server, sts, decisions };
}

describe('the TokenReview route', () => {
  it.each(['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1'])(
    'answers %s in the same version',
    async (apiVersion) => {
      const { server, decisions } = app();
      const response = await server.inject({
        method: 'POST',
        url: '/authenticate',
        payload: review(apiVersion, await token()),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        apiVersion,
        kind: 'TokenReview',
        status: {
          authenticated: true,
          user: {
            username: 'alice',
            uid: 'chartroom:111122223333:AIDACHARTROOMALICE01',
            groups: ['platform'],
            extra: { arn: [alice.arn] },
          },
        },
      });
      expect(decisions).toMatchObject([{ authenticated: true, username: 'alice', arn: alice.arn }]);
      expect(JSON.stringify(decisions)).not.toContain('k8s-aws-v1');
    },
  );

  it('denies a token for another cluster, a bad token and an unmapped caller with a reason', async () => {
    const { server } = app();
    for (const [tokenValue, reason] of [
      [await token('staging'), 'SignatureDoesNotMatch'],
      ['k8s-aws-v1.!!', 'illegal base64 data'],
      [await token('prod', bob), 'is not mapped to a Kubernetes user'],
    ] as const) {
      const response = await server.inject({
        method: 'POST',
        url: '/authenticate',
        payload: review('authentication.k8s.io/v1', tokenValue),
      });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ status: { authenticated: boolean; error: string } }>();
      expect(body.status.authenticated).toBe(false);
      expect(body.status.error).toContain(reason);
    }
  });

  it('answers 429 while STS throttles, 400 to a non-TokenReview and 405 to GET', async () => {
    const { server, sts } = app();
    sts.throttle = true;
    const throttled = await server.inject({
      method: 'POST',
      url: '/authenticate',
      payload: review('authentication.k8s.io/v1', await token()),
    });
    expect(throttled.statusCode).toBe(429);
    const bad = await server.inject({
      method: 'POST',
      url: '/authenticate',
      payload: { apiVersion: 'v1', kind: 'Pod' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await server.inject({ method: 'GET', url: '/authenticate' })).statusCode).toBe(405);
  });

  it('refuses callers without the configured bearer token', async () => {
    const { server } = app({ callerToken: 'apiserver-secret' });
    const payload = review('authentication.k8s.io/v1', await token());
    expect((await server.inject({ method: 'POST', url: '/authenticate', payload })).statusCode).toBe(401);
    const ok = await server.inject({
      method: 'POST',
      url: '/authenticate',
      payload,
      headers: { authorization: 'Bearer apiserver-secret' },
    });
    expect(ok.json<{ status: { authenticated: boolean } }>().status.authenticated).toBe(true);
  });
});

describe('the standalone webhook server', () => {
  it('serves over TLS with a self-signed certificate and reloads its mapping, keeping the last good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-webhook-'));
    const mappingFile = join(dir, 'aws-auth.yaml');
    writeFileSync(mappingFile, mapping);
    const tls = await selfSignedCertificate({ dir, hosts: ['127.0.0.1'] });
    const controller = new AbortController();
    const errors: unknown[] = [];
    const sts = new StsStandIn({ principals: [alice] });
    const server = await startWebhookServer({
      mappingPollMs: 100,
      clusterId: 'prod',
      mappingFile,
      tls,
      port: 0,
      signal: controller.signal,
      transport: sts.transport,
      onMappingError: (e) => errors.push(e),
    });
    try {
      const post = async (): Promise<{
        status: number;
        body: { status: { user?: { username: string } } };
      }> => {
        const data = JSON.stringify(review('authentication.k8s.io/v1', await token()));
        return new Promise((resolve, reject) => {
          const req = httpsRequest(
            server.url,
            { method: 'POST', ca: tls.cert, headers: { 'content-type': 'application/json' } },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => {
                resolve({
                  status: res.statusCode ?? 0,
                  body: JSON.parse(text) as { status: { user?: { username: string } } },
                });
              });
            },
          );
          req.on('error', reject);
          req.end(data);
        });
      };
      expect((await post()).body.status.user?.username).toBe('alice');
      writeFileSync(mappingFile, mapping.replace('username: alice', 'usrname: alice'));
      await expect.poll(() => errors.length, { timeout: 20_000 }).toBeGreaterThan(0);
      expect(String(errors[0])).toContain('aws-auth.yaml:3: unknown key "usrname"');
      expect((await post()).body.status.user?.username).toBe('alice');
      writeFileSync(mappingFile, mapping.replace('username: alice', 'username: alice2'));
      await expect
        .poll(async () => (await post()).body.status.user?.username, { timeout: 20_000 })
        .toBe('alice2');
    } finally {
      controller.abort();
      await server.close();
    }
  });
});
