/**
 * The two halves every command is built from, with sops's exit codes: decrypting a loaded
 * document (recover the data key → 128, decrypt values → 25, check the MAC → 51) and encrypting
 * one (values → 23, MAC → 21, stamping `lastmodified`).
 */
import { ValueCipher } from './cipher.js';
import { decryptTree, encryptTree } from './crypt.js';
import { nowUtc } from './gotime.js';
import { cryptRulesOf } from './metadata.js';
import { SecretsError } from './errors.js';
import { DataKeyError, unwrapDataKey } from './keys/datakey.js';
import { DEFAULT_DECRYPTION_ORDER, type KeyContext } from './keys/types.js';
import type { EncryptedDocument } from './stores/types.js';

export interface DecryptOptions {
  ctx: KeyContext;
  cipher?: ValueCipher;
  ignoreMac?: boolean;
  decryptionOrder?: readonly string[];
  /** Reuse a data key recovered earlier in the same run. */
  dataKey?: Uint8Array;
  /** Told about comments that looked encrypted but did not decrypt (kept as they were). */
  onWarning?: (message: string) => void;
}

export async function recoverDataKey(doc: EncryptedDocument, options: DecryptOptions): Promise<Uint8Array> {
  if (options.dataKey !== undefined) return options.dataKey;
  try {
    return await unwrapDataKey(
      doc.metadata.keyGroups,
      doc.metadata.shamirThreshold,
      options.ctx,
      options.decryptionOrder ?? DEFAULT_DECRYPTION_ORDER,
    );
  } catch (cause) {
    if (options.ctx.signal?.aborted === true) throw cause;
    const message =
      cause instanceof DataKeyError ? cause.message : `Error getting data key: ${(cause as Error).message}`;
    throw new SecretsError('couldNotRetrieveKey', message, {
      hint: 'Make a key of the file available: SOPS_AGE_KEY_FILE for age, the gpg keyring for PGP, AWS credentials for KMS.',
      cause,
    });
  }
}

/** Decrypts `doc.branches` in place and verifies the MAC; returns the data key. */
export async function decryptDocument(doc: EncryptedDocument, options: DecryptOptions): Promise<Uint8Array> {
  const cipher = options.cipher ?? new ValueCipher();
  const key = await recoverDataKey(doc, options);
  let computed: string;
  try {
    const result = decryptTree({ branches: doc.branches, rules: cryptRulesOf(doc.metadata), key, cipher });
    computed = result.mac;
    for (const c of result.undecryptableComments) {
      options.onWarning?.(`Found possibly unencrypted comment in file (kept as is): ${c}`);
    }
  } catch (cause) {
    throw new SecretsError(
      'errorDecryptingTree',
      `Error decrypting tree: Error walking tree: ${(cause as Error).message}`,
      {
        hint: 'A value was changed by hand or belongs to another file; restore it from version control.',
        cause,
      },
    );
  }
  let fileMac: string;
  try {
    const v = cipher.decrypt(doc.metadata.mac, key, doc.metadata.lastModified.rfc3339);
    fileMac = typeof v === 'string' ? v : '';
  } catch (cause) {
    if (options.ignoreMac === true) return key;
    throw new SecretsError('macMismatch', `Cannot decrypt MAC: ${(cause as Error).message}`, {
      hint: 'The mac or lastmodified field was edited; use --ignore-mac only if you trust the file.',
      cause,
    });
  }
  if (options.ignoreMac !== true && fileMac !== computed) {
    throw new SecretsError(
      'macMismatch',
      `MAC mismatch. File has ${fileMac === '' ? 'no MAC' : fileMac}, computed ${computed}`,
      {
        hint: 'The file was changed outside sops/Chartroom (a value, the order of list items, or a cleartext value); use --ignore-mac only if you trust it.',
      },
    );
  }
  return key;
}

/** Encrypts `doc.branches` in place with `key` and stores a fresh MAC and `lastmodified`. */
export function encryptDocument(
  doc: EncryptedDocument,
  key: Uint8Array,
  cipher: ValueCipher = new ValueCipher(),
  now?: Date,
): void {
  let mac: string;
  try {
    mac = encryptTree({ branches: doc.branches, rules: cryptRulesOf(doc.metadata), key, cipher });
  } catch (cause) {
    throw new SecretsError(
      'errorEncryptingTree',
      `Error encrypting tree: Error walking tree: ${(cause as Error).message}`,
      { cause },
    );
  }
  doc.metadata.lastModified = nowUtc(now);
  try {
    doc.metadata.mac = cipher.encrypt(mac, key, doc.metadata.lastModified.rfc3339);
  } catch (cause) {
    throw new SecretsError('errorEncryptingMac', `Could not encrypt MAC: ${(cause as Error).message}`, {
      cause,
    });
  }
}
