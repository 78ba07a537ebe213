/** Metadata placement shared by the stores, as sops's stores.ExtractMetadata/SerializeMetadata. */
import { Comment, TreeBranch, type TreeBranches, type TreeItem, type TreeValue } from '../tree.js';
import { type Metadata, metadataFromTree, metadataToTree } from '../metadata.js';
import { floatToString } from '../gofmt.js';
import { GoTime } from '../gotime.js';
import { flattenBranch, unflattenItems } from './flatten.js';
import { MetadataNotFoundError, type EncryptedDocument } from './types.js';

export const SOPS_KEY = 'sops';
export const SOPS_PREFIX = 'sops_';

/** YAML/JSON: the `sops` mapping at the top of the first document; removed from every document. */
export function extractNested(branches: TreeBranches): EncryptedDocument {
  let found: TreeBranch | undefined;
  branches.forEach((branch, bi) => {
    const kept: TreeItem[] = [];
    for (const item of branch.items) {
      if (item.key !== SOPS_KEY) {
        kept.push(item);
        continue;
      }
      if (bi === 0) {
        if (found !== undefined) throw new Error(`Found duplicate ${SOPS_KEY} entry`);
        if (!(item.value instanceof TreeBranch))
          throw new Error(`Found ${SOPS_KEY} entry that is not a mapping`);
        found = item.value;
      }
    }
    branch.items = kept;
  });
  if (found === undefined) throw new MetadataNotFoundError();
  return { branches, metadata: metadataFromTree(found) };
}

/** YAML/JSON/INI: appends `sops: {…}` (built by `build`) to every document. */
export function appendMetadata(
  doc: EncryptedDocument,
  reserved: (key: string) => boolean,
  md: TreeItem[],
): TreeBranches {
  return doc.branches.map((branch) => {
    for (const item of branch.items) {
      if (typeof item.key === 'string' && reserved(item.key)) {
        throw new Error(
          `Found key ${JSON.stringify(item.key)} in encrypted data, which is a reserved key used for SOPS metadata`,
        );
      }
    }
    return new TreeBranch([...branch.items, ...md]);
  });
}

export function nestedMetadataItems(md: Metadata): TreeItem[] {
  return [{ key: SOPS_KEY, value: metadataToTree(md) }];
}

/** Flattened metadata (dotenv: `sops_` prefix; INI: below the `[sops]` section). */
export function flatMetadataItems(md: Metadata, prefix: string, escapeNewlines: boolean): TreeItem[] {
  return flattenBranch(metadataToTree(md), prefix).map(({ key, value }) => ({
    key,
    value: escapeNewlines && typeof value === 'string' ? value.replaceAll('\n', '\\n') : value,
  }));
}

export function metadataFromFlat(items: TreeItem[], escapeNewlines: boolean): Metadata {
  const unescaped = items.map(({ key, value }) => ({
    key,
    value: escapeNewlines && typeof value === 'string' ? value.replaceAll('\\n', '\n') : value,
  }));
  return metadataFromTree(unflattenItems(unescaped));
}

/** sops's stores.ValToString: how non-strings become text in dotenv, INI and exec-env. */
export function valToString(v: TreeValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return floatToString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof GoTime) return v.rfc3339;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  if (v === null) return '<nil>';
  if (v instanceof Comment) return `{${v.value} ${v.inline}}`;
  return '<complex>';
}

/** `ExampleComplexTree`: what `edit` shows for a new YAML/JSON file. */
export function exampleComplexTree(): TreeBranches {
  return [
    new TreeBranch([
      { key: 'hello', value: 'Welcome to SOPS! Edit this file as you please!' },
      { key: 'example_key', value: 'example_value' },
      { key: new Comment(' Example comment'), value: null },
      { key: 'example_array', value: ['example_value1', 'example_value2'] },
      { key: 'example_number', value: 1234.56789 },
      { key: 'example_booleans', value: [true, false] },
    ]),
  ];
}

export function exampleFlatTree(): TreeBranches {
  return [
    new TreeBranch([
      { key: new Comment(' This is an example file.'), value: null },
      { key: 'hello', value: 'Welcome to SOPS! Edit this file as you please!' },
      { key: 'example_key', value: 'example_value' },
      { key: 'example_multiline', value: 'foo\nbar\nbaz' },
    ]),
  ];
}

export function exampleSimpleTree(): TreeBranches {
  return [
    new TreeBranch([
      {
        key: 'Welcome!',
        value: new TreeBranch([
          { key: new Comment(' This is an example file.'), value: null },
          { key: 'hello', value: 'Welcome to SOPS! Edit this file as you please!' },
          { key: 'example_key', value: 'example_value' },
        ]),
      },
    ]),
  ];
}

export type { TreeValue };
