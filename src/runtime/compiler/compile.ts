/**
 * Compiles a resolved condition (macros expanded) into a plain JS predicate over events. Checks
 * follow libsinsp's semantics: a check on a field that is not available is false (so `x != v` and
 * `not x = v` differ); list fields take only exists/in/intersects (`in`: every value in the set,
 * `intersects`: any); `oneof`/`anyof`/`allof` need exactly one, at least one, or every right-hand
 * value to match. Constant right-hand sides are pre-processed once (sets, lowered text, regexes).
 */
import type { Expr, Origin } from '../parser/ast.js';
import { transformers } from '../parser/parser.js';
import type { FieldType, FieldValue, RuntimeEvent } from '../fields/types.js';
import { CompileError, compileOperand, type CompileContext, type Operand } from './operands.js';
import {
  asciiLower,
  compileRegex,
  globToRegExp,
  hexToBytes,
  PathPrefixSet,
  PatternError,
} from './text-match.js';

export type Predicate = (event: RuntimeEvent) => boolean;

/** The node a message is about: its position and where it was written. */
export interface At {
  pos: { idx: number };
  origin?: Origin;
}

export interface CompileWarning {
  message: string;
  at: At;
  /** Chartroom accepts it but Falco would not. */
  falcoIncompatible?: boolean;
}

export interface CompiledCondition {
  evaluate: Predicate;
  warnings: CompileWarning[];
}

type Scalar = string | bigint | boolean;
type Test = (value: Scalar) => boolean;

const numericTypes = new Set<FieldType>(['uint64', 'abstime', 'reltime']);
const listOps = new Set(['in', 'intersects', 'pmatch']);

/** Which operators a field type takes (libsinsp's flt_is_comparable). */
const allowed: Readonly<Record<'string' | 'numeric' | 'bool' | 'list', ReadonlySet<string>>> = {
  string: new Set([
    '=',
    '==',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    'contains',
    'in',
    'icontains',
    'startswith',
    'glob',
    'pmatch',
    'endswith',
    'intersects',
    'iglob',
    'regex',
  ]),
  numeric: new Set(['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'intersects']),
  bool: new Set(['=', '==', '!=', 'in', 'intersects']),
  list: new Set(['in', 'intersects']),
};

function family(type: FieldType): 'string' | 'numeric' | 'bool' | 'dynamic' {
  if (numericTypes.has(type)) return 'numeric';
  if (type === 'bool') return 'bool';
  return type === 'dynamic' ? 'dynamic' : 'string';
}

function numberOf(text: string): number | undefined {
  if (!/^[+-]?(0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?)$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses a constant for a field of the given type, as libsinsp parses filter values. */
function constantFor(type: FieldType, text: string, at: At): Scalar {
  const fam = family(type);
  if (fam === 'numeric') {
    if (!/^(\+?[0-9]+|0[xX][0-9a-fA-F]+)$/.test(text))
      throw new CompileError(`could not parse '${text}' as a number`, at);
    return BigInt(text);
  }
  if (fam === 'bool') {
    if (text !== 'true' && text !== 'false')
      throw new CompileError(`unrecognized boolean value '${text}'`, at);
    return text === 'true';
  }
  return text;
}

function compareOrdered(op: string, a: Scalar, b: Scalar, dynamic: boolean): boolean {
  let x: Scalar | number = a;
  let y: Scalar | number = b;
  if (dynamic) {
    const nx = numberOf(String(a));
    const ny = numberOf(String(b));
    if (nx !== undefined && ny !== undefined) {
      x = nx;
      y = ny;
    }
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

/** A test of one value against one constant right-hand side. */
function elementTest(op: string, rhs: Scalar, dynamic: boolean, at: At, warnings: CompileWarning[]): Test {
  switch (op) {
    case '=':
    case '==':
      return (v) => v === rhs;
    case '!=':
      return (v) => v !== rhs;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (v) => compareOrdered(op, v, rhs, dynamic);
    case 'contains': {
      const r = rhs as string;
      return (v) => (v as string).includes(r);
    }
    case 'icontains': {
      const r = asciiLower(rhs as string);
      return (v) => asciiLower(v as string).includes(r);
    }
    case 'startswith': {
      const r = rhs as string;
      return (v) => (v as string).startsWith(r);
    }
    case 'endswith': {
      const r = rhs as string;
      return (v) => (v as string).endsWith(r);
    }
    case 'bcontains':
    case 'bstartswith': {
      const bytes = hexToBytes(rhs as string);
      if (bytes === undefined)
        throw new CompileError('bcontains and bstartswith operator support hex strings only', at);
      warnings.push({
        message: `'${op}' compares the UTF-8 bytes of a string field; Falco accepts it only on byte-buffer fields`,
        at,
        falcoIncompatible: true,
      });
      return op === 'bcontains'
        ? (v) => Buffer.from(v as string, 'utf8').includes(bytes)
        : (v) =>
            Buffer.from(v as string, 'utf8')
              .subarray(0, bytes.length)
              .equals(bytes);
    }
    case 'glob':
    case 'iglob': {
      const regex = globToRegExp(rhs as string, op === 'iglob');
      return (v) => regex.test(v as string);
    }
    case 'regex': {
      try {
        const regex = compileRegex(rhs as string);
        return (v) => regex.test(v as string);
      } catch (error) {
        if (error instanceof PatternError)
          throw new CompileError(`invalid regex pattern: ${error.message}`, at);
        throw error;
      }
    }
    default:
      throw new CompileError(`unsupported operator '${op}'`, at);
  }
}

/** Combines per-element tests for oneof/anyof/allof. */
function modifierTest(
  modifier: string,
  op: string,
  values: Scalar[],
  dynamic: boolean,
  at: At,
  warnings: CompileWarning[],
): Test {
  if (values.length === 0) return () => false;
  if ((op === '=' || op === '==') && modifier === 'anyof') {
    const set = new Set(values);
    return (v) => set.has(v);
  }
  if (op === '!=' && modifier === 'allof') {
    const set = new Set(values);
    return (v) => !set.has(v);
  }
  const tests = values.map((value) => elementTest(op, value, dynamic, at, warnings));
  if (modifier === 'anyof') return (v) => tests.some((t) => t(v));
  if (modifier === 'allof') return (v) => tests.every((t) => t(v));
  return (v) => {
    let matches = 0;
    for (const t of tests) if (t(v) && ++matches > 1) return false;
    return matches === 1;
  };
}

/** The test for a constant right-hand side (one value, or a list for list operators/modifiers). */
function constantTest(
  op: string,
  modifier: string | undefined,
  values: Scalar[],
  dynamic: boolean,
  at: At,
  warnings: CompileWarning[],
): Test {
  if (modifier !== undefined) return modifierTest(modifier, op, values, dynamic, at, warnings);
  if (op === 'in' || op === 'intersects') {
    const set = new Set(values);
    return (v) => set.has(v);
  }
  if (op === 'pmatch') {
    const paths = new PathPrefixSet(values.map(String));
    return (v) => paths.matches(v as string);
  }
  return elementTest(op, values[0] as Scalar, dynamic, at, warnings);
}

function scalarsOf(value: FieldValue): readonly Scalar[] {
  return Array.isArray(value) ? (value as readonly string[]) : [value as Scalar];
}

export class ConditionCompiler {
  readonly warnings: CompileWarning[] = [];

  constructor(private readonly context: CompileContext) {}

  compile(expr: Expr): Predicate {
    switch (expr.kind) {
      case 'and': {
        const parts = expr.children.map((c) => this.compile(c));
        if (parts.length === 2) {
          const [a, b] = parts as [Predicate, Predicate];
          return (e) => a(e) && b(e);
        }
        return (e) => {
          for (const p of parts) if (!p(e)) return false;
          return true;
        };
      }
      case 'or': {
        const parts = expr.children.map((c) => this.compile(c));
        if (parts.length === 2) {
          const [a, b] = parts as [Predicate, Predicate];
          return (e) => a(e) || b(e);
        }
        return (e) => {
          for (const p of parts) if (p(e)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.compile(expr.child);
        return (e) => !inner(e);
      }
      case 'unary': {
        const left = compileOperand(expr.left, this.context);
        const extract = left.extract;
        return (e) => extract(e) !== undefined;
      }
      case 'binary':
        return this.binary(expr);
      case 'identifier':
        throw new CompileError(`unexpected identifier '${expr.name}'`, expr);
      case 'field':
      case 'transformer':
      case 'transformer_list':
      case 'value':
      case 'list':
        throw new CompileError(`unexpected ${expr.kind} expression in a condition`, expr);
    }
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): Predicate {
    const left = compileOperand(expr.left, this.context);
    const [op, modifier] = expr.op.split(' ') as [string, string | undefined];
    const at: At = expr;
    const fam = family(left.type);
    const dynamic = fam === 'dynamic';
    if (!dynamic) {
      const kind = left.list ? 'list' : fam;
      const ok = allowed[kind].has(op) || (kind === 'string' && (op === 'bcontains' || op === 'bstartswith'));
      if (!ok) {
        const which =
          kind === 'list' ? 'list filters' : kind === 'string' ? 'for string filters' : 'for numeric filters';
        throw new CompileError(`'${op}' operator not supported ${which}`, at);
      }
    }
    this.warnConstants(expr, op);
    const right = expr.right;
    if (right.kind === 'value' || right.kind === 'list') {
      const texts = right.kind === 'value' ? [right.value] : right.values;
      // Field values are C strings in libsinsp: a NUL byte can never match, so it is refused.
      if (texts.some((t) => t.includes('\0')))
        throw new CompileError('filter values cannot contain NUL bytes', right);
      const values = texts.map((t) => (dynamic ? t : constantFor(left.type, t, right)));
      const test = constantTest(op, modifier, values, dynamic, right, this.warnings);
      return this.checkWith(left, op, test);
    }
    if (op === 'pmatch' || op === 'regex') {
      throw new CompileError(`operator '${op}' doesn't support right-hand side fields`, right);
    }
    const rhs = compileOperand(right, this.context);
    if (!dynamic && family(rhs.type) !== 'dynamic' && family(rhs.type) !== fam) {
      throw new CompileError(
        `field '${rhs.text}' (${rhs.type}) can't be compared with '${left.text}' (${left.type})`,
        right,
      );
    }
    return this.fieldCheck(left, op, modifier, rhs, dynamic, right);
  }

  /** Applies a value test to an extraction, with list semantics for in/intersects. */
  private checkWith(left: Operand, op: string, test: Test): Predicate {
    const extract = left.extract;
    if (left.list && op === 'in') {
      return (e) => {
        const value = extract(e);
        if (value === undefined) return false;
        for (const v of value as readonly string[]) if (!test(v)) return false;
        return true;
      };
    }
    if (left.list) {
      return (e) => {
        const value = extract(e);
        if (value === undefined) return false;
        for (const v of value as readonly string[]) if (test(v)) return true;
        return false;
      };
    }
    // Flat JSON may carry an array where a single value was expected: `in` needs all, others any.
    return (e) => {
      const value = extract(e);
      if (value === undefined) return false;
      if (!Array.isArray(value)) return test(value as Scalar);
      const values = value as readonly string[];
      return op === 'in' ? values.every(test) : values.some(test);
    };
  }

  /** A check against another field (val(...) or a transformer on the right). */
  private fieldCheck(
    left: Operand,
    op: string,
    modifier: string | undefined,
    rhs: Operand,
    dynamic: boolean,
    at: At,
  ): Predicate {
    const extractRight = rhs.extract;
    const warnings: CompileWarning[] = [];
    return (e) => {
      const rightValue = extractRight(e);
      if (rightValue === undefined) return false;
      const values = scalarsOf(rightValue);
      const test =
        listOps.has(op) || modifier !== undefined
          ? constantTest(op, modifier, [...values], dynamic, at, warnings)
          : elementTest(op, values[0] as Scalar, dynamic, at, warnings);
      return this.checkWith(left, op, test)(e);
    };
  }

  /** libsinsp's hints about suspicious constants: a field name or a transformer written as a value. */
  private warnConstants(expr: Extract<Expr, { kind: 'binary' }>, op: string): void {
    const right = expr.right;
    if (right.kind !== 'value' && right.kind !== 'list') return;
    const values = right.kind === 'value' ? [right.value] : right.values;
    for (const value of values) {
      if (!value.includes('.') && !value.includes('(')) continue;
      const compact = value.replace(/\s+/g, '');
      if (this.context.source.open !== true && this.context.source.field(compact) !== undefined) {
        this.warnings.push({
          message: `'${value}' may be a valid field misused as a const string value`,
          at: right,
        });
      }
      if (['val', ...transformers].some((t) => compact.startsWith(`${t}(`) && compact.endsWith(')'))) {
        this.warnings.push({
          message: `'${value}' may be a valid field transformer misused as a const string value`,
          at: right,
        });
      }
    }
    if (op !== 'regex') return;
    for (const value of values) {
      if (isTrivialRegex(value)) {
        this.warnings.push({
          message: `regex check with '${value}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`,
          at: right,
        });
      }
    }
  }
}

/** True when a regex has no special characters beyond anchors and leading/trailing `.*`. */
function isTrivialRegex(value: string): boolean {
  const special = '.+*?^$()[]{}|\\';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if ((i === 0 && c === '^') || (i === value.length - 1 && c === '$')) continue;
    if (
      ((i === 0 && value.length > 1) || i === value.length - 2) &&
      c === '.' &&
      '+*?'.includes(value[i + 1] ?? '')
    ) {
      i++;
      continue;
    }
    if (special.includes(c)) return false;
  }
  return true;
}

export function compileCondition(expr: Expr, context: CompileContext): CompiledCondition {
  const compiler = new ConditionCompiler(context);
  return { evaluate: compiler.compile(expr), warnings: compiler.warnings };
}
