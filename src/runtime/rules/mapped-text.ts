/**
 * Condition text that remembers where each part came from. Conditions are built from several YAML
 * scalars (a rule, its `append`s, its exceptions) and rewritten (lists expanded), yet an error at
 * character N must still point at the file, line and column the user wrote.
 */
import type { SourceLocation } from './diagnostics.js';

export type Locator = (offset: number) => SourceLocation;

interface Segment {
  start: number;
  end: number;
  locate: Locator;
}

export class MappedText {
  private constructor(
    readonly text: string,
    private readonly segments: readonly Segment[],
  ) {}

  /** Text whose character `i` is located by `locate(i)`. */
  static of(text: string, locate: Locator): MappedText {
    return new MappedText(text, [{ start: 0, end: text.length, locate }]);
  }

  /** Text that all maps to one place (generated text such as exception clauses). */
  static at(text: string, location: SourceLocation): MappedText {
    return MappedText.of(text, () => location);
  }

  /** Joins parts; plain strings map to the place of the part before them. */
  static concat(parts: readonly (string | MappedText)[]): MappedText {
    let text = '';
    const segments: Segment[] = [];
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      for (const s of part.segments)
        segments.push({ start: s.start + text.length, end: s.end + text.length, locate: s.locate });
      text += part.text;
    }
    return new MappedText(text, segments);
  }

  /** The text without leading and trailing whitespace, still mapped. */
  trim(): MappedText {
    const start = this.text.length - this.text.trimStart().length;
    const end = this.text.trimEnd().length;
    if (start === 0 && end === this.text.length) return this;
    if (end <= start) return new MappedText('', this.segments.slice(0, 1));
    const segments = this.segments
      .filter((s) => s.end > start && s.start < end)
      .map((s) => ({
        start: Math.max(s.start, start) - start,
        end: Math.min(s.end, end) - start,
        locate: s.start >= start ? s.locate : (i: number) => s.locate(i + start - s.start),
      }));
    return new MappedText(this.text.slice(start, end), segments);
  }

  /** Where character `index` came from. */
  locate(index: number): SourceLocation | undefined {
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (index >= s.start && index < s.end) return s.locate(index - s.start);
      if (s.start <= index) best = s;
    }
    best ??= this.segments[0];
    // Past the end of a segment (an error at the end of a condition): let the locator extrapolate.
    return best === undefined ? undefined : best.locate(Math.max(0, index - best.start));
  }
}

/**
 * Maps characters of a parsed YAML scalar back to its source text. Folding, indentation, quotes and
 * escapes make the value differ from the source; aligning non-blank characters in order recovers
 * the position of every token.
 */
export function scalarLocator(
  source: string,
  range: readonly [number, number, number],
  value: string,
  scalarType: string | undefined,
  linePos: (offset: number) => { line: number; col: number },
  file: string,
): Locator {
  let offsets: number[] | undefined;
  const align = (): number[] => {
    const region = source.slice(range[0], range[1]);
    let j = 0;
    if (scalarType === 'QUOTE_DOUBLE' || scalarType === 'QUOTE_SINGLE') j = 1;
    if (scalarType === 'BLOCK_LITERAL' || scalarType === 'BLOCK_FOLDED') j = region.indexOf('\n') + 1;
    const out: number[] = [];
    for (const c of value) {
      if (/\s/.test(c)) {
        out.push(Math.min(j, region.length));
        if (j < region.length && /\s/.test(region[j] as string)) j++;
        continue;
      }
      let k = j;
      while (k < region.length && region[k] !== c) k++;
      if (k < region.length) j = k;
      out.push(Math.min(j, region.length));
      j++;
      for (let extra = 1; extra < c.length; extra++) out.push(j);
    }
    return out;
  };
  return (offset) => {
    offsets ??= align();
    const i = Math.max(0, offset);
    const within = i < offsets.length ? (offsets[i] as number) : (offsets[offsets.length - 1] ?? -1) + 1;
    const pos = linePos(range[0] + within);
    return { file, line: pos.line, col: pos.col };
  };
}
