/**
 * AWS KMS master keys (@aws-sdk/client-kms), as sops's kms keysource: `Encrypt`/`Decrypt` with
 * the key ARN and the file's encryption context, in the ARN's region; an optional role is assumed
 * through STS first (session `sops@<hostname>`), and an optional named profile picks shared-config
 * credentials. AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL_STS point the clients
 * elsewhere (moto's server in the tests).
 */
import type * as KmsModule from '@aws-sdk/client-kms';
import type * as StsModule from '@aws-sdk/client-sts';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { KeyContext, MasterKey } from './types.js';

const ARN_RE = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;
const SESSION_SANITIZE = /[^a-zA-Z0-9=,.@-_]+/g;

export type KmsContext = Record<string, string>;

/** `--encryption-context k1:v1,k2:v2`; undefined when malformed (sops then exits 6). */
export function parseKmsContext(text: string): KmsContext | undefined {
  if (text === '') return undefined;
  const out: KmsContext = {};
  for (const pair of text.split(',')) {
    const [k, v, ...extra] = pair.split(':');
    if (k === undefined || v === undefined || extra.length > 0) return undefined;
    out[k] = v;
  }
  return out;
}

function contextToString(context: KmsContext | undefined): string {
  if (context === undefined) return '';
  return Object.keys(context)
    .sort()
    .map((k) => `${k}:${context[k]}`)
    .join(',');
}

export interface KmsKeyOptions {
  arn: string;
  role?: string;
  context?: KmsContext;
  awsProfile?: string;
  encryptedKey?: string;
  createdAt?: string;
}

/** `arn[+rolearn],…` as the `--kms` flag and `.sops.yaml`'s `kms:` string take it. */
export function parseKmsArns(
  list: string,
  context: KmsContext | undefined,
  awsProfile: string | undefined,
): KmsKey[] {
  if (list === '') return [];
  return list.split(',').map((entry) => {
    const arn = entry.replace(/ /g, '');
    const roleIndex = arn.indexOf('+arn:');
    return new KmsKey({
      arn: roleIndex > 0 ? arn.slice(0, roleIndex) : arn,
      ...(roleIndex > 0 ? { role: arn.slice(roleIndex + 1) } : {}),
      ...(context === undefined ? {} : { context }),
      ...(awsProfile === undefined ? {} : { awsProfile }),
    });
  });
}

type KmsSdk = typeof KmsModule;

type StsSdk = typeof StsModule;
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export class KmsKey implements MasterKey {
  readonly type = 'kms' as const;
  readonly arn: string;
  readonly role: string;
  readonly context: KmsContext | undefined;
  readonly awsProfile: string;
  encryptedKey: string;
  createdAt: string;

  constructor(options: KmsKeyOptions) {
    this.arn = options.arn;
    this.role = options.role ?? '';
    this.context =
      options.context !== undefined && Object.keys(options.context).length > 0 ? options.context : undefined;
    this.awsProfile = options.awsProfile ?? '';
    this.encryptedKey = options.encryptedKey ?? '';
    this.createdAt = options.createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  id(): string {
    const arnRole = this.role === '' ? this.arn : `${this.arn}+${this.role}`;
    const context = contextToString(this.context);
    if (this.awsProfile !== '') return `${arnRole}|${context}|${this.awsProfile}`;
    if (context !== '') return `${arnRole}|${context}`;
    return arnRole;
  }

  private region(): string {
    const region = ARN_RE.exec(this.arn)?.[1];
    if (region === undefined) throw new Error(`no valid ARN found in '${this.arn}'`);
    return region;
  }

  private async client(ctx: KeyContext): Promise<InstanceType<KmsSdk['KMSClient']>> {
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const region = this.region();
    const endpoint = ctx.env.AWS_ENDPOINT_URL_KMS ?? ctx.env.AWS_ENDPOINT_URL;
    let credentials = await this.baseCredentials(ctx);
    if (this.role !== '') credentials = await this.assumeRole(ctx, region, credentials);
    return new KMSClient({
      region,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(credentials === undefined ? {} : { credentials }),
      ...(credentials === undefined && this.awsProfile !== '' ? { profile: this.awsProfile } : {}),
    });
  }

  /** Credentials from the given environment (the SDK itself only reads process.env). */
  private async baseCredentials(ctx: KeyContext): Promise<Credentials | undefined> {
    const env = ctx.env;
    if (this.awsProfile !== '') {
      const { fromIni } = await import('@aws-sdk/credential-providers');
      const home = env.HOME ?? homedir();
      return fromIni({
        profile: this.awsProfile,
        filepath: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
        configFilepath: env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
      })();
    }
    if (env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined) {
      return {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN === undefined ? {} : { sessionToken: env.AWS_SESSION_TOKEN }),
      };
    }
    return undefined;
  }

  private async assumeRole(
    ctx: KeyContext,
    region: string,
    base: Credentials | undefined,
  ): Promise<Credentials> {
    const { STSClient, AssumeRoleCommand }: StsSdk = await import('@aws-sdk/client-sts');
    const endpoint = ctx.env.AWS_ENDPOINT_URL_STS ?? ctx.env.AWS_ENDPOINT_URL;
    const sts = new STSClient({
      region,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(base === undefined ? {} : { credentials: base }),
    });
    let name = 'sops@' + hostname().replace(SESSION_SANITIZE, '');
    if (name.length >= 64) name = name.slice(0, 64);
    try {
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: this.role, RoleSessionName: name }), {
        ...(ctx.signal === undefined ? {} : { abortSignal: ctx.signal }),
      });
      const c = out.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
        throw new Error('no credentials in the AssumeRole answer');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
      };
    } catch (cause) {
      throw new Error(`failed to assume role '${this.role}': ${(cause as Error).message}`, { cause });
    } finally {
      sts.destroy();
    }
  }

  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const { EncryptCommand } = await import('@aws-sdk/client-kms');
    const client = await this.client(ctx);
    try {
      const out = await client.send(
        new EncryptCommand({ KeyId: this.arn, Plaintext: dataKey, EncryptionContext: this.context ?? {} }),
        ctx.signal === undefined ? {} : { abortSignal: ctx.signal },
      );
      if (out.CiphertextBlob === undefined) throw new Error('KMS returned no ciphertext');
      this.encryptedKey = Buffer.from(out.CiphertextBlob).toString('base64');
    } catch (cause) {
      throw new Error(`failed to encrypt sops data key with AWS KMS: ${(cause as Error).message}`, { cause });
    } finally {
      client.destroy();
    }
  }

  async decrypt(ctx: KeyContext): Promise<Uint8Array> {
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const blob = Buffer.from(this.encryptedKey, 'base64');
    const client = await this.client(ctx);
    try {
      const out = await client.send(
        new DecryptCommand({ KeyId: this.arn, CiphertextBlob: blob, EncryptionContext: this.context ?? {} }),
        ctx.signal === undefined ? {} : { abortSignal: ctx.signal },
      );
      if (out.Plaintext === undefined) throw new Error('KMS returned no plaintext');
      return out.Plaintext;
    } catch (cause) {
      throw new Error(`failed to decrypt sops data key with AWS KMS: ${(cause as Error).message}`, { cause });
    } finally {
      client.destroy();
    }
  }

  toMetadata(): Record<string, unknown> {
    return {
      arn: this.arn,
      ...(this.role === '' ? {} : { role: this.role }),
      ...(this.context === undefined ? {} : { context: { ...this.context } }),
      created_at: this.createdAt,
      enc: this.encryptedKey,
      aws_profile: this.awsProfile,
    };
  }
}
