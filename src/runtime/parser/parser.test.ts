import { describe, expect, it } from 'vitest';
import { readFalcoFixtureJson } from '../testing/fixtures.js';
import { asString, type Expr } from './ast.js';
import {
  ConditionSyntaxError,
  parseCondition,
  parseFieldOrTransformer,
  supportedOperators,
  transformers,
} from './parser.js';

interface AcceptCase {
  input: string;
  whitespace_variants: boolean;
}
interface RejectCase {
  input: string | null;
  message?: string;
  input_generator?: { repeat: string; count: number };
}
interface ParserCases {
  parser: {
    supported: { operators: string[]; field_transformers: string[] };
    accept: AcceptCase[];
    reject: RejectCase[];
    ast: { input: string; expected_ast: unknown }[];
    as_string: { input: string; expected_as_string?: string; round_trip?: string }[];
    arg_presence: { input: string; left: string; arg: string | null }[];
    end_positions: { input: string; expected_end: { idx: number; line: number; col: number } }[];
    positions: { input: string; expected_preorder?: string; expected_contains?: string[] }[];
  };
}

const cases = (readFalcoFixtureJson('parser-cases.json') as ParserCases).parser;

/** The fixture's AST notation (transcribed from libsinsp's constructors). */
function toFixtureAst(expr: Expr): unknown {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { type: expr.kind, children: expr.children.map(toFixtureAst) };
    case 'not':
      return { type: 'not', child: toFixtureAst(expr.child) };
    case 'identifier':
      return { type: 'identifier', name: expr.name };
    case 'unary':
      return { type: 'unary_check', left: toFixtureAst(expr.left), op: expr.op };
    case 'binary':
      return {
        type: 'binary_check',
        left: toFixtureAst(expr.left),
        op: expr.op,
        right: toFixtureAst(expr.right),
      };
    case 'field':
      return { type: 'field', name: expr.field, arg: expr.arg ?? null };
    case 'transformer':
      return {
        type: 'field_transformer',
        transformer: expr.transformer,
        values: expr.values.map(toFixtureAst),
      };
    case 'value':
      return { type: 'value', value: expr.value };
    case 'list':
      return { type: 'list', values: expr.values };
    case 'transformer_list':
      return { type: 'transformer_list', children: expr.children.map(toFixtureAst) };
  }
}

/** The pre-order position dump of libsinsp's position test visitor. */
function positions(expr: Expr): string {
  const here = `${expr.pos.idx} ${expr.pos.line} ${expr.pos.col}`;
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      return expr.kind + here + expr.children.map(positions).join('');
    case 'not':
      return `not${here}${positions(expr.child)}`;
    case 'unary':
      return `unary${here}${positions(expr.left)}`;
    case 'binary':
      return `binary${here}${positions(expr.left)}${positions(expr.right)}`;
    case 'transformer':
      return `transformer${here}${expr.values.map(positions).join('')}`;
    case 'identifier':
    case 'value':
    case 'list':
    case 'field':
      return expr.kind + here;
  }
}

describe('the condition parser, on the libsinsp parser test cases', () => {
  it('supports the same operators and transformers', () => {
    expect([...supportedOperators].sort()).toEqual([...cases.supported.operators].sort());
    expect([...transformers].sort()).toEqual([...cases.supported.field_transformers].sort());
  });

  it(`accepts all ${cases.accept.length} accepted inputs (and their whitespace variants)`, () => {
    const failures: string[] = [];
    for (const c of cases.accept) {
      const variants = [c.input];
      if (c.whitespace_variants) {
        const padded = ` ${c.input} `;
        variants.push(padded, padded.replaceAll(' ', '\n'), padded.replaceAll(' ', '\t'));
      }
      for (const input of variants) {
        try {
          parseCondition(input);
        } catch (error) {
          failures.push(`${JSON.stringify(input)}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it(`rejects all ${cases.reject.length} rejected inputs, with libsinsp's message where given`, () => {
    const failures: string[] = [];
    for (const c of cases.reject) {
      const input =
        c.input ?? (c.input_generator ? c.input_generator.repeat.repeat(c.input_generator.count) : '');
      try {
        const ast = parseCondition(input);
        failures.push(`${JSON.stringify(input)} parsed as ${asString(ast)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConditionSyntaxError);
        if (c.message !== undefined && (error as Error).message !== c.message) {
          failures.push(`${JSON.stringify(input)}: got "${(error as Error).message}", want "${c.message}"`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('builds the expected syntax trees', () => {
    for (const c of cases.ast) expect(toFixtureAst(parseCondition(c.input)), c.input).toEqual(c.expected_ast);
  });

  it('prints conditions as libsinsp does, and printed conditions parse back to the same tree', () => {
    for (const c of cases.as_string) {
      const printed = asString(parseCondition(c.input));
      if (c.expected_as_string !== undefined) expect(printed, c.input).toBe(c.expected_as_string);
      if (c.round_trip !== undefined) expect(asString(parseCondition(printed))).toBe(printed);
    }
  });

  it('tells an absent field argument from an empty one', () => {
    for (const c of cases.arg_presence) {
      const ast = parseCondition(c.input);
      expect(ast.kind).toBe('binary');
      const left = (ast as Extract<Expr, { kind: 'binary' }>).left;
      expect(left.kind).toBe(c.left === 'field' ? 'field' : 'transformer');
      expect((left as { arg: string | undefined }).arg ?? null, c.input).toBe(c.arg);
    }
  });

  it('records node positions (offset, line, column) as libsinsp does', () => {
    for (const c of cases.positions) {
      const dump = positions(parseCondition(c.input));
      if (c.expected_preorder !== undefined) expect(dump, c.input).toBe(c.expected_preorder);
      for (const part of c.expected_contains ?? []) expect(dump, c.input).toContain(part);
    }
  });

  it('reports where parsing stopped, counting lines and columns', () => {
    for (const c of cases.end_positions) {
      // A full parse consumes everything; a trailing "x" makes it stop exactly at the end position.
      try {
        parseCondition(`${c.input}#`);
        expect.unreachable();
      } catch (error) {
        expect((error as ConditionSyntaxError).pos, JSON.stringify(c.input)).toEqual(c.expected_end);
      }
    }
  });

  it('parses the longest field or transformer at the start of an output token', () => {
    expect(parseFieldOrTransformer('ka.user.name)').length).toBe('ka.user.name'.length);
    expect(parseFieldOrTransformer('ka.uri.param[command] x').length).toBe('ka.uri.param[command]'.length);
    expect(asString(parseFieldOrTransformer('tolower(ka.verb)/x').expr)).toBe('tolower(ka.verb)');
  });
});
