/**
 * Rule output templates (`Pod started (user=%ka.user.name pod=%ka.resp.name)`), parsed as libsinsp's
 * event formatter does: each `%` starts the longest field or transformer that exists in the source,
 * `%20field` pads or truncates to 20 characters, missing values print `<NA>`, list values print as
 * `(a,b)` (truncated to 1023 bytes, as libsinsp does). The same template yields the typed
 * `output_fields` of Falco's JSON alerts.
 */
import { asString, type Expr } from '../parser/ast.js';
import { parseFieldOrTransformer } from '../parser/parser.js';
import type { EventSourceDefinition, FieldValue, RuntimeEvent } from '../fields/types.js';
import { CompileError, compileOperand, type Operand } from '../compiler/operands.js';

export const notAvailable = '<NA>';

/** A value as it appears in `output_fields`: strings, numbers (bigint), booleans, string lists, null. */
export type OutputFieldValue = string | bigint | boolean | readonly string[] | null;

type Token = { text: string } | { operand: Operand; width: number };

interface FieldToken {
  name: string;
  operand: Operand;
}

/** Fields whose JSON form is the event time in nanoseconds, as libsinsp's extract_as_js gives it. */
const timeAsNumber = new Set([
  'evt.time',
  'evt.time.s',
  'evt.time.iso8601',
  'evt.datetime',
  'evt.datetime.s',
]);

function fieldText(value: FieldValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const text = `(${(value as readonly string[]).join(',')})`;
    if (Buffer.byteLength(text, 'utf8') <= 1023) return text;
    return new TextDecoder().decode(Buffer.from(text, 'utf8').subarray(0, 1023)).replace(/\uFFFD$/, '');
  }
  return String(value);
}

export class OutputTemplate {
  private constructor(
    readonly format: string,
    private readonly tokens: readonly Token[],
    /** The plain fields of the template, keyed as written (`ka.uri.param[command]`). */
    readonly fields: readonly FieldToken[],
  ) {}

  /** Parses a template; throws CompileError with the offset of the bad token. */
  static compile(format: string, source: EventSourceDefinition): OutputTemplate {
    if (format === '') throw new CompileError('empty formatting token', 0);
    const text = format.startsWith('*') ? format.slice(1) : format;
    const tokens: Token[] = [];
    const fields = new Map<string, FieldToken>();
    let literalStart = 0;
    for (let j = 0; j < text.length; j++) {
      if (text[j] !== '%') continue;
      if (literalStart !== j) tokens.push({ text: text.slice(literalStart, j) });
      if (j === text.length - 1)
        throw new CompileError('invalid formatting syntax: formatting cannot end with a %', j);
      let width = 0;
      const digits = /^[0-9]+/.exec(text.slice(j + 1));
      if (digits !== null) {
        width = Number(digits[0]);
        j += digits[0].length;
        if (j === text.length - 1)
          throw new CompileError('invalid formatting syntax: formatting cannot end with a number', j);
      }
      const { operand, length, expr } = longestField(text.slice(j + 1), source, j + 1);
      for (const field of plainFields(expr)) {
        fields.set(asString(field), { name: asString(field), operand: compileOperand(field, { source }) });
      }
      tokens.push({ operand, width });
      j += length;
      literalStart = j + 1;
    }
    if (literalStart < text.length) tokens.push({ text: text.slice(literalStart) });
    return new OutputTemplate(format, tokens, [...fields.values()]);
  }

  /** The text, with `<NA>` for missing values. */
  render(event: RuntimeEvent): string {
    let out = '';
    for (const token of this.tokens) {
      if ('text' in token) {
        out += token.text;
        continue;
      }
      const value = token.operand.extract(event);
      const text = value === undefined ? notAvailable : fieldText(value);
      out += token.width === 0 ? text : text.padEnd(token.width, ' ').slice(0, token.width);
    }
    return out;
  }

  /** The typed values of the template's fields (Falco's output_fields). */
  values(event: RuntimeEvent, into: Record<string, OutputFieldValue> = {}): Record<string, OutputFieldValue> {
    for (const { name, operand } of this.fields) {
      if (timeAsNumber.has(name)) {
        into[name] = event.ts;
        continue;
      }
      const value = operand.extract(event);
      into[name] = value === undefined ? null : value;
    }
    return into;
  }
}

/** The fields inside a (possibly transformed) output token; transformed values are not output fields. */
function plainFields(expr: Expr): Extract<Expr, { kind: 'field' }>[] {
  if (expr.kind === 'field') return [expr];
  if (expr.kind === 'transformer') return expr.values.flatMap(plainFields);
  if (expr.kind === 'transformer_list') return expr.children.flatMap(plainFields);
  return [];
}

/** The longest prefix of `rest` that is a field or transformer of the source (libsinsp's shrinking loop). */
function longestField(
  rest: string,
  source: EventSourceDefinition,
  offset: number,
): { operand: Operand; length: number; expr: Expr } {
  let size = rest.length;
  // The first failure (the longest candidate) says what the user meant; shorter ones are noise.
  let firstError: string | undefined;
  while (size > 0) {
    try {
      const parsed = parseFieldOrTransformer(rest.slice(0, size));
      const operand = compileOperand(parsed.expr, { source });
      return { operand, length: parsed.length, expr: parsed.expr };
    } catch (error) {
      firstError ??= (error as Error).message;
      // Jump straight to what the parser could consume, then shrink one character at a time.
      size = Math.min(size - 1, consumable(rest.slice(0, size)) ?? size - 1);
    }
  }
  throw new CompileError(`unknown filter: ${firstError ?? 'invalid formatting token'}`, offset);
}

function consumable(text: string): number | undefined {
  try {
    return parseFieldOrTransformer(text).length;
  } catch {
    return undefined;
  }
}
