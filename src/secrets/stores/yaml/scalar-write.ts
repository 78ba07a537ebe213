/**
 * Spelling one scalar on the cursor, in a style already settled (scalar-style.ts). Lines are
 * never folded, whatever their length: sops (go-yaml v3) writes long values on one line.
 */
import { type Cursor } from './cursor.js';
import type { ScalarStyle } from './nodes.js';
import { BREAK_CHARS } from './scalar-style.js';

/** Escapes of the YAML spec that go-yaml prefers to `\x`/`\u` forms. */
const NAMED_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

/** Characters double quotes must escape: unprintable (astral included), breaks, `"` and `\`. */
const MUST_ESCAPE = /[^\x20-\x21\x23-\x5b\x5d-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const named = NAMED_ESCAPES[cp];
  if (named !== undefined) return `\\${named}`;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/**
 * Double quotes escape what must be escaped — or every character when the text starts with a
 * byte order mark: sops writes `"\uFEFF\x62\x6F\x6D"` for BOM + "bom" (go-yaml tests for the
 * mark at the start of the value, not at each character).
 */
export function doubleQuoted(text: string): string {
  const escapeAll = text.startsWith('\ufeff');
  let out = '"';
  for (const ch of text) out += escapeAll || MUST_ESCAPE.test(ch) ? escapeChar(ch) : ch;
  return out + '"';
}

export interface ScalarPlacement {
  /** Indentation of continuation lines (literal content, lines after a break). */
  indent: number;
  /** Best indentation, written as the indentation indicator of a literal that starts with a space. */
  best: number;
  /** End-of-line comments, written on a literal's header line. */
  lineComments: readonly string[];
}

/** Writes the scalar; returns true when it already wrote the line comments (literal header). */
export function writeScalar(cur: Cursor, text: string, style: ScalarStyle, at: ScalarPlacement): boolean {
  switch (style) {
    case 'plain':
      if (text !== '') cur.word(text);
      return false;
    case 'double':
      cur.word(doubleQuoted(text));
      return false;
    case 'single':
      writeSingleQuoted(cur, text, at.indent);
      return false;
    case 'literal':
      writeLiteral(cur, text, at);
      return true;
  }
}

/** Quotes doubled. A line break inside is written twice for \n (one break folds to a space). */
function writeSingleQuoted(cur: Cursor, text: string, indent: number): void {
  cur.word("'");
  let run = '';
  let afterBreak = false;
  for (const ch of text) {
    if (BREAK_CHARS.includes(ch)) {
      cur.text(run);
      run = '';
      if (!afterBreak && ch === '\n') cur.newline();
      cur.newline(ch);
      afterBreak = true;
      continue;
    }
    if (afterBreak) cur.at(indent);
    afterBreak = false;
    run += ch === "'" ? "''" : ch;
  }
  cur.text(run + "'");
}

/** `|` with an indentation indicator when the text starts with a space or break, and chomping. */
function literalHeader(text: string, best: number): string {
  const first = text[0] ?? '';
  const last = text[text.length - 1] ?? '';
  const beforeLast = text[text.length - 2] ?? '';
  let header = '|';
  if (first === ' ' || (first !== '' && BREAK_CHARS.includes(first))) header += String(best);
  if (text === '' || !BREAK_CHARS.includes(last)) header += '-';
  else if (text.length === 1 || BREAK_CHARS.includes(beforeLast)) header += '+';
  return header;
}

function writeLiteral(cur: Cursor, text: string, at: ScalarPlacement): void {
  cur.word(literalHeader(text, at.best));
  writeLineComments(cur, at.lineComments, at.indent);
  if (at.lineComments.length === 0) cur.newline();
  let run = '';
  let lineStart = true;
  for (const ch of text) {
    if (BREAK_CHARS.includes(ch)) {
      cur.text(run);
      run = '';
      cur.newline(ch);
      lineStart = true;
      continue;
    }
    if (lineStart) cur.at(at.indent);
    lineStart = false;
    run += ch;
  }
  cur.text(run);
}

/** `# …` after the value, further lines at `indent`; ends the line. */
export function writeLineComments(cur: Cursor, comments: readonly string[], indent: number): void {
  comments.forEach((c, i) => {
    if (i === 0) cur.word(`#${c}`);
    else {
      cur.at(indent);
      cur.text(`#${c}`);
    }
    cur.newline();
  });
}

/** Whole-line comments at `indent`. */
export function writeCommentLines(cur: Cursor, comments: readonly string[], indent: number): void {
  for (const c of comments) {
    cur.at(indent);
    cur.text(`#${c}`);
    cur.newline();
  }
}
