/**
 * The output position of the YAML writer. Block YAML is written line by line, and one rule
 * shapes it: a nested collection under `- `, `? ` or a `:` on its own line starts on that same
 * line when there is room (`- a: 1`, `- - x`), so the writer tracks whether the current line
 * holds only such indicators. The other rule is go-yaml's: after a trailing comment block at
 * some indentation, the next line written at that same indentation is preceded by a blank line.
 */
export class Cursor {
  private readonly chunks: string[] = [];
  private line = '';
  /** Columns used on the current line, in code points. */
  private width = 0;
  /** The current line holds only indentation and the indicators `-`, `?` and a lone `:`. */
  private indicatorsOnly = true;
  private blankLineAt = -1;

  /** Moves to `indent` for block content: on this line if only indicators precede, else the next. */
  at(indent: number): void {
    const roomHere =
      this.indicatorsOnly && (this.width < indent || (this.width === indent && this.endsInSpace()));
    if (!roomHere) this.newline();
    if (this.blankLineAt === indent) this.newline();
    this.blankLineAt = -1;
    this.pad(indent);
  }

  /** Ends the line unless nothing is on it. */
  endLine(): void {
    if (this.line !== '') this.newline();
  }

  /** Ends the line with `\n`, or with another YAML line break kept verbatim (U+2028 in a literal). */
  newline(lineBreak = '\n'): void {
    this.chunks.push(this.line, lineBreak);
    this.line = '';
    this.width = 0;
    this.indicatorsOnly = true;
  }

  /** Spaces up to `indent` (no line break). */
  pad(indent: number): void {
    if (this.width < indent) this.add(' '.repeat(indent - this.width), indent - this.width);
  }

  /** `-`, `?` or a `:` after a complex key: a nested collection may still share the line. */
  blockIndicator(mark: string): void {
    this.spaceIfNeeded();
    this.add(mark, 1);
  }

  /** Text on the current line, separated from what precedes it by a space. */
  word(text: string): void {
    this.spaceIfNeeded();
    this.text(text);
  }

  /** Text on the current line, without line breaks. */
  text(text: string): void {
    if (text === '') return;
    this.add(text, codePointCount(text));
    this.indicatorsOnly = false;
  }

  /** After a trailing comment block written at `indent`. */
  blankLineBeforeNext(indent: number): void {
    this.blankLineAt = indent;
  }

  endsInSpace(): boolean {
    return this.line === '' || this.line.endsWith(' ');
  }

  toString(): string {
    return this.chunks.join('') + this.line;
  }

  private spaceIfNeeded(): void {
    if (!this.endsInSpace()) this.add(' ', 1);
  }

  private add(text: string, width: number): void {
    this.line += text;
    this.width += width;
  }
}

/** Length in code points; ASCII is the common case. */
export function codePointCount(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}
