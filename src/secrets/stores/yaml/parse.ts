/**
 * YAML text → sops tree, with go-yaml v3's typing (see resolve.ts) and sops's placement of
 * comments: a comment goes into the branch (mapping or sequence) it belongs to, because that
 * decides its AAD. The `yaml` library parses; this module maps its comment positions onto the
 * head/line/foot comments go-yaml would have produced, in the order sops puts them in the tree.
 */
import type { Alias, Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { Comment, TreeBranch, type TreeItem, type TreeValue } from '../../tree.js';
import { stringFromBytes } from '../../cipher.js';
import { GoTime, parseYamlTimestamp } from '../../gotime.js';
import { parseGoBool } from '../../gofmt.js';
import { NonStringKeyError } from '../types.js';
import { resolvePlain, type Resolved } from './resolve.js';
import { fastParseYaml, Unsupported } from './fast-parse.js';
import { yamlLibrary } from '../../yaml-library.js';

const TAG_PREFIX = 'tag:yaml.org,2002:';

// The library's node guards; the library itself loads only when the fast parser gives up.
const isAlias = (n: unknown): n is Alias => yamlLibrary().isAlias(n);
const isMap = (n: unknown): n is YAMLMap => yamlLibrary().isMap(n);
const isPair = (n: unknown): n is Pair => yamlLibrary().isPair(n);
const isScalar = (n: unknown): n is Scalar => yamlLibrary().isScalar(n);
const isSeq = (n: unknown): n is YAMLSeq => yamlLibrary().isSeq(n);

/** One `#…` comment block (lines joined by \n, without the `#`) → comment items. */
function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (text === null || text === undefined || text === '') return [];
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => new Comment(l, inline));
}

function lineOf(src: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

class Converter {
  constructor(
    private readonly src: string,
    private readonly doc: Document.Parsed,
  ) {}

  fail(message: string, node?: Node | null): never {
    const where = node?.range ? ` (line ${lineOf(this.src, node.range[0])})` : '';
    throw new Error(`${message}${where}`);
  }

  private deref(node: Node | null): Node | null {
    let n = node;
    for (let i = 0; n !== null && isAlias(n); i++) {
      if (i > 100) this.fail('alias cycle', n);
      n = (n.resolve(this.doc) as Node | undefined) ?? this.fail(`unknown anchor ${n.source}`, n);
    }
    return n;
  }

  /** go-yaml's `node.Decode(&interface{})` for a scalar. */
  scalar(node: Scalar): Exclude<TreeValue, Comment | TreeBranch | TreeValue[]> {
    const raw = node.value;
    // The library decodes !!binary itself.
    if (raw instanceof Uint8Array) return stringFromBytes(raw);
    const text = typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : JSON.stringify(raw);
    const tag = node.tag;
    const plain = node.type === 'PLAIN';
    if (tag === undefined || tag === '!') {
      if (!plain || tag === '!') return text;
      return this.fromResolved(resolvePlain(text), node);
    }
    if (!tag.startsWith(TAG_PREFIX)) return text;
    const short = tag.slice(TAG_PREFIX.length);
    switch (short) {
      case 'str':
        return text;
      case 'binary': {
        const clean = text.replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean))
          this.fail(`!!binary value contains invalid base64 data`, node);
        return stringFromBytes(Buffer.from(clean, 'base64'));
      }
      case 'int':
      case 'float':
      case 'bool':
      case 'null':
      case 'timestamp': {
        const r = short === 'timestamp' ? timestamp(text) : resolvePlain(text);
        if (r !== undefined && `!!${short}` === r.tag) return this.fromResolved(r, node);
        if (short === 'float' && r?.tag === '!!int') return Number(r.value);
        if (short === 'bool' && parseGoBool(text) !== undefined && r?.tag === '!!str')
          return this.fail(`cannot decode !!str \`${text}\` as a !!bool`, node);
        return this.fail(`cannot decode ${r?.tag ?? '!!str'} \`${text}\` as a !!${short}`, node);
      }
      default:
        return text;
    }
  }

  private fromResolved(r: Resolved, node: Node): Exclude<TreeValue, Comment | TreeBranch | TreeValue[]> {
    if (r.tag === '!!uint') return this.fail(`Cannot walk value, unknown type: uint64 (${r.value})`, node);
    if (r.tag === '!!merge') return r.value;
    return r.value;
  }

  key(node: Node | null): string {
    const k = this.deref(node);
    if (k === null) this.keyError(null);
    if (!isScalar(k)) return this.fail('YAML mapping keys must be scalars', k);
    const v = this.scalar(k);
    if (typeof v !== 'string') this.keyError(v);
    return v;
  }

  private keyError(v: unknown): never {
    let shown: string;
    if (typeof v === 'bigint') shown = `%!s(int=${v})`;
    else if (typeof v === 'number') shown = `%!s(float64=${v})`;
    else if (typeof v === 'boolean') shown = `%!s(bool=${v})`;
    else if (v === null) shown = '%!s(<nil>)';
    else if (v instanceof GoTime) shown = v.text;
    else shown = JSON.stringify(v);
    const type =
      typeof v === 'bigint'
        ? 'int'
        : typeof v === 'number'
          ? 'float64'
          : typeof v === 'boolean'
            ? 'bool'
            : v === null
              ? '<nil>'
              : 'time.Time';
    throw new NonStringKeyError(
      `Tree contains a non-string key (type ${type}): ${shown}. Only string keys are supported`,
    );
  }

  value(node: Node | null): TreeValue {
    const n = this.deref(node);
    if (n === null) return null;
    if (isMap(n)) return this.map(n, true);
    if (isSeq(n)) return this.seq(n, true);
    if (isScalar(n)) return this.scalar(n);
    return this.fail('unsupported YAML node', n);
  }

  /** A mapping → branch. `withOwnComments`: include the comments before/after its entries. */
  map(node: YAMLMap, withOwnComments: boolean, skipFirstLine = false): TreeBranch {
    const items: TreeItem[] = [];
    const push = (cs: Comment[]): void => {
      for (const c of cs) items.push({ key: c, value: null });
    };
    if (withOwnComments) {
      const before = commentLines(node.commentBefore);
      push(skipFirstLine ? before.slice(1) : before);
    }
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      if (keyNode !== null && isScalar(keyNode)) push(commentLines(keyNode.commentBefore));
      const key = this.key(keyNode);
      if (keyNode !== null && isScalar(keyNode)) push(commentLines(keyNode.comment));
      const target = this.deref(valueNode);
      if (target !== null && (isMap(target) || isSeq(target))) {
        // `key: # comment` with the collection below: go-yaml makes it the key's line comment,
        // which sops keeps in this (the parent) branch.
        const keyLine = this.keyLineComment(keyNode, valueNode);
        if (keyLine) push(commentLines(target.commentBefore).slice(0, 1));
        const value = isMap(target) ? this.map(target, true, keyLine) : this.seq(target, true, keyLine);
        items.push({ key, value });
      } else {
        if (valueNode !== null) push(commentLines(valueNode.commentBefore));
        const inline = valueNode !== null ? commentLines(valueNode.comment, true) : [];
        push(inline);
        items.push({ key, value: target === null ? null : this.value(target) });
      }
    }
    if (withOwnComments) push(commentLines(node.comment));
    return new TreeBranch(items);
  }

  private keyLineComment(keyNode: Node | null, valueNode: Node | null): boolean {
    if (
      keyNode?.range === undefined ||
      keyNode.range === null ||
      valueNode?.range === undefined ||
      valueNode.range === null
    )
      return false;
    const between = this.src.slice(keyNode.range[1], valueNode.range[0]);
    const nl = between.indexOf('\n');
    return (nl < 0 ? between : between.slice(0, nl)).includes('#');
  }

  seq(node: YAMLSeq, withOwnComments: boolean, skipFirstLine = false): TreeValue[] {
    const out: TreeValue[] = [];
    if (withOwnComments) {
      const before = commentLines(node.commentBefore);
      out.push(...(skipFirstLine ? before.slice(1) : before));
    }
    for (const item of node.items as (Node | null)[]) {
      if (item !== null) out.push(...commentLines(item.commentBefore));
      const target = this.deref(item);
      if (target !== null && isMap(target)) {
        out.push(this.map(target, false));
        out.push(...commentLines(target.comment));
      } else if (target !== null && isSeq(target)) {
        out.push(this.seq(target, false));
        out.push(...commentLines(target.comment));
      } else {
        if (item !== null) out.push(...commentLines(item.comment, true));
        out.push(target === null ? null : this.value(target));
      }
    }
    if (withOwnComments) out.push(...commentLines(node.comment));
    return out;
  }
}

function timestamp(text: string): Resolved | undefined {
  const t = parseYamlTimestamp(text);
  return t === undefined ? undefined : { tag: '!!timestamp', value: t };
}

function docError(doc: Document.Parsed, src: string): Error | undefined {
  const e = doc.errors[0];
  if (e === undefined) return undefined;
  const dup = /Map keys must be unique/.test(e.message);
  const line = lineOf(src, e.pos[0]);
  return new Error(
    dup
      ? `yaml: unmarshal errors:\n  line ${line}: mapping key already defined`
      : `yaml: line ${line}: ${e.message.split('\n')[0]}`,
  );
}

/**
 * Parses every document; each must be a mapping (or empty). The fast block parser handles
 * what sops writes and what values files usually hold; the rest goes through the `yaml` library.
 */
export function parseYamlDocuments(text: string): TreeBranch[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return fastParseYaml(src);
  } catch (cause) {
    if (!(cause instanceof Unsupported)) throw cause;
  }
  return parseWithLibrary(src);
}

/** The full parser: any YAML the `yaml` library reads, comments placed as closely as it allows. */
export function parseWithLibrary(src: string): TreeBranch[] {
  const docs = yamlLibrary().parseAllDocuments(src, {
    schema: 'failsafe',
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An empty stream with only comments (or whitespace).
    if (src.length > 0) throw new Error('EOF');
    return [];
  }
  if (list.length === 0 && src.length > 0) throw new Error('EOF');
  const branches: TreeBranch[] = [];
  list.forEach((doc, i) => {
    const err = docError(doc, src);
    if (err) throw err;
    const conv = new Converter(src, doc);
    const items: TreeItem[] = commentLines(doc.commentBefore).map((c) => ({ key: c, value: null }));
    const root = doc.contents as Node | null;
    if (root !== null && isSeq(root)) {
      throw new Error(
        i === 0
          ? 'yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]interface {}'
          : 'YAML documents that are sequences are not supported',
      );
    }
    if (root !== null && isMap(root)) {
      items.push(...conv.map(root, true).items);
    } else if (
      root !== null &&
      isScalar(root) &&
      !(root.value === null || (root.type === 'PLAIN' && root.value === ''))
    ) {
      throw new Error('YAML documents that are values are not supported');
    } else if (root !== null && isAlias(root)) {
      throw new Error('YAML documents that are aliases are not supported');
    }
    for (const c of commentLines(doc.comment)) items.push({ key: c, value: null });
    branches.push(new TreeBranch(items));
  });
  return branches;
}
