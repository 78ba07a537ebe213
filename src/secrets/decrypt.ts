/** `decrypt` (with `--extract`), and the decrypted tree the library API and other commands use. */
import { ValueCipher, type ValueCipherOptions } from './cipher.js';
import { decryptDocument } from './document.js';
import { SecretsError } from './errors.js';
import { keyContext, loadEncrypted, storesFor, type SecretsRuntime } from './runtime.js';
import { NOT_BINARY_HINT } from './stores/binary.js';
import type { EncryptedDocument, Store } from './stores/index.js';
import { TreeBranch, type TreePath } from './tree.js';
import { truncate } from './treepath.js';

export interface DecryptRequest {
  input: Buffer;
  path: string;
  inputType?: string;
  outputType?: string;
  indent?: number;
  extract?: TreePath;
  ignoreMac?: boolean;
  decryptionOrder?: readonly string[];
}

export interface DecryptedDocument extends EncryptedDocument {
  dataKey: Uint8Array;
  cipher: ValueCipher;
  input: Store;
  output: Store;
}

export async function decryptToTree(
  rt: SecretsRuntime,
  req: Omit<DecryptRequest, 'extract'>,
  /** `rememberIvs: false` when nothing will be encrypted again (a plain decrypt). */
  cipherOptions: ValueCipherOptions = {},
): Promise<DecryptedDocument> {
  const stores = storesFor(rt, req.path, req);
  const doc = loadEncrypted(stores.input, req.input);
  const cipher = new ValueCipher(cipherOptions);
  const dataKey = await decryptDocument(doc, {
    ctx: keyContext(rt),
    cipher,
    ...(req.ignoreMac === undefined ? {} : { ignoreMac: req.ignoreMac }),
    ...(req.decryptionOrder === undefined ? {} : { decryptionOrder: req.decryptionOrder }),
    ...(rt.warn === undefined ? {} : { onWarning: rt.warn }),
  });
  return { ...doc, dataKey, cipher, input: stores.input, output: stores.output };
}

export function emitPlain(store: Store, doc: EncryptedDocument): Buffer {
  try {
    return store.emitPlain(doc.branches);
  } catch (cause) {
    const message = (cause as Error).message;
    throw new SecretsError('errorDumpingTree', `Error dumping file: ${message}`, {
      ...(message.startsWith('error emitting binary store') ? { hint: NOT_BINARY_HINT } : {}),
      cause,
    });
  }
}

export async function decryptContent(rt: SecretsRuntime, req: DecryptRequest): Promise<Buffer> {
  const doc = await decryptToTree(rt, req, { rememberIvs: false });
  if (req.extract === undefined || req.extract.length === 0) return emitPlain(doc.output, doc);
  let value;
  try {
    value = truncate(doc.branches[0] ?? new TreeBranch(), req.extract);
  } catch (cause) {
    throw new SecretsError('generic', `error truncating tree: ${(cause as Error).message}`, {
      hint: 'Check the --extract path, e.g. \'["key"][0]\'.',
      cause,
    });
  }
  if (value instanceof TreeBranch) return emitPlain(doc.output, { ...doc, branches: [value] });
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  try {
    return doc.output.emitValue(value);
  } catch (cause) {
    throw new SecretsError('errorDumpingTree', `Error dumping tree: ${(cause as Error).message}`, { cause });
  }
}
