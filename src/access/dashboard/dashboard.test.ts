/**
 * The Access page in the real `chartroom serve` app, over HTTP: sign-in with a token checked by
 * the STS stand-in, the approver policy from the clusters catalog, the cross-origin and
 * synchronizer-token checks on every form post, sessions, and the audit entries. Approving needs
 * a cluster (the e2e test covers it with Chromium); here it must fail without granting anything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/net.js';
import { buildServer, loadServerConfig, type ChartroomServer } from '../../server/index.js';
import { accessServerPlugin } from '../index.js';
import { AccessRequests } from '../requests/service.js';
import type { Principal } from '../requests/types.js';
import { StsStandIn, standInPrincipals } from '../testing/sts-standin.js';
import { presignClusterToken } from '../token/presign.js';

const { alice, bob } = standInPrincipals;
const bobPrincipal: Principal = {
  arn: bob.arn,
  canonicalArn: 'arn:aws:iam::111122223333:role/Developers',
  userId: 'AROACHARTROOMDEVROLE',
};
const audience = 'chartroom-dashboard-prod';

describe('access dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-dashboard-'));
  let offsetMs = 0;
  const now = (): Date => new Date(Date.now() + offsetMs);
  const sts = new StsStandIn({ principals: [alice, bob], now });
  let server: ChartroomServer;
  let url: string;
  let requests: AccessRequests;

  // Tokens signed in the same second by the same key are identical (and a token signs in once),
  // so each test token gets a second of its own, counting back from the start.
  const start = Date.now();
  let tokens = 0;
  const token = async (who: typeof alice | typeof bob, clusterId = audience): Promise<string> => {
    tokens += 1;
    const at = new Date(start + offsetMs - tokens * 1000);
    return (await presignClusterToken({ credentials: who, region: 'us-east-1', clusterId, now: at })).token;
  };
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const signIn = async (who: typeof alice | typeof bob): Promise<{ cookie: string; csrf: string }> => {
    const response = await fetch(`${url}/access/sign-in`, form({ token: await token(who) }));
    expect(response.status).toBe(303);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await (await fetch(`${url}/access`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { cookie, csrf };
  };
  const ask = (reason: string) =>
    requests.request({
      cluster: 'prod',
      level: 'edit',
      namespace: 'shop',
      durationSeconds: 3600,
      reason,
      requester: bobPrincipal,
      policy: { approvers: [], maxDurationSeconds: 86_400 },
    });

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'clusters.yaml'),
      `clusters:\n  - name: prod\n    server: https://prod.example\n    certificateAuthorityData: ${Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64')}\n    region: us-east-1\n    approvers: ["${alice.arn}"]\n    maxDuration: 12h\n`,
    );
    writeFileSync(
      join(dir, 'chartroom-server.yaml'),
      'access:\n  clusterId: prod\n  region: us-east-1\n  catalog: clusters.yaml\n  dashboard:\n    sessionTtl: 30m\n',
    );
    const config = loadServerConfig(join(dir, 'chartroom-server.yaml'), {
      listen: `127.0.0.1:${await freePort()}`,
      dataDir: join(dir, 'data'),
    });
    server = await buildServer({
      config,
      plugins: [await accessServerPlugin({ transport: sts.transport, now })],
      logStream: false,
    });
    url = await server.listen();
    requests = await AccessRequests.open({ store: server.context.store, now });
  });

  afterAll(async () => {
    await server.close();
  });

  it('shows only the sign-in form to someone signed out, with the commands that make a token', async () => {
    await ask('signed-out must not see this');
    const response = await fetch(`${url}/access`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain(`chartroom access token --cluster-id ${audience} --token-only`);
    expect(page).toContain('action="/access/sign-in"');
    expect(page).not.toContain('signed-out must not see this');
  });

  it('signs an approver in with a verified token, once, and lets them deny with the form token', async () => {
    const request = await ask('debug the cart');
    const signInToken = await token(alice);
    const response = await fetch(`${url}/access/sign-in`, form({ token: signInToken }));
    expect(response.status).toBe(303);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^chartroom-access=[\w-]{43}; Path=\/; Max-Age=1800; HttpOnly; SameSite=Strict$/,
    );
    // The same token a second time (e.g. from a shell history) signs nobody in.
    const again = await fetch(`${url}/access/sign-in`, form({ token: signInToken }));
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('this sign-in token has been used already');

    const cookie = setCookie.split(';')[0] ?? '';
    const page = await (await fetch(`${url}/access`, { headers: { cookie } })).text();
    expect(page).toContain(`Signed in as <strong id="principal">${alice.arn}</strong>, an approver of`);
    expect(page).toContain('debug the cart');
    expect(page).toContain(`action="/access/requests/${request.id}/approve"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

    const denied = await fetch(
      `${url}/access/requests/${request.id}/deny`,
      form({ csrf, note: 'use staging' }, { cookie, origin: url, 'sec-fetch-site': 'same-origin' }),
    );
    expect(denied.status).toBe(303);
    expect(denied.headers.get('location')).toBe(`/access?done=${request.id}`);
    expect(await requests.get(request.id)).toMatchObject({
      state: 'denied',
      decidedBy: alice.arn,
      decisionNote: 'use staging',
    });
    const done = await (await fetch(`${url}/access?done=${request.id}`, { headers: { cookie } })).text();
    expect(done).toMatch(/Request <code>\w+<\/code> is now <span class="status status-denied">denied/);
    const trail = await requests.auditTrail({ cluster: 'prod' });
    expect(trail.filter((e) => e.actor === alice.arn).map((e) => [e.action, e.detail.via])).toEqual([
      ['dashboard-sign-in', 'dashboard'],
      ['sign-in-refused', 'dashboard'],
      ['denied', 'dashboard'],
    ]);
  });

  it('refuses form posts from another origin, without the session token, or without a session', async () => {
    const request = await ask('refusals');
    const { cookie, csrf } = await signIn(alice);
    const deny = `${url}/access/requests/${request.id}/deny`;
    // Another port of the same host is the same site (SameSite lets the cookie through) but another origin.
    const otherOrigin = `http://127.0.0.1:${new URL(url).port === '1' ? 2 : 1}`;
    for (const [headers, status, message] of [
      [
        { cookie, 'sec-fetch-site': 'same-site' },
        403,
        'cross-origin request refused (Sec-Fetch-Site: same-site)',
      ],
      [{ cookie, 'sec-fetch-site': 'cross-site' }, 403, 'cross-origin request refused'],
      [{ cookie, origin: otherOrigin }, 403, `cross-origin request refused (Origin: ${otherOrigin})`],
      [{ origin: url }, 401, 'you are not signed in'],
    ] as const) {
      const response = await fetch(deny, form({ csrf }, headers));
      expect(response.status).toBe(status);
      expect(await response.text()).toContain(message);
    }
    const forged: Record<string, string>[] = [{}, { csrf: 'x'.repeat(csrf.length) }, { csrf: `${csrf}x` }];
    for (const fields of forged) {
      const response = await fetch(deny, form(fields, { cookie }));
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('the form did not carry this session’s token');
    }
    expect((await requests.get(request.id)).state).toBe('pending');
    // And the sign-in form itself cannot be posted from another origin (login CSRF).
    const login = await fetch(
      `${url}/access/sign-in`,
      form({ token: await token(alice) }, { origin: otherOrigin }),
    );
    expect(login.status).toBe(403);
  });

  it('lets a non-approver look but not decide, and nobody decide their own request', async () => {
    const request = await ask('bob wants in');
    const { cookie, csrf } = await signIn(bob);
    const page = await (await fetch(`${url}/access`, { headers: { cookie } })).text();
    expect(page).toContain('not an approver of <code>prod</code>');
    expect(page).not.toContain(`action="/access/requests/${request.id}/approve"`);
    const response = await fetch(`${url}/access/requests/${request.id}/approve`, form({ csrf }, { cookie }));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(`${bob.arn} is not an approver of cluster prod`);
    expect((await requests.get(request.id)).state).toBe('pending');
    const trail = await requests.auditTrail({ requestId: request.id });
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['requested', bob.arn],
      ['approve-refused', bob.arn],
    ]);
  });

  it('refuses a token signed for the cluster itself (a kubectl token is not a sign-in)', async () => {
    const response = await fetch(`${url}/access/sign-in`, form({ token: await token(alice, 'prod') }));
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('SignatureDoesNotMatch');
  });

  it('accepts a pasted ExecCredential, ends sessions on sign-out and after their time', async () => {
    const credential = JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      status: { token: await token(alice) },
    });
    const response = await fetch(`${url}/access/sign-in`, form({ token: credential }));
    expect(response.status).toBe(303);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const signedIn = (): Promise<boolean> =>
      fetch(`${url}/access`, { headers: { cookie } }).then(async (r) =>
        (await r.text()).includes('Signed in as'),
      );
    expect(await signedIn()).toBe(true);
    offsetMs += 31 * 60_000;
    expect(await signedIn()).toBe(false);

    const other = await signIn(alice);
    const out = await fetch(`${url}/access/sign-out`, form({ csrf: other.csrf }, { cookie: other.cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await (await fetch(`${url}/access`, { headers: { cookie: other.cookie } })).text();
    expect(after).not.toContain('Signed in as');
  });

  it('fails an approval it cannot bind without granting anything', async () => {
    const request = await ask('no cluster here');
    const { cookie, csrf } = await signIn(alice);
    const response = await fetch(`${url}/access/requests/${request.id}/approve`, form({ csrf }, { cookie }));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await requests.get(request.id)).state).toBe('pending');
    expect((await requests.auditTrail({ requestId: request.id })).map((e) => e.action)).toContain(
      'bind-failed',
    );
  });
});
