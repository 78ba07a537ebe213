/**
 * sops tree → go-yaml nodes, as sops's yaml store builds them (appendTreeBranch/appendSequence):
 * comment items become head comments of the next key, inline comments become the line comment
 * of the next value, and trailing comments the foot comment of the last key. Scalars get the
 * style `yaml.Node.Encode` would give them (marshal, then parse back).
 */
import { Comment, TreeBranch, type TreeValue } from '../../tree.js';
import { GoTime } from '../../gotime.js';
import { formatFloatG } from '../../gofmt.js';
import {
  type MappingNode,
  type ScalarNode,
  type SequenceNode,
  type YNode,
  Style,
  rootScalarStyle,
} from './emitter.js';
import { isBase60Float, isOldBool, resolveTag } from './resolve.js';

function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  if (b64.length <= 70) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  return lines.join('\n') + '\n';
}

function scalar(value: string, tag: string, style: Style | 0): ScalarNode {
  return { kind: 'scalar', value, tag, style, head: '', line: '', foot: '' };
}

/** `(&yaml.Node{}).Encode(v)` for a scalar. */
export function scalarNode(v: TreeValue): ScalarNode {
  if (typeof v === 'string') {
    const rtag = resolveTag(v);
    const canUsePlain = rtag === '!!str' && !isBase60Float(v) && !isOldBool(v);
    const requested = v.includes('\n') ? Style.Literal : canUsePlain ? Style.Plain : Style.DoubleQuoted;
    const style = rootScalarStyle(v, requested);
    return scalar(v, '!!str', style === Style.Plain ? 0 : style);
  }
  if (typeof v === 'bigint') return scalar(v.toString(), '!!int', 0);
  if (typeof v === 'number') {
    let s = formatFloatG(v);
    if (s === '+Inf') s = '.inf';
    else if (s === '-Inf') s = '-.inf';
    else if (s === 'NaN') s = '.nan';
    // Parsed back, an integral float is an !!int: sops writes 1.0 as 1.
    return scalar(s, resolveTag(s), 0);
  }
  if (typeof v === 'boolean') return scalar(v ? 'true' : 'false', '!!bool', 0);
  if (v === null) return scalar('null', '!!null', 0);
  if (v instanceof GoTime) return scalar(v.text, '!!timestamp', 0);
  if (v instanceof Uint8Array) {
    const text = base64Lines(v);
    return scalar(text, '!!binary', text.includes('\n') ? rootScalarStyle(text, Style.Literal) : 0);
  }
  throw new Error('cannot encode a comment as a YAML scalar');
}

const joinComments = (comments: string[]): string => '#' + comments.join('\n#');

function addHead(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.head = node.head.length > 0 ? `${c}\n${node.head}` : c;
}

function addFoot(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.foot = node.foot.length > 0 ? `${node.foot}\n${c}` : c;
}

function addLine(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.line = node.line.length > 0 ? `${node.line}\n${c}` : c;
}

export function valueToNode(v: TreeValue): YNode {
  if (v instanceof TreeBranch) return branchToNode(v);
  if (Array.isArray(v)) return sequenceToNode(v);
  return scalarNode(v);
}

function sequenceToNode(list: TreeValue[]): SequenceNode {
  const seq: SequenceNode = { kind: 'seq', content: [], head: '', line: '', foot: '' };
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const item of list) {
    if (item instanceof Comment) {
      (item.inline ? inline : head).push(item.value);
      continue;
    }
    if (beginning) {
      addHead(seq, head);
      head = [];
      beginning = false;
    }
    const node = valueToNode(item);
    addHead(node, head);
    head = [];
    addLine(node, inline);
    inline = [];
    seq.content.push(node);
  }
  head.push(...inline);
  if (head.length > 0) {
    if (beginning) addHead(seq, head);
    else addFoot(seq.content[seq.content.length - 1] ?? seq, head);
  }
  return seq;
}

export function branchToNode(branch: TreeBranch): MappingNode {
  const map: MappingNode = { kind: 'map', content: [], head: '', line: '', foot: '' };
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    if (beginning) {
      addHead(map, head);
      head = [];
      beginning = false;
    }
    const keyNode = scalarNode(item.key);
    addHead(keyNode, head);
    head = [];
    const valueNode = valueToNode(item.value);
    addLine(valueNode, inline);
    inline = [];
    map.content.push(keyNode, valueNode);
  }
  head.push(...inline);
  if (head.length > 0) {
    if (beginning) addHead(map, head);
    else addFoot(map.content[map.content.length - 2] ?? map, head);
  }
  return map;
}
