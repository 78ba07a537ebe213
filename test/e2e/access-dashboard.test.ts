/**
 * access in the dashboard, end to end with a real browser (Chromium through playwright-core) and
 * the shared local cluster: an approver signs in with an IAM token (checked by the STS stand-in),
 * approves a request — the RoleBinding appears in the cluster — and revokes it — the binding
 * goes; a page on another origin that posts a deny form with the approver's cookie is refused;
 * and every step is in the audit trail.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessServerPlugin } from '../../src/access/index.js';
import { AccessRequests } from '../../src/access/requests/service.js';
import type { Principal } from '../../src/access/requests/types.js';
import { StsStandIn, standInPrincipals } from '../../src/access/testing/sts-standin.js';
import { presignClusterToken } from '../../src/access/token/presign.js';
import { freePort } from '../../src/core/net.js';
import { findPeer } from '../../src/core/peers.js';
import { buildServer, loadServerConfig, type ChartroomServer } from '../../src/server/index.js';
import { eventually, kube, kubeconfig, testNamespace } from './harness.js';

const { alice, bob } = standInPrincipals;
const bobPrincipal: Principal = {
  arn: bob.arn,
  canonicalArn: 'arn:aws:iam::111122223333:role/Developers',
  userId: 'AROACHARTROOMDEVROLE',
};

describe('access dashboard in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-dashboard-e2e-'));
  let server: ChartroomServer;
  let url: string;
  let requests: AccessRequests;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;
  let attackTarget = '';

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'clusters.yaml'),
      `clusters:\n  - name: local\n    server: https://127.0.0.1:6443\n    insecureSkipTlsVerify: true\n    region: us-east-1\n    approvers: ["${alice.arn}"]\n    maxDuration: 12h\n`,
    );
    writeFileSync(
      join(dir, 'chartroom-server.yaml'),
      `kubeconfig: ${kubeconfig()}\naccess:\n  clusterId: local\n  region: us-east-1\n  catalog: clusters.yaml\n`,
    );
    const config = loadServerConfig(join(dir, 'chartroom-server.yaml'), {
      listen: `127.0.0.1:${await freePort()}`,
      dataDir: join(dir, 'data'),
    });
    const sts = new StsStandIn({ principals: [alice, bob] });
    server = await buildServer({
      config,
      plugins: [await accessServerPlugin({ transport: sts.transport })],
      logStream: false,
    });
    url = await server.listen();
    requests = await AccessRequests.open({ store: server.context.store });

    // Another origin on the same host (another port: the same site, so SameSite lets the cookie
    // through): a page that posts a deny form to the dashboard as soon as it loads.
    attacker = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        `<form id="f" method="post" action="${attackTarget}"><input name="note" value="pwned"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const address = attacker.address();
    attackerUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;

    const executablePath = findPeer('chromium');
    if (executablePath === undefined) throw new Error('chromium is not installed; run npm run peers');
    browser = await chromium.launch({ executablePath });
  });

  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => attacker.close(resolve));
    await server.close();
  });

  it('an approver signs in, approves (the binding appears), revokes (it goes); a cross-origin post is refused', async () => {
    const namespace = await testNamespace('access-dash');
    const ask = (reason: string) =>
      requests.request({
        cluster: 'local',
        level: 'edit',
        namespace,
        durationSeconds: 3600,
        reason,
        requester: bobPrincipal,
        policy: { approvers: [], maxDurationSeconds: 86_400 },
      });
    const wanted = await ask('deploy the hotfix');
    const other = await ask('poke around');

    const page = await browser.newPage();
    await page.goto(`${url}/access`);
    expect(await page.locator('#sign-in').textContent()).toContain(
      'chartroom access token --cluster-id chartroom-dashboard-local --token-only',
    );
    const { token } = await presignClusterToken({
      credentials: alice,
      region: 'us-east-1',
      clusterId: 'chartroom-dashboard-local',
    });
    await page.fill('textarea[name=token]', token);
    await page.click('button:has-text("Sign in")');
    expect(await page.locator('#principal').textContent()).toBe(alice.arn);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'chartroom-access')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    const row = page.locator(`#pending tr[data-request="${wanted.id}"]`);
    expect(await row.textContent()).toContain('deploy the hotfix');
    await row.locator('input[name=note]').fill('approved in the incident channel');
    await row.locator('button:has-text("Approve")').click();
    expect(await page.locator('#done').textContent()).toMatch(/is now\s+active/);
    const binding = await eventually(
      () =>
        kube().get({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          name: `chartroom-grant-${wanted.id}`,
          namespace,
        }),
      { what: 'the grant RoleBinding' },
    );
    expect(binding).toMatchObject({
      roleRef: { name: 'edit' },
      subjects: [{ kind: 'Group', name: `chartroom:grant:${wanted.id}` }],
    });
    expect(await requests.get(wanted.id)).toMatchObject({
      state: 'active',
      decidedBy: alice.arn,
      decisionNote: 'approved in the incident channel',
    });

    // The attack: the approver, still signed in, opens a page on another origin that posts a
    // deny form to the dashboard. The browser sends the cookie; the server refuses.
    attackTarget = `${url}/access/requests/${other.id}/deny`;
    const refused = page.waitForResponse((response) => response.url() === attackTarget);
    await page.goto(attackerUrl);
    const response = await refused;
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('cross-origin request refused (Sec-Fetch-Site: same-site)');
    expect((await requests.get(other.id)).state).toBe('pending');

    await page.goto(`${url}/access`);
    await page.locator(`#active tr[data-request="${wanted.id}"] button:has-text("Revoke")`).click();
    expect(await page.locator('#done').textContent()).toMatch(/is now\s+revoked/);
    await eventually(
      async () =>
        (await kube().get({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          name: `chartroom-grant-${wanted.id}`,
          namespace,
        })) === undefined
          ? true
          : undefined,
      { what: 'the RoleBinding to go' },
    );

    await page.click('button:has-text("Sign out")');
    expect(await page.locator('#sign-in').count()).toBe(1);
    await page.close();

    const trail = await requests.auditTrail({ cluster: 'local' });
    expect(trail.map((e) => [e.requestId ?? '-', e.action, e.actor === alice.arn ? 'alice' : 'bob'])).toEqual(
      [
        [wanted.id, 'requested', 'bob'],
        [other.id, 'requested', 'bob'],
        ['-', 'dashboard-sign-in', 'alice'],
        [wanted.id, 'approved', 'alice'],
        [wanted.id, 'bound', 'alice'],
        [wanted.id, 'revoked', 'alice'],
        [wanted.id, 'unbound', 'alice'],
        ['-', 'dashboard-sign-out', 'alice'],
      ],
    );
    expect(trail.find((e) => e.action === 'approved')?.detail).toMatchObject({ via: 'dashboard' });
  });
});
