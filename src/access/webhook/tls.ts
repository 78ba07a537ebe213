/**
 * A self-signed certificate for the webhook when none is given: kube-apiserver requires https
 * and pins the certificate through the webhook kubeconfig's certificate-authority-data. Node can
 * make keys but not X.509 certificates, so openssl makes it; key and certificate stay in the
 * state folder (0600) and are reused.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ChartroomError, ExitCode } from '../../core/errors.js';

const run = promisify(execFile);

export async function selfSignedCertificate(options: {
  dir: string;
  hosts: readonly string[];
}): Promise<{ cert: string; key: string; certFile: string }> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const certFile = join(options.dir, 'webhook.crt');
  const keyFile = join(options.dir, 'webhook.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const san = options.hosts
      .map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`))
      .join(',');
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        '/CN=chartroom-access-webhook',
        '-addext',
        `subjectAltName=${san}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ]);
      chmodSync(keyFile, 0o600);
    } catch (error) {
      throw new ChartroomError('could not create a self-signed certificate with openssl', {
        code: 'webhook-tls',
        exitCode: ExitCode.peer,
        hint: 'Install openssl, or pass --tls-cert and --tls-key.',
        cause: error,
      });
    }
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

/** The kubeconfig kube-apiserver reads (--authentication-token-webhook-config-file). */
export function webhookKubeconfigYaml(options: { url: string; caPem: string; callerToken?: string }): string {
  const ca = Buffer.from(options.caPem).toString('base64');
  const user = options.callerToken === undefined ? '{}' : `{token: ${JSON.stringify(options.callerToken)}}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: chartroom-access',
    `    cluster: {server: ${JSON.stringify(options.url)}, certificate-authority-data: ${ca}}`,
    'users:',
    `  - name: kube-apiserver`,
    `    user: ${user}`,
    'contexts:',
    '  - name: webhook',
    '    context: {cluster: chartroom-access, user: kube-apiserver}',
    'current-context: webhook',
    '',
  ].join('\n');
}
