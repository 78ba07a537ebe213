/**
 * sops tree → YAML writer nodes, attaching comments as sops's yaml store does: comment items
 * become head comments of the next key (or of the collection, before its first entry), inline
 * comments the line comment of the next value, and trailing comments the foot of the last
 * entry. Scalars get the style sops ends up with: sops encodes each value on its own first
 * (`yaml.Node.Encode`), so the style is the one a value gets alone at the root of a document.
 */
import { Comment, TreeBranch, type TreeValue } from '../../tree.js';
import { GoTime } from '../../gotime.js';
import { formatFloatG } from '../../gofmt.js';
import {
  type Comments,
  noComments,
  type YamlMap,
  type YamlNode,
  type YamlScalar,
  type YamlSeq,
} from './nodes.js';
import { isBase60Float, isOldBool, resolveTag } from './resolve.js';
import { settleStyle } from './scalar-style.js';

/** Base64 in lines of 70 characters, as `!!binary` values are written. */
function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  if (b64.length <= 70) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  return lines.join('\n') + '\n';
}

const scalar = (text: string, style: YamlScalar['style'], tag = ''): YamlScalar => ({
  kind: 'scalar',
  text,
  tag,
  style,
  ...noComments(),
});

/** A scalar as sops writes it: strings quoted when they would read back as something else. */
export function scalarNode(v: TreeValue): YamlScalar {
  if (typeof v === 'string') {
    // go-yaml resolves `<<` as a string but tags it as a merge key when reading it back, so
    // sops writes the string "<<" as `!!merge <<` (and reads that back as "<<").
    if (v === '<<') return scalar(v, 'plain', '!!merge');
    if (v.includes('\n')) return scalar(v, settleStyle(v, 'literal'));
    // `yes`, `on`, `1:20` read as strings in YAML 1.2 but not in 1.1: go-yaml quotes them too.
    const readsBack = resolveTag(v) === '!!str' && !isBase60Float(v) && !isOldBool(v);
    return scalar(v, settleStyle(v, readsBack ? 'plain' : 'double'));
  }
  if (typeof v === 'bigint') return scalar(v.toString(), 'plain');
  if (typeof v === 'number') {
    let s = formatFloatG(v);
    if (s === '+Inf') s = '.inf';
    else if (s === '-Inf') s = '-.inf';
    else if (s === 'NaN') s = '.nan';
    // An integral float reads back as an int: sops writes 1.0 as 1.
    return scalar(s, 'plain');
  }
  if (typeof v === 'boolean') return scalar(v ? 'true' : 'false', 'plain');
  if (v === null) return scalar('null', 'plain');
  if (v instanceof GoTime) {
    // A time whose text would not read back as a timestamp keeps its tag.
    return scalar(
      v.text,
      settleStyle(v.text, 'plain'),
      resolveTag(v.text) === '!!timestamp' ? '' : '!!timestamp',
    );
  }
  if (v instanceof Uint8Array) {
    const text = base64Lines(v);
    return scalar(text, settleStyle(text, text.includes('\n') ? 'literal' : 'plain'), '!!binary');
  }
  throw new Error('cannot encode a comment as a YAML scalar');
}

function addHead(node: Comments, comments: string[]): void {
  if (comments.length > 0) node.head = [...comments, ...node.head];
}

function addFoot(node: Comments, comments: string[]): void {
  if (comments.length > 0) node.foot = [...node.foot, ...comments];
}

function addLine(node: Comments, comments: string[]): void {
  if (comments.length > 0) node.line = [...node.line, ...comments];
}

export function valueToNode(v: TreeValue): YamlNode {
  if (v instanceof TreeBranch) return branchToNode(v);
  if (Array.isArray(v)) return sequenceToNode(v);
  return scalarNode(v);
}

function sequenceToNode(list: TreeValue[]): YamlSeq {
  const seq: YamlSeq = { kind: 'seq', items: [], ...noComments() };
  let head: string[] = [];
  let inline: string[] = [];
  for (const item of list) {
    if (item instanceof Comment) {
      (item.inline ? inline : head).push(item.value);
      continue;
    }
    const node = valueToNode(item);
    addHead(seq.items.length === 0 ? seq : node, head);
    head = [];
    addLine(node, inline);
    inline = [];
    seq.items.push(node);
  }
  head.push(...inline);
  if (head.length > 0) addTrailing(seq, seq.items[seq.items.length - 1], head);
  return seq;
}

export function branchToNode(branch: TreeBranch): YamlMap {
  const map: YamlMap = { kind: 'map', entries: [], ...noComments() };
  let head: string[] = [];
  let inline: string[] = [];
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    const key = scalarNode(item.key);
    addHead(map.entries.length === 0 ? map : key, head);
    head = [];
    const value = valueToNode(item.value);
    addLine(value, inline);
    inline = [];
    map.entries.push({ key, value });
  }
  head.push(...inline);
  if (head.length > 0) addTrailing(map, map.entries[map.entries.length - 1]?.key, head);
  return map;
}

/** Trailing comments: the foot of the last entry, or the head of an empty collection. */
function addTrailing(collection: Comments, last: Comments | undefined, comments: string[]): void {
  if (last === undefined) addHead(collection, comments);
  else addFoot(last, comments);
}
