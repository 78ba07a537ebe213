/**
 * A recursive-descent parser for Falco conditions, written to accept and reject exactly what
 * libsinsp's parser does (grammar in falcosecurity/libs `filter/parser.h`): the same tokens, the
 * same operator spellings (word operators need a blank after them), the same precedence
 * (`not` > `and` > `or`), the same positions and the same error messages, so that a rule that
 * loads in Falco loads here and a rule Falco rejects is rejected with the message Falco prints.
 */
import type {
  BinaryCheckExpr,
  Expr,
  FieldExpr,
  ListExpr,
  Position,
  TransformerExpr,
  TransformerListExpr,
  ValueExpr,
} from './ast.js';
import { EscapeError, unescapeQuoted } from './escaping.js';

export class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    /** Where the parser stopped. */
    readonly pos: Position,
  ) {
    super(message);
  }
}

export const unaryOperators = ['exists'] as const;
export const numericOperators = ['<=', '<', '>=', '>'] as const;
/** A trailing space marks a word operator that must be followed by a blank. */
const stringOperatorTokens = [
  '==',
  '=',
  '!=',
  'glob ',
  'iglob ',
  'contains ',
  'icontains ',
  'bcontains ',
  'startswith ',
  'bstartswith ',
  'endswith ',
  'regex ',
];
const modifierTokens = ['oneof ', 'anyof ', 'allof '];
export const listOperators = ['intersects', 'in', 'pmatch'] as const;
export const transformers = ['tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'];
const transformerTokens = transformers.map((t) => `${t}(`);

/** Every comparison operator, as `supported_operators()` lists them. */
export const supportedOperators: readonly string[] = [
  ...unaryOperators,
  ...numericOperators,
  ...stringOperatorTokens.map((op) => op.trim()),
  ...listOperators,
];

const rx = {
  notBlank: /not[ \t\n\v\f\r]+/y,
  identifier: /[a-zA-Z][a-zA-Z0-9_]*/y,
  fieldName: /[a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z][a-zA-Z0-9_]*)+/y,
  fieldArgBare: /[^\]["' \t\n\v\f\r]+/y,
  hexNumber: /0[xX][0-9a-fA-F]+/y,
  number: /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y,
  bareString: /[^()"' \t\n\v\f\r=,]+/y,
};

function quotedList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

export interface ParseOptions {
  /** Recursion limit; libsinsp's default is 100 and Falco's rule loader raises it to 1000. */
  maxDepth?: number;
}

/** Parses a whole condition. Throws ConditionSyntaxError with the position where parsing stopped. */
export function parseCondition(input: string, options: ParseOptions = {}): Expr {
  return new Parser(input, options.maxDepth ?? 100).parse();
}

/**
 * Parses the longest field or transformer at the start of `input` (used by output templates:
 * `%ka.user.name)` stops before the parenthesis). Returns the node and how many characters it used.
 */
export function parseFieldOrTransformer(input: string): { expr: Expr; length: number } {
  const parser = new Parser(input, 100);
  const expr = parser.fieldOrTransformer();
  return { expr, length: parser.pos.idx };
}

class Parser {
  pos: Position = { idx: 0, line: 1, col: 1 };
  private lastToken = '';
  private depth = 0;

  constructor(
    private readonly input: string,
    private readonly maxDepth: number,
  ) {}

  private fail(message: string): never {
    throw new ConditionSyntaxError(message, this.pos);
  }

  private enter(): void {
    this.depth++;
    if (this.depth >= this.maxDepth) this.fail(`exceeded max depth limit of ${this.maxDepth}`);
  }

  private leave(): void {
    this.depth--;
  }

  /** Positions are never mutated (advance replaces them), so a mark is just the current object. */
  private here(): Position {
    return this.pos;
  }

  private advance(text: string): void {
    let { line, col } = this.pos;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // A surrogate pair is one character, one column.
      if (c >= 0xdc00 && c <= 0xdfff && i > 0) continue;
      col++;
      if (c === 13 || c === 10) {
        col = 1;
        line++;
      }
    }
    this.pos = { idx: this.pos.idx + text.length, line, col };
  }

  parse(): Expr {
    if (this.input.length === 0) this.fail('filter input string is empty');
    const result = this.parseOr();
    if (this.pos.idx !== this.input.length) {
      this.fail(`unexpected token after '${this.lastToken}', expecting 'or', 'and'`);
    }
    return result;
  }

  fieldOrTransformer(): Expr {
    this.enter();
    try {
      const pos = this.here();
      if (this.lexRegex(rx.fieldName)) return this.fieldRemainder(this.lastToken, pos);
      if (this.lexTransformerType()) {
        this.lexBlank();
        return this.transformerRemainder(this.lastToken.slice(0, -1), pos);
      }
      return this.fail(`unexpected token after '${this.lastToken}`);
    } finally {
      this.leave();
    }
  }

  private parseOr(): Expr {
    return this.parseChain('or', () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseChain('and', () => this.parseNot());
  }

  /**
   * `operand (op operand)*` for the two binary levels (or over and over not), as Falco's parser
   * reads them: after the operator a blank, or a parenthesis that starts an embedded expression.
   */
  private parseChain(op: 'or' | 'and', operand: () => Expr): Expr {
    this.enter();
    try {
      const pos = this.here();
      this.lexBlank();
      const children = [operand()];
      this.lexBlank();
      while (this.lexString(op)) {
        if (!this.lexBlank()) {
          if (!this.lexString('(')) this.fail(`expected blank or '(' after '${op}'`);
          children.push(this.embeddedRemainder());
        } else {
          children.push(operand());
        }
        this.lexBlank();
      }
      return children.length > 1 ? { kind: op, children, pos } : (children[0] as Expr);
    } finally {
      this.leave();
    }
  }

  private parseNot(): Expr {
    this.enter();
    try {
      const pos = this.here();
      let negated = false;
      this.lexBlank();
      while (this.lexRegex(rx.notBlank)) negated = !negated;
      let child: Expr;
      if (this.lexString('not(')) {
        negated = !negated;
        child = this.embeddedRemainder();
      } else {
        child = this.parseCheck();
      }
      return negated ? { kind: 'not', child, pos } : child;
    } finally {
      this.leave();
    }
  }

  /** The rest of `( Expr )` after the opening parenthesis. */
  private embeddedRemainder(): Expr {
    this.enter();
    try {
      this.lexBlank();
      const child = this.parseOr();
      this.lexBlank();
      if (!this.lexString(')')) this.fail("expected a ')' token");
      return child;
    } finally {
      this.leave();
    }
  }

  private parseCheck(): Expr {
    this.enter();
    try {
      const pos = this.here();
      this.lexBlank();
      if (this.lexString('(')) return this.embeddedRemainder();
      if (this.lexRegex(rx.fieldName)) {
        const left = this.fieldRemainder(this.lastToken, pos);
        return this.parseCondition(left, pos);
      }
      if (this.lexTransformerType()) {
        this.lexBlank();
        const left = this.transformerRemainder(this.lastToken.slice(0, -1), pos);
        return this.parseCondition(left, pos);
      }
      if (this.lexRegex(rx.identifier)) return { kind: 'identifier', name: this.lastToken, pos };
      return this.fail("expected a '(' token, a field check, or an identifier");
    } finally {
      this.leave();
    }
  }

  private fieldRemainder(field: string, pos: Position): FieldExpr {
    this.enter();
    try {
      return { kind: 'field', field, arg: this.optionalFieldArg(), pos };
    } finally {
      this.leave();
    }
  }

  private optionalFieldArg(): string | undefined {
    if (!this.lexString('[')) return undefined;
    if (!this.lexQuoted() && !this.lexRegex(rx.fieldArgBare)) {
      this.fail('expected a valid field argument: a quoted string or a bare string');
    }
    const arg = this.lastToken;
    if (!this.lexString(']')) this.fail("expected a ']' token");
    return arg;
  }

  /** `Arg (',' Arg)* ')' ('[' FieldArg ']')?` after `name(`. */
  private transformerRemainder(transformer: string, pos: Position): TransformerExpr {
    this.enter();
    try {
      this.lexBlank();
      const values: Expr[] = [];
      do {
        values.push(this.transformerArg(this.here()));
        this.lexBlank();
      } while (this.lexString(','));
      this.lexBlank();
      if (!this.lexString(')')) this.fail("expected a ')' token closing the transformer");
      return { kind: 'transformer', transformer, values, arg: this.optionalFieldArg(), pos };
    } finally {
      this.leave();
    }
  }

  private transformerArg(pos: Position): Expr {
    this.enter();
    try {
      this.lexBlank();
      if (this.lexRegex(rx.hexNumber) || this.lexRegex(rx.number)) return this.value(pos);
      if (this.lexQuoted()) return this.value(pos);
      if (this.lexString('(')) return this.transformerList(pos);
      if (this.lexTransformerType()) return this.transformerRemainder(this.lastToken.slice(0, -1), pos);
      if (this.lexRegex(rx.fieldName)) return this.fieldRemainder(this.lastToken, pos);
      return this.fail(
        'expected field transformer argument: field, transformer, quoted string, number, or transformer list',
      );
    } finally {
      this.leave();
    }
  }

  /** `( (Arg (',' Arg)*)? )` after the opening parenthesis; every element carries the list's position. */
  private transformerList(pos: Position): TransformerListExpr {
    const children: Expr[] = [];
    this.lexBlank();
    if (this.lexString(')')) return { kind: 'transformer_list', children, pos };
    children.push(this.transformerListArg(pos));
    this.lexBlank();
    while (this.lexString(',')) {
      this.lexBlank();
      children.push(this.transformerListArg(pos));
      this.lexBlank();
    }
    if (!this.lexString(')')) this.fail("expected ')'");
    return { kind: 'transformer_list', children, pos };
  }

  private transformerListArg(pos: Position): Expr {
    if (this.lexRegex(rx.fieldName)) return this.fieldRemainder(this.lastToken, pos);
    if (this.lexTransformerType()) {
      this.lexBlank();
      return this.transformerRemainder(this.lastToken.slice(0, -1), pos);
    }
    if (this.lexQuoted()) return this.value(pos);
    if (this.lexRegex(rx.hexNumber) || this.lexRegex(rx.number)) return this.value(pos);
    return this.fail('expected transformer list argument: field, transformer, quoted string, or number');
  }

  private value(pos: Position): ValueExpr {
    return { kind: 'value', value: this.lastToken, pos };
  }

  private parseCondition(left: Expr, pos: Position): Expr {
    this.enter();
    try {
      this.lexBlank();
      if (this.lexOperator(unaryOperators)) return { kind: 'unary', left, op: this.lastToken.trim(), pos };
      this.lexBlank();
      let op: string;
      let right: Expr;
      if (this.lexOperator(numericOperators)) {
        op = this.lastToken;
        right = this.numericValueOrTransformer();
      } else if (this.lexOperator(stringOperatorTokens)) {
        op = this.lastToken;
        // Word operators already consumed their mandatory blank; symbols like `==` may not have one.
        const hadBlank = /^[a-z]/i.test(op) || this.lexBlank();
        const saved = { pos: this.here(), token: this.lastToken };
        if (
          hadBlank &&
          this.lexOperator(modifierTokens) &&
          this.listValueFollows() &&
          !this.boolKeywordFollows()
        ) {
          op = `${op.trim()} ${this.lastToken}`;
          right = this.listValue();
        } else {
          this.pos = saved.pos;
          this.lastToken = saved.token;
          right = this.stringValueOrTransformer(false);
        }
      } else if (this.lexOperator(listOperators)) {
        op = this.lastToken;
        right = this.listValueOrTransformer();
      } else {
        return this.fail(`expected a valid check operator: one of ${quotedList(supportedOperators)}`);
      }
      const check: BinaryCheckExpr = { kind: 'binary', left, op: op.trim(), right, pos };
      return check;
    } finally {
      this.leave();
    }
  }

  private numericValueOrTransformer(): Expr {
    this.enter();
    try {
      this.lexBlank();
      const pos = this.here();
      const transformer = this.tryTransformerOrVal();
      if (transformer !== undefined) return transformer;
      if (this.lexRegex(rx.hexNumber) || this.lexRegex(rx.number)) return this.value(pos);
      return this.fail(
        `expected a number value or a field with a valid transformer: ${quotedList(['val', ...transformers])}`,
      );
    } finally {
      this.leave();
    }
  }

  private stringValueOrTransformer(noTransformer: boolean): Expr {
    this.enter();
    try {
      this.lexBlank();
      const pos = this.here();
      if (!noTransformer) {
        const transformer = this.tryTransformerOrVal();
        if (transformer !== undefined) return transformer;
      }
      if (this.lexQuoted() || this.lexRegex(rx.bareString)) return this.value(pos);
      if (noTransformer) return this.fail('expected a string value');
      return this.fail(
        `expected a string value or a field with a valid transformer: ${quotedList(['val', ...transformers])}`,
      );
    } finally {
      this.leave();
    }
  }

  private tryListExpr(): ListExpr | undefined {
    const pos = this.here();
    if (!this.lexString('(')) return undefined;
    const values: string[] = [];
    this.lexBlank();
    let first: Expr | undefined;
    const next = this.input[this.pos.idx];
    // libsinsp tries a value and treats failure as an empty list; peeking avoids throwing for `()`.
    if (next !== ')' && next !== ',' && next !== undefined) {
      try {
        first = this.stringValueOrTransformer(true);
      } catch (error) {
        if (!(error instanceof ConditionSyntaxError)) throw error;
      }
    }
    if (first !== undefined) {
      values.push((first as ValueExpr).value);
      this.lexBlank();
      while (this.lexString(',')) {
        values.push((this.stringValueOrTransformer(true) as ValueExpr).value);
        this.lexBlank();
      }
    }
    if (!this.lexString(')')) this.fail("expected a ')' token");
    return { kind: 'list', values, pos };
  }

  private listValue(): Expr {
    this.enter();
    try {
      this.lexBlank();
      const pos = this.here();
      const list = this.tryListExpr();
      if (list !== undefined) return list;
      if (this.lexRegex(rx.identifier)) return this.value(pos);
      return this.fail('expected a list or an identifier');
    } finally {
      this.leave();
    }
  }

  private listValueOrTransformer(): Expr {
    this.enter();
    try {
      this.lexBlank();
      const pos = this.here();
      const list = this.tryListExpr();
      if (list !== undefined) return list;
      const transformer = this.tryTransformerOrVal();
      if (transformer !== undefined) return transformer;
      if (this.lexRegex(rx.identifier)) return this.value(pos);
      return this.fail(
        `expected a list, an identifier, or a field with a valid transformer: ${quotedList(['val', ...transformers])}`,
      );
    } finally {
      this.leave();
    }
  }

  private tryTransformerOrVal(): Expr | undefined {
    this.enter();
    try {
      this.lexBlank();
      const pos = this.here();
      if (this.lexString('val(')) {
        this.lexBlank();
        const fieldPos = this.here();
        if (!this.lexRegex(rx.fieldName)) this.fail("expected a field within 'val' transformer");
        const field = this.fieldRemainder(this.lastToken, fieldPos);
        this.lexBlank();
        if (!this.lexString(')')) this.fail("expected a ')' token closing the transformer");
        const expr: TransformerExpr = {
          kind: 'transformer',
          transformer: 'val',
          values: [field],
          arg: this.optionalFieldArg(),
          pos,
        };
        return expr;
      }
      if (this.lexTransformerType()) {
        this.lexBlank();
        return this.transformerRemainder(this.lastToken.slice(0, -1), pos);
      }
      return undefined;
    } finally {
      this.leave();
    }
  }

  private listValueFollows(): boolean {
    if (this.input[this.pos.idx] === '(') return true;
    const saved = { pos: this.here(), token: this.lastToken };
    const found = this.lexRegex(rx.identifier);
    this.pos = saved.pos;
    this.lastToken = saved.token;
    return found;
  }

  private boolKeywordFollows(): boolean {
    const rest = this.input.slice(this.pos.idx, this.pos.idx + 4);
    return ['and', 'or', 'not'].some(
      (keyword) => rest.startsWith(keyword) && !/^[a-zA-Z0-9]$/.test(rest[keyword.length] ?? ''),
    );
  }

  // --- lexing ---------------------------------------------------------------------------------

  /** Skips blanks (space, tab, backspace, CR, LF); true when any were skipped. */
  private lexBlank(): boolean {
    let found = false;
    for (;;) {
      const c = this.input[this.pos.idx];
      if (c !== ' ' && c !== '\t' && c !== '\b' && c !== '\r' && c !== '\n') return found;
      found = true;
      this.advance(c);
    }
  }

  private lexString(text: string): boolean {
    if (!this.input.startsWith(text, this.pos.idx)) return false;
    this.lastToken = text;
    this.advance(text);
    return true;
  }

  private lexRegex(regex: RegExp): boolean {
    regex.lastIndex = this.pos.idx;
    const match = regex.exec(this.input);
    if (match === null) return false;
    this.lastToken = match[0];
    this.advance(match[0]);
    return true;
  }

  private lexTransformerType(): boolean {
    return transformerTokens.some((token) => this.lexString(token));
  }

  /** Operators spelled with a trailing space must be followed by a blank; otherwise backtrack. */
  private lexOperator(operators: readonly string[]): boolean {
    for (const op of operators) {
      if (!op.endsWith(' ')) {
        if (this.lexString(op)) return true;
        continue;
      }
      const saved = { pos: this.here(), token: this.lastToken };
      if (this.lexString(op.trim())) {
        if (this.lexBlank()) return true;
        this.pos = saved.pos;
        this.lastToken = saved.token;
      }
    }
    return false;
  }

  /** A '…' or "…" token; on success lastToken holds the unescaped value. */
  private lexQuoted(): boolean {
    const delimiter = this.input[this.pos.idx];
    if (delimiter !== '"' && delimiter !== "'") return false;
    let prev = '\\';
    for (let i = this.pos.idx; i < this.input.length; i++) {
      const c = this.input[i] as string;
      if (c === delimiter && prev !== '\\') {
        const token = this.input.slice(this.pos.idx, i + 1);
        this.advance(token);
        try {
          this.lastToken = unescapeQuoted(token);
        } catch (error) {
          if (error instanceof EscapeError) this.fail(error.message);
          throw error;
        }
        return true;
      }
      prev = c;
    }
    return false;
  }
}
