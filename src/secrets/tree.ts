/**
 * The in-memory document, shaped like sops's own tree so that walking order, value types and
 * therefore the AAD and the MAC come out exactly as sops computes them.
 *
 * Value types mirror what Go's decoders produce: `string` (str), `bigint` (Go int, 64-bit),
 * `number` (float64), `boolean`, `GoTime` (time.Time), `null`, `Uint8Array` (a Go string that is
 * not valid UTF-8, e.g. the binary store's raw bytes), `Comment`, a `TreeBranch` (mapping) or an
 * array (sequence).
 */
import { GoTime } from './gotime.js';

export class Comment {
  constructor(
    readonly value: string,
    /** An end-of-line comment (`key: value # like this`), kept inline since sops 3.13. */
    readonly inline = false,
  ) {}
}

export type Scalar = string | bigint | number | boolean | GoTime | Uint8Array | null;
export type TreeValue = Scalar | Comment | TreeBranch | TreeValue[];

export interface TreeItem {
  key: string | Comment;
  value: TreeValue;
}

/** An ordered mapping. Comments are items whose key is a Comment (and value null). */
export class TreeBranch {
  constructor(public items: TreeItem[] = []) {}

  get(key: string): TreeValue | undefined {
    for (const item of this.items) if (item.key === key) return item.value;
    return undefined;
  }

  /** The entries that are not comments, in order. */
  entries(): [string, TreeValue][] {
    const out: [string, TreeValue][] = [];
    for (const item of this.items) if (typeof item.key === 'string') out.push([item.key, item.value]);
    return out;
  }
}

/** A document's branches: YAML files may hold several documents; other formats have one. */
export type TreeBranches = TreeBranch[];

export function isComplex(value: TreeValue): value is TreeBranch | TreeValue[] {
  return value instanceof TreeBranch || Array.isArray(value);
}

/** Structural equality as sops's `equals` (comments compare by text only). */
export function valuesEqual(a: TreeValue, b: TreeValue): boolean {
  if (a instanceof TreeBranch) {
    if (!(b instanceof TreeBranch) || a.items.length !== b.items.length) return false;
    return a.items.every((item, i) => {
      const other = b.items[i] as TreeItem;
      return valuesEqual(item.key, other.key) && valuesEqual(item.value, other.value);
    });
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => valuesEqual(item, b[i] as TreeValue));
  }
  if (a instanceof Comment) return b instanceof Comment && a.value === b.value;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.from(a).equals(b);
  if (a instanceof GoTime) return b instanceof GoTime && a.text === b.text;
  return a === b;
}

/** A key path as `--extract`/`set` take it: strings index mappings, numbers index sequences. */
export type TreePath = (string | number)[];
