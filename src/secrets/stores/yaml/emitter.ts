/**
 * A port of go-yaml v3's emitter (emitterc.go) and node encoder (encode.go), limited to what
 * sops produces: block mappings and sequences (flow only when empty), the four scalar styles,
 * `!!binary` tags and head/line/foot comments. Porting rather than approximating is what makes
 * our YAML byte-identical to sops's, so switching tools does not churn git diffs.
 */

export const enum Style {
  Plain = 1,
  SingleQuoted = 2,
  DoubleQuoted = 3,
  Literal = 4,
  Folded = 5,
}

export interface ScalarNode {
  kind: 'scalar';
  value: string;
  /** Short tag as go-yaml keeps it after parsing (`!!str`, `!!int`, `!!binary`…). */
  tag: string;
  /** 0 = none chosen (plain unless the emitter must quote). */
  style: Style | 0;
  head: string;
  line: string;
  foot: string;
}

export interface MappingNode {
  kind: 'map';
  content: YNode[];
  head: string;
  line: string;
  foot: string;
}

export interface SequenceNode {
  kind: 'seq';
  content: YNode[];
  head: string;
  line: string;
  foot: string;
}

export type YNode = ScalarNode | MappingNode | SequenceNode;

type EventType =
  | 'STREAM_START'
  | 'STREAM_END'
  | 'DOCUMENT_START'
  | 'DOCUMENT_END'
  | 'MAPPING_START'
  | 'MAPPING_END'
  | 'SEQUENCE_START'
  | 'SEQUENCE_END'
  | 'SCALAR';

interface YEvent {
  type: EventType;
  implicit?: boolean;
  value?: string;
  tag?: string;
  style?: Style;
  head?: string;
  line?: string;
  foot?: string;
  tail?: string;
}

type State =
  | 'STREAM_START'
  | 'FIRST_DOCUMENT_START'
  | 'DOCUMENT_START'
  | 'DOCUMENT_CONTENT'
  | 'DOCUMENT_END'
  | 'FLOW_SEQUENCE_FIRST_ITEM'
  | 'FLOW_SEQUENCE_ITEM'
  | 'FLOW_MAPPING_FIRST_KEY'
  | 'FLOW_MAPPING_KEY'
  | 'BLOCK_SEQUENCE_FIRST_ITEM'
  | 'BLOCK_SEQUENCE_ITEM'
  | 'BLOCK_MAPPING_FIRST_KEY'
  | 'BLOCK_MAPPING_KEY'
  | 'BLOCK_MAPPING_SIMPLE_VALUE'
  | 'BLOCK_MAPPING_VALUE'
  | 'END';

/** Escapes go-yaml writes in double-quoted scalars. */
const DOUBLE_QUOTED_ESCAPES = new Map<number, string>([
  [0x00, '0'],
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

// ---- character classes (yamlprivateh.go), on code points ----
const isBreak = (c: number): boolean =>
  c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined): boolean => c === 0x20;
const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
const isBlankz = (c: number | undefined): boolean => c === undefined || c === 0 || isBlank(c) || isBreak(c);
const isPrintable = (c: number): boolean =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

interface ScalarAnalysis {
  value: number[];
  text: string;
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
  style: Style;
}

/** The text as code points (Go walks runes); ASCII strings take the fast path. */
function codePoints(text: string): number[] {
  const out: number[] = new Array<number>(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      out[n++] = text.codePointAt(i) ?? c;
      i++;
    } else {
      out[n++] = c;
    }
  }
  out.length = n;
  return out;
}

/** yaml_emitter_analyze_scalar. */
export function analyzeScalar(text: string): ScalarAnalysis {
  const value = codePoints(text);
  const a: ScalarAnalysis = {
    value,
    text,
    multiline: false,
    flowPlainAllowed: false,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: false,
    style: Style.Plain,
  };
  if (value.length === 0) return a;
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let tabCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = value[i] ?? 0;
    const next = value[i + 1];
    const followedByWhitespace = i === last || next === 0x20 || next === 0x09;
    if (i === 0) {
      switch (c) {
        // # , [ ] { } & * ! | > ' " % @ `
        case 0x23:
        case 0x2c:
        case 0x5b:
        case 0x5d:
        case 0x7b:
        case 0x7d:
        case 0x26:
        case 0x2a:
        case 0x21:
        case 0x7c:
        case 0x3e:
        case 0x27:
        case 0x22:
        case 0x25:
        case 0x40:
        case 0x60:
          flowIndicators = true;
          blockIndicators = true;
          break;
        case 0x3f: // ?
        case 0x3a: // :
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
          break;
        case 0x2d: // -
          if (followedByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
        default:
          break;
      }
    } else if (c === 0x2c || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) {
      flowIndicators = true;
    } else if (c === 0x3a) {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === 0x23 && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (c === 0x09) tabCharacters = true;
    else if (!isPrintable(c)) specialCharacters = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  a.multiline = lineBreaks;
  a.flowPlainAllowed = true;
  a.blockPlainAllowed = true;
  a.singleQuotedAllowed = true;
  a.blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || tabCharacters || specialCharacters) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) a.blockAllowed = false;
  if (lineBreaks) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (flowIndicators) a.flowPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

/** The style select_scalar_style settles on outside flow and simple-key contexts. */
export function rootScalarStyle(text: string, requested: Style): Style {
  const a = analyzeScalar(text);
  let style = requested;
  if (style === Style.Plain && !a.blockPlainAllowed) style = Style.SingleQuoted;
  if (style === Style.SingleQuoted && !a.singleQuotedAllowed) style = Style.DoubleQuoted;
  if ((style === Style.Literal || style === Style.Folded) && !a.blockAllowed) style = Style.DoubleQuoted;
  return style;
}

// ---------------------------------------------------------------------------------------------
// Encoder: nodes → events (encode.go `node`), with the foot→tail comment shuffle.

function nodeEvents(node: YNode, tail: string, out: YEvent[], resolveTag: (s: string) => string): void {
  switch (node.kind) {
    case 'seq':
      out.push({ type: 'SEQUENCE_START', implicit: true, head: node.head });
      for (const child of node.content) nodeEvents(child, '', out, resolveTag);
      out.push({ type: 'SEQUENCE_END', line: node.line, foot: node.foot });
      return;
    case 'map': {
      out.push({ type: 'MAPPING_START', implicit: true, tail, head: node.head });
      let t = '';
      for (let i = 0; i + 1 < node.content.length; i += 2) {
        const key = node.content[i];
        const value = node.content[i + 1];
        if (key === undefined || value === undefined) break;
        const foot = key.foot;
        nodeEvents(foot === '' ? key : { ...key, foot: '' }, t, out, resolveTag);
        t = foot;
        nodeEvents(value, '', out, resolveTag);
      }
      out.push({ type: 'MAPPING_END', tail: t, line: node.line, foot: node.foot });
      return;
    }
    case 'scalar': {
      let tag = node.tag;
      let forceQuoting = false;
      if (tag !== '') {
        if (
          tag === '!!str' &&
          (node.style === Style.SingleQuoted ||
            node.style === Style.DoubleQuoted ||
            node.style === Style.Literal ||
            node.style === Style.Folded)
        ) {
          tag = '';
        } else {
          const rtag = resolveTag(node.value);
          if (rtag === tag) tag = '';
          else if (tag === '!!str') {
            tag = '';
            forceQuoting = true;
          }
        }
      }
      let style = Style.Plain;
      if (node.style !== 0) style = node.style;
      else if (node.value.includes('\n')) style = Style.Literal;
      else if (forceQuoting) style = Style.DoubleQuoted;
      out.push({
        type: 'SCALAR',
        value: node.value,
        tag,
        implicit: tag === '',
        style,
        head: node.head,
        line: node.line,
        foot: node.foot,
        tail,
      });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Emitter state machine (emitterc.go).

class Emitter {
  private out: string[] = [];
  private events: YEvent[] = [];
  private head = 0;
  private state: State = 'STREAM_START';
  private states: State[] = [];
  private indent = -1;
  private indents: number[] = [];
  private flowLevel = 0;
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private footIndent = -1;
  private rootContext = false;
  private mappingContext = false;
  private simpleKeyContext = false;
  private headComment = '';
  private lineComment = '';
  private footComment = '';
  private tailComment = '';
  private keyLineComment = '';
  private scalar: ScalarAnalysis = analyzeScalar('');
  private tagHandle = '';
  private tagSuffix = '';

  constructor(private readonly bestIndent: number) {}

  run(events: YEvent[]): string {
    this.events = events;
    this.head = 0;
    for (const ev of events) {
      this.analyzeEvent(ev);
      this.dispatch(ev);
      this.head++;
    }
    return this.out.join('');
  }

  // ---- low-level writers ----
  private put(ch: string): void {
    this.out.push(ch);
    this.column++;
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
    this.indention = true;
  }

  private writeCp(cp: number): void {
    this.out.push(String.fromCodePoint(cp));
    this.column++;
  }

  /** Writes text known to hold no line breaks; `width` is its length in code points. */
  private writeRun(text: string, width: number): void {
    if (text === '') return;
    this.out.push(text);
    this.column += width;
  }

  private writeAll(s: string): void {
    this.writeRun(s, codePoints(s).length);
  }

  private writeBreak(cp: number): void {
    if (cp === 0x0a) {
      this.putBreak();
    } else {
      this.writeCp(cp);
      this.column = 0;
      this.indention = true;
    }
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    if (this.footIndent === indent) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.footIndent = -1;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.writeAll(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
    this.openEnded = false;
  }

  private writeComment(comment: string): void {
    let breaks = false;
    let pound = false;
    const cps = Array.from(comment, (c) => c.codePointAt(0) ?? 0);
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreak(c);
        breaks = true;
        pound = false;
      } else {
        if (breaks) this.writeIndent();
        if (!pound) {
          if (c !== 0x23) {
            this.put('#');
            this.put(' ');
          }
          pound = true;
        }
        this.writeCp(c);
        this.indention = false;
        breaks = false;
      }
    }
    if (!breaks) this.putBreak();
    this.whitespace = true;
  }

  // ---- comments ----
  private processHeadComment(): void {
    if (this.tailComment.length > 0) {
      this.writeIndent();
      this.writeComment(this.tailComment);
      this.tailComment = '';
      this.footIndent = Math.max(this.indent, 0);
    }
    if (this.headComment.length === 0) return;
    this.writeIndent();
    this.writeComment(this.headComment);
    this.headComment = '';
  }

  private processLineComment(linebreak = false): void {
    if (this.lineComment.length === 0) {
      if (linebreak) this.putBreak();
      return;
    }
    if (!this.whitespace) this.put(' ');
    this.writeComment(this.lineComment);
    this.lineComment = '';
  }

  private processFootComment(): void {
    if (this.footComment.length === 0) return;
    this.writeIndent();
    this.writeComment(this.footComment);
    this.footComment = '';
    this.footIndent = Math.max(this.indent, 0);
  }

  // ---- analysis ----
  private analyzeEvent(ev: YEvent): void {
    this.tagHandle = '';
    this.tagSuffix = '';
    if (ev.head) this.headComment = ev.head;
    if (ev.line) this.lineComment = ev.line;
    if (ev.foot) this.footComment = ev.foot;
    if (ev.tail) this.tailComment = ev.tail;
    if (ev.type === 'SCALAR') {
      if (ev.tag !== undefined && ev.tag !== '' && !ev.implicit) {
        if (ev.tag.startsWith('!!')) {
          this.tagHandle = '!!';
          this.tagSuffix = ev.tag.slice(2);
        } else {
          this.tagSuffix = ev.tag;
        }
      }
      this.scalar = analyzeScalar(ev.value ?? '');
    }
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) {
      this.indent = flow ? this.bestIndent : 0;
    } else if (!indentless) {
      if (this.states[this.states.length - 1] === 'BLOCK_SEQUENCE_ITEM') this.indent += 2;
      else this.indent = this.bestIndent * Math.floor((this.indent + this.bestIndent) / this.bestIndent);
    }
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  private popState(): void {
    this.state = this.states.pop() ?? 'END';
  }

  private next(offset: number): YEvent | undefined {
    return this.events[this.head + offset];
  }

  private checkEmptySequence(): boolean {
    return this.next(0)?.type === 'SEQUENCE_START' && this.next(1)?.type === 'SEQUENCE_END';
  }

  private checkEmptyMapping(): boolean {
    return this.next(0)?.type === 'MAPPING_START' && this.next(1)?.type === 'MAPPING_END';
  }

  private checkSimpleKey(): boolean {
    const type = this.next(0)?.type;
    if (type === 'SCALAR') {
      if (this.scalar.multiline) return false;
      return (
        this.tagHandle.length + this.tagSuffix.length + Buffer.byteLength(this.scalar.text, 'utf8') <= 128
      );
    }
    if (type === 'SEQUENCE_START') return this.checkEmptySequence();
    if (type === 'MAPPING_START') return this.checkEmptyMapping();
    return false;
  }

  // ---- states ----
  private dispatch(ev: YEvent): void {
    switch (this.state) {
      case 'STREAM_START':
        this.indent = -1;
        this.column = 0;
        this.whitespace = true;
        this.indention = true;
        this.footIndent = -1;
        this.state = 'FIRST_DOCUMENT_START';
        return;
      case 'FIRST_DOCUMENT_START':
        this.documentStart(ev, true);
        return;
      case 'DOCUMENT_START':
        this.documentStart(ev, false);
        return;
      case 'DOCUMENT_CONTENT':
        this.states.push('DOCUMENT_END');
        this.processHeadComment();
        this.node(ev, true, false, false, false);
        this.processLineComment();
        this.processFootComment();
        return;
      case 'DOCUMENT_END':
        this.footIndent = 0;
        this.processFootComment();
        this.footIndent = -1;
        this.writeIndent();
        this.state = 'DOCUMENT_START';
        return;
      case 'FLOW_SEQUENCE_FIRST_ITEM':
        this.flowSequenceItem(ev, true);
        return;
      case 'FLOW_SEQUENCE_ITEM':
        this.flowSequenceItem(ev, false);
        return;
      case 'FLOW_MAPPING_FIRST_KEY':
        this.flowMappingKey(ev, true);
        return;
      case 'FLOW_MAPPING_KEY':
        this.flowMappingKey(ev, false);
        return;
      case 'BLOCK_SEQUENCE_FIRST_ITEM':
        this.blockSequenceItem(ev, true);
        return;
      case 'BLOCK_SEQUENCE_ITEM':
        this.blockSequenceItem(ev, false);
        return;
      case 'BLOCK_MAPPING_FIRST_KEY':
        this.blockMappingKey(ev, true);
        return;
      case 'BLOCK_MAPPING_KEY':
        this.blockMappingKey(ev, false);
        return;
      case 'BLOCK_MAPPING_SIMPLE_VALUE':
        this.blockMappingValue(ev, true);
        return;
      case 'BLOCK_MAPPING_VALUE':
        this.blockMappingValue(ev, false);
        return;
      case 'END':
        throw new Error('expected nothing after STREAM-END');
    }
  }

  private documentStart(ev: YEvent, first: boolean): void {
    if (ev.type === 'STREAM_END') {
      this.state = 'END';
      return;
    }
    const implicit = first && ev.implicit === true;
    if (!implicit) {
      this.writeIndent();
      this.writeIndicator('---', true, false, false);
      this.writeIndent();
    }
    if (this.headComment.length > 0) {
      this.processHeadComment();
      this.putBreak();
    }
    this.state = 'DOCUMENT_CONTENT';
  }

  private flowSequenceItem(ev: YEvent, first: boolean): void {
    if (first) {
      this.writeIndicator('[', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
    }
    if (ev.type === 'SEQUENCE_END') {
      this.flowLevel--;
      this.popIndent();
      if (this.column === 0) this.writeIndent();
      this.writeIndicator(']', false, false, false);
      this.processLineComment();
      this.processFootComment();
      this.popState();
      return;
    }
    throw new Error('non-empty flow sequences are not produced by sops');
  }

  private flowMappingKey(ev: YEvent, first: boolean): void {
    if (first) {
      this.writeIndicator('{', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
    }
    if (ev.type === 'MAPPING_END') {
      this.processHeadComment();
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator('}', false, false, false);
      this.processLineComment();
      this.processFootComment();
      this.popState();
      return;
    }
    throw new Error('non-empty flow mappings are not produced by sops');
  }

  private blockSequenceItem(ev: YEvent, first: boolean): void {
    if (first) this.increaseIndent(false, false);
    if (ev.type === 'SEQUENCE_END') {
      this.popIndent();
      this.popState();
      return;
    }
    this.processHeadComment();
    this.writeIndent();
    this.writeIndicator('-', true, false, true);
    this.states.push('BLOCK_SEQUENCE_ITEM');
    this.node(ev, false, true, false, false);
    this.processLineComment();
    this.processFootComment();
  }

  private blockMappingKey(ev: YEvent, first: boolean): void {
    if (first) this.increaseIndent(false, false);
    this.processHeadComment();
    if (ev.type === 'MAPPING_END') {
      this.popIndent();
      this.popState();
      return;
    }
    this.writeIndent();
    if (this.lineComment.length > 0) {
      this.keyLineComment = this.lineComment;
      this.lineComment = '';
    }
    if (this.checkSimpleKey()) {
      this.states.push('BLOCK_MAPPING_SIMPLE_VALUE');
      this.node(ev, false, false, true, true);
      return;
    }
    this.writeIndicator('?', true, false, true);
    this.states.push('BLOCK_MAPPING_VALUE');
    this.node(ev, false, false, true, false);
  }

  private blockMappingValue(ev: YEvent, simple: boolean): void {
    if (simple) {
      this.writeIndicator(':', false, false, false);
    } else {
      this.writeIndent();
      this.writeIndicator(':', true, false, true);
    }
    if (this.keyLineComment.length > 0) {
      if (ev.type === 'SCALAR') {
        if (this.lineComment.length === 0) {
          this.lineComment = this.keyLineComment;
          this.keyLineComment = '';
        }
      } else if (ev.type === 'MAPPING_START' || ev.type === 'SEQUENCE_START') {
        [this.lineComment, this.keyLineComment] = [this.keyLineComment, this.lineComment];
        this.processLineComment();
        [this.lineComment, this.keyLineComment] = [this.keyLineComment, this.lineComment];
      }
    }
    this.states.push('BLOCK_MAPPING_KEY');
    this.node(ev, false, false, true, false);
    this.processLineComment();
    this.processFootComment();
  }

  private node(ev: YEvent, root: boolean, _sequence: boolean, mapping: boolean, simpleKey: boolean): void {
    this.rootContext = root;
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (ev.type === 'SCALAR') {
      this.emitScalar(ev);
    } else if (ev.type === 'SEQUENCE_START') {
      this.state =
        this.flowLevel > 0 || this.checkEmptySequence()
          ? 'FLOW_SEQUENCE_FIRST_ITEM'
          : 'BLOCK_SEQUENCE_FIRST_ITEM';
    } else if (ev.type === 'MAPPING_START') {
      this.state =
        this.flowLevel > 0 || this.checkEmptyMapping() ? 'FLOW_MAPPING_FIRST_KEY' : 'BLOCK_MAPPING_FIRST_KEY';
    } else {
      throw new Error(`expected SCALAR, SEQUENCE-START, MAPPING-START, but got ${ev.type}`);
    }
  }

  private emitScalar(ev: YEvent): void {
    this.selectScalarStyle(ev);
    if (this.tagHandle !== '' || this.tagSuffix !== '') {
      if (this.tagHandle !== '') {
        this.writeIndicator(this.tagHandle, true, false, false);
        this.writeAll(this.tagSuffix);
      } else {
        this.writeIndicator('!<', true, false, false);
        this.writeAll(this.tagSuffix);
        this.writeIndicator('>', false, false, false);
      }
    }
    this.increaseIndent(true, false);
    switch (this.scalar.style) {
      case Style.Plain:
        this.writePlain();
        break;
      case Style.SingleQuoted:
        this.writeSingleQuoted();
        break;
      case Style.DoubleQuoted:
        this.writeDoubleQuoted();
        break;
      case Style.Literal:
        this.writeLiteral();
        break;
      case Style.Folded:
        throw new Error('folded scalars are not produced by sops');
    }
    this.popIndent();
    this.popState();
  }

  private selectScalarStyle(ev: YEvent): void {
    const noTag = this.tagHandle === '' && this.tagSuffix === '';
    let style = ev.style ?? Style.Plain;
    if (this.simpleKeyContext && this.scalar.multiline) style = Style.DoubleQuoted;
    if (style === Style.Plain) {
      if (
        (this.flowLevel > 0 && !this.scalar.flowPlainAllowed) ||
        (this.flowLevel === 0 && !this.scalar.blockPlainAllowed)
      ) {
        style = Style.SingleQuoted;
      }
      if (this.scalar.value.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext))
        style = Style.SingleQuoted;
      if (noTag && ev.implicit !== true) style = Style.SingleQuoted;
    }
    if (style === Style.SingleQuoted && !this.scalar.singleQuotedAllowed) style = Style.DoubleQuoted;
    if (
      (style === Style.Literal || style === Style.Folded) &&
      (!this.scalar.blockAllowed || this.flowLevel > 0 || this.simpleKeyContext)
    ) {
      style = Style.DoubleQuoted;
    }
    this.scalar.style = style;
  }

  /** Plain scalars never hold line breaks (the analysis forbids it), and lines are never folded. */
  private writePlain(): void {
    const { value, text } = this.scalar;
    if (value.length > 0 && !this.whitespace) this.put(' ');
    this.writeRun(text, value.length);
    if (value.length > 0) this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(): void {
    this.writeIndicator("'", true, false, false);
    let breaks = false;
    let run = '';
    let width = 0;
    const flush = (): void => {
      this.writeRun(run, width);
      run = '';
      width = 0;
    };
    for (const c of this.scalar.value) {
      if (isBreak(c)) {
        flush();
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        breaks = true;
        continue;
      }
      if (breaks) this.writeIndent();
      if (c === 0x27) {
        run += "'";
        width++;
      }
      run += String.fromCodePoint(c);
      width++;
      if (c !== 0x20) this.indention = false;
      breaks = false;
    }
    flush();
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(): void {
    this.writeIndicator('"', true, false, false);
    const { value, text } = this.scalar;
    const bom = value[0] === 0xfeff;
    let run = '';
    for (const v of value) {
      if (!isPrintable(v) || bom || isBreak(v) || v === 0x22 || v === 0x5c) {
        const simple = DOUBLE_QUOTED_ESCAPES.get(v);
        if (simple !== undefined) {
          run += '\\' + simple;
        } else {
          const [prefix, width] = v <= 0xff ? ['x', 2] : v <= 0xffff ? ['u', 4] : ['U', 8];
          run += '\\' + prefix + v.toString(16).toUpperCase().padStart(width, '0');
        }
      } else {
        run += String.fromCodePoint(v);
      }
    }
    this.writeRun(run, run === text ? value.length : codePoints(run).length);
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeBlockScalarHints(): void {
    const value = this.scalar.value;
    if (isSpace(value[0]) || (value[0] !== undefined && isBreak(value[0]))) {
      this.writeIndicator(String(this.bestIndent), false, false, false);
    }
    this.openEnded = false;
    let chomp = '';
    if (value.length === 0) {
      chomp = '-';
    } else {
      const last = value[value.length - 1] ?? 0;
      if (!isBreak(last)) chomp = '-';
      else if (value.length === 1) {
        chomp = '+';
        this.openEnded = true;
      } else if (isBreak(value[value.length - 2] ?? 0)) {
        chomp = '+';
        this.openEnded = true;
      }
    }
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
  }

  private writeLiteral(): void {
    this.writeIndicator('|', true, false, false);
    this.writeBlockScalarHints();
    this.processLineComment(true);
    this.whitespace = true;
    let breaks = true;
    let run = '';
    let width = 0;
    for (const c of this.scalar.value) {
      if (isBreak(c)) {
        this.writeRun(run, width);
        run = '';
        width = 0;
        this.writeBreak(c);
        breaks = true;
        continue;
      }
      if (breaks) this.writeIndent();
      run += String.fromCodePoint(c);
      width++;
      this.indention = false;
      breaks = false;
    }
    this.writeRun(run, width);
  }
}

/** Emits YAML documents (each a root mapping node), as sops's EmitPlainFile does. */
export function emitYamlDocuments(docs: YNode[], indent: number, resolveTag: (s: string) => string): string {
  const events: YEvent[] = [{ type: 'STREAM_START' }];
  for (const doc of docs) {
    events.push({ type: 'DOCUMENT_START', implicit: true });
    nodeEvents(doc, '', events, resolveTag);
    events.push({ type: 'DOCUMENT_END', implicit: true });
  }
  events.push({ type: 'STREAM_END' });
  const best = indent < 2 || indent > 9 ? 2 : indent;
  return new Emitter(best).run(events);
}
