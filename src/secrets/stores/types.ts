/** The interface every file format implements, as sops's `Store`. */
import type { TreeBranch, TreeBranches, TreeValue } from '../tree.js';
import type { Metadata } from '../metadata.js';

export type Format = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

export const FORMATS: readonly Format[] = ['yaml', 'json', 'dotenv', 'ini', 'binary'];

export interface EncryptedDocument {
  branches: TreeBranches;
  metadata: Metadata;
}

export interface Store {
  readonly format: Format;
  /** The binary store: one value, no partial-encryption rules, no comments. */
  readonly singleValue: boolean;
  loadPlain(data: Buffer): TreeBranches;
  loadEncrypted(data: Buffer): EncryptedDocument;
  emitPlain(branches: TreeBranches): Buffer;
  emitEncrypted(doc: EncryptedDocument): Buffer;
  /** One extracted value (`decrypt --extract`) that is not a string or a mapping. */
  emitValue(value: TreeValue): Buffer;
  /** Whether the plaintext already carries sops metadata (encrypting it again is refused). */
  hasSopsTopLevelKey(branch: TreeBranch): boolean;
  /** The document `edit` opens for a file that does not exist yet. */
  emitExample(): Buffer;
}

/** Indentation from `.sops.yaml` `stores:` or `--indent`; -1 means the store's default. */
export interface StoreOptions {
  indent?: number;
}

/** Thrown when a file has no sops metadata (not an error for `filestatus`). */
export class MetadataNotFoundError extends Error {
  constructor() {
    super('sops metadata not found');
  }
}

/** Keys that are not strings (`1:`, `true:` in YAML): sops refuses them when walking the tree. */
export class NonStringKeyError extends Error {}
