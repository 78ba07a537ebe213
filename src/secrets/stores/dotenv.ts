/**
 * The dotenv store, as sops's: `KEY=VALUE` split at the first `=` with nothing trimmed and no
 * quote handling, `\n` escapes for newlines, `#` comments, empty lines dropped, and the metadata
 * flattened into `sops_…` keys after the data.
 */
import { Comment, TreeBranch, isComplex, type TreeBranches, type TreeItem, type TreeValue } from '../tree.js';
import { exampleFlatTree, flatMetadataItems, metadataFromFlat, SOPS_PREFIX, valToString } from './common.js';
import { MetadataNotFoundError, type EncryptedDocument, type Store } from './types.js';

export class DotenvStore implements Store {
  readonly format = 'dotenv' as const;
  readonly singleValue = false;

  loadPlain(data: Buffer): TreeBranches {
    const items: TreeItem[] = [];
    for (const line of data.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      if (line[0] === '#') {
        items.push({ key: new Comment(line.slice(1)), value: null });
        continue;
      }
      const pos = line.indexOf('=');
      if (pos < 0) throw new Error(`invalid dotenv input line: ${line}`);
      items.push({ key: line.slice(0, pos), value: line.slice(pos + 1).replaceAll('\\n', '\n') });
    }
    return [new TreeBranch(items)];
  }

  loadEncrypted(data: Buffer): EncryptedDocument {
    const [branch] = this.loadPlain(data) as [TreeBranch];
    const meta: TreeItem[] = [];
    const kept: TreeItem[] = [];
    for (const item of branch.items) {
      if (typeof item.key === 'string' && item.key.startsWith(SOPS_PREFIX)) {
        meta.push({ key: item.key.slice(SOPS_PREFIX.length), value: item.value });
      } else {
        kept.push(item);
      }
    }
    if (meta.length === 0) throw new MetadataNotFoundError();
    branch.items = kept;
    return { branches: [branch], metadata: metadataFromFlat(meta, false) };
  }

  emitPlain(branches: TreeBranches): Buffer {
    let out = '';
    for (const item of branches[0]?.items ?? []) {
      if (isComplex(item.value)) {
        throw new Error(`cannot use complex value in dotenv file; offending key ${valToString(item.key)}`);
      }
      if (item.key instanceof Comment) {
        out += `#${item.key.value}\n`;
        continue;
      }
      const value =
        typeof item.value === 'string' ? item.value.replaceAll('\n', '\\n') : valToString(item.value);
      out += `${item.key}=${value}\n`;
    }
    return Buffer.from(out, 'utf8');
  }

  emitEncrypted(doc: EncryptedDocument): Buffer {
    const branch = doc.branches[0] ?? new TreeBranch();
    for (const item of branch.items) {
      if (typeof item.key === 'string' && item.key.startsWith(SOPS_PREFIX)) {
        throw new Error(
          `Found key ${JSON.stringify(item.key)} in encrypted data, which starts with the reserved key prefix ${JSON.stringify(SOPS_PREFIX)} for SOPS metadata`,
        );
      }
    }
    const md = flatMetadataItems(doc.metadata, SOPS_PREFIX, false);
    return this.emitPlain([new TreeBranch([...branch.items, ...md])]);
  }

  emitValue(value: TreeValue): Buffer {
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    throw new Error(`the dotenv store only supports emitting strings, got ${typeof value}`);
  }

  hasSopsTopLevelKey(branch: TreeBranch): boolean {
    return branch.items.some((it) => typeof it.key === 'string' && it.key.startsWith(SOPS_PREFIX));
  }

  emitExample(): Buffer {
    return this.emitPlain(exampleFlatTree());
  }
}
