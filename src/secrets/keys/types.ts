/**
 * Master keys: each one wraps the file's data key (or, with several key groups, its group's
 * Shamir share) and stores the result in the file's metadata, the way sops's keysources do.
 */

export type KeyType = 'age' | 'pgp' | 'kms' | 'gcp_kms' | 'azure_kv' | 'hc_vault' | 'hckms';

export interface KeyContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface MasterKey {
  readonly type: KeyType;
  /** The wrapped data key as stored in the file ("" until encrypted). */
  encryptedKey: string;
  /** sops's `ToString`: what identifies the key in diffs, dedup and `--rm-*` flags. */
  id(): string;
  encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void>;
  decrypt(ctx: KeyContext): Promise<Uint8Array>;
  /** The metadata entry, with sops's field names (sorted on output). */
  toMetadata(): Record<string, unknown>;
}

/** The decryption order sops uses by default; other types follow in group order. */
export const DEFAULT_DECRYPTION_ORDER: readonly string[] = ['age', 'pgp'];

/** Order of key types inside a group as sops builds it from the file (internalGroupFrom). */
export const GROUP_TYPE_ORDER: readonly KeyType[] = [
  'kms',
  'gcp_kms',
  'hckms',
  'azure_kv',
  'hc_vault',
  'pgp',
  'age',
];

/**
 * A key type Chartroom reads and writes back but cannot use (GCP KMS, Azure Key Vault, Vault
 * transit, HuaweiCloud KMS). Files carrying such keys stay intact through edit/set/updatekeys;
 * decryption uses the other keys of the group.
 */
export class OpaqueKey implements MasterKey {
  encryptedKey: string;

  constructor(
    readonly type: Exclude<KeyType, 'age' | 'pgp' | 'kms'>,
    private readonly fields: Record<string, unknown>,
  ) {
    this.encryptedKey = typeof fields.enc === 'string' ? fields.enc : '';
  }

  id(): string {
    const f = this.fields as Record<string, string | undefined>;
    switch (this.type) {
      case 'gcp_kms':
        return f.resource_id ?? '';
      case 'azure_kv':
        return `${f.vault_url ?? ''}/keys/${f.name ?? ''}/${f.version ?? ''}`;
      case 'hc_vault':
        return `${f.vault_address ?? ''}/v1/${f.engine_path ?? ''}/keys/${f.key_name ?? ''}`;
      case 'hckms':
        return f.key_id ?? '';
    }
  }

  private unsupported(): Error {
    return new Error(
      `${this.type} keys are not supported by Chartroom (key ${this.id()}); use another key of the group`,
    );
  }

  encrypt(): Promise<void> {
    return Promise.reject(this.unsupported());
  }

  decrypt(): Promise<Uint8Array> {
    return Promise.reject(this.unsupported());
  }

  toMetadata(): Record<string, unknown> {
    return { ...this.fields, enc: this.encryptedKey };
  }
}
