/**
 * The YAML store: comments and key order kept, go-yaml v3's types, and output byte-identical to
 * sops's (yaml/writer.ts; indent 4 unless `.sops.yaml` or `--indent` say otherwise). The `sops`
 * mapping is appended to every document; the first document's copy is the one read.
 */
import { TreeBranch, type TreeBranches, type TreeValue } from '../tree.js';
import {
  appendMetadata,
  exampleComplexTree,
  extractNested,
  nestedMetadataItems,
  SOPS_KEY,
} from './common.js';
import type { EncryptedDocument, Store, StoreOptions } from './types.js';
import { parseYamlDocuments } from './yaml/parse.js';
import { branchToNode, valueToNode } from './yaml/to-nodes.js';
import { writeYamlDocuments } from './yaml/writer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class YamlStore implements Store {
  readonly format = 'yaml' as const;
  readonly singleValue = false;
  private readonly indentOption: number;

  constructor(options: StoreOptions = {}) {
    this.indentOption = options.indent ?? 0;
  }

  /** A bad --indent fails where sops fails, when the tree is dumped (exit 4), not as a crash. */
  private get indent(): number {
    if (this.indentOption < 0 && this.indentOption !== -1)
      throw new Error('YAML Negative indentation not accepted');
    return this.indentOption > 0 ? this.indentOption : 4;
  }

  loadPlain(data: Buffer): TreeBranches {
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      throw new Error('Error unmarshaling input YAML: yaml: invalid leading UTF-8 octet');
    }
    return parseYamlDocuments(text);
  }

  loadEncrypted(data: Buffer): EncryptedDocument {
    return extractNested(this.loadPlain(data));
  }

  emitPlain(branches: TreeBranches): Buffer {
    const docs = branches.map((b) => branchToNode(b));
    return Buffer.from(writeYamlDocuments(docs, { indent: this.indent }), 'utf8');
  }

  emitEncrypted(doc: EncryptedDocument): Buffer {
    return this.emitPlain(appendMetadata(doc, (k) => k === SOPS_KEY, nestedMetadataItems(doc.metadata)));
  }

  emitValue(value: TreeValue): Buffer {
    if (value instanceof TreeBranch) return this.emitPlain([value]);
    // yaml.Marshal of a node: a one-document stream without document markers.
    return Buffer.from(writeYamlDocuments([valueToNode(value)], { indent: this.indent }), 'utf8');
  }

  hasSopsTopLevelKey(branch: TreeBranch): boolean {
    return branch.items.some((it) => it.key === SOPS_KEY);
  }

  emitExample(): Buffer {
    return this.emitPlain(exampleComplexTree());
  }
}
