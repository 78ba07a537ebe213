import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The local cluster's PKI: one CA and the certificates the components need, ECDSA P-256 (fast to
 * generate, accepted by every Kubernetes component). Generated fresh for every cluster; nothing
 * here protects anything beyond a throwaway test cluster on loopback.
 */
// @peculiar/x509 uses globalThis.crypto, which is Node's WebCrypto on Node 20.
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyPairPem {
  certificate: string;
  privateKey: string;
}

export interface ClusterPki {
  ca: KeyPairPem;
  apiserver: KeyPairPem;
  admin: KeyPairPem;
  frontProxy: KeyPairPem;
  kwok: KeyPairPem;
  serviceAccount: { privateKey: string; publicKey: string };
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function privatePem(keys: CryptoKeyPair): Promise<string> {
  return pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey));
}

function serial(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

// Start an hour in the past: components on a skewed clock must not see "not yet valid".
const notBefore = (): Date => new Date(Date.now() - 3600_000);
const notAfter = (years: number): Date => new Date(Date.now() + years * 365 * 24 * 3600_000);

interface LeafOptions {
  subject: string;
  server?: { dns: string[]; ips: string[] };
  client?: boolean;
}

async function leaf(
  ca: { certificate: x509.X509Certificate; keys: CryptoKeyPair },
  options: LeafOptions,
): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const usages: string[] = [];
  if (options.server !== undefined) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (options.client === true) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
  ];
  if (options.server !== undefined) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...options.server.dns.map((value) => ({ type: 'dns' as const, value })),
        ...options.server.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: options.subject,
    issuer: ca.certificate.subject,
    notBefore: notBefore(),
    notAfter: notAfter(5),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { certificate: certificate.toString('pem') + '\n', privateKey: await privatePem(keys) };
}

export interface PkiOptions {
  /** Extra names the API server answers to. */
  extraSans?: string[];
  /** The first IP of the service CIDR (the `kubernetes` Service). */
  serviceIp: string;
}

export async function generateClusterPki(options: PkiOptions): Promise<ClusterPki> {
  const caKeys = await generateKeys();
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=chartroom-local-ca',
    notBefore: notBefore(),
    notAfter: notAfter(10),
    signingAlgorithm: algorithm,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { certificate: caCertificate, keys: caKeys };
  const extra = options.extraSans ?? [];
  const isIp = (value: string): boolean => /^[\d.]+$/.test(value) || value.includes(':');
  const apiserver = await leaf(ca, {
    subject: 'CN=kube-apiserver',
    server: {
      dns: [
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'localhost',
        ...extra.filter((name) => !isIp(name)),
      ],
      ips: ['127.0.0.1', options.serviceIp, ...extra.filter(isIp)],
    },
  });
  const saKeys = await generateKeys();
  return {
    ca: { certificate: caCertificate.toString('pem') + '\n', privateKey: await privatePem(caKeys) },
    apiserver,
    admin: await leaf(ca, { subject: 'CN=chartroom-admin, O=system:masters', client: true }),
    frontProxy: await leaf(ca, { subject: 'CN=front-proxy-client', client: true }),
    kwok: await leaf(ca, { subject: 'CN=kwok', server: { dns: ['localhost'], ips: ['127.0.0.1'] } }),
    serviceAccount: {
      privateKey: await privatePem(saKeys),
      publicKey: pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', saKeys.publicKey)),
    },
  };
}
