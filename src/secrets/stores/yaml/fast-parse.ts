/**
 * A fast, line-based parser for the block-style YAML that sops writes and that values files are
 * made of: block mappings and sequences, single-line plain/quoted scalars, literal block
 * scalars, one-line flow collections, and comments. Comments are placed as go-yaml places them
 * (which decides their AAD): head comments before an item, end-of-line comments inline, and the
 * comments before a dedent split by column between the blocks that close (go-yaml's "foot"
 * comments). Anything outside this subset (anchors, tags, folded or multi-line scalars, complex
 * keys, …) throws Unsupported and the full parser (parse.ts) takes over.
 */
import { Comment, TreeBranch, type TreeItem, type TreeValue } from '../../tree.js';
import { NonStringKeyError } from '../types.js';
import { resolvePlain } from './resolve.js';

export class Unsupported extends Error {}

const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

interface Line {
  /** Column of the first non-space character (-1 for a blank line). */
  indent: number;
  text: string;
  /** A full-line comment. */
  comment: boolean;
}

type Scalar = Exclude<TreeValue, Comment | TreeBranch | TreeValue[]>;

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** A double-quoted scalar starting at text[start]; returns the value and the index after it. */
function doubleQuoted(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) return unsupported('multi-line double-quoted scalar');
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return unsupported('escaped line break');
    const simple = DOUBLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = text.slice(i + 2, i + 2 + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return unsupported('bad escape');
    const code = parseInt(hex, 16);
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return unsupported('invalid unicode escape');
    out += String.fromCodePoint(code);
    i += 2 + width;
  }
}

function singleQuoted(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) return unsupported('multi-line single-quoted scalar');
    if (c === "'") {
      if (text[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    out += c;
    i++;
  }
}

/** What can end or break a plain scalar outside flow context: a comment, a tab, `: `. */
const PLAIN_SPECIAL = /[ \t]#|\t|:(?: |$)/g;

/** Where a plain scalar on this line ends: at " #" (a comment) or the end; trailing spaces dropped. */
function plainEnd(text: string, start: number, flow: boolean): number {
  if (!flow) {
    // The common case (every ciphertext): nothing special up to the end of the line.
    PLAIN_SPECIAL.lastIndex = start;
    if (!PLAIN_SPECIAL.test(text)) {
      let stop = text.length;
      while (stop > start && text[stop - 1] === ' ') stop--;
      return stop;
    }
  }
  let end = start;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (text[i - 1] === ' ' || text[i - 1] === '\t')) break;
    if (
      c === ':' &&
      (i + 1 === text.length || text[i + 1] === ' ' || (flow && /[,\]}]/.test(text[i + 1] ?? '')))
    ) {
      if (flow) break;
      return unsupported('": " inside a plain scalar');
    }
    if (flow && (c === ',' || c === ']' || c === '}' || c === '[' || c === '{')) break;
    if (c === '\t') return unsupported('tab in a plain scalar');
    if (c !== ' ') end = i + 1;
  }
  return end;
}

const PLAIN_START_FORBIDDEN = new Set([
  '[',
  ']',
  '{',
  '}',
  ',',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
]);

function checkPlainStart(text: string, i: number): void {
  const c = text[i] ?? '';
  const next = text[i + 1];
  if (PLAIN_START_FORBIDDEN.has(c)) unsupported(`a plain scalar cannot start with ${c}`);
  if ((c === '-' || c === '?' || c === ':') && (next === undefined || next === ' '))
    unsupported(`indicator ${c}`);
  if (text.startsWith('---', i) || text.startsWith('...', i)) unsupported('document marker in a scalar');
}

function typedPlain(text: string): Scalar {
  const r = resolvePlain(text);
  if (r.tag === '!!uint') return unsupported('integer above int64');
  return r.value;
}

/** A one-line flow collection (`[a, "b"]`, `{k: v}`), nested allowed; returns value and end index. */
function flowValue(text: string, start: number): [TreeValue, number] {
  let i = start;
  const ws = (): void => {
    while (text[i] === ' ') i++;
  };
  const value = (): TreeValue => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const items: TreeValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') {
            i++;
            return items;
          }
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        return unsupported('flow sequence');
      }
    }
    if (c === '{') {
      i++;
      const items: TreeItem[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return new TreeBranch(items);
      }
      for (;;) {
        const key = value();
        if (typeof key !== 'string') return unsupported('non-string flow key');
        ws();
        if (text[i] !== ':') return unsupported('flow mapping without value');
        i++;
        ws();
        const v = text[i] === ',' || text[i] === '}' ? null : value();
        if (items.some((it) => it.key === key)) return unsupported('duplicate key');
        items.push({ key, value: v });
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') {
            i++;
            return new TreeBranch(items);
          }
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new TreeBranch(items);
        }
        return unsupported('flow mapping');
      }
    }
    if (c === '"') {
      const [v, end] = doubleQuoted(text, i);
      i = end;
      return v;
    }
    if (c === "'") {
      const [v, end] = singleQuoted(text, i);
      i = end;
      return v;
    }
    if (c === undefined) return unsupported('multi-line flow collection');
    checkPlainStart(text, i);
    const end = plainEnd(text, i, true);
    if (end === i) return unsupported('empty flow entry');
    const v = typedPlain(text.slice(i, end));
    i = end;
    return v;
  };
  const v = value();
  return [v, i];
}

class Parser {
  private i = 0;
  /** Comments met since the last content line: column, whether a blank line came before, and
   * (once a dedent is seen) the indent of the block they go to (-1: what comes next). */
  private pending: { column: number; text: string; afterBlank: boolean; target?: number }[] = [];
  private blankSinceContent = false;
  /** Indents of the open blocks (indentless sequences excluded), outermost first. */
  private readonly open: number[] = [];

  constructor(
    private readonly lines: Line[],
    /** Whether the document's last line ends with a line break (a block scalar there keeps it). */
    private readonly endsWithBreak: boolean,
  ) {}

  /** Skips blank and comment lines, collecting the comments; returns the next content line. */
  private peek(): Line | undefined {
    for (;;) {
      const line = this.lines[this.i];
      if (line === undefined) return undefined;
      if (line.indent < 0) {
        this.blankSinceContent = true;
        this.i++;
        continue;
      }
      if (line.comment) {
        this.pending.push({
          column: line.indent,
          text: line.text.slice(line.indent + 1),
          afterBlank: this.blankSinceContent,
        });
        this.blankSinceContent = false;
        this.i++;
        continue;
      }
      return line;
    }
  }

  /** The next non-blank line (comments included), without consuming anything. */
  private peekRaw(): Line | undefined {
    for (let j = this.i; j < this.lines.length; j++) {
      const line = this.lines[j];
      if (line !== undefined && line.indent >= 0) return line;
    }
    return undefined;
  }

  private takePending(): Comment[] {
    this.blankSinceContent = false;
    // Most lines have no comment before them: nothing to convert, no new pending list.
    if (this.pending.length === 0) return [];
    const out = this.pending.map((p) => new Comment(p.text));
    this.pending = [];
    return out;
  }

  /**
   * Comments before a dedent (or the end), split between the blocks that close as go-yaml does
   * (checked against sops case by case): the first group of lines (up to a blank line, or a line
   * dedented below the innermost block at another column) is the innermost block's foot when it
   * is indented past the line that follows (at the end of the file: to the innermost block's
   * indent); each later line goes to the closing block whose indent it sits at exactly, until a
   * blank line or any other column: from there on, comments belong to what comes next.
   */
  private planFoot(nextIndent: number): void {
    if (this.pending.length === 0 || this.pending[0]?.target !== undefined) return;
    const closing = this.open.filter((indent) => indent > nextIndent).reverse();
    const innermost = closing[0] ?? -1;
    const atEnd = nextIndent < 0;
    let next = 0;
    const first = this.pending[0];
    if (first === undefined) return;
    // The first group stays with the closing blocks when it is indented past what continues
    // (at the end of the file: at least to the innermost block's indent).
    const firstTarget = (atEnd ? first.column >= innermost : first.column > nextIndent) ? innermost : -1;
    for (; next < this.pending.length; next++) {
      const p = this.pending[next];
      if (p === undefined) break;
      if (next > 0 && (p.afterBlank || (p.column < innermost && p.column !== first.column))) break;
      p.target = firstTarget;
    }
    let last = firstTarget;
    for (; next < this.pending.length; next++) {
      const p = this.pending[next];
      if (p === undefined) break;
      const exact =
        closing.includes(p.column) && p.column <= last && last !== -1 && !p.afterBlank ? p.column : -1;
      p.target = exact;
      last = exact;
    }
  }

  /** The planned foot comments of the closing block at `indent`. */
  private footFor(indent: number, nextIndent: number): Comment[] {
    this.planFoot(nextIndent);
    const out: Comment[] = [];
    while (this.pending[0]?.target === indent) {
      const p = this.pending.shift();
      if (p !== undefined) out.push(new Comment(p.text));
    }
    return out;
  }

  /** A block mapping whose keys sit at `indent`; `parentIndent` is the enclosing block's. */
  mapping(indent: number, parentIndent: number): TreeBranch {
    this.open.push(indent);
    const items: TreeItem[] = [];
    const addComment = (c: Comment): void => {
      items.push({ key: c, value: null });
    };
    const seen = new Set<string>();
    for (;;) {
      const line = this.peek();
      if (line === undefined || line.indent < indent) {
        // The top level takes whatever is left at the end of the document.
        const foot =
          parentIndent < 0 && line === undefined
            ? this.takePending()
            : this.footFor(indent, line?.indent ?? -1);
        for (const c of foot) addComment(c);
        this.open.pop();
        return new TreeBranch(items);
      }
      if (line.indent > indent) return unsupported('unexpected indentation');
      for (const c of this.takePending()) addComment(c);
      const [key, afterColon] = this.key(line);
      if (seen.has(key)) return unsupported('duplicate key');
      seen.add(key);
      this.i++;
      const value = this.value(line.text.slice(afterColon), indent, addComment, true);
      items.push({ key, value });
    }
  }

  private key(line: Line): [string, number] {
    const text = line.text;
    const start = line.indent;
    let key: string;
    let i: number;
    if (text[start] === '"') [key, i] = doubleQuoted(text, start);
    else if (text[start] === "'") [key, i] = singleQuoted(text, start);
    else {
      if (text[start] === '?') return unsupported('complex key');
      checkPlainStart(text, start);
      let j = start;
      for (; j < text.length; j++) {
        if (text[j] === ':' && (j + 1 === text.length || text[j + 1] === ' ')) break;
        if (text[j] === '#' && text[j - 1] === ' ') return unsupported('comment in a key');
      }
      if (j >= text.length) return unsupported('not a mapping entry');
      const typed = typedPlain(text.slice(start, j).replace(/ +$/, ''));
      if (typeof typed !== 'string') throw new NonStringKeyError(nonStringKeyMessage(typed));
      return [typed, j + 1];
    }
    while (text[i] === ' ') i++;
    if (text[i] !== ':' || (i + 1 < text.length && text[i + 1] !== ' '))
      return unsupported('quoted key without ":"');
    return [key, i + 1];
  }

  /**
   * The value after `key:` or `- ` (`rest`): inline on the line, or a block below. Comments on
   * the line go through `addComment` (into the branch or list of the item, before it).
   */
  private value(rest: string, indent: number, addComment: (c: Comment) => void, ofKey = false): TreeValue {
    let i = 0;
    while (rest[i] === ' ') i++;
    if (rest[i] === '\t') return unsupported('tab');
    const c = rest[i];
    if (c === undefined || c === '#') {
      // `key:` alone: a nested block, or null. A comment here is go-yaml's key line comment.
      const keyComment = c === '#' ? rest.slice(i + 1) : undefined;
      const next = this.peek();
      const nested =
        next !== undefined &&
        (next.indent > indent || (next.indent === indent && isSeqItem(next.text, next.indent)));
      // go-yaml keeps it as the key's line comment; sops moves it above the key either way.
      if (keyComment !== undefined) addComment(new Comment(keyComment));
      if (!nested) return null;
      if (isSeqItem(next.text, next.indent)) return this.sequence(next.indent, indent);
      return this.mapping(next.indent, indent);
    }
    if (c === '&' || c === '*' || c === '!') return unsupported('anchor, alias or tag');
    if (c === '>') return unsupported('folded scalar');
    if (c === '|') return this.literal(rest.slice(i), indent, addComment);
    let value: TreeValue;
    let after: number;
    if (c === '"') [value, after] = doubleQuoted(rest, i);
    else if (c === "'") [value, after] = singleQuoted(rest, i);
    else if (c === '[' || c === '{') [value, after] = flowValue(rest, i);
    else {
      if (c === '-' && (rest[i + 1] === ' ' || rest[i + 1] === undefined))
        return unsupported('sequence on a key line');
      checkPlainStart(rest, i);
      after = plainEnd(rest, i, false);
      value = typedPlain(rest.slice(i, after));
    }
    while (rest[after] === ' ') after++;
    if (after < rest.length) {
      if (rest[after] !== '#') return unsupported('text after a value');
      const comment = rest.slice(after + 1);
      // After a key's flow collection, go-yaml reads the comment into the collection, ahead
      // of its entries (sops writes `k: [a] # c` as `k:\n    # c\n    - a`).
      if (ofKey && value instanceof TreeBranch)
        value.items.unshift({ key: new Comment(comment), value: null });
      else if (ofKey && Array.isArray(value)) value.unshift(new Comment(comment));
      else addComment(new Comment(comment, true));
    }
    // A plain scalar continued on the next lines (or a stray deeper line): not ours to parse.
    const next = this.peekRaw();
    if (next !== undefined && next.indent > indent && !next.comment) return unsupported('multi-line scalar');
    return value;
  }

  /** A block sequence with its `-` at `indent`. */
  private sequence(indent: number, parentIndent: number): TreeValue[] {
    const items: TreeValue[] = [];
    const addComment = (c: Comment): void => {
      items.push(c);
    };
    // An indentless sequence (`- x` at its key's column) leaves the comments after it to its
    // parent, whatever their column (as go-yaml does).
    const indentless = parentIndent === indent;
    if (!indentless) this.open.push(indent);
    for (;;) {
      const line = this.peek();
      if (
        line === undefined ||
        line.indent < indent ||
        (line.indent === indent && !isSeqItem(line.text, indent))
      ) {
        if (!indentless) {
          items.push(
            ...this.footFor(
              indent,
              line === undefined ? -1 : line.indent === indent ? indent - 1 : line.indent,
            ),
          );
          this.open.pop();
        }
        return items;
      }
      if (line.indent > indent) return unsupported('unexpected indentation in a sequence');
      items.push(...this.takePending());
      this.i++;
      let j = indent + 1;
      while (line.text[j] === ' ') j++;
      const rest = line.text.slice(j);
      if (rest === '' || rest.startsWith('#')) return unsupported('item on the next line');
      if (rest.startsWith('- ') || rest === '-') return unsupported('nested sequence on one line');
      if (looksLikeKey(rest)) {
        // `- key: value` starts a mapping whose keys line up after "- ".
        this.i--;
        this.lines[this.i] = { indent: j, text: ' '.repeat(j) + rest, comment: false };
        items.push(this.mapping(j, indent));
        continue;
      }
      items.push(this.value(rest, indent, addComment));
    }
  }

  private literal(header: string, indent: number, addComment: (c: Comment) => void): string {
    const m = /^\|([1-9])?([+-])?([1-9])?( *#.*)?\s*$/.exec(header);
    if (m === null || (m[1] !== undefined && m[3] !== undefined)) return unsupported('block scalar header');
    const increment = Number(m[1] ?? m[3] ?? 0);
    const chomp = m[2] ?? '';
    if (m[4] !== undefined) addComment(new Comment(m[4].replace(/^ *#/, ''), true));
    const raw = (j: number): string => this.lines[j]?.text ?? '';
    const spacesOf = (t: string): number => t.length - t.replace(/^ +/, '').length;
    // go-yaml's auto-detection: the most indented leading blank line, or the first text line.
    let contentIndent = increment > 0 ? Math.max(indent, 0) + increment : 0;
    if (contentIndent === 0) {
      let max = 0;
      for (let j = this.i; j < this.lines.length; j++) {
        const t = raw(j);
        max = Math.max(max, spacesOf(t));
        if (spacesOf(t) < t.length) break;
      }
      contentIndent = Math.max(max, indent + 1, 1);
    }
    const body: string[] = [];
    let blanks = 0;
    let j = this.i;
    for (; j < this.lines.length; j++) {
      const t = raw(j);
      const spaces = spacesOf(t);
      if (spaces === t.length) {
        if (spaces > contentIndent) return unsupported('spaces on a blank line of a block scalar');
        blanks++;
        continue;
      }
      if (spaces < contentIndent) break;
      const tab = t.indexOf('\t');
      if (tab >= 0 && tab < contentIndent) return unsupported('tab indentation');
      for (; blanks > 0; blanks--) body.push('');
      body.push(t.slice(contentIndent));
    }
    // The blank lines after the scalar belong to the document again.
    this.i = j - blanks;
    // At the very end of a file without a final line break there is no break to keep.
    const lastBreak = j < this.lines.length || blanks > 0 || this.endsWithBreak ? '\n' : '';
    if (body.length === 0) return chomp === '+' ? '\n'.repeat(blanks) : '';
    const text = body.join('\n');
    if (chomp === '-') return text;
    if (chomp === '+') return text + lastBreak + '\n'.repeat(blanks);
    return text + lastBreak;
  }
}

function isSeqItem(text: string, indent: number): boolean {
  return text[indent] === '-' && (text[indent + 1] === ' ' || text[indent + 1] === undefined);
}

/** `key: …` or `"key": …` at the start of an item (not a scalar with a colon inside). */
function looksLikeKey(rest: string): boolean {
  if (rest[0] === '"' || rest[0] === "'") {
    try {
      const [, end] = rest[0] === '"' ? doubleQuoted(rest, 0) : singleQuoted(rest, 0);
      const after = rest.slice(end).replace(/^ +/, '');
      return after.startsWith(':') && (after.length === 1 || after[1] === ' ');
    } catch {
      return false;
    }
  }
  if (rest[0] === '[' || rest[0] === '{') return false;
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '#' && rest[j - 1] === ' ') return false;
    if (rest[j] === ':' && (j + 1 === rest.length || rest[j + 1] === ' ')) return true;
  }
  return false;
}

function nonStringKeyMessage(v: Scalar): string {
  if (typeof v === 'bigint')
    return `Tree contains a non-string key (type int): %!s(int=${v}). Only string keys are supported`;
  if (typeof v === 'number')
    return `Tree contains a non-string key (type float64): %!s(float64=${v}). Only string keys are supported`;
  if (typeof v === 'boolean')
    return `Tree contains a non-string key (type bool): %!s(bool=${v}). Only string keys are supported`;
  if (v === null)
    return 'Tree contains a non-string key (type <nil>): %!s(<nil>). Only string keys are supported';
  return `Tree contains a non-string key: ${JSON.stringify(v)}. Only string keys are supported`;
}

function splitLines(text: string): Line[] {
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  return raw.map((l) => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (t.includes('\r')) unsupported('carriage return');
    let indent = 0;
    while (t[indent] === ' ') indent++;
    if (indent === t.length) return { indent: -1, text: t, comment: false };
    if (t[indent] === '\t') unsupported('tab indentation');
    return { indent, text: t, comment: t[indent] === '#' };
  });
}

/**
 * Parses `text` into one branch per document, or throws Unsupported for anything beyond the
 * block subset (the caller then uses the full parser).
 */
export function fastParseYaml(text: string): TreeBranch[] {
  if (text === '') return [];
  if (/^(%|\.\.\.)/m.test(text)) unsupported('directives or document end markers');
  const lines = splitLines(text);
  const docs: Line[][] = [[]];
  for (const line of lines) {
    if (line.indent === 0 && line.text.startsWith('---')) {
      if (line.text.trimEnd() !== '---') unsupported('content after ---');
      if (docs.length === 1 && (docs[0] ?? []).every((l) => l.indent < 0)) {
        docs[0] = [];
        continue;
      }
      docs.push([]);
      continue;
    }
    docs[docs.length - 1]?.push(line);
  }
  return docs.map((doc, index) => {
    const content = doc.filter((l) => l.indent >= 0 && !l.comment);
    if (content.length === 0) {
      if (doc.some((l) => l.comment)) unsupported('comment-only document');
      if (index === 0 && docs.length === 1 && !/^---/m.test(text)) unsupported('empty stream');
      return new TreeBranch();
    }
    const first = content[0];
    if (
      first !== undefined &&
      (first.indent !== 0 || isSeqItem(first.text, 0) || !looksLikeKey(first.text))
    ) {
      unsupported('a document that is not a block mapping at column 0');
    }
    const last = index === docs.length - 1;
    return new Parser(doc, !last || text.endsWith('\n')).mapping(0, -1);
  });
}
