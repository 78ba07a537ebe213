/**
 * Compiles the value side of a check — a field, a transformer over fields, or a literal inside a
 * transformer — into an operand: a typed extractor. Transformers follow libsinsp: tolower/toupper/
 * basename/b64 map every value of a list, len() counts a list or measures a string (in bytes), and
 * join/concat/getopt combine several arguments.
 */
import { asString, type Expr, type Origin } from '../parser/ast.js';
import {
  bindArg,
  FieldError,
  type EventSourceDefinition,
  type Extractor,
  type FieldType,
  type FieldValue,
} from '../fields/types.js';
import { asciiLower, asciiUpper } from './text-match.js';

/** A condition or output that does not compile, with the node it is about. */
export class CompileError extends Error {
  readonly idx: number;
  readonly origin: Origin | undefined;

  constructor(message: string, at: { pos: { idx: number }; origin?: Origin } | number) {
    super(message);
    this.idx = typeof at === 'number' ? at : at.pos.idx;
    this.origin = typeof at === 'number' ? undefined : at.origin;
  }
}

export interface Operand {
  type: FieldType;
  list: boolean;
  extract: Extractor;
  /** The operand as written, for messages and output field names. */
  text: string;
  /** True for a constant (a literal inside a transformer). */
  constant?: boolean;
}

export interface CompileContext {
  source: EventSourceDefinition;
}

const stringTypes = new Set<FieldType>(['string', 'dynamic']);

function mapStrings(
  value: FieldValue,
  transform: (text: string) => string | undefined,
): FieldValue | undefined {
  if (typeof value === 'string') return transform(value);
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value as readonly string[]) {
      const transformed = transform(item);
      if (transformed === undefined) return undefined;
      out.push(transformed);
    }
    return out;
  }
  return undefined;
}

/** libsinsp's base64 decoding: standard alphabet, padding optional; invalid input fails. */
function base64Decode(text: string): string | undefined {
  const trimmed = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(trimmed) || trimmed.length % 4 === 1) return undefined;
  return new TextDecoder().decode(Buffer.from(trimmed, 'base64'));
}

function basename(text: string): string {
  const slash = text.lastIndexOf('/');
  return slash < 0 ? text : text.slice(slash + 1);
}

function valueTexts(value: FieldValue): string[] {
  if (Array.isArray(value)) return [...(value as readonly string[])];
  return [typeof value === 'string' ? value : String(value)];
}

const single: Readonly<Record<string, (text: string) => string | undefined>> = {
  tolower: asciiLower,
  toupper: asciiUpper,
  b64: base64Decode,
  basename,
};

/** POSIX getopt over an argument list: "opt=value" for each option found (or the value of one). */
function getopt(args: readonly string[], optstring: string): { option: string; value: string }[] {
  const withArgs = new Set<string>();
  const valid = new Set<string>();
  for (let i = optstring.startsWith(':') ? 1 : 0; i < optstring.length; i++) {
    const c = optstring[i] as string;
    if (c === ':') continue;
    valid.add(c);
    if (optstring[i + 1] === ':') {
      withArgs.add(c);
      i++;
    }
  }
  const found: { option: string; value: string }[] = [];
  for (let a = 0; a < args.length; a++) {
    const arg = args[a] as string;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    for (let o = 1; o < arg.length; o++) {
      const option = arg[o] as string;
      if (!valid.has(option)) continue;
      if (!withArgs.has(option)) {
        found.push({ option, value: '' });
        continue;
      }
      if (o + 1 < arg.length) found.push({ option, value: arg.slice(o + 1) });
      else if (a + 1 < args.length) found.push({ option, value: args[++a] as string });
      break;
    }
  }
  return found;
}

export function compileOperand(expr: Expr, context: CompileContext): Operand {
  switch (expr.kind) {
    case 'field': {
      const definition = context.source.field(expr.field);
      if (definition === undefined) {
        throw new CompileError(
          `nonexistent field ${expr.field}${suggestion(expr.field, context.source)}`,
          expr,
        );
      }
      try {
        const arg = bindArg(definition, expr.arg);
        return {
          type: definition.type,
          list: definition.list,
          extract: definition.bind(arg),
          text: asString(expr),
        };
      } catch (error) {
        if (error instanceof FieldError) throw new CompileError(error.message, expr);
        throw error;
      }
    }
    case 'value': {
      const constant = expr.value;
      return { type: 'string', list: false, extract: () => constant, text: asString(expr), constant: true };
    }
    case 'transformer_list': {
      const parts = expr.children.map((child) => compileOperand(child, context));
      return {
        type: 'string',
        list: true,
        text: asString(expr),
        extract: (event) => {
          const out: string[] = [];
          for (const part of parts) {
            const value = part.extract(event);
            if (value === undefined) return undefined;
            out.push(...valueTexts(value));
          }
          return out;
        },
      };
    }
    case 'transformer':
      return compileTransformer(expr, context);
    case 'and':
    case 'or':
    case 'not':
    case 'unary':
    case 'binary':
    case 'identifier':
    case 'list':
      throw new CompileError(`unexpected ${expr.kind} expression where a field is expected`, expr);
  }
}

function compileTransformer(expr: Extract<Expr, { kind: 'transformer' }>, context: CompileContext): Operand {
  const args = expr.values.map((value) => compileOperand(value, context));
  const text = asString(expr);
  const name = expr.transformer;
  const noArg = () => {
    if (expr.arg !== undefined)
      throw new CompileError(`transformer '${name}' does not support field arguments`, expr);
  };
  if (name === 'val') {
    noArg();
    return { ...(args[0] as Operand), text };
  }
  const transform = single[name];
  if (transform !== undefined || name === 'len') {
    noArg();
    if (args.length !== 1) throw new CompileError(`transformer '${name}' takes exactly one argument`, expr);
    const inner = args[0] as Operand;
    if (name === 'len') {
      if (!inner.list && !stringTypes.has(inner.type)) {
        throw new CompileError(
          `field '${inner.text}': transformer 'len' is not supported for type ${inner.type}`,
          expr,
        );
      }
      return {
        type: 'uint64',
        list: false,
        text,
        extract: (event) => {
          const value = inner.extract(event);
          if (value === undefined) return undefined;
          if (Array.isArray(value)) return BigInt(value.length);
          return BigInt(Buffer.byteLength(value as string, 'utf8'));
        },
      };
    }
    if (!stringTypes.has(inner.type)) {
      throw new CompileError(
        `field '${inner.text}': transformer '${name}' is not supported for type ${inner.type}`,
        expr,
      );
    }
    const apply = transform as (t: string) => string | undefined;
    return {
      type: inner.type,
      list: inner.list,
      text,
      extract: (event) => {
        const value = inner.extract(event);
        return value === undefined ? undefined : mapStrings(value, apply);
      },
    };
  }
  if (name === 'join') {
    noArg();
    const [separator, list] = args;
    if (args.length !== 2 || separator === undefined || list === undefined) {
      throw new CompileError('join() requires exactly 2 arguments: separator and list', expr);
    }
    if (separator.list)
      throw new CompileError('join() first argument (separator) must be a single value, not a list', expr);
    if (!list.list) throw new CompileError('join() second argument must be a list', expr);
    return {
      type: 'string',
      list: false,
      text,
      extract: (event) => {
        const sep = separator.extract(event);
        const values = list.extract(event);
        if (sep === undefined || values === undefined) return undefined;
        return valueTexts(values).join(valueTexts(sep)[0] ?? '');
      },
    };
  }
  if (name === 'concat') {
    noArg();
    if (args.length < 2) throw new CompileError('concat() requires at least 2 arguments', expr);
    if (args.some((a) => a.list || !stringTypes.has(a.type)))
      throw new CompileError('concat() arguments must be strings', expr);
    return {
      type: 'string',
      list: false,
      text,
      extract: (event) => {
        let out = '';
        for (const arg of args) {
          const value = arg.extract(event);
          if (value === undefined) return undefined;
          out += value as string;
        }
        return out;
      },
    };
  }
  if (name === 'getopt') {
    const [list, optstring] = args;
    if (args.length !== 2 || list === undefined || optstring === undefined) {
      throw new CompileError('getopt() requires exactly 2 arguments: args list and optstring', expr);
    }
    if (!list.list) throw new CompileError('getopt() first argument must be a list', expr);
    if (optstring.list)
      throw new CompileError('getopt() second argument (optstring) must be a single value', expr);
    const wanted = expr.arg;
    if (wanted !== undefined && wanted.length !== 1) {
      throw new CompileError('getopt() field argument must be a single option character', expr);
    }
    return {
      type: 'string',
      list: wanted === undefined,
      text,
      extract: (event) => {
        const values = list.extract(event);
        const spec = optstring.extract(event);
        if (values === undefined || spec === undefined) return undefined;
        const found = getopt(valueTexts(values), valueTexts(spec)[0] ?? '');
        if (wanted !== undefined) return found.find((f) => f.option === wanted)?.value;
        return found.length === 0
          ? undefined
          : found.map((f) => (f.value === '' ? f.option : `${f.option}=${f.value}`));
      },
    };
  }
  throw new CompileError(`unknown transformer '${name}'`, expr);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** " (did you mean ka.user.name?)" for a near miss. */
function suggestion(name: string, source: EventSourceDefinition): string {
  let best: { name: string; d: number } | undefined;
  for (const field of source.fields()) {
    const d = distance(name, field.name);
    if (d <= 3 && (best === undefined || d < best.d)) best = { name: field.name, d };
  }
  return best === undefined
    ? ` (source ${source.name})`
    : ` (source ${source.name}; did you mean ${best.name}?)`;
}
