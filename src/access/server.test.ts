/**
 * The access plugin mounted in the real `chartroom serve` app (buildServer). Only checks that end
 * before STS: this test must not send anything to the real STS hosts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../core/net.js';
import { buildServer, loadServerConfig } from '../server/index.js';
import { accessServerPlugin } from './index.js';

describe('access in chartroom serve', () => {
  it('mounts the TokenReview route, answers in the request version, requires the caller token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-serve-'));
    writeFileSync(join(dir, 'aws-auth.yaml'), 'mapAccounts: ["111122223333"]\n');
    writeFileSync(join(dir, 'token.txt'), 'apiserver-secret\n');
    const configFile = join(dir, 'chartroom-server.yaml');
    writeFileSync(
      configFile,
      'access:\n  clusterId: prod\n  mapping: aws-auth.yaml\n  callerTokenFile: token.txt\n',
    );
    const port = await freePort();
    const config = loadServerConfig(configFile, { listen: `127.0.0.1:${port}`, dataDir: join(dir, 'data') });
    const server = await buildServer({ config, plugins: [await accessServerPlugin()], logStream: false });
    const url = await server.listen();
    try {
      const body = JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1beta1',
        kind: 'TokenReview',
        spec: { token: 'k8s-aws-v1.not-base64!' },
      });
      const headers = { 'content-type': 'application/json' };
      expect((await fetch(`${url}/authenticate`, { method: 'POST', body, headers })).status).toBe(401);
      const refused = await fetch(`${url}/authenticate`, {
        method: 'POST',
        body,
        headers: { ...headers, authorization: 'Bearer apiserver-secret' },
      });
      expect(refused.status).toBe(200);
      expect(await refused.json()).toMatchObject({
        apiVersion: 'authentication.k8s.io/v1beta1',
        kind: 'TokenReview',
        status: { authenticated: false, error: expect.stringContaining('illegal base64 data') as unknown },
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a bad access section with the field at fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-serve-'));
    const configFile = join(dir, 'chartroom-server.yaml');
    writeFileSync(configFile, 'access:\n  clusterid: prod\n');
    const config = loadServerConfig(configFile, { listen: '127.0.0.1:0', dataDir: join(dir, 'data') });
    await expect(
      buildServer({ config, plugins: [await accessServerPlugin()], logStream: false }),
    ).rejects.toThrow('access.clusterId');
  });

  it('refuses a dashboard audience equal to the cluster id, and a bad session length', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'access-serve-'));
    const configFile = join(dir, 'chartroom-server.yaml');
    for (const [dashboard, message] of [
      ['{audience: prod}', 'access.dashboard.audience must differ from access.clusterId'],
      ['{sessionTtl: forever}', 'access.dashboard.sessionTtl: a duration like 1h or 30m'],
    ] as const) {
      writeFileSync(configFile, `access:\n  clusterId: prod\n  dashboard: ${dashboard}\n`);
      const config = loadServerConfig(configFile, { listen: '127.0.0.1:0', dataDir: join(dir, 'data') });
      await expect(
        buildServer({ config, plugins: [await accessServerPlugin()], logStream: false }),
      ).rejects.toThrow(message);
    }
  });
});
