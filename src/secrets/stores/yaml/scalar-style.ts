/**
 * Which spellings a string allows, and the one sops (go-yaml v3) ends up writing.
 *
 * Observed from sops's output, and what YAML itself requires: a plain scalar must not look like
 * syntax (a leading indicator, `: ` or ` #` inside, surrounding spaces, line breaks); single
 * quotes cannot hold tabs, control characters or spaces next to line breaks; a literal block
 * cannot hold control characters or end in a space. Anything else is double-quoted. "Printable"
 * is go-yaml's notion: characters outside the Basic Multilingual Plane count as unprintable, so
 * an emoji is written as a `\U…` escape inside double quotes.
 */
import type { ScalarStyle } from './nodes.js';

/** Line breaks as YAML 1.1 (and go-yaml) knows them. */
export const BREAK_CHARS = '\n\r\u0085\u2028\u2029';
const HAS_BREAK = /[\n\r\u0085\u2028\u2029]/;
/** Not printable for go-yaml (tab is tracked on its own; astral characters are surrogates here). */
const UNPRINTABLE = /[^\t\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
const SPACE_THEN_BREAK = / [\n\r\u0085\u2028\u2029]/;
const BREAK_THEN_SPACE = /[\n\r\u0085\u2028\u2029] /;
/** Starts like YAML syntax: an indicator, a document marker, or `- `, `? `, `: `. */
const SYNTAX_START = /^(?:[#,[\]{}&*!|>'"%@`]|---|\.\.\.|[-?:](?:[ \t]|$))/;
/** A mapping separator or a comment inside the text. */
const SYNTAX_INSIDE = /:(?:[ \t]|$)|[ \t]#/;

export interface Spellings {
  plain: boolean;
  single: boolean;
  literal: boolean;
}

/**
 * The common case, decided by one test: printable ASCII without spaces, starting with a letter,
 * digit, `_`, `/` or `(` and not ending in `:` can be written any way (ciphertexts, most keys).
 */
const ANY_STYLE = /^[A-Za-z0-9_/(][\x21-\x7e]*$/;

export function spellings(text: string): Spellings {
  if (text === '') return { plain: true, single: true, literal: false };
  if (ANY_STYLE.test(text) && !text.endsWith(':')) return { plain: true, single: true, literal: true };
  const unprintable = UNPRINTABLE.test(text);
  const tab = text.includes('\t');
  const spaceBreak = SPACE_THEN_BREAK.test(text);
  const breakSpace = BREAK_THEN_SPACE.test(text);
  const first = text[0] ?? '';
  const last = text[text.length - 1] ?? '';
  const edgeSpace =
    first === ' ' || last === ' ' || BREAK_CHARS.includes(first) || BREAK_CHARS.includes(last);
  const plain =
    !unprintable &&
    !tab &&
    !edgeSpace &&
    !HAS_BREAK.test(text) &&
    !SYNTAX_START.test(text) &&
    !SYNTAX_INSIDE.test(text);
  return {
    plain,
    single: !unprintable && !tab && !spaceBreak && !breakSpace,
    literal: !unprintable && !spaceBreak && last !== ' ',
  };
}

/** True when the text spans lines (any YAML line break, not only \n). */
export const isMultiline = (text: string): boolean => HAS_BREAK.test(text);

/**
 * The style written for `wanted`: plain falls back to single quotes, single quotes and literal
 * blocks to double quotes. A key on its own line (`simpleKey`) cannot be a block or empty plain.
 */
export function settleStyle(text: string, wanted: ScalarStyle, simpleKey = false): ScalarStyle {
  const can = spellings(text);
  let style = wanted;
  if (style === 'plain' && (!can.plain || (simpleKey && text === ''))) style = 'single';
  if (style === 'single' && !can.single) style = 'double';
  if (style === 'literal' && (!can.literal || simpleKey)) style = 'double';
  return style;
}
