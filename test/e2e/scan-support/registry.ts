/**
 * A real Docker registry (Debian's docker-registry, distribution 2.8) on loopback with token
 * authentication, for the scan e2e test and benchmark.
 *
 * The token server is a STAND-IN for a registry's auth service (Docker Hub's auth.docker.io, or
 * an ECR/GCR equivalent), which cannot run here. It does what such a service must: check Basic
 * credentials, grant only the requested scope, and sign a JWT with a key whose certificate the
 * registry trusts. The registry itself verifies the signature, issuer, audience, expiry and scope
 * of every token, so a wrong token is refused by the real registry, not by this file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSign, webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { freePorts } from '../../../src/core/net.js';
import { findPeer } from '../../../src/core/peers.js';

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  username: string;
  password: string;
  /** Token requests seen by the stand-in: `scope` and whether credentials were given. */
  tokenRequests: { scope: string; authenticated: boolean }[];
  stop(): Promise<void>;
}

const service = 'chartroom-test-registry';
const issuer = 'chartroom-test-token-issuer';

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

async function signingIdentity(): Promise<{ certPem: string; certDer: Buffer; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${issuer}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certPem: cert.toString('pem'),
    certDer: Buffer.from(cert.rawData),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`,
  };
}

function tokenServer(
  identity: { certDer: Buffer; keyPem: string },
  credentials: { username: string; password: string },
  seen: TestRegistry['tokenRequests'],
): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const scope = url.searchParams.get('scope') ?? '';
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString('utf8')
      : undefined;
    seen.push({ scope, authenticated: given !== undefined });
    if (given !== `${credentials.username}:${credentials.password}`) {
      response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' })
        .end('{"details":"incorrect username or password"}');
      return;
    }
    const access =
      scope === ''
        ? []
        : scope.split(' ').map((item) => {
            const [type, name, actions] = item.split(':') as [string, string, string];
            return { type, name, actions: actions.split(',').filter((a) => a === 'pull' || a === 'push') };
          });
    const now = Math.floor(Date.now() / 1000);
    const head = base64url(
      JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [identity.certDer.toString('base64')] }),
    );
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: credentials.username,
        aud: url.searchParams.get('service') ?? service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: String(Math.random()),
        access,
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(identity.keyPem);
    const token = `${head}.${claims}.${base64url(signature)}`;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
      );
  });
}

async function waitForRegistry(host: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      if (response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not start: ${log()}`);
}

export async function startRegistry(dir: string): Promise<TestRegistry> {
  const binary = findPeer('docker-registry');
  if (binary === undefined)
    throw new Error('docker-registry is missing: run `npm run peers -- --only scan-tools`');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const identity = await signingIdentity();
  writeFileSync(join(dir, 'token-ca.pem'), identity.certPem);
  const credentials = { username: 'ci-bot', password: `pw-${Math.random().toString(36).slice(2)}` };
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  const [registryPort, tokenPort] = await freePorts(2);
  const tokens = tokenServer(identity, credentials, tokenRequests);
  await new Promise<void>((resolve) => tokens.listen(tokenPort, '127.0.0.1', resolve));
  const host = `127.0.0.1:${registryPort ?? 0}`;
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} } }`,
      `http: { addr: "${host}" }`,
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort ?? 0}/token`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${join(dir, 'token-ca.pem')}`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await waitForRegistry(host, child, () => output);
  return {
    host,
    ...credentials,
    tokenRequests,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) =>
        tokens.close(() => {
          resolve();
        }),
      );
    },
  };
}
