/**
 * Flat metadata for dotenv and INI: `age__list_0__map_enc`, as sops's stores/flatten.go. Keys
 * of maps are sorted when unflattening; lists must be complete (0..n-1).
 */
import { Comment, TreeBranch, type TreeItem, type TreeValue } from '../tree.js';

const MAP = '__map_';
const LIST = '__list_';

export function flattenBranch(branch: TreeBranch, prefix: string): TreeItem[] {
  const out: TreeItem[] = [];
  const seen = new Set<string>();
  const descend = (value: TreeValue, key: string): void => {
    if (value instanceof TreeBranch) {
      for (const item of value.items)
        if (typeof item.key === 'string') descend(item.value, key + MAP + item.key);
      return;
    }
    if (Array.isArray(value)) {
      let i = 0;
      for (const item of value) {
        if (item instanceof Comment) continue;
        descend(item, `${key}${LIST}${i}`);
        i++;
      }
      return;
    }
    if (seen.has(key)) throw new Error(`Found key collision ${JSON.stringify(key)} while flattening`);
    seen.add(key);
    out.push({ key, value });
  };
  for (const item of branch.items) if (typeof item.key === 'string') descend(item.value, prefix + item.key);
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: 'normal' | 'map' | 'list' = 'normal';
  let last = 0;
  let i = 0;
  const finish = (): void => {
    if (state === 'normal') tokens.push({ map: path.slice(last, i) });
    else if (state === 'map') tokens.push({ map: path.slice(last + MAP.length, i) });
    else tokens.push({ list: Number.parseInt(path.slice(last + LIST.length, i), 10) || 0 });
    last = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP, i)) {
      finish();
      state = 'map';
      i += MAP.length;
    } else if (path.startsWith(LIST, i)) {
      finish();
      state = 'list';
      i += LIST.length;
    } else {
      i++;
    }
  }
  finish();
  return tokens;
}

interface Node {
  value?: { v: TreeValue };
  subkeys?: Map<string, Node>;
  indices?: Map<number, Node>;
}

function convert(node: Node): TreeValue {
  const kinds =
    Number(node.value !== undefined) +
    Number((node.subkeys?.size ?? 0) > 0) +
    Number((node.indices?.size ?? 0) > 0);
  if (kinds > 1) throw new Error('Type mismatch');
  if (node.value !== undefined) return node.value.v;
  const { subkeys, indices } = node;
  if (subkeys !== undefined && subkeys.size > 0) {
    const sorted = [...subkeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new TreeBranch(sorted.map(([key, child]) => ({ key, value: convert(child) })));
  }
  if (indices !== undefined && indices.size > 0) {
    const keys = [...indices.keys()];
    if (Math.min(...keys) !== 0 || Math.max(...keys) + 1 !== keys.length) throw new Error('Incomplete list');
    return [...indices.entries()].sort(([a], [b]) => a - b).map(([, child]) => convert(child));
  }
  return new TreeBranch();
}

export function unflattenItems(items: TreeItem[]): TreeBranch {
  const root: Node = {};
  for (const item of items) {
    if (item.key instanceof Comment) continue;
    let node = root;
    for (const t of tokenize(item.key)) {
      if ('map' in t) {
        node.subkeys ??= new Map();
        let next = node.subkeys.get(t.map);
        if (next === undefined) node.subkeys.set(t.map, (next = {}));
        node = next;
      } else {
        node.indices ??= new Map();
        let next = node.indices.get(t.list);
        if (next === undefined) node.indices.set(t.list, (next = {}));
        node = next;
      }
    }
    if (node.value !== undefined)
      throw new Error(`Error while unflattening ${JSON.stringify(item.key)}: Duplicate value`);
    node.value = { v: item.value };
  }
  const result = convert(root);
  if (!(result instanceof TreeBranch)) throw new Error('Internal error: cannot find root');
  return result;
}
