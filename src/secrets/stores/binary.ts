/**
 * The binary store: the whole file is one `str` value under `data`, in a JSON envelope. The
 * plaintext bytes are kept exactly (a Uint8Array when they are not UTF-8).
 */
import { TreeBranch, type TreeBranches, type TreeValue } from '../tree.js';
import { stringFromBytes } from '../cipher.js';
import { JsonStore } from './json.js';
import type { EncryptedDocument, Store, StoreOptions } from './types.js';

export const NOT_BINARY_HINT =
  'This is likely not an encrypted binary file? If not, use --output-type to select the correct output type.';

export class BinaryStore implements Store {
  readonly format = 'binary' as const;
  readonly singleValue = true;
  private readonly json: JsonStore;

  constructor(options: StoreOptions = {}) {
    this.json = new JsonStore(options);
  }

  loadPlain(data: Buffer): TreeBranches {
    return [new TreeBranch([{ key: 'data', value: stringFromBytes(data) }])];
  }

  loadEncrypted(data: Buffer): EncryptedDocument {
    return this.json.loadEncrypted(data);
  }

  emitPlain(branches: TreeBranches): Buffer {
    const [branch] = branches;
    if (branch === undefined || branches.length !== 1) {
      throw new Error('error emitting binary store: there must be exactly one tree branch');
    }
    for (const item of branch.items) {
      if (item.key !== 'data') continue;
      if (typeof item.value === 'string') return Buffer.from(item.value, 'utf8');
      if (item.value instanceof Uint8Array) return Buffer.from(item.value);
      throw new Error("error emitting binary store: 'data' key in tree does not have a string value");
    }
    throw new Error('error emitting binary store: no binary data found in tree');
  }

  emitEncrypted(doc: EncryptedDocument): Buffer {
    return this.json.emitEncrypted(doc);
  }

  emitValue(_value: TreeValue): Buffer {
    throw new Error('Binary files are not structured and extracting a single value is not possible');
  }

  hasSopsTopLevelKey(branch: TreeBranch): boolean {
    return this.json.hasSopsTopLevelKey(branch);
  }

  emitExample(): Buffer {
    return Buffer.from('Welcome to SOPS! Edit this file as you please!', 'utf8');
  }
}
