/**
 * moto's server (the real AWS emulator; `npm run peers` installs it): every service it mocks on one
 * loopback port, for tests of IAM/STS, EKS, KMS, EC2, Auto Scaling and SQS. moto does not verify
 * signatures, but it answers GetCallerIdentity with the IAM user whose access key signed.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { startPeerProcess, type PeerProcess } from './peer-process.js';

export interface MotoServer extends PeerProcess {
  /** Creates an IAM user with an access key; returns its keys, ARN and user id. */
  createUser(
    name: string,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; arn: string; userId: string }>;
  /** Calls a query-protocol action (IAM; EKS is REST: use the SDK for it). */
  query(service: string, params: Record<string, string>): Promise<string>;
}

/** Fake, static AWS credentials for moto and the stand-ins (never real ones). */
export const testCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

export async function startMoto(): Promise<MotoServer> {
  const server = await startPeerProcess({
    peer: 'moto_server',
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)],
    env: { ...process.env, MOTO_ACCOUNT_ID: '123456789012' },
    ready: async (url) => (await fetch(`${url}/moto-api/`)).ok,
  });
  const query = async (service: string, params: Record<string, string>): Promise<string> => {
    const body = new URLSearchParams(params).toString();
    const signer = new SignatureV4({
      credentials: testCredentials,
      region: 'us-east-1',
      service,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: '/',
      headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const response = await fetch(server.url, { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`moto ${service} ${params.Action ?? ''}: ${response.status} ${text}`);
    return text;
  };
  const tag = (xml: string, name: string): string =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
  return {
    ...server,
    query,
    async createUser(name) {
      const user = await query('iam', { Action: 'CreateUser', UserName: name, Version: '2010-05-08' });
      const key = await query('iam', { Action: 'CreateAccessKey', UserName: name, Version: '2010-05-08' });
      return {
        accessKeyId: tag(key, 'AccessKeyId'),
        secretAccessKey: tag(key, 'SecretAccessKey'),
        arn: tag(user, 'Arn'),
        userId: tag(user, 'UserId'),
      };
    },
  };
}
