import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads a CA bundle for verifying TLS clients. Node takes any text as `ca` without a word, and a
 * server given a wrong file then refuses every client; so the file must hold at least one
 * certificate, and each must parse.
 */
export function readCaBundle(path: string): string {
  const text = readFileSync(path, 'utf8');
  const certificates = text.match(pemCertificate) ?? [];
  if (certificates.length === 0)
    throw new ConfigError(
      `${path} holds no PEM certificate`,
      'Pass the CA certificate (-----BEGIN CERTIFICATE-----) that signed the clients’ certificates.',
    );
  for (const [index, pem] of certificates.entries()) {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw new ConfigError(
        `${path}: certificate ${index + 1} does not parse`,
        'Check the file with `openssl x509 -in FILE -noout -text`.',
        error,
      );
    }
  }
  return text;
}
