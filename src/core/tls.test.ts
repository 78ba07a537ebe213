import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from './errors.js';
import { readCaBundle } from './tls.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-tls-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

async function caPem(name: string): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
  });
  return certificate.toString('pem');
}

describe('readCaBundle', () => {
  it('returns a bundle of certificates as it is', async () => {
    const bundle = `${await caPem('one')}\n${await caPem('two')}\n`;
    expect(readCaBundle(file('bundle.pem', bundle))).toBe(bundle);
  });

  it('refuses a file without a certificate, such as a key or binary garbage', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    for (const path of [file('key.pem', key), file('garbage', ')aX\u00ff\u0000')]) {
      expect(() => readCaBundle(path)).toThrow(
        expect.objectContaining({ message: `${path} holds no PEM certificate`, exitCode: ExitCode.config }),
      );
    }
  });

  it('refuses a certificate block that does not parse', () => {
    const path = file('broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => readCaBundle(path)).toThrow(`${path}: certificate 1 does not parse`);
  });
});
