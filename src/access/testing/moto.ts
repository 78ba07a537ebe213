/**
 * moto's server (the real AWS emulator, `npm run peers` installs it) for tests that need IAM
 * identities behind STS GetCallerIdentity and EKS DescribeCluster. moto does not verify
 * signatures, but it answers GetCallerIdentity with the IAM user whose access key signed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort } from '../../core/net.js';
import { findPeer } from '../../core/peers.js';

export interface MotoServer {
  url: string;
  stop(): Promise<void>;
  /** Creates an IAM user with an access key; returns its keys, ARN and user id. */
  createUser(
    name: string,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; arn: string; userId: string }>;
  /** Calls a query-protocol action (IAM, EKS is REST: use the SDK for it). */
  query(service: string, params: Record<string, string>): Promise<string>;
}

export async function startMoto(): Promise<MotoServer> {
  const binary = findPeer('moto_server');
  if (binary === undefined) throw new Error('moto_server is not installed; run npm run peers');
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, MOTO_ACCOUNT_ID: '123456789012' },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('moto_server did not start within 30s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const query = async (service: string, params: Record<string, string>): Promise<string> => {
    const body = new URLSearchParams(params).toString();
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIAMOTOADMIN0000000', secretAccessKey: 'moto' },
      region: 'us-east-1',
      service,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`moto ${service} ${params.Action ?? ''}: ${response.status} ${text}`);
    return text;
  };
  const tag = (xml: string, name: string): string =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
  return {
    url,
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
