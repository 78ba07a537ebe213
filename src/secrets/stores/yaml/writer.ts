/**
 * Chartroom's YAML writer, shaped to what sops 3.x writes so that files do not churn when a
 * team switches tools: block mappings and sequences, `{}`/`[]` only when empty, no line folding,
 * the indentation go-yaml v3 uses, and comments where sops puts them.
 *
 * Indentation, as sops writes it (indent 4 by default; 2–9 via `.sops.yaml`/`--indent`):
 * - a collection under a key is indented to the next multiple of the indent (`a:\n    b: 1`),
 *   sequences included (`a:\n    - x`), and so is a block scalar's text;
 * - anything inside a sequence item is indented by 2 from its `-`, and a collection there
 *   starts on the `-` line (`- a: 1\n  b: 2`, `- - x`).
 * A key longer than 128 bytes or spanning lines is written as `? key` / `: value`.
 *
 * The `yaml` package could not be configured to do this (it has one indent for everything,
 * different quoting rules and its own comment model), hence a writer of our own.
 */
import { Cursor } from './cursor.js';
import type { YamlMap, YamlNode, YamlScalar, YamlSeq } from './nodes.js';
import { isMultiline, settleStyle } from './scalar-style.js';
import { writeCommentLines, writeLineComments, writeScalar } from './scalar-write.js';

const SIMPLE_KEY_MAX_BYTES = 128;

/**
 * Where a node sits, which decides its indentation and comments: a document's root, the value
 * of a key, a sequence item, a key on the line of its value, or a long key after `? `.
 */
type Place = 'root' | 'value' | 'item' | 'key' | 'long-key';

class YamlWriter {
  readonly cur = new Cursor();
  /**
   * Comments inside an empty `[]` cannot be written there; sops writes them before whatever
   * comes next (the next key or item, or the end of the enclosing mapping), and drops them
   * when that has comments of its own.
   */
  private carried: readonly string[] = [];

  constructor(private readonly best: number) {}

  /** Indentation of what a node at `indent`, itself in `place`, contains. */
  private inner(indent: number, place: Place, scalar: boolean): number {
    if (place === 'root') return scalar ? this.best : 0;
    if (place === 'item') return indent + 2;
    return this.best * Math.floor((indent + this.best) / this.best);
  }

  document(node: YamlNode): void {
    writeCommentLines(this.cur, this.heads(node.head), 0);
    this.node(node, -1, 'root');
    this.cur.endLine();
  }

  /**
   * Writes `node`, found in `place` of a parent written at `parentIndent`, on the cursor's line.
   * Head comments were written by the caller; line and foot comments are written here.
   */
  private node(node: YamlNode, parentIndent: number, place: Place): void {
    if (node.kind === 'scalar') {
      this.scalar(node, parentIndent, place);
      return;
    }
    const empty = node.kind === 'map' ? node.entries.length === 0 : node.items.length === 0;
    if (empty) {
      // Flow style, the only place sops uses it; comments inside go on their own lines.
      this.cur.word(node.kind === 'map' ? '{' : '[');
      if (node.kind === 'map') writeCommentLines(this.cur, node.head, this.inner(parentIndent, place, true));
      else if (node.head.length > 0) this.carried = node.head;
      this.cur.text(node.kind === 'map' ? '}' : ']');
      this.after(node.line, node.foot, parentIndent);
      return;
    }
    const indent = this.inner(parentIndent, place, false);
    // Under a key the head comments open the block; for an item they precede its `-`, and for
    // the root the document wrote them.
    if (place === 'value') writeCommentLines(this.cur, this.heads(node.head), indent);
    if (node.kind === 'map') this.mapping(node, indent);
    else this.sequence(node, indent);
    this.after(node.line, node.foot, parentIndent);
  }

  private scalar(node: YamlScalar, parentIndent: number, place: Place): void {
    if (node.tag !== '') this.cur.word(node.tag);
    // Styles come settled for a value on its own (to-nodes.ts); only a key on its line differs.
    const style = place === 'key' ? settleStyle(node.text, node.style, true) : node.style;
    const lineDone = writeScalar(this.cur, node.text, style, {
      indent: this.inner(parentIndent, place, true),
      best: this.best,
      lineComments: node.line,
    });
    if (place !== 'key' && place !== 'long-key')
      this.after(lineDone ? [] : node.line, node.foot, parentIndent);
  }

  /** Line comments end the line; foot comments follow at the parent's indentation. */
  private after(line: readonly string[], foot: readonly string[], parentIndent: number): void {
    const indent = Math.max(parentIndent, 0);
    writeLineComments(this.cur, line, indent);
    if (foot.length === 0) return;
    writeCommentLines(this.cur, foot, indent);
    this.cur.blankLineBeforeNext(indent);
  }

  private mapping(map: YamlMap, indent: number): void {
    for (const { key, value } of map.entries) {
      writeCommentLines(this.cur, this.heads(key.head), indent);
      this.cur.at(indent);
      if (isMultiline(key.text) || Buffer.byteLength(key.text, 'utf8') > SIMPLE_KEY_MAX_BYTES) {
        this.cur.blockIndicator('?');
        this.node(key, indent, 'long-key');
        this.cur.at(indent);
        this.cur.blockIndicator(':');
      } else {
        this.node(key, indent, 'key');
        this.cur.text(':');
      }
      this.node(value, indent, 'value');
      // A key's foot comments (the mapping's trailing comments) come after its value.
      if (key.foot.length > 0) {
        writeCommentLines(this.cur, key.foot, indent);
        this.cur.blankLineBeforeNext(indent);
      }
    }
    writeCommentLines(this.cur, this.heads([]), indent);
  }

  /** The head comments to write: a node's own, or else those carried from an empty `[]`. */
  private heads(own: readonly string[]): readonly string[] {
    const carried = this.carried;
    this.carried = [];
    return own.length > 0 ? own : carried;
  }

  private sequence(seq: YamlSeq, indent: number): void {
    for (const item of seq.items) {
      writeCommentLines(this.cur, this.heads(item.head), indent);
      this.cur.at(indent);
      this.cur.blockIndicator('-');
      this.node(item, indent, 'item');
    }
  }
}

/** YAML documents as sops writes them: one after another, separated by `---`. */
export function writeYamlDocuments(docs: YamlNode[], options: { indent: number }): string {
  const best = options.indent < 2 || options.indent > 9 ? 2 : options.indent;
  const writer = new YamlWriter(best);
  docs.forEach((doc, i) => {
    if (i > 0) {
      writer.cur.text('---');
      writer.cur.newline();
    }
    writer.document(doc);
  });
  return writer.cur.toString();
}
