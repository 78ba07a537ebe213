/** `encrypt`: a plaintext file → a sops file, keys and rules from flags or `.sops.yaml`. */
import { ValueCipher } from './cipher.js';
import type { CryptRules } from './crypt.js';
import { encryptDocument } from './document.js';
import { SecretsError } from './errors.js';
import { nowUtc } from './gotime.js';
import { type KeyFlags, newFileConfig } from './keysources.js';
import { newDataKey, wrapDataKey } from './keys/datakey.js';
import type { Metadata } from './metadata.js';
import { SOPS_VERSION } from './metadata.js';
import { keyContext, storesFor, type SecretsRuntime } from './runtime.js';
import { NonStringKeyError, type EncryptedDocument, type Store } from './stores/index.js';
import type { TreeBranches } from './tree.js';

export interface EncryptRequest {
  input: Buffer;
  /** Absolute path: picks the format and the creation rule (`--filename-override` when given). */
  path: string;
  inputType?: string;
  outputType?: string;
  indent?: number;
  keys?: KeyFlags;
  rules?: CryptRules;
  shamirThreshold?: number;
}

export function loadPlain(store: Store, data: Buffer): TreeBranches {
  try {
    return store.loadPlain(data);
  } catch (cause) {
    if (cause instanceof NonStringKeyError) {
      throw new SecretsError(
        'errorEncryptingTree',
        `Error encrypting tree: Error walking tree: ${cause.message}`,
        { cause },
      );
    }
    throw new SecretsError('couldNotReadInputFile', `Error unmarshalling file: ${(cause as Error).message}`, {
      hint: 'Fix the syntax, or pass --input-type if the extension does not say the format.',
      cause,
    });
  }
}

/** sops's validateFileForEncryption: at least one document, and not already encrypted. */
export function validateForEncryption(store: Store, branches: TreeBranches): void {
  const [first] = branches;
  if (first === undefined) {
    throw new SecretsError(
      'needAtLeastOneDocument',
      'File cannot be completely empty, it must contain at least one document',
    );
  }
  if (store.hasSopsTopLevelKey(first)) {
    throw new SecretsError(
      'fileAlreadyEncrypted',
      "The file you have provided contains a top-level entry called 'sops', or for flat file formats top-level entries starting with 'sops_'. This is generally due to the file already being encrypted.",
      {
        hint: "If this is an unencrypted file, rename the 'sops' entry; to change an encrypted file use `chartroom secrets edit`.",
      },
    );
  }
}

export async function newMetadata(
  rt: SecretsRuntime,
  store: Store,
  req: Pick<EncryptRequest, 'path' | 'keys' | 'rules' | 'shamirThreshold'>,
): Promise<{ metadata: Metadata; dataKey: Uint8Array }> {
  const config = newFileConfig({
    cwd: rt.cwd,
    ...(rt.configPath === undefined ? {} : { configPath: rt.configPath }),
    ...(rt.warn === undefined ? {} : { warn: rt.warn }),
    file: req.path,
    keys: req.keys ?? {},
    rules: req.rules ?? {},
    ...(req.shamirThreshold === undefined ? {} : { shamirThreshold: req.shamirThreshold }),
    singleValue: store.singleValue,
  });
  const { keyGroups, shamirThreshold, ...rules } = config;
  const dataKey = newDataKey();
  let threshold: number;
  try {
    threshold = await wrapDataKey(keyGroups, shamirThreshold, dataKey, keyContext(rt));
  } catch (cause) {
    if (rt.signal?.aborted === true) throw cause;
    throw new SecretsError('generic', (cause as Error).message, { cause });
  }
  return {
    dataKey,
    metadata: {
      ...rules,
      keyGroups,
      shamirThreshold: threshold,
      lastModified: nowUtc(),
      mac: '',
      version: SOPS_VERSION,
    },
  };
}

export async function encryptContent(rt: SecretsRuntime, req: EncryptRequest): Promise<Buffer> {
  const stores = storesFor(rt, req.path, req);
  const branches = loadPlain(stores.input, req.input);
  validateForEncryption(stores.output, branches);
  const { metadata, dataKey } = await newMetadata(rt, stores.input, req);
  const doc = { branches, metadata };
  encryptDocument(doc, dataKey, new ValueCipher());
  return emitEncrypted(stores.output, doc);
}

/** Every command that writes an encrypted file fails to dump as sops does: exit 4, its message. */
export function emitEncrypted(store: Store, doc: EncryptedDocument): Buffer {
  try {
    return store.emitEncrypted(doc);
  } catch (cause) {
    throw new SecretsError('errorDumpingTree', `Could not marshal tree: ${(cause as Error).message}`, {
      cause,
    });
  }
}
