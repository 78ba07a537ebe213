/**
 * Tree paths as sops's `--extract`, `set` and `unset` take them: `["a"][0]['b']` — quoted parts
 * index mappings, integers index sequences.
 */
import { SecretsError } from './errors.js';
import { TreeBranch, valuesEqual, type TreePath, type TreeValue } from './tree.js';

export function parseTreePath(arg: string): TreePath {
  const path: TreePath = [];
  for (const component of arg.split('[')) {
    if (component === '') continue;
    if (!component.endsWith(']')) throw new Error(`component ${component} doesn't end with ]`);
    const inner = component.slice(0, -1);
    if (inner[0] === '"' || inner[0] === "'") {
      path.push(inner.slice(1, -1));
    } else {
      if (!/^[+-]?[0-9]+$/.test(inner))
        throw new Error(`strconv.Atoi: parsing ${JSON.stringify(inner)}: invalid syntax`);
      path.push(Number.parseInt(inner, 10));
    }
  }
  return path;
}

/** The subtree at `path` (sops's Truncate). */
export function truncate(branch: TreeBranch, path: TreePath): TreeValue {
  let current: TreeValue = branch;
  for (const component of path) {
    if (typeof component === 'string') {
      const found: TreeValue | undefined = current instanceof TreeBranch ? current.get(component) : undefined;
      if (found === undefined) throw new Error(`component ['${component}'] not found`);
      current = found;
    } else {
      if (!Array.isArray(current))
        throw new Error(`component [${component}] is integer, but tree part is not a slice`);
      const next: TreeValue | undefined = current[component];
      if (next === undefined) throw new Error(`component [${component}] accesses out of bounds`);
      current = next;
    }
  }
  return current;
}

function fromPathAndLeaf(path: TreePath, leaf: TreeValue): TreeValue {
  const [head, ...rest] = path;
  const inner = rest.length === 0 ? leaf : fromPathAndLeaf(rest, leaf);
  if (typeof head === 'number') return [inner];
  return new TreeBranch([{ key: head ?? '', value: inner }]);
}

/** sops's set: returns the new value and whether anything changed. */
function setIn(node: TreeValue, path: TreePath, value: TreeValue): [TreeValue, boolean] {
  const [head, ...rest] = path;
  if (node instanceof TreeBranch) {
    for (const item of node.items) {
      if (item.key === head) {
        if (rest.length === 0) {
          const changed = !valuesEqual(item.value, value);
          item.value = value;
          return [node, changed];
        }
        const [v, changed] = setIn(item.value, rest, value);
        item.value = v;
        return [node, changed];
      }
    }
    const added = fromPathAndLeaf(path, value);
    if (added instanceof TreeBranch) node.items.push(...added.items.slice(0, 1));
    return [node, true];
  }
  if (Array.isArray(node) && typeof head === 'number') {
    if (rest.length === 0) {
      const old = node[head];
      if (old === undefined) {
        node.push(value);
        return [node, true];
      }
      const changed = !valuesEqual(old, value);
      node[head] = value;
      return [node, changed];
    }
    const old = node[head];
    if (old === undefined) {
      node.push(fromPathAndLeaf(rest, value));
      return [node, true];
    }
    const [v, changed] = setIn(old, rest, value);
    node[head] = v;
    return [node, changed];
  }
  const replaced = fromPathAndLeaf(path, value);
  return [replaced, !valuesEqual(node, replaced)];
}

export function setPath(branch: TreeBranch, path: TreePath, value: TreeValue): boolean {
  if (path.length === 0) throw new SecretsError('invalidSetFormat', 'Invalid set index format');
  const [, changed] = setIn(branch, path, value);
  return changed;
}

export class KeyNotFoundError extends Error {}

function unsetIn(node: TreeValue, path: TreePath): void {
  const [head, ...rest] = path;
  if (node instanceof TreeBranch) {
    const i = node.items.findIndex((it) => it.key === head);
    const item = node.items[i];
    if (item === undefined) throw new KeyNotFoundError(`Key not found: ${String(head)}`);
    if (rest.length === 0) node.items.splice(i, 1);
    else unsetIn(item.value, rest);
    return;
  }
  if (Array.isArray(node) && typeof head === 'number') {
    const item = node[head];
    if (item === undefined) throw new KeyNotFoundError(`Index ${head} out of bounds`);
    if (rest.length === 0) node.splice(head, 1);
    else unsetIn(item, rest);
    return;
  }
  throw new Error(`Unsupported type: ${typeof node} for item '${String(head)}'`);
}

export function unsetPath(branch: TreeBranch, path: TreePath): void {
  if (path.length === 0) throw new SecretsError('invalidSetFormat', 'Invalid unset index format');
  unsetIn(branch, path);
}
